import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../../shared/constants';
import { groupFields, readOptions } from '../../shared/descriptions';
import { readGroup, reportRead } from '../../shared/group/groupUsers';
import { emptyReadNote, readItemGroupQuery, type GroupQuery } from '../../shared/group/query';
import { readNumber } from '../../shared/values';
import { createShaper } from '../../shared/items/shape';
import {
	compactMember,
	fromAiKey,
	returnFieldKeys,
	TOOL_DEFAULT_LIMIT,
	TOOL_MAX_LIMIT,
	toolAnswer,
} from '../../shared/items/toolAnswer';
import type { PaginateResult } from '../../shared/reader/read';
import { BeschannelsClient } from '../../shared/transport/client';
import { withToolAdvice } from './toolErrors';
import { learnServed, planToolPages } from './toolPages';

/**
 * Get Many as a tool (`beschannelsTool`, for an AI Agent or the MCP Server Trigger): the parameters a
 * model fills by default, and an answer sized for a model's context (see shared/items/toolAnswer.ts).
 * Parameters shown only to the tool carry `'@tool': [true]`; their counterparts of the plain node
 * hide themselves from the tool.
 */

/** A parameter value the model fills, written as n8n's editor writes one ("Defined automatically by the model"). */
function byModel(key: string, description: string, type: 'string' | 'number', defaultValue?: string | number): string {
	const fallback = defaultValue === undefined ? '' : `, ${typeof defaultValue === 'string' ? `'${defaultValue}'` : defaultValue}`;
	return `={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('${key}', \`${description}\`, '${type}'${fallback}) }}`;
}

const forTool = { show: { '@tool': [true] } };

/** Hides a plain-node parameter from the tool, which has its own in its place. */
export function notForTool(property: INodeProperties): INodeProperties {
	const hide = { ...property.displayOptions?.hide, '@tool': [true] };
	return { ...property, displayOptions: { ...property.displayOptions, hide } };
}

const groupObj = groupFields.find((field) => field.name === 'groupObj')!;
const groupId = groupFields.find((field) => field.name === 'groupId')!;

/** Options a tool offers: Search and the start position are the model's; labels would rename the fields the tool describes. */
const toolOptionNames = new Set(['pageSize', 'returnFieldList', 'addIsoDate', 'createdTimeOffset', 'timeout', 'maxRetries']);

export const toolGroupObj: INodeProperties = {
	...groupObj,
	default: byModel(
		'groupObject',
		'The kind of group: leads_schema_data for market leads (the default), schema_data for customers with details, member for members',
		'string',
		'leads_schema_data',
	),
	displayOptions: forTool,
};

export const toolGroupId: INodeProperties = {
	...groupId,
	default: byModel('groupId', 'The ID of the Beschannels group to read, e.g. 1001', 'string'),
	displayOptions: forTool,
};

export const toolProperties: INodeProperties[] = [
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: byModel(
			'search',
			'Only members matching this text (the basic search of Beschannels, e.g. a name, phone number or email); empty for the whole group',
			'string',
			'',
		),
		description: 'Only members matching this text (search_str, the basic search of Beschannels)',
		displayOptions: forTool,
	},
	{
		displayName: 'Members per Call',
		name: 'membersPerCall',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: TOOL_MAX_LIMIT },
		default: byModel(
			'limit',
			`How many members to return, 1 to ${TOOL_MAX_LIMIT} (default ${TOOL_DEFAULT_LIMIT})`,
			'number',
			TOOL_DEFAULT_LIMIT,
		),
		description: `How many members one call returns, at most ${TOOL_MAX_LIMIT}`,
		displayOptions: forTool,
	},
	{
		displayName: 'Start At',
		name: 'start',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: byModel(
			'start',
			'Position in the group list to start at: 1 (the default) for the beginning; to continue, the nextStart of the previous answer (positions count rows hidden from this user too, so nextStart can run ahead of the members returned)',
			'number',
			1,
		),
		description: 'Position in the group list to start at, 1 for the first; positions count rows hidden from the User ID too',
		displayOptions: forTool,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: readOptions.filter((option) => toolOptionNames.has(option.name)),
		displayOptions: forTool,
	},
];

/** The tool's description for the model (n8n's Tool Description), shown and editable in the tool node. */
export const toolDescription: INodeProperties = {
	displayName: 'Description',
	name: 'toolDescription',
	type: 'string',
	typeOptions: { rows: 4 },
	default:
		'Lists the members of a group in Beschannels, a marketing-automation platform (market leads, customers, members). Returns one JSON object: total (how many members Beschannels counts in the group, or matching the search), start and returned (which members this answer holds), nextStart when more follow, a note that says how to get them, and members, each with FullName, MobilePhone, Email, Company, CreatedTime (China time, UTC+8), identity_id, and lead scores as score_<model ID> numbers (no score_ field: no score in that model). Empty fields are left out.',
	required: true,
	description:
		'What the model reads about this tool. Explain what it does; a good, specific description lets models call it well.',
	displayOptions: forTool,
};

