import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readShapeOptions, type ShapeOptions } from '../items/shape';
import { MAX_PAGE_SIZE } from './pageSize';
import { readBoolean, readGroupId, readNumber, readText, type Fail } from '../values';

/** The parameters of one group read, checked before any request is sent. */
export interface GroupQuery {
	userId: string;
	groupObj: string;
	groupId: string;
	searchStr: string;
	returnFieldList: string;
	/** Rows per request as the user set them; undefined: automatic. */
	pageSize?: number;
	startPage: number;
	useLabels: boolean;
	timeoutMs?: number;
	maxRetries?: number;
	shape: ShapeOptions;
}

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	return String(value).trim();
}

/** Page Size: undefined (automatic) when left out, empty or 0; else a whole number from 1 to `MAX_PAGE_SIZE`. */
function readPageSize(value: unknown, fail: Fail): number | undefined {
	if (value === null || value === '') return undefined;
	const pageSize = readNumber('Page Size', value, fail);
	if (pageSize === undefined || pageSize === 0) return undefined;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
		throw fail(
			`Page Size must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
			`Page Size is ${String(value)}. Set it between 1 and ${MAX_PAGE_SIZE}, or to 0 (or remove the option) to let the node choose.`,
		);
	return pageSize;
}

/** Start at Page, Timeout and Retries, checked. */
function readLimits(options: IDataObject, fail: Fail) {
	const startPage = readNumber('Start at Page', options.startPage, fail) ?? 1;
	if (!Number.isInteger(startPage) || startPage < 1)
		throw fail('Start at Page must be a whole number of at least 1', `Start at Page is ${String(options.startPage)}.`);
	const timeoutMs = readNumber('Timeout', options.timeout, fail);
	if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 1))
		throw fail('Timeout must be a positive number of milliseconds', `Timeout is ${String(options.timeout)}.`);
	const maxRetries = readNumber('Retries', options.maxRetries, fail);
	if (maxRetries !== undefined && (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10))
		throw fail('Retries must be a whole number from 0 to 10', `Retries is ${String(options.maxRetries)}.`);
	return { startPage, timeoutMs, maxRetries };
}

/** Reads and checks the group parameters shared by the action node, the tool and the trigger. */
export function readGroupQuery(
	node: INode,
	raw: { userId: unknown; groupObj: unknown; groupId: unknown; options: IDataObject },
	itemIndex?: number,
): GroupQuery {
	const fail = (message: string, description: string) =>
		new NodeOperationError(node, message, { description, itemIndex });
	const userId = readText('User ID', raw.userId, fail);
	if (!userId)
		throw fail(
			'User ID is empty',
			'Fill in User ID: in Beschannels open Personal settings and copy your User ID.',
		);
	const groupObj = readText('Group Object', raw.groupObj, fail);
	if (!groupObj)
		throw fail(
			'Group Object is empty',
			'Choose a Group Object, e.g. Market Leads (leads_schema_data).',
		);
	const groupId = readGroupId(raw.groupId, fail);
	const { options } = raw;
	const pageSize = readPageSize(options.pageSize, fail);
	const limits = readLimits(options, fail);
	return {
		userId,
		groupObj: typeof raw.groupObj === 'string' ? raw.groupObj : groupObj,
		groupId,
		searchStr: text(options.searchStr),
		returnFieldList: text(options.returnFieldList),
		pageSize,
		startPage: limits.startPage,
		useLabels: readBoolean('Use Column Labels as Field Names', options.useLabels, fail),
		timeoutMs: limits.timeoutMs,
		maxRetries: limits.maxRetries,
		shape: readShapeOptions(options, fail),
	};
}

/** The group parameters of input item `i`, checked; `options` replaces some of its options. */
export function readItemGroupQuery(context: IExecuteFunctions, i: number, options: IDataObject = {}): GroupQuery {
	return readGroupQuery(
		context.getNode(),
		{
			userId: context.getNodeParameter('userId', i),
			groupObj: context.getNodeParameter('groupObj', i),
			groupId: context.getNodeParameter('groupId', i, ''),
			options: { ...(context.getNodeParameter('options', i, {}) as IDataObject), ...options },
		},
		i,
	);
}

/**
 * What a read that found no member says: the Group ID and User ID it used and what to check. A
 * Group ID Beschannels does not know may come back as an empty group rather than an error.
 */
export function emptyReadNote(query: GroupQuery): string {
	const search = query.searchStr ? ' matching Search' : '';
	const from = query.startPage > 1 ? ` from Start at Page ${query.startPage} on` : '';
	return `Beschannels returned no members${search}${from} for Group ID "${query.groupId}" (Group Object ${query.groupObj}) and User ID "${query.userId}". Check that Group ID is the ID of a group in Beschannels ("分组ID") holding this Group Object, and that this User ID may see its members (its data permissions): Beschannels may answer a Group ID it does not know with an empty group rather than an error.`;
}
