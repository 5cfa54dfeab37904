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

/** What one request asks for: `page_num` and `page_size`. */
export interface PageRequest {
	pageNum: number;
	pageSize: number;
}

export interface PaginateOptions {
	returnAll: boolean;
	limit: number;
	/** Rows asked per page at first (Page Size); later pages ask what the server showed it serves. */
	pageSize: number;
	/**
	 * Smaller sizes to try, in order, when the first request is refused (`refused`) before any
	 * answer arrived: a server that rejects a large page_size as a bad parameter.
	 */
	stepDown?: number[];
	refused?: (error: unknown) => boolean;
	/** Members to skip before the first one read (Start at Page: pages of Page Size). */
	startOffset?: number;
	/** Fetches one page; `signal` aborts once the page is no longer needed, so it is not sent. */
	fetchPage: (request: PageRequest, signal: AbortSignal) => Promise<Page>;
	/** Requests in flight at once while the plan from `total` lasts; 1 reads strictly one by one. */
	concurrency?: number;
	maxPages?: number;
	/** Called after each answer, in order, with the rows it added; returning true ends the read. */
	until?: (page: Page) => boolean;
	/**
	 * Turns each member read into what `members` holds, as its page is read, so the work is done
	 * while later pages are on their way; `undefined` keeps nothing (the member still counts).
	 */
	keep?: (member: IDataObject) => IDataObject | undefined;
}

/**
 * How the read ended. Complete: the `total` announced was reached by a page that showed the end,
 * or the end was `confirmed` by asking again. Not complete: `shortOfTotal` (the end was confirmed
 * by a second answer, but fewer members arrived than announced), `repeat` (a page brought only
 * members already read), `maxPages`. Stopped on purpose: `limit`, `until`.
 */
export type ReadEnd = 'total' | 'confirmed' | 'shortOfTotal' | 'repeat' | 'maxPages' | 'limit' | 'until';

