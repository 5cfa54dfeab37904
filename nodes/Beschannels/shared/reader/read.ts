import type { IDataObject } from 'n8n-workflow';

import { MAX_PAGES } from '../constants';
import { memberIdentity, type HeaderEntry, type Page } from '../page';
import { Ahead, type FetchPage } from './ahead';
import { anchor, freshRows, placeRow, type Changes, type Placed } from './evidence';
import { Calibration } from './calibration';
import { windowAt, windowFrom, windowHolding, windowOf, type Window } from './windows';

export interface PaginateOptions {
	returnAll: boolean;
	limit: number;
	/** Rows asked by the first request (Page Size); later requests ask at most what the server showed it serves. */
	pageSize: number;
	/** Smaller sizes to try, in order, when the first request is refused twice at a size (`refused`). */
	stepDown?: number[];
	/** A size known to work: the first refusal of `pageSize` goes straight to it. */
	fallback?: number;
	refused?: (error: unknown) => boolean;
	/** Members to skip before the first one read (Start at Page). */
	startOffset?: number;
	/** Fetches one page; `signal` aborts once the page is no longer needed, so it is not sent. */
	fetchPage: FetchPage;
	/** Requests in flight at once while the plan lasts; 1 reads strictly one by one. */
	concurrency?: number;
	maxPages?: number;
	/** Called after each answer taken, in order, with its new members; returning true ends the read. */
	until?: (page: Page) => boolean;
	/** Turns each member read into what `members` holds; `undefined` keeps nothing (it still counts). */
	keep?: (member: IDataObject) => IDataObject | undefined;
}

/**
 * How the read ended. Complete: `total` (the members read reach `total` on a short page that reaches
 * it) or `confirmed` (past the members read, nothing more, asked twice). Not complete: `repeat`
 * (pages held only members already read while nothing changed), `moved` (the group kept moving),
 * `maxPages`. Stopped on purpose: `limit`, `until`.
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
	/** The group was seen moving while it was read (a changed total, a page out of place, a part read again). */
	moved: boolean;
	/** Members were found where no change `total` showed can have put them (they changed place). */
	misplaced: boolean;
	/** Steps past rows hidden from the User ID that no member read twice could check (`total` checked them). */
	unchecked: number;
	/** A size was refused twice, so the read stepped down from it. */
	stepped: boolean;
	/** The first size refused, if any. */
	refusedSize?: number;
	/** The page size of the first request answered. */
	firstServedSize?: number;
}

/** Parts read again after the group moved, at most, before the read fails saying it moved. */
const MAX_REREADS = 10;

/** Rows each page repeats from the one before it. */
export const OVERLAP_ROWS = 2;

/** Answers to one window, at most, before the end is taken without two of them agreeing. */
const MAX_ASKS = 4;

/** Empty positions, at the least, past the last member and `total` that show the group ends. */
const MIN_EMPTY_STRETCH = 10;

/** A `total` missing from an answer: every change is possible, so every place fits. */
const UNKNOWN_CHANGES = 1e9;

/** Whether `answer` holds only rows `earlier` held, and fewer: an answer cut short in passing. */
function cutShort(answer: Page, earlier: Page): boolean {
	if (answer.list.length >= earlier.list.length) return false;
	const before = new Set(earlier.list.map((row) => memberIdentity(row)));
	return answer.list.every((row) => before.has(memberIdentity(row)));
}

/**
 * Where an answer's rows sit: in the window asked, or, when it holds more rows than asked (a server
 * that starts later pages a few rows early), ending where the window ends.
 */
function sitting(window: Window, rows: number): Window {
	return rows > window.pageSize ? { ...window, start: window.end - rows } : window;
}

function mergeHeader(into: HeaderEntry[], header: HeaderEntry[]): void {
	for (const entry of header) if (!into.some((known) => known.prop === entry.prop)) into.push(entry);
}

