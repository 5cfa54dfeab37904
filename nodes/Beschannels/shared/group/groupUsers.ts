import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { GROUP_USER_LIST_PATH } from '../constants';
import type { HeaderEntry, Page, PageRequest } from '../page';
import { PageSizePlan, startPageSize } from './pageSize';
import type { GroupQuery } from './query';
import { judgeRead } from './verdict';
import { paginate, type PaginateResult } from '../reader/read';
import { MalformedAnswer, type BeschannelsClient, type CallOptions } from '../transport/client';
import { BeschannelsError } from '../transport/errors';

interface GroupReadOptions {
	returnAll: boolean;
	limit: number;
	concurrency?: number;
	/** Ends the read early once a page satisfies it (pages are offered in order). */
	until?: (page: Page) => boolean;
	/** Shapes (or drops) each member as its page is read (see `paginate`). */
	keep?: (member: IDataObject) => IDataObject | undefined;
	/** Members to skip before the first one read; by default those before Start at Page. */
	startOffset?: number;
	/** Sees each page as it arrives, before any of its members is kept (pages may come ahead of their turn). */
	onPage?: (page: Page, request: PageRequest) => void;
	/**
	 * Replaces each row as its page arrives with what the read keeps of it while the page waits its
	 * turn (it must keep the row's identity: see `memberIdentity`); `keep` then gets that.
	 */
	slim?: (row: IDataObject) => IDataObject;
	/** The most rows a request asks, below what the page-size plan gives. */
	pageSize?: number;
	/** Rows the server served in one answer before (see `PaginateOptions.served`). */
	served?: number;
	/** An answer already fetched: the read's first request for that page takes it instead of asking again. */
	fetched?: { request: PageRequest; page: Page };
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

/** Whether Beschannels refused a page's parameters (code 10002 and the like), as it may a page past the end. */
export function refusedPage(error: unknown): boolean {
	return error instanceof BeschannelsError && error.kind === 'badParameter';
}

/** One request for page `request` of the group user list. */
export async function fetchGroupPage(
	client: BeschannelsClient,
	query: GroupQuery,
	request: PageRequest,
	signal?: AbortSignal,
): Promise<Page> {
	const call: CallOptions = {
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
	};
	return await client.call(call, readPage);
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
	const sizes = new PageSizePlan(client.account.accountKey, query.pageSize);
	let fetched = options.fetched;
	const fetchPage = async (request: PageRequest, signal: AbortSignal): Promise<Page> => {
		const same = fetched && fetched.request.pageNum === request.pageNum && fetched.request.pageSize === request.pageSize;
		const page = same ? fetched!.page : await fetchGroupPage(client, query, request, signal);
		fetched = undefined;
		options.onPage?.(page, request);
		return options.slim ? { ...page, list: page.list.map(options.slim) } : page;
	};
	const result = await paginate({
		returnAll: options.returnAll,
		limit: options.limit,
		pageSize: Math.min(sizes.first, options.pageSize ?? sizes.first),
		afterRefusal: sizes.afterRefusal,
		// Start at Page counts pages of Page Size, whatever Limit is
		startOffset: options.startOffset ?? (query.startPage - 1) * startPageSize(query.pageSize),
		concurrency: options.concurrency,
		until: options.until,
		keep: options.keep,
		served: options.served,
		fetchPage,
		refusedPage,
	});
	sizes.learn(result);
	return result;
}

/**
 * Judges a finished read for input item `i` (see `judgeRead`) and shows its note, if any, as an
 * execution hint and in the log; `empty` is the note for a read that found no member. Returns the note.
 */
export function reportRead(
	context: IExecuteFunctions,
	result: PaginateResult,
	i: number,
	empty?: string,
): string | undefined {
	const note = judgeRead(context.getNode(), result, { itemIndex: i }) ?? (result.read === 0 ? empty : undefined);
	if (note) {
		// an AI Agent's tool context may lack execution hints
		if (typeof context.addExecutionHints === 'function') context.addExecutionHints({ message: note, location: 'outputPane' });
		context.logger.warn(`Beschannels: ${note}`);
	}
	return note;
}
