import type { IDataObject } from 'n8n-workflow';

import { MAX_PAGES } from './constants';
import { judge, type Reading, type Verdict } from './evidence';
import { memberIdentity, type HeaderEntry, type Page, type PageRequest } from './page';
import { OVERLAP_ROWS, planWindow, windowHolding, type Window } from './windows';

export type { HeaderEntry, Page, PageRequest } from './page';

export interface PaginateOptions {
	returnAll: boolean;
	limit: number;
	/** Rows asked by the first request (Page Size); later requests ask at most what the server showed it serves. */
	pageSize: number;
	/**
	 * Smaller sizes to try, in order, when the first request is refused twice at a size (`refused`)
	 * before any answer arrived: a server that rejects a large page_size as a bad parameter.
	 */
	stepDown?: number[];
	/** A size known to work: the first refusal of `pageSize` goes straight to it. */
	fallback?: number;
	refused?: (error: unknown) => boolean;
	/** Members to skip before the first one read (Start at Page: pages of Page Size). */
	startOffset?: number;
	/** Fetches one page; `signal` aborts once the page is no longer needed, so it is not sent. */
	fetchPage: (request: PageRequest, signal: AbortSignal) => Promise<Page>;
	/** Requests in flight at once while the plan lasts; 1 reads strictly one by one. */
	concurrency?: number;
	maxPages?: number;
	/** Called after each answer taken, in order, with its rows; returning true ends the read. */
	until?: (page: Page) => boolean;
	/**
	 * Turns each member read into what `members` holds, as its page is read, so the work is done
	 * while later pages are on their way; `undefined` keeps nothing (the member still counts).
	 */
	keep?: (member: IDataObject) => IDataObject | undefined;
}

/**
 * How the read ended. Complete: `total` (a page brought the count to `total` at its end) or
 * `confirmed` (an empty or nothing-new page, asked twice). Not complete: `repeat` (pages held only
 * members already read), `moved` (the group kept moving after every re-read), `maxPages`. Stopped
 * on purpose: `limit`, `until`.
 */
export type ReadEnd = 'total' | 'confirmed' | 'repeat' | 'moved' | 'maxPages' | 'limit' | 'until';

export interface PaginateResult {
	members: IDataObject[];
	/** Members read (kept or not), each identity once. */
	read: number;
	/** Requests answered. */
	pagesRead: number;
	/** `total` as the first answer reported it. */
	total?: number;
	/** Every different `total` the answers reported, in order. */
	totals: number[];
	/** How many members the last `total` leaves from the start offset on. */
	expected?: number;
	header: HeaderEntry[];
	duplicates: number;
	end: ReadEnd;
	/** True only when the read showed it has every member from the start offset on. */
	complete: boolean;
	/** The page number of the last request. */
	lastPage: number;
	/** The rows read went past a `total` an answer reported: that total counted too few. */
	pastTotal: boolean;
	/** Parts read again because the group moved. */
	rereads: number;
	/** The group was seen moving while it was read (a changed total, a shifted page, a part read again). */
	moved: boolean;
	/** A size was refused twice, so the read stepped down from it. */
	stepped: boolean;
	/** The first size refused, if any (once is enough when `fallback` was given). */
	refusedSize?: number;
	/** The page size of the first request answered. */
	firstServedSize?: number;
}

/** Parts read again after the group moved, at most, before the read fails saying it moved. */
const MAX_REREADS = 10;

function mergeHeader(into: HeaderEntry[], header: HeaderEntry[]): void {
	for (const entry of header) if (!into.some((known) => known.prop === entry.prop)) into.push(entry);
}

/** Pages fetched ahead of the one being read, dropped (and not sent) once no longer needed. */
class Ahead {
	private pending = new Map<string, Promise<Page>>();

	private stop = new AbortController();

	constructor(private readonly fetchPage: PaginateOptions['fetchPage']) {}

	private static key(window: Window): string {
		return `${window.pageNum}:${window.pageSize}`;
	}

	fetch(window: Window): void {
		const key = Ahead.key(window);
		if (this.pending.has(key)) return;
		const page = this.fetchPage({ pageNum: window.pageNum, pageSize: window.pageSize }, this.stop.signal);
		page.catch(() => undefined);
		this.pending.set(key, page);
	}

	async take(window: Window): Promise<Page> {
		this.fetch(window);
		const key = Ahead.key(window);
		const page = this.pending.get(key)!;
		this.pending.delete(key);
		return await page;
	}

	get size(): number {
		return this.pending.size;
	}

	drop(): void {
		this.stop.abort();
		this.stop = new AbortController();
		this.pending = new Map();
	}
}

