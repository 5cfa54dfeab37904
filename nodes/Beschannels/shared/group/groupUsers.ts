import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { GROUP_USER_LIST_PATH } from '../constants';
import type { HeaderEntry, Page, PageRequest } from './page';
import { MAX_PAGE_SIZE, PageSizePlan, startPageSize } from './pageSize';
import { judgeRead } from './verdict';
import { paginate, type PaginateResult } from '../reader/read';
import { readShapeOptions, type ShapeOptions } from '../items/shape';
import { MalformedAnswer, type BeschannelsClient, type CallOptions } from '../transport/client';

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

export interface GroupReadOptions {
	returnAll: boolean;
	limit: number;
	concurrency?: number;
	/** Ends the read early once a page satisfies it (pages are offered in order). */
	until?: (page: Page) => boolean;
	/** Shapes (or drops) each member as its page is read (see `paginate`). */
	keep?: (member: IDataObject) => IDataObject | undefined;
	/** Members to skip before the first one read; by default those before Start at Page. */
	startOffset?: number;
}

function text(value: unknown): string {
	if (value === undefined || value === null) return '';
	return String(value).trim();
}

/** Reads and checks the group parameters shared by the action node and the trigger. */
export function readGroupQuery(
	node: INode,
	raw: { userId: unknown; groupObj: unknown; groupId: unknown; options: IDataObject },
	itemIndex?: number,
): GroupQuery {
	const fail = (message: string, description: string) =>
		new NodeOperationError(node, message, { description, itemIndex });
	const userId = text(raw.userId);
	if (!userId)
		throw fail(
			'User ID is empty',
			'Fill in User ID: in Beschannels open Personal settings and copy your User ID.',
		);
	const groupObj = text(raw.groupObj);
	if (!groupObj)
		throw fail(
			'Group Object is empty',
			'Choose a Group Object, e.g. Market Leads (leads_schema_data).',
		);
	const { options } = raw;
	const automatic = options.pageSize === undefined || options.pageSize === null || options.pageSize === '';
	const pageSize = automatic ? undefined : Number(options.pageSize);
	if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE))
		throw fail(
			`Page Size must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
			`Page Size is ${String(options.pageSize)}. Set it between 1 and ${MAX_PAGE_SIZE}, or remove the option to let the node choose.`,
		);
	const startPage = options.startPage === undefined ? 1 : Number(options.startPage);
	if (!Number.isInteger(startPage) || startPage < 1)
		throw fail('Start at Page must be a whole number of at least 1', `Start at Page is ${String(options.startPage)}.`);
	const shape = readShapeOptions(options, fail);
	const timeout = options.timeout === undefined ? undefined : Number(options.timeout);
	if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 1))
		throw fail('Timeout must be a positive number of milliseconds', `Timeout is ${String(options.timeout)}.`);
	const retries = options.maxRetries === undefined ? undefined : Number(options.maxRetries);
	if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 10))
		throw fail('Retries must be a whole number from 0 to 10', `Retries is ${String(options.maxRetries)}.`);
	return {
		userId,
		groupObj: String(raw.groupObj),
		groupId: text(raw.groupId),
		searchStr: text(options.searchStr),
		returnFieldList: text(options.returnFieldList),
		pageSize,
		startPage,
		useLabels: options.useLabels === true,
		timeoutMs: timeout,
		maxRetries: retries,
		shape,
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

/** Checks one page's `data` and returns it typed; the transport names the page if it is malformed. */
export function readPage(data: unknown): Page {
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new MalformedAnswer('data is not an object');
	}
	const { list, total, header } = data as IDataObject;
	if (!Array.isArray(list)) throw new MalformedAnswer('data.list is not an array');
	if (list.some((row) => typeof row !== 'object' || row === null || Array.isArray(row))) {
		throw new MalformedAnswer('data.list holds something other than member objects');
	}
	const totalNumber = total === undefined || total === null || total === '' ? undefined : Number(total);
	return {
		list: list as IDataObject[],
		total: totalNumber !== undefined && Number.isFinite(totalNumber) ? totalNumber : undefined,
		header: Array.isArray(header)
			? (header.filter(
					(entry) =>
						typeof entry === 'object' && entry !== null && typeof (entry as IDataObject).prop === 'string',
				) as unknown as HeaderEntry[])
			: [],
	};
}

/**
 * Reads a group's members page by page (see `paginate` for how and when it stops), at the page
 * sizes the account's `PageSizePlan` gives.
 */
export async function readGroup(
	client: BeschannelsClient,
	query: GroupQuery,
	options: GroupReadOptions,
): Promise<PaginateResult> {
	const call = (request: PageRequest, signal: AbortSignal): CallOptions => ({
		path: GROUP_USER_LIST_PATH,
		fields: {
			user_id: query.userId,
			group_obj: query.groupObj,
			groupId: query.groupId,
			search_str: query.searchStr,
			return_field_list: query.returnFieldList,
			page_num: request.pageNum,
			page_size: request.pageSize,
		},
		page: request.pageNum,
		timeoutMs: query.timeoutMs,
		maxRetries: query.maxRetries,
		signal,
	});
	const sizes = new PageSizePlan(client.account.accountKey, query.pageSize);
	const result = await paginate({
		returnAll: options.returnAll,
		limit: options.limit,
		pageSize: sizes.first,
		afterRefusal: sizes.afterRefusal,
		// Start at Page counts pages of Page Size, whatever Limit is
		startOffset: options.startOffset ?? (query.startPage - 1) * startPageSize(query.pageSize),
		concurrency: options.concurrency,
		until: options.until,
		keep: options.keep,
		fetchPage: async (request, signal) => await client.call(call(request, signal), readPage),
	});
	sizes.learn(result);
	return result;
}

/**
 * Judges a finished read for input item `i` (see `judgeRead`) and shows its note, if any, as an
 * execution hint and in the log; returns the note.
 */
export function reportRead(context: IExecuteFunctions, result: PaginateResult, i: number): string | undefined {
	const note = judgeRead(context.getNode(), result, { itemIndex: i });
	if (note) {
		// an AI Agent's tool context may lack execution hints
		if (typeof context.addExecutionHints === 'function') context.addExecutionHints({ message: note, location: 'outputPane' });
		context.logger.warn(`Beschannels: ${note}`);
	}
	return note;
}