function wholeNumber(this: IExecuteFunctions, name: string, raw: unknown, i: number, max?: number): number {
	const fail = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { description, itemIndex: i });
	const value = readNumber(name, raw, fail);
	if (value === undefined || !Number.isInteger(value) || value < 1) {
		throw fail(`${name} must be a whole number of at least 1`, `${name} is ${String(value)}.${max ? ` Give 1 to ${max}.` : ''}`);
	}
	return value;
}

/** The `$fromAI` keys the model fills, for its answers and its error messages. */
function modelKeys(node: INode) {
	const { parameters } = node;
	return {
		groupObjectKey: fromAiKey(parameters.groupObj),
		groupIdKey: fromAiKey(parameters.groupId),
		limitKey: fromAiKey(parameters.membersPerCall),
		startKey: fromAiKey(parameters.start),
	};
}

/**
 * Get Many as a tool: one answer with a summary and at most `limit` compact members, from `start`
 * on. A failure's message says what the model (or the user) must do (see toolErrors.ts).
 */
export async function executeAsTool(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const keys = modelKeys(node);
	const account = { app: false };
	try {
		return await readAsTool.call(this, i, keys, account);
	} catch (error) {
		throw withToolAdvice(node, error, i, { ...keys, app: account.app });
	}
}

/** What the model (or the workflow) asked of one call. */
function toolArgs(this: IExecuteFunctions, i: number) {
	const query = readItemGroupQuery(this, i, {
		searchStr: this.getNodeParameter('search', i, ''),
		startPage: undefined,
		useLabels: false,
	});
	const askedLimit = wholeNumber.call(
		this,
		'Members per Call',
		this.getNodeParameter('membersPerCall', i, TOOL_DEFAULT_LIMIT),
		i,
		TOOL_MAX_LIMIT,
	);
	const start = wholeNumber.call(this, 'Start At', this.getNodeParameter('start', i, 1), i);
	return { query, askedLimit, limit: Math.min(askedLimit, TOOL_MAX_LIMIT), start };
}

/**
 * Reads the members of one call, from position `start` on, in pages that end where the next call
 * starts (see toolPages.ts). Once a page came back short (rows hidden), the read stops before a page
 * that could hold more members than the call may return: its members would be cut inside a page.
 */
async function readSlice(
	client: BeschannelsClient,
	query: GroupQuery,
	call: { start: number; limit: number; keep: (row: IDataObject) => IDataObject },
): Promise<PaginateResult> {
	const pages = await planToolPages(client, query, call.start - 1, call.limit);
	let kept = 0;
	let short = false;
	let fillsToTotal = false;
	const result = await readGroup(client, query, {
		returnAll: false,
		limit: call.limit,
		concurrency: API_REQUESTS_PER_SECOND,
		startOffset: call.start - 1,
		...pages,
		keep: (row) => {
			kept++;
			return call.keep(row);
		},
		onPage: (page, request) => {
			short ||= page.list.length < request.pageSize;
			// rows that fill a page exactly up to `total` may show the end of the group: the reader judges them
			fillsToTotal = page.total !== undefined && page.list.length === page.total - (request.pageNum - 1) * request.pageSize;
		},
		until: () => short && !fillsToTotal && kept + pages.pageSize > call.limit,
	});
	learnServed(client, result.served);
	return result;
}

async function readAsTool(
	this: IExecuteFunctions,
	i: number,
	keys: ReturnType<typeof modelKeys>,
	account: { app: boolean },
): Promise<INodeExecutionData[]> {
	const { query, askedLimit, limit, start } = toolArgs.call(this, i);
	const shape = createShaper(query.shape);
	const extra = returnFieldKeys(query.returnFieldList);
	const client = await BeschannelsClient.open(this, { itemIndex: i });
	account.app = client.account.app !== undefined;
	const keep = (row: IDataObject) => compactMember(shape(row), extra);
	const result = await readSlice(client, query, { start, limit, keep });
	const shortNote = reportRead(this, result, i, start === 1 ? emptyReadNote(query) : undefined);
	const answer = toolAnswer({
		result,
		start,
		limit,
		askedLimit,
		search: query.searchStr,
		shortNote,
		startKey: keys.startKey,
		limitKey: keys.limitKey,
	});
	return [{ json: answer, pairedItem: { item: i } }];
}
