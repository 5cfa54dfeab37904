import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { GROUP_USER_LIST_PATH } from '../constants';
import type { HeaderEntry, Page, PageRequest } from './page';
import { PageSizePlan, startPageSize } from './pageSize';
import type { GroupQuery } from './query';
import { paginate, type PaginateResult } from '../reader/read';
import { MalformedAnswer, type BeschannelsClient, type CallOptions } from '../transport/client';

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
	/** Sees each page as it arrives, before any of its members is kept (pages may come ahead of their turn). */
	onPage?: (page: Page) => void;
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
		fetchPage: async (request, signal) => {
			const page = await client.call(call(request, signal), readPage);
			options.onPage?.(page);
			return page;
		},
	});
	sizes.learn(result);
	return result;
}

/**
 * Judges a finished read for input item `i` (see `assessRead`) and shows its note, if any, as an
 * execution hint and in the log; `empty` is the note for a read that found no member. Returns the note.
 */
export function reportRead(
	context: IExecuteFunctions,
	result: PaginateResult,
	i: number,
	empty?: string,
): string | undefined {
	const note = assessRead(context.getNode(), result, i) ?? (result.read === 0 ? empty : undefined);
	if (note) {
		// an AI Agent's tool context may lack execution hints
		if (typeof context.addExecutionHints === 'function') context.addExecutionHints({ message: note, location: 'outputPane' });
		context.logger.warn(`Beschannels: ${note}`);
	}
	return note;
}

/**
 * Judges a finished read. A read that could not show it has the whole group is an error; one whose
 * end was seen with fewer members than `total` counts is returned with a note that says what is
 * known and what is not.
 */
export function assessRead(node: INode, result: PaginateResult, itemIndex?: number): string | undefined {
	const { read, expected, total, totals } = result;
	const ofTotal = expected === undefined ? '' : ` of the ${expected} that total announced`;
	const fail = (message: string, description: string) =>
		new NodeApiError(node, { message }, { message, description, itemIndex });
	if (result.end === 'maxPages') {
		throw fail(
			`Stopped after ${result.pagesRead} pages without reaching the end of the group`,
			`Read ${read} members${ofTotal}. The server kept sending pages with new members past the safety bound; narrow the read with Search or a smaller group, or contact Beschannels support.`,
		);
	}
	if (result.end === 'moved') {
		const seen = totals.length > 1 ? `Beschannels' total went from ${totals.join(' to ')}` : `Beschannels' total stayed ${total}`;
		const how = result.misplaced
			? `${seen} while members were found at other places than where they had been read (a member changed place, or members joined and left at the same moment), even after the group was read again from the start`
			: `${seen} during the read, and members moved between pages even after ${result.rereads} parts were read again`;
		throw fail(
			'The group changed while it was read',
			`${how}. Read ${read} members; stopping rather than returning part of the group as if it were whole. Running it again helps once the group holds still (for example after an import or a rule update has finished).`,
		);
	}
	if (result.end === 'repeat' && (expected === undefined || read < expected)) {
		throw fail(
			`Beschannels sent page ${result.lastPage} again instead of new members`,
			`Page ${result.lastPage} held only members already read, twice, while total did not change, so the server seems to ignore page_num. Read ${read} members${ofTotal}; stopping rather than returning part of the group as if it were whole. Try again later or contact Beschannels support.`,
		);
	}
	if (result.complete && expected !== undefined && read < expected) {
		const from = totals.at(-1) === expected ? '' : ` (${expected} from the start page on)`;
		const missing = expected - read;
		if (result.moved) {
			const how = totals.length > 1 ? `Beschannels' total went from ${totals.join(' to ')}` : 'members moved between pages';
			return `The group changed while it was read (${how}) and ${read} members arrived. Every member who was in the group for the whole read is here, once; members who joined after their part of the group was read are not, and the next run will have them.`;
		}
		return `Beschannels announced ${totals.at(-1)} members in this group${from} but ${read} arrived. The end of the group was seen (nothing came past the last member, asked twice), so these are all the members the API sends to this User ID now; the other ${missing} ${missing === 1 ? 'is' : 'are'} counted by Beschannels but not sent (hidden from this User ID by its data permissions, or deleted).`;
	}
	return undefined;
}