/**
 * Reads a group and returns its members in the API's order, each identity once, and whether the
 * read showed it has them all. What it asks is planned in `windows.ts` (pages that overlap the one
 * before, of sizes the server serves); what each answer proves is judged in `evidence.ts`; this
 * loop asks, fetches ahead while the plan holds, and keeps the members.
 */
export async function paginate(options: PaginateOptions): Promise<PaginateResult> {
	const { returnAll, limit, fetchPage } = options;
	const concurrency = Math.max(1, options.concurrency ?? 1);
	const maxPages = options.maxPages ?? MAX_PAGES;
	const startOffset = Math.max(0, options.startOffset ?? 0);
	const wanted = returnAll ? Infinity : limit;
	const keep = options.keep ?? ((member: IDataObject) => member);
	const ahead = new Ahead(fetchPage);

	const members: IDataObject[] = [];
	const seen = new Set<string>();
	const header: HeaderEntry[] = [];
	const totals: number[] = [];
	/** Windows taken, in order: a re-read goes back through them. */
	const taken: Window[] = [];
	/** Whether the rows of each window taken were shown, by content, to follow those before. */
	const checked: boolean[] = [];
	/** The group was seen moving: every window from now on overlaps, whatever it costs. */
	let moving = false;
	let cap: number | undefined;
	let position = startOffset;
	let overlap = OVERLAP_ROWS;
	let lastTotal: number | undefined;
	let lastAnonymous: string | undefined;
	let fullBefore = false;
	let pastTotal = false;
	let requests = 0;
	let read = 0;
	let duplicates = 0;
	let rereads = 0;
	let askedAgain = false;
	/** The first answer of a window asked again. */
	let earlier: Page | undefined;
	let stepped = false;
	let refusedSize: number | undefined;
	let refusedOnce: number | undefined;
	let firstServedSize: number | undefined;
	let end: ReadEnd | undefined;
	let window = windowHolding(startOffset, Math.max(1, Math.min(options.pageSize, wanted)));
	/** The furthest position read: windows that end before it read a part again. */
	let frontier = 0;

	/** Windows planned after the current one, fetched ahead while the plan holds. */
	let queue: Window[] = [];
	const replan = () => {
		ahead.drop();
		queue = [];
	};
	/** Plans windows after the current one, up to `concurrency` in all, stopping past `total`. */
	const topUp = () => {
		if (cap === undefined) return;
		const last = Math.min(lastTotal ?? 0, startOffset + wanted);
		let at = queue.at(-1)?.end ?? position;
		while (queue.length < concurrency && (queue.length === 0 || at <= last)) {
			const spent = moving ? undefined : { from: startOffset, windows: taken.length + queue.length };
			const next = planWindow(at, cap, overlap, spent);
			queue.push(next);
			at = next.start + Math.min(next.pageSize, cap);
		}
		if (concurrency > 1 && options.until === undefined) for (const planned of queue) ahead.fetch(planned);
	};
	/** What a refusal of the first request leads to: the size to ask instead, or undefined to fail. */
	const afterRefusal = (size: number): number | undefined => {
		refusedSize ??= size;
		if (options.fallback !== undefined && options.fallback < size) return options.fallback;
		// a size the user set is not stepped down: its refusal is the answer
		if (options.stepDown === undefined) return undefined;
		if (refusedOnce !== size) {
			refusedOnce = size;
			return size;
		}
		stepped = true;
		return options.stepDown.find((candidate) => candidate < size);
	};

	/**
	 * The group was seen moving. The first time, every later window overlaps, and the index of the
	 * window to read again is returned when windows were taken without an overlap: the one before the
	 * first of them, since a member may have been missed at any of them.
	 */
	const seenMoving = (): number | undefined => {
		if (moving) return undefined;
		moving = true;
		// windows planned under the budget may lack an overlap: plan them again
		replan();
		const first = checked.indexOf(false);
		return first > 0 ? first - 1 : undefined;
	};
	/**
	 * Reads the window taken at `index` again, then goes on from it (the windows up to `frontier`
	 * are read again too); false when the re-reads are used up.
	 */
	const rewindTo = (index: number): boolean => {
		replan();
		rereads++;
		if (rereads > MAX_REREADS || index < 0) {
			end = 'moved';
			return false;
		}
		window = taken[index];
		taken.length = index;
		checked.length = index;
		// the rows it held were read: the rows it holds now must follow one of them
		position = window.start + Math.min(window.pageSize, cap ?? window.pageSize);
		askedAgain = false;
		return true;
	};

	try {
		while (end === undefined) {
			if (requests >= maxPages) {
				end = 'maxPages';
				break;
			}
			// a first request refused as a bad parameter gives the size to ask instead
			const answer = await ahead.take(window).catch((error: unknown) => {
				const smaller = firstServedSize === undefined && options.refused?.(error) ? afterRefusal(window.pageSize) : undefined;
				if (smaller === undefined) throw error;
				return smaller;
			});
			if (typeof answer === 'number') {
				requests++;
				replan();
				window = windowHolding(startOffset, answer);
				continue;
			}
			requests++;
			// asked again: the answer with more rows counts
			const page = askedAgain && earlier !== undefined && earlier.list.length > answer.list.length ? earlier : answer;
			earlier = undefined;
			firstServedSize ??= window.pageSize;
			mergeHeader(header, page.header);
			if (page.total !== undefined && page.total !== totals.at(-1)) totals.push(page.total);

			const anonymous = page.list.some((row) => memberIdentity(row) === undefined) ? JSON.stringify(page.list) : undefined;
			const reading: Reading = {
				seen,
				position,
				startOffset,
				read,
				first: taken.length === 0,
				lastTotal,
				totalShownLow: pastTotal,
				askedAgain,
				recheck: window.end <= frontier,
				sameAnonymousRows: anonymous !== undefined && anonymous === lastAnonymous,
				fullBefore,
			};
			const verdict: Verdict = judge(page, window, reading);
			if (verdict.kind === 'askAgain') {
				replan();
				askedAgain = true;
				earlier = page;
				continue;
			}
			if (verdict.kind === 'resize') {
				replan();
				window = windowHolding(position, verdict.size);
				askedAgain = false;
				continue;
			}
			if (verdict.kind === 'rewind') {
				if (!rewindTo(seenMoving() ?? taken.length - 1)) break;
				continue;
			}

			// take the members this answer adds
			duplicates += verdict.duplicates;
			let fresh = verdict.fresh;
			if (read + fresh.length > wanted) fresh = fresh.slice(0, wanted - read);
			read += fresh.length;
			for (const row of fresh) {
				const id = memberIdentity(row);
				if (id !== undefined) seen.add(id);
				const kept = keep(row);
				if (kept !== undefined) members.push(kept);
			}
			const served = page.list.length;
			cap ??= served < window.pageSize ? Math.max(1, served) : window.pageSize;
			const totalChanged = lastTotal !== undefined && page.total !== undefined && page.total !== lastTotal;
			checked.push(taken.length === 0 || position - window.start >= OVERLAP_ROWS);
			taken.push(window);
			lastTotal = page.total;
			lastAnonymous = anonymous;
			fullBefore = served >= window.pageSize;
			if (lastTotal !== undefined && startOffset + read > lastTotal) pastTotal = true;
			const hidden = taken.length > 1 ? Math.max(0, window.pageSize - served) : 0;
			overlap = OVERLAP_ROWS + hidden <= cap * (moving ? 0.5 : 0.1) ? OVERLAP_ROWS + hidden : 0;
			position = window.start + Math.min(window.pageSize, cap);
			frontier = Math.max(frontier, position);
			if ((totalChanged || verdict.shifted === true) && verdict.end === undefined && read < wanted) {
				// moved: windows taken without an overlap may have missed members; read again from there
				const back = seenMoving();
				if (back !== undefined) {
					if (!rewindTo(back)) break;
					continue;
				}
			}

			if (read >= wanted) end = 'limit';
			else if (verdict.end) end = verdict.end;
			else if (options.until?.({ ...page, list: fresh })) end = 'until';
			else {
				// a page with hidden rows needs a wider overlap after it: plan afresh
				if (hidden > 0 || queue.length === 0 || queue[0].start > position) replan();
				topUp();
				window = queue.shift()!;
				askedAgain = false;
			}
		}
	} finally {
		// pages fetched ahead that are no longer needed are not sent
		ahead.drop();
	}

	const total = totals[0];
	// the loop ends only once `end` is set (a closure may set it, which the compiler cannot follow)
	let ended: ReadEnd = end ?? 'moved';
	if (ended === 'repeat' && (moving || totals.length > 1 || rereads > 0)) ended = 'moved';
	return {
		members,
		read,
		pagesRead: requests,
		total,
		totals,
		expected: lastTotal === undefined ? undefined : Math.max(0, lastTotal - startOffset),
		header,
		duplicates,
		end: ended,
		complete: ended === 'total' || ended === 'confirmed',
		lastPage: window.pageNum,
		pastTotal,
		rereads,
		moved: moving || totals.length > 1,
		stepped,
		refusedSize,
		firstServedSize,
	};
}