/** Where the read stands after the last page taken: the next page should hold its last row. */
interface Tail {
	/** That member's identity. */
	id?: string;
	/** The lowest and highest position the last member taken may hold. */
	lo: number;
	hi: number;
	/** Where the next page should start, at the latest, to hold that member. */
	from: number;
	/** No member to rest on: the last page came back empty (rows hidden), so the next one is taken by position. */
	bridged: boolean;
	/** The group is read again from the start: the next page is taken by position, and its rows placed afresh. */
	rebase?: boolean;
	/** What `total` had shown of the changes when it was taken. */
	at: Changes;
	/** Reads of the part after it that found nothing to rest on, so far. */
	misses: number;
}

/**
 * One read of a group: asks pages, judges each answer (see `evidence.ts`) and keeps the members.
 * Every page after the first must hold a member read before, at a place the changes `total` showed
 * allow, or the part before it is read again; the end is shown by `total` on a short page, or by
 * nothing past the members read, asked twice.
 */
export class GroupRead {
	private readonly ahead: Ahead;
	private readonly wanted: number;
	private readonly startOffset: number;
	private readonly keep: (member: IDataObject) => IDataObject | undefined;

	private readonly members: IDataObject[] = [];
	private readonly placed = new Map<string, Placed>();
	private readonly header: HeaderEntry[] = [];
	private readonly totals: number[] = [];
	private readonly changes: Changes = { joined: 0, left: 0 };
	private lastTotal: number | undefined;
	private read = 0;
	private duplicates = 0;
	private requests = 0;
	private rereads = 0;
	private moving = false;
	private misplaced = false;
	private unchecked = 0;
	private pastTotal = false;
	private lastAnonymous: string | undefined;
	/** The answers to the window being asked again: how many, the last one's rows, whether it agreed with the one before. */
	private asks = 0;
	private lastKey = '';
	private agreed = false;
	/** Page 1 asked at smaller sizes after a short first page, while `probing`. */
	private calibration: Calibration | undefined;
	private probing = false;
	/** Page 1 is being asked to learn how many rows the server serves. */
	private learning = false;
	/** A size was asked before any answer showed the server serves it: pages may not sit where planned. */
	private guessed = false;
	/** A page taken held fewer rows than it asked before the end: rows may be hidden from the User ID. */
	private sawHidden = false;
	private learned = false;
	/** The position after the last member taken, at the furthest it may sit. */
	private lastMemberEnd: number;
	/** The position after the last member taken, at the nearest it may sit. */
	private lastMemberFrom: number;
	/** The most rows one answer held: asking at most this many, a page sits where it is planned. */
	private served = 0;
	/** Where the read stands; undefined until the first page is taken. */
	private tail: Tail | undefined;
	/** The first answer of the window being asked again. */
	private earlier: Page | undefined;
	private end: ReadEnd | undefined;
	private queue: Window[] = [];
	private window: Window;
	private readonly sizes: { stepped: boolean; refusedSize?: number; refusedOnce?: number; firstServed?: number } = {
		stepped: false,
	};

	constructor(private readonly options: PaginateOptions) {
		this.ahead = new Ahead(options.fetchPage);
		this.wanted = options.returnAll ? Infinity : options.limit;
		this.startOffset = Math.max(0, options.startOffset ?? 0);
		this.keep = options.keep ?? ((member) => member);
		this.lastMemberEnd = this.startOffset;
		this.lastMemberFrom = this.startOffset;
		this.window = windowHolding(this.startOffset, this.firstSize(options.pageSize));
	}

	async run(): Promise<PaginateResult> {
		const maxPages = this.options.maxPages ?? MAX_PAGES;
		try {
			while (this.end === undefined) {
				if (this.requests >= maxPages) this.end = 'maxPages';
				else await this.step();
			}
		} finally {
			this.ahead.drop();
		}
		return this.result(this.end);
	}

	private firstSize(size: number): number {
		return Math.max(1, Math.min(size, this.wanted));
	}