export interface PaginateResult {
	members: IDataObject[];
	/** Members read (kept or not), each identity once. */
	read: number;
	/** Requests answered. */
	pagesRead: number;
	/** `total` as the first answer reported it. */
	total?: number;
	/** How many members `total` leaves from the start offset on. */
	expected?: number;
	header: HeaderEntry[];
	duplicates: number;
	end: ReadEnd;
	/** True only when the read showed it has every member from the start offset on. */
	complete: boolean;
	/** The page number of the last request. */
	lastPage: number;
	/** First requests refused as a bad parameter before one was answered (see `stepDown`). */
	refusals: number;
	/** The page size the first answered request asked. */
	firstServedSize?: number;
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
 * Reads a group by position and returns its members in the API's order, each identity once.
 *
 * Servers count offsets two ways when they serve fewer rows than asked: page k starts at
 * (k - 1) x the rows served, or at (k - 1) x the rows asked. Both agree whenever a page is served
 * in full, so the reader only asks for sizes the server has shown it serves: once an answer is
 * shorter than asked while more remain, every later request asks exactly that many, at the page
 * that holds the next member (skipping rows already read). Where an answer's position is not
 * certain (a short first answer at a later page), it is asked again at a size the server serves.
 *
 * The end is decided by what arrives, never by `total` alone: a short or empty answer ends the read
 * when the total agrees; otherwise the same position is asked once more, and only a second
 * answer with nothing new confirms the end.
 */
export async function paginate(options: PaginateOptions): Promise<PaginateResult> {
	const { returnAll, limit, fetchPage } = options;
	const concurrency = Math.max(1, options.concurrency ?? 1);
	const maxPages = options.maxPages ?? MAX_PAGES;
	const startOffset = Math.max(0, options.startOffset ?? 0);
	const wanted = returnAll ? Infinity : limit;
	const keep = options.keep ?? ((member: IDataObject) => member);

	const members: IDataObject[] = [];
	const seen = new Set<string>();
	const header: HeaderEntry[] = [];
	const headerProps = new Set<string>();
	let ahead = new Map<string, Promise<Page>>();
	let aheadStop = new AbortController();
	let size = Math.max(1, returnAll ? options.pageSize : Math.min(options.pageSize, limit));
	let position = startOffset;
	let maxServed = 0;
	let total: number | undefined;
	let requests = 0;
	let read = 0;
	let duplicates = 0;
	let askAgain = false;
	let refusals = 0;
	let firstServedSize: number | undefined;
	let previousAnonymous: string | undefined;
	let pageNum = 1;
	let end: ReadEnd | undefined;

	const dropAhead = () => {
		aheadStop.abort();
		aheadStop = new AbortController();
		ahead = new Map();
	};
	const request = (page: number): Promise<Page> => {
		const key = `${page}:${size}`;
		const pending = ahead.get(key) ?? fetchPage({ pageNum: page, pageSize: size }, aheadStop.signal);
		ahead.delete(key);
		return pending;
	};
	// fetch ahead only where positions are certain: the size is one the server has served in full
	const planAhead = (current: number) => {
		if (total === undefined || size > maxServed || concurrency < 2) return;
		const endWanted = startOffset + wanted;
		let last = Math.ceil(Math.min(total, endWanted) / size);
		// a last page that comes full is followed by one more request to see the end: plan it too
		if (total < endWanted && total % size === 0) last++;
		for (let next = current + 1; next <= Math.min(last, current + concurrency - 1); next++) {
			const key = `${next}:${size}`;
			if (ahead.has(key) || requests + ahead.size >= maxPages) continue;
			const pending = fetchPage({ pageNum: next, pageSize: size }, aheadStop.signal);
			pending.catch(() => undefined);
			ahead.set(key, pending);
		}
	};

	try {
		while (end === undefined) {
			if (requests >= maxPages) {
				end = 'maxPages';
				break;
			}
			pageNum = Math.floor(position / size) + 1;
			const skip = position - (pageNum - 1) * size;
			const smaller = firstServedSize === undefined ? options.stepDown?.find((candidate) => candidate < size) : undefined;
			const answer = await request(pageNum).catch((error: unknown) => {
				if (smaller !== undefined && options.refused?.(error)) return undefined;
				throw error;
			});
			requests++;
			if (answer === undefined) {
				// refused before anything was read: ask the same position at the next smaller size
				refusals++;
				size = smaller!;
				dropAhead();
				continue;
			}
			const firstAnswer = firstServedSize === undefined;
			firstServedSize ??= size;
			mergeHeader(header, headerProps, answer.header);
			if (firstAnswer) total = answer.total;
			const served = answer.list.length;

			// A short answer at a later page, at a size never served in full: where its rows start
			// depends on how the server counts (unless they end exactly at the total). Ask again at
			// a size it serves.
			const endsAtTotal = total !== undefined && (pageNum - 1) * size + served === total;
			if (pageNum > 1 && served > 0 && served < size && size > maxServed && !endsAtTotal) {
				maxServed = served;
				size = served;
				dropAhead();
				continue;
			}
			const sizeServedBefore = maxServed;
			maxServed = Math.max(maxServed, served);

			const rows = answer.list.slice(skip);
			if (rows.some((row) => memberIdentity(row) === undefined)) {
				// rows without an identity cannot be told apart; the same page twice is a repeat
				const fingerprint = JSON.stringify(rows);
				if (fingerprint === previousAnonymous) {
					end = 'repeat';
					break;
				}
				previousAnonymous = fingerprint;
			}
			let fresh = 0;
			let taken = 0;
			for (const row of rows) {
				if (read >= wanted) break;
				taken++;
				const identity = memberIdentity(row);
				if (identity !== undefined) {
					if (seen.has(identity)) {
						duplicates++;
						continue;
					}
					seen.add(identity);
				}
				fresh++;
				read++;
				const kept = keep(row);
				if (kept !== undefined) members.push(kept);
			}
			position += taken;

			if (read >= wanted) {
				end = 'limit';
				break;
			}
			if (rows.length > 0 && fresh === 0) {
				end = 'repeat';
				break;
			}
			if (options.until?.({ ...answer, list: rows })) {
				end = 'until';
				break;
			}
			if (served === size) {
				askAgain = false;
				planAhead(pageNum);
				continue;
			}
			// A short or empty answer: the end, if the total agrees (by position, or by members read
			// when rows came twice) or a second answer confirms it. A total the rows already passed is
			// shown to lie low: it no longer vouches for the end.
			if (total !== undefined && (position === total || startOffset + read === total)) {
				end = 'total';
				break;
			}
			if (askAgain && rows.length === 0) {
				end = total !== undefined && position < total ? 'shortOfTotal' : 'confirmed';
				break;
			}
			askAgain = true;
			if (served > 0 && size > sizeServedBefore) {
				// the server serves at most this many rows a page: ask exactly that many from now on
				size = served;
				dropAhead();
				planAhead(Math.floor(position / size));
			}
		}
	} finally {
		// pages fetched ahead that are no longer needed are not sent
		aheadStop.abort();
	}

	const expected = total === undefined ? undefined : Math.max(0, total - startOffset);
	return {
		members,
		read,
		pagesRead: requests,
		total,
		expected,
		header,
		duplicates,
		end,
		complete: end === 'total' || end === 'confirmed',
		lastPage: pageNum,
		refusals,
		firstServedSize,
	};
}
