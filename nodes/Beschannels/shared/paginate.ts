import type { IDataObject } from 'n8n-workflow';

import { MAX_PAGES } from './constants';
import { memberIdentity } from './shape';

export interface HeaderEntry {
	label: string;
	prop: string;
}

/** One page of the group user list as the API sent it. */
export interface Page {
	total?: number;
	list: IDataObject[];
	header: HeaderEntry[];
}

export interface PaginateOptions {
	returnAll: boolean;
	limit: number;
	/** Fetches one page; `signal` aborts once reading has stopped, so pages fetched ahead are not sent. */
	fetchPage: (pageNum: number, signal: AbortSignal) => Promise<Page>;
	/** Pages fetched ahead while the plan from `total` lasts; 1 reads strictly page after page. */
	concurrency?: number;
	maxPages?: number;
	/** The page to start from (default 1), to read a large group in slices. */
	firstPage?: number;
	/** Called after each page, in page order; returning true ends the read (`until`). */
	until?: (page: Page) => boolean;
	/**
	 * Turns each member kept into what `members` returns, as its page is read, so the work is done
	 * while later pages are still on their way. Members are judged (identity, repeats) before it.
	 */
	shape?: (member: IDataObject) => IDataObject;
}

/**
 * Why reading stopped: `limit` reached, an `empty` page, a `short` page (fewer rows than the first),
 * a page that only `repeat`ed members already read, or the `maxPages` safety bound.
 */
export type StopReason = 'limit' | 'empty' | 'short' | 'repeat' | 'maxPages' | 'until';

export interface PaginateResult {
	members: IDataObject[];
	pagesRead: number;
	/** `total` as the first page reported it. */
	total?: number;
	/** How many members `total` leaves from the first page read on (all of them from page 1). */
	expected?: number;
	header: HeaderEntry[];
	duplicates: number;
	stop: StopReason;
	/** The page at which reading stopped. */
	lastPage: number;
}

function mergeHeader(into: HeaderEntry[], known: Set<string>, header: HeaderEntry[]): void {
	for (const entry of header) {
		if (!known.has(entry.prop)) {
			known.add(entry.prop);
			into.push(entry);
		}
	}
}

/**
 * Reads pages from 1 upwards and returns the members in the API's order, each identity once.
 *
 * `total` only plans how many pages to fetch ahead; the end is decided by what arrives: an empty
 * page, a page shorter than the first one (the server may cap rows per page below what was asked),
 * or a page with nothing new (a server that ignores page_num, or a total that lies low).
 */
export async function paginate(options: PaginateOptions): Promise<PaginateResult> {
	const { returnAll, limit, fetchPage } = options;
	const concurrency = Math.max(1, options.concurrency ?? 1);
	const maxPages = options.maxPages ?? MAX_PAGES;
	const wanted = returnAll ? Infinity : limit;
	const shape = options.shape ?? ((member: IDataObject) => member);

	const members: IDataObject[] = [];
	const seen = new Set<string>();
	const header: HeaderEntry[] = [];
	const headerProps = new Set<string>();
	const ahead = new Map<number, Promise<Page>>();
	const stopped = new AbortController();
	let duplicates = 0;
	let total: number | undefined;
	let firstRows = 0;
	const firstPage = Math.max(1, options.firstPage ?? 1);
	let expected: number | undefined;
	let plannedPages = firstPage;
	let pagesRead = 0;
	let stop: StopReason = 'empty';
	let page = firstPage;
	let previousAnonymous: string | undefined;

	const prefetch = (upTo: number) => {
		for (let next = page + 1; next <= Math.min(upTo, maxPages); next++) {
			if (!ahead.has(next)) {
				const pending = fetchPage(next, stopped.signal);
				pending.catch(() => undefined);
				ahead.set(next, pending);
			}
		}
	};

	for (; ; page++) {
		if (page - firstPage >= maxPages) {
			stop = 'maxPages';
			page -= 1;
			break;
		}
		const pending = ahead.get(page) ?? fetchPage(page, stopped.signal);
		ahead.delete(page);
		if (page > firstPage && page < plannedPages) prefetch(Math.min(plannedPages, page + concurrency - 1));
		let result: Page | undefined;
		try {
			result = await pending;
		} finally {
			// a failed page ends the read: pages fetched ahead are not sent
			if (result === undefined) stopped.abort();
		}
		pagesRead++;
		mergeHeader(header, headerProps, result.header);

		if (page === firstPage) {
			total = result.total;
			firstRows = result.list.length;
			if (total !== undefined) expected = Math.max(0, total - (firstPage - 1) * firstRows);
			if (firstRows > 0 && expected !== undefined && expected > firstRows) {
				plannedPages = firstPage - 1 + Math.ceil(Math.min(expected, wanted) / firstRows);
				// a last page that comes full is followed by one more read to see the end: plan it too
				if (expected < wanted && expected % firstRows === 0) plannedPages++;
				prefetch(Math.min(plannedPages, firstPage + concurrency - 1));
			}
		}
		if (result.list.length === 0) {
			stop = 'empty';
			break;
		}

		// Rows without an identity cannot be told apart one by one; a page of them identical to the
		// page before means the server sent the same page again.
		if (result.list.some((row) => memberIdentity(row) === undefined)) {
			const fingerprint = JSON.stringify(result.list);
			if (fingerprint === previousAnonymous) {
				stop = 'repeat';
				break;
			}
			previousAnonymous = fingerprint;
		}

		let fresh = 0;
		for (const row of result.list) {
			const identity = memberIdentity(row);
			if (identity !== undefined) {
				if (seen.has(identity)) {
					duplicates++;
					continue;
				}
				seen.add(identity);
			}
			fresh++;
			members.push(shape(row));
			if (members.length >= wanted) break;
		}
		if (members.length >= wanted) {
			stop = 'limit';
			break;
		}
		if (fresh === 0) {
			stop = 'repeat';
			break;
		}
		if (result.list.length < firstRows) {
			stop = 'short';
			break;
		}
		if (options.until?.(result)) {
			stop = 'until';
			break;
		}
	}

	stopped.abort();
	return { members, pagesRead, total, expected, header, duplicates, stop, lastPage: page };
}