	/** The size of the pages asked after the first: at most what the server has shown it serves. */
	private size(): number {
		// before any row came, an empty page says nothing of the server's cap: the first size is kept
		if (this.served === 0) this.guessed = true;
		const served = this.served > 0 ? this.served : this.firstSize(this.options.pageSize);
		return Math.max(1, Math.min(this.options.pageSize, served));
	}

	/** Asks the current window and judges the answer. */
	private async step(): Promise<void> {
		const answer = await this.ahead.take(this.window).catch((error: unknown) => this.refusal(error));
		this.requests++;
		if (answer === undefined) return;
		const page = this.distinct(this.earlier && cutShort(answer, this.earlier) ? this.earlier : answer);
		const key = answer.list.map((row, i) => memberIdentity(row) ?? `#${i}`).join('\n');
		this.asks = this.earlier === undefined ? 1 : this.asks + 1;
		// asked again, the end counts only once two answers agree (each may be cut short in passing)
		this.agreed = this.earlier !== undefined && (key === this.lastKey || this.asks >= MAX_ASKS);
		this.lastKey = key;
		mergeHeader(this.header, answer.header);
		this.noteTotal(answer.total);
		this.served = Math.max(this.served, page.list.length);
		const anonymous = page.list.some((row) => memberIdentity(row) === undefined) ? JSON.stringify(page.list) : undefined;
		if (anonymous !== undefined && anonymous === this.lastAnonymous) return this.finish('repeat');
		this.lastAnonymous = anonymous;
		if (this.guessed && page.list.length > 0 && this.tail !== undefined && !this.probing) {
			// the first rows after pages asked at a guessed size: those pages may not have sat where
			// planned, so the read starts again at a size the server has now shown it serves
			this.guessed = false;
			return this.restart();
		}
		if (this.probing) this.onProbe(page);
		else if (this.tail === undefined) this.takeFirst(page);
		else this.takeNext(page, this.tail);
	}

	/** The page with each member once (a member sent twice in one answer is counted, not kept twice). */
	private distinct(page: Page): Page {
		const ids = new Set<string>();
		const list = page.list.filter((row) => {
			const id = memberIdentity(row);
			if (id === undefined) return true;
			if (ids.has(id)) return false;
			ids.add(id);
			return true;
		});
		if (list.length < page.list.length && page !== this.earlier) this.duplicates += page.list.length - list.length;
		return list.length === page.list.length ? page : { ...page, list };
	}

	/** A refusal of the first request as a bad parameter: asks a smaller size (or fails with the error). */
	private refusal(error: unknown): undefined {
		const size = this.window.pageSize;
		const { stepDown, fallback, refused } = this.options;
		if (this.sizes.firstServed !== undefined || refused?.(error) !== true) throw error;
		this.sizes.refusedSize ??= size;
		let next: number | undefined;
		if (fallback !== undefined && fallback < size) next = fallback;
		else if (stepDown !== undefined && this.sizes.refusedOnce !== size) {
			this.sizes.refusedOnce = size;
			next = size;
		} else if (stepDown !== undefined) {
			this.sizes.stepped = true;
			next = stepDown.find((candidate) => candidate < size);
		}
		if (next === undefined) throw error;
		this.goTo(windowHolding(this.startOffset, this.firstSize(next)));
		return undefined;
	}

	private noteTotal(total: number | undefined): void {
		if (total === undefined) {
			this.changes.joined += UNKNOWN_CHANGES;
			this.changes.left += UNKNOWN_CHANGES;
			return;
		}
		if (total !== this.totals.at(-1)) this.totals.push(total);
		const last = this.lastTotal ?? total;
		if (total > last) this.changes.joined += total - last;
		if (total < last) this.changes.left += last - total;
		if (total !== last) this.moving = true;
		this.lastTotal = total;
	}

	/**
	 * The first answer. Its rows sit where the page says when it came back full, or holds the rows
	 * from where the read starts: a short answer elsewhere may come from a server that counts pages
	 * by the rows it serves, so the start is asked again in pages no bigger than the rows that came.
	 */
	private takeFirst(page: Page): void {
		const { window } = this;
		const rows = page.list.length;
		const full = rows >= window.pageSize;
		const skip = this.startOffset - window.start;
		// a later page sits where asked only if the server serves that many rows (or it came back full)
		const placed = window.start === 0 || full || window.pageSize <= Math.max(1, this.served);
		this.sizes.firstServed ??= window.pageSize;
		if (rows === 0 && this.earlier === undefined) return this.askAgain(page);
		if (!full && !(placed && this.reachesTotal(page, window.start + rows))) {
			if (window.start === 0 && rows > 0 && this.calibration === undefined) return this.calibrate(page);
			if (window.start > 0 && this.earlier === undefined) return this.askAgain(page);
			if (!placed) return this.learnFromPageOne();
		}
		if (this.learning && (full || rows === 0)) return this.startAfterLearning(full);
		if (!full && rows > 0 && skip > 0) return this.goTo(windowAt(this.startOffset, this.size()));
		if (rows <= skip) return this.endOrBridge(page, window);
		this.take(page, skip);
	}

	/**
	 * A short answer at a later page may come from a server that counts pages by the rows it serves:
	 * page 1, which starts at position 0 however pages are counted, is asked at the same size to learn
	 * how many rows the server serves.
	 */
	private learnFromPageOne(): void {
		if (this.learned || this.calibration !== undefined) return this.goTo(windowAt(this.startOffset, this.size()));
		this.learning = true;
		this.learned = true;
		this.goTo(windowOf(1, this.window.pageSize));
	}

	/** Page 1 came back full (the server serves that many) or empty: the read starts where it should. */
	private startAfterLearning(full: boolean): void {
		this.learning = false;
		const size = full ? this.window.pageSize : Math.max(1, this.served);
		this.goTo(windowAt(this.startOffset, Math.min(size, this.firstSize(this.options.pageSize))));
	}

	/** A short first page at position 0: where its last row sits is found by asking page 1 at smaller sizes. */
	private calibrate(page: Page): void {
		this.calibration = new Calibration(page, this.window);
		// a group of a few pages is read at the size that came rather than probed
		if (page.total !== undefined && page.total <= 4 * page.list.length) return this.endCalibration(this.calibration);
		this.probing = true;
		this.goTo(windowOf(1, this.calibration.next()!));
	}

	private onProbe(page: Page): void {
		const calibration = this.calibration!;
		// the group moved while page 1 was probed: answers no longer compare, the rows that came are the size
		if (this.moving) return this.endCalibration(new Calibration(calibration.first, calibration.window));
		if (!calibration.judge(page, this.window.pageSize)) {
			this.probing = false;
			return this.goTo(calibration.window);
		}
		const size = calibration.next();
		if (size !== undefined) return this.goTo(windowOf(1, size));
		this.endCalibration(calibration);
	}

	private endCalibration(calibration: Calibration): void {
		this.probing = false;
		this.learning = false;
		this.served = Math.max(this.served, calibration.served);
		this.window = calibration.window;
		if (this.startOffset > 0) return this.goTo(windowAt(this.startOffset, this.size()));
		this.take(calibration.first, 0, calibration);
	}

	/** Whether `total` (or its absence) says the group ends by `position`. */
	private endsHere(page: Page, position: number): boolean {
		return page.total === undefined || position >= page.total;
	}

	/**
	 * Whether the members read with the new ones of `page` reach `total`, which the positions read
	 * reach. Only from the start of the group: members before a later start may be hidden from the
	 * User ID, and whether `total` counts them is not known.
	 */
	private reachesTotal(page: Page, positionsEnd: number): boolean {
		const total = page.total;
		if (total === undefined || this.pastTotal || this.startOffset > 0) return false;
		const fresh = freshRows(page.list, this.placed).fresh.length;
		return positionsEnd >= total && this.startOffset + this.read + fresh === total;
	}

	/**
	 * A page whose rows fill its positions exactly up to `total` and none past it, though it asked
	 * more, in a read that saw no row hidden: the group ends at `total`, wherever the read started.
	 */
	private endsAtTotal(page: Page, window: Window): boolean {
		const { total } = page;
		if (total === undefined || this.pastTotal || this.sawHidden || window.pageSize > this.served) return false;
		return window.end > total && window.start < total && page.list.length === total - window.start;
	}

	private leftSince(tail: Tail): number {
		return this.changes.left - tail.at.left;
	}

	/** An answer after the first: it must follow on from the members read, or the part before it is read again. */
	private takeNext(page: Page, tail: Tail): void {
		const { window } = this;
		const rows = page.list;
		const short = rows.length < window.pageSize;
		// read again from the start after members were found out of place: each row is placed afresh
		const found = tail.rebase ? { kind: 'none' as const } : anchor(rows, sitting(window, rows.length), Math.max(0, window.pageSize - rows.length), this.changes, this.placed);
		// members above the one it rests on are taken too (they joined, or moved there), unless the
		// read starts further down the group (Start at Page): there they are members before the start
		const from = found.kind === 'anchored' && this.startOffset > 0 ? found.index + 1 : 0;
		const { fresh } = freshRows(rows.slice(from), this.placed);
		if (found.kind === 'misplaced' && fresh.length === 0 && !this.moving) {
			// members already read, where they cannot be, while nothing changed: the server repeats itself
			if (this.earlier === undefined) return this.askAgain(page);
			return this.finish('repeat');
		}
		if (found.kind === 'misplaced') return this.readAgainFromStart();
		if (found.kind === 'none') return this.unanchored(page, tail);
		if (fresh.length > 0 || !short) return this.take(page, from);
		if (this.reachesTotal(page, window.end)) return this.finish('total');
		if (!this.agreed) return this.askAgain(page);
		this.endOrBridge(page, window);
	}

	/** An answer that holds no member read before. */
	private unanchored(page: Page, tail: Tail): void {
		const { window } = this;
		const overlaps = !tail.bridged && window.start <= tail.hi;
		// members left since: the rows after the last member read may have moved up, before this page
		if (this.leftSince(tail) > 0) return this.readAgain(tail);
		if (page.list.length > 0 && !overlaps) {
			// nothing could show where this page sits (after rows hidden for a whole page, or pages too
			// small to overlap): it is taken on `total`'s word that no member left
			this.unchecked++;
			return this.take(page, 0);
		}
		// rows past the last member read may lie before this window: only a page from it shows the end
		if (page.list.length > 0 || (!tail.bridged && window.start > tail.lo + 1)) return this.readAgain(tail);
		if (!this.agreed) return this.askAgain(page);
		this.endOrBridge(page, window);
	}

	/**
	 * Nothing past the members read in `window`, asked twice. It ends the group when `total` says so
	 * and the empty stretch past both the last member and `total` is long enough to show it: ten
	 * times the positions a member took so far (rows hidden from the User ID widen the gaps), but no
	 * more than a page, and at least ten positions. So a `total` that counts only the members the
	 * User ID may see is not taken for one that counts them all. Otherwise the read goes on past it.
	 */
	private endOrBridge(page: Page, window: Window): void {
		const end = this.certainEnd(window);
		if (this.reachesTotal(page, end)) return this.finish('total');
		const gap = this.read > 0 ? Math.max(1, (this.lastMemberFrom - this.startOffset) / this.read) : 1;
		const past = Math.max(this.lastMemberEnd, page.total ?? 0);
		const needed = Math.max(MIN_EMPTY_STRETCH, Math.min(MIN_EMPTY_STRETCH * gap, this.size()));
		if (this.endsHere(page, end) && end - past >= needed) return this.finish('confirmed');
		this.bridge(window);
	}

	/** Takes the members of `page` from row `from` on that were not read before, and plans the next window. */
	private take(page: Page, from: number, lastAt?: { lo: number; hi: number }): void {
		const window = sitting(this.window, page.list.length);
		const rows = page.list;
		const hidden = Math.max(0, window.pageSize - rows.length);
		// rows surely before where the read starts (Start at Page) are not the read's
		const first = Math.max(from, this.startOffset - window.start - hidden);
		for (let i = first; i < rows.length && this.read < this.wanted; i++) {
			const id = memberIdentity(rows[i]);
			if (id === undefined || !this.placed.has(id)) this.keepMember(rows[i]);
			if (id !== undefined) this.placed.set(id, placeRow(window, i, hidden, this.changes));
		}
		if (this.lastTotal !== undefined && this.startOffset + this.read > this.lastTotal) this.pastTotal = true;
		const certainEnd = this.certainEnd(window);
		const last = { ...placeRow(window, rows.length - 1, hidden, this.changes), ...lastAt };
		const lastId = memberIdentity(rows[rows.length - 1]);
		if (lastId !== undefined) this.placed.set(lastId, last);
		const planFrom = lastAt ? last.lo - 1 : last.hi + 1 - OVERLAP_ROWS;
		const misses = this.tail !== undefined && this.tail.id === lastId ? this.tail.misses : 0;
		this.tail = { id: lastId, lo: last.lo, hi: last.hi, from: planFrom, bridged: false, at: { ...this.changes }, misses };
		this.earlier = undefined;
		if (this.read >= this.wanted) return this.finish('limit');
		if (this.options.until?.({ ...page, list: rows.slice(first) })) return this.finish('until');
		this.lastMemberEnd = Math.max(this.lastMemberEnd, last.hi + 1);
		this.lastMemberFrom = Math.max(this.lastMemberFrom, last.lo + 1);
		if (rows.length < window.pageSize && this.reachesTotal({ ...page, list: [] }, certainEnd)) return this.finish('total');
		if (this.endsAtTotal(page, window)) return this.finish('total');
		if (rows.length < window.pageSize) this.sawHidden = true;
		this.goTo(this.nextWindow(this.tail), true);
	}

	private keepMember(row: IDataObject): void {
		this.read++;
		const member = this.keep(row);
		if (member !== undefined) this.members.push(member);
	}

	/** The window after the last one taken: starting two rows before it ended, of a size the server serves. */
	private nextWindow(tail: Pick<Tail, 'lo' | 'hi' | 'from' | 'bridged'>): Window {
		const next = windowFrom(tail.from, this.size());
		if (!tail.bridged && next.end > tail.from + OVERLAP_ROWS) return next;
		// after an empty stretch, or when no page of a size served holds the last member and reaches
		// past it: the next page plainly, from just past the lowest place that member may hold
		return this.plainWindow(tail.bridged ? tail.lo : tail.lo + 1);
	}

	/** The page that holds `position`, or one that starts there when the page would reach before the read's start. */
	private plainWindow(position: number): Window {
		const window = windowHolding(position, this.size());
		return window.start < this.startOffset ? windowAt(Math.max(position, this.startOffset), this.size()) : window;
	}

	/** The last row taken may sit before the window: read from earlier, further back at each miss. */
	private readAgain(tail: Tail): void {
		const left = this.leftSince(tail);
		this.moving ||= tail.misses > 0 || left > 0;
		if ((tail.misses > 0 || left > 0) && !this.countReread()) return;
		const back = 1 + left + (tail.misses === 0 ? 0 : Math.max(OVERLAP_ROWS, this.size() / 2) * 2 ** (tail.misses - 1));
		tail.misses++;
		const from = tail.lo - back;
		if (from >= this.startOffset) return this.goTo(windowFrom(from, this.size()));
		if (tail.misses <= 1) return this.goTo(windowFrom(this.startOffset, this.size()));
		// back at the start, no member can sit before the page: it is taken by position
		this.restart();
	}

	/** Reads on from the start, taking the first page by position and placing its rows afresh. */
	private restart(): void {
		const start = this.startOffset;
		this.tail = { lo: start, hi: start - 1, from: start, bridged: true, rebase: true, at: { ...this.changes }, misses: 0 };
		this.goTo(windowAt(start, this.size()));
	}

	/** Members were found out of place: the group is read again from the start, once, to find any who moved into the part read. */
	private readAgainFromStart(): void {
		this.moving = true;
		if (this.misplaced || !this.countReread()) return this.finish('moved');
		this.misplaced = true;
		this.restart();
	}

	private countReread(): boolean {
		this.rereads++;
		if (this.rereads <= MAX_REREADS) return true;
		this.finish('moved');
		return false;
	}

	/** Where the positions `window` covers surely end: a server serves at least the most rows it sent at once. */
	private certainEnd(window: Window): number {
		return window.start + Math.min(window.pageSize, this.size());
	}

	/** Nothing past the members read in this window, before `total` ends (rows hidden from the User ID): read on past it. */
	private bridge(window: Window): void {
		this.unchecked++;
		const end = this.certainEnd(window);
		const rebase = this.tail?.rebase;
		this.tail = { lo: end, hi: end - 1, from: end, bridged: true, rebase, at: { ...this.changes }, misses: 0 };
		this.goTo(this.plainWindow(end));
	}

	private askAgain(page: Page): void {
		this.earlier = this.earlier && cutShort(page, this.earlier) ? this.earlier : page;
		this.dropPlan();
	}

	private finish(end: ReadEnd): void {
		this.end = end;
	}

	private dropPlan(): void {
		this.ahead.drop();
		this.queue = [];
	}

	/**
	 * Moves on to `window`. Planned on from a page taken, the windows after it are fetched ahead while
	 * the plan holds (each assuming the pages before it come back full); any other move drops them.
	 */
	private goTo(window: Window, planned = false): void {
		this.earlier = undefined;
		const head = this.queue[0];
		if (planned && head !== undefined && head.pageNum === window.pageNum && head.pageSize === window.pageSize) this.queue.shift();
		else this.dropPlan();
		this.window = window;
		if (planned) this.topUp(window);
	}

	private topUp(from: Window): void {
		const concurrency = Math.max(1, this.options.concurrency ?? 1);
		if (concurrency === 1 || this.options.until !== undefined) return;
		const last = Math.min(this.lastTotal ?? 0, this.startOffset + this.wanted);
		let at = this.queue.at(-1) ?? from;
		while (this.queue.length < concurrency - 1 && at.end <= last) {
			const hi = at.start + Math.min(at.pageSize, this.size()) - 1;
			at = this.nextWindow({ lo: hi, hi, from: hi + 1 - OVERLAP_ROWS, bridged: false });
			this.queue.push(at);
		}
		this.ahead.fetch(from);
		for (const planned of this.queue) this.ahead.fetch(planned);
	}

	private result(end: ReadEnd): PaginateResult {
		let ended = end;
		if (ended === 'repeat' && (this.moving || this.totals.length > 1 || this.rereads > 0)) ended = 'moved';
		return {
			members: this.members,
			read: this.read,
			pagesRead: this.requests,
			total: this.totals[0],
			totals: this.totals,
			expected: this.lastTotal === undefined ? undefined : Math.max(0, this.lastTotal - this.startOffset),
			header: this.header,
			duplicates: this.duplicates,
			end: ended,
			complete: ended === 'total' || ended === 'confirmed',
			lastPage: this.window.pageNum,
			pastTotal: this.pastTotal,
			rereads: this.rereads,
			moved: this.moving || this.totals.length > 1,
			misplaced: this.misplaced,
			unchecked: this.unchecked,
			stepped: this.sizes.stepped,
			refusedSize: this.sizes.refusedSize,
			firstServedSize: this.sizes.firstServed,
		};
	}
}

/** Reads a group and returns its members in the API's order, each identity once, and whether the read showed it has them all. */
export async function paginate(options: PaginateOptions): Promise<PaginateResult> {
	return await new GroupRead(options).run();
}
