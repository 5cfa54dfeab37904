import type { IDataObject } from 'n8n-workflow';

import { memberIdentity, type HeaderEntry, type Page } from '../page';
import { Ahead } from './ahead';
import type { Calibration } from './calibration';
import { nextCut, type Cut } from './cut';
import { cutShort, distinctRows, freshRows, placeRow, unread, type Changes, type Placed } from './evidence';
import { PlacedRows } from './placedRows';
import type { PaginateOptions, ReadEnd, Tail } from './types';
import { OVERLAP_ROWS, UNKNOWN_CHANGES } from './limits';
import { sitting, windowAt, windowFrom, windowHolding, windowOf, type Window } from './windows';

/**
 * What a read of a group knows and has planned: the members taken and where each was found, the totals
 * seen, the member the next page must hold (`tail`), pages fetched ahead. `read.ts` judges the answers.
 */
export abstract class ReadState {
	protected readonly ahead: Ahead;
	protected readonly wanted: number;
	protected readonly startOffset: number;
	/** Where the first page asked starts: at or before `startOffset`. */
	protected readonly firstStart: number;
	protected readonly keep: (member: IDataObject) => IDataObject | undefined;

	protected readonly members: IDataObject[] = [];
	protected readonly placed = new PlacedRows();
	protected readonly header: HeaderEntry[] = [];
	protected readonly totals: number[] = [];
	protected readonly changes: Changes = { joined: 0, left: 0 };
	/** An answer came without `total`: any change may have gone unshown, so a member read may sit anywhere. */
	protected totalMissing = false;
	protected lastTotal: number | undefined;
	protected read = 0;
	protected duplicates = 0;
	protected requests = 0;
	/** Empty pages walked past while no row had come at all. */
	protected blindSteps = 0;
	protected rereads = 0;
	protected moving = false;
	protected misplaced = false;
	protected unchecked = 0;
	protected pastTotal = false;
	/** The last page taken, when it held fewer rows than it asked: the group may end with it. */
	protected lastShort: { page: Page; window: Window } | undefined;
	/** A short page met `total`: the page after it is asked before the end is taken (`first`: the read's first page). */
	protected endCheck: 'first' | 'later' | undefined;
	/** The answers to the window being asked again: how many, the last one, whether it agreed with the one before. */
	protected asks = 0;
	protected lastAnswer: Page | undefined;
	protected agreed = false;
	/** Page 1 asked at smaller sizes after a short first page, while `probing`. */
	protected calibration: Calibration | undefined;
	protected probing = false;
	/** Page 1 is being asked to learn how many rows the server serves. */
	protected learning = false;
	/** A size was asked before any answer showed the server serves it: pages may not sit where planned. */
	protected guessed = false;
	/** A page taken held fewer rows than it asked before the end: rows may be hidden from the User ID. */
	protected sawHidden = false;
	/** Where the positions of the last page taken surely end. */
	protected coveredTo = 0;
	protected learned = false;
	/** The position after the last member taken, at the furthest it may sit. */
	protected lastMemberEnd: number;
	/** The most rows one answer held: asking at most this many, a page sits where it is planned. */
	protected served = 0;
	protected cut: Cut | 'lost' | undefined; // see PaginateResult.cut; 'lost': none for this read
	/** Where the read stands; undefined until the first page is taken. */
	protected tail: Tail | undefined;
	/** The first answer of the window being asked again. */
	protected earlier: Page | undefined;
	protected end: ReadEnd | undefined;
	protected queue: Window[] = [];
	protected window: Window;
	protected readonly sizes: { stepped: boolean; refusedSize?: number; firstServed?: number } = {
		stepped: false,
	};

	protected abstract bridge(window: Window): void;

	protected abstract endOrBridge(page: Page, window: Window): void;

	constructor(protected readonly options: PaginateOptions) {
		this.ahead = new Ahead(options.fetchPage);
		this.wanted = options.returnAll ? Infinity : options.limit;
		this.startOffset = Math.max(0, options.startOffset ?? 0);
		this.keep = options.keep ?? ((member) => member);
		this.lastMemberEnd = this.startOffset;
		this.served = Math.max(0, options.served ?? 0);
		this.window = windowHolding(this.startOffset, this.firstSize(options.pageSize));
		this.firstStart = this.window.start;
	}

	protected firstSize(size: number): number {
		return Math.max(1, Math.min(size, this.wanted));
	}

	/** The size of the pages asked after the first: at most what the server has shown it serves. */
	protected size(): number {
		// before any row came, an empty page says nothing of the server's cap: the first size is kept
		if (this.served === 0) this.guessed = true;
		const served = this.served > 0 ? this.served : this.firstSize(this.options.pageSize);
		return Math.max(1, Math.min(this.options.pageSize, served));
	}

	/** The page with each member once (a member sent twice in one answer is counted, not kept twice). */
	protected distinct(page: Page): Page {
		const once = distinctRows(page);
		if (once !== page && page !== this.earlier) this.duplicates += page.list.length - once.list.length;
		return once;
	}

	protected noteTotal(total: number | undefined): void {
		if (total === undefined) {
			this.totalMissing = true;
			return;
		}
		if (total !== this.totals.at(-1)) this.totals.push(total);
		this.placed.expect(Math.min(total, this.wanted));
		const last = this.lastTotal ?? total;
		if (total > last) this.changes.joined += total - last;
		if (total < last) this.changes.left += last - total;
		if (total !== last) this.moving = true;
		this.lastTotal = total;
	}

	/** The changes a member read may have seen: with an answer that lacked `total`, any. */
	protected placingChanges(): Changes {
		if (!this.totalMissing) return this.changes;
		return { ...this.changes, joined: this.changes.joined + UNKNOWN_CHANGES, left: this.changes.left + UNKNOWN_CHANGES };
	}

	/** Whether `window` starts at or past the end of the group as the last `total` counts it. */
	protected pastEnd(window: Window): boolean {
		return this.lastTotal !== undefined && !this.totalMissing && window.start >= this.lastTotal;
	}

	/**
	 * Whether the members read with the new ones of `page` reach `total`, which the positions read
	 * reach. Only from the start of the group: members before a later start may be hidden from the
	 * User ID, and whether `total` counts them is not known.
	 */
	protected reachesTotal(page: Page, positionsEnd: number): boolean {
		const total = page.total;
		if (total === undefined || this.pastTotal || this.startOffset > 0) return false;
		const fresh = freshRows(page.list, this.placed).length;
		// members read who left since are still counted in `read`
		const over = this.startOffset + this.read + fresh - total;
		return positionsEnd >= total && over >= 0 && over <= this.changes.left;
	}

	/**
	 * A page whose rows fill its positions exactly up to `total` and none past it, though it asked
	 * more, in a read that saw no row hidden: the group ends at `total`, wherever the read started.
	 */
	protected endsAtTotal(page: Page, window: Window): boolean {
		const { total } = page;
		if (total === undefined || this.pastTotal || this.sawHidden || window.pageSize > this.served) return false;
		return window.end > total && window.start < total && page.list.length === total - window.start;
	}

	/** Takes the members of `page` from row `from` on that were not read before, and plans the next window. */
	protected take(page: Page, from: number, lastAt?: { lo: number; hi: number; at: Changes }): void {
		const window = sitting(this.window, page.list.length);
		const rows = page.list;
		const firstTake = this.tail === undefined;
		// rows sit where they were when the answer came (a page probed on page 1 came before the probes)
		const changes = lastAt?.at ?? this.changes;
		// probed on page 1, the last row's place bounds where every row of the page may sit
		const hidden = lastAt ? Math.max(0, lastAt.hi - (window.start + rows.length - 1)) : Math.max(0, window.pageSize - rows.length);
		// rows surely before where the read starts (Start at Page) are not the read's
		const first = Math.max(from, this.startOffset - window.start - hidden);
		const next = this.keepRows(rows, first, window, hidden, changes);
		if (lastAt === undefined) this.cut = nextCut(this.cut, { window, next, rows: rows.length, hidden }, { startOffset: this.startOffset, served: this.served, read: this.read });
		// more read than `total` counts, more than members who left can explain: `total` counts too few
		if (this.lastTotal !== undefined && this.startOffset + this.read > this.lastTotal + this.changes.left) this.pastTotal = true;
		this.coveredTo = this.certainEnd(window);
		const last = this.restOn(rows, window, hidden, changes, lastAt);
		if (this.read >= this.wanted) return this.finish('limit');
		if (this.options.until?.({ ...page, list: rows.slice(first) })) return this.finish('until');
		this.lastMemberEnd = Math.max(this.lastMemberEnd, last.hi + 1);
		this.afterTaken(page, window, firstTake);
	}

	/** Keeps the members of `rows` from row `first` on not read before, and places each; returns the row it stopped before. */
	private keepRows(rows: Page['list'], first: number, window: Window, hidden: number, changes: Changes): number {
		let next = first;
		for (; next < rows.length && this.read < this.wanted; next++) {
			if (unread(rows[next], this.placed)) this.keepMember(rows[next]);
			this.placed.set(memberIdentity(rows[next]), placeRow(window, next, hidden, changes));
		}
		return next;
	}

	/** The page's last row becomes the member the next page must hold (`tail`); returns where it may sit. */
	private restOn(rows: Page['list'], window: Window, hidden: number, changes: Changes, lastAt?: { lo: number; hi: number }): Placed {
		const placed = placeRow(window, rows.length - 1, hidden, changes);
		const last = lastAt ? { ...placed, lo: lastAt.lo, hi: lastAt.hi } : placed;
		const lastId = memberIdentity(rows[rows.length - 1]);
		this.placed.set(lastId, last);
		const planFrom = lastAt ? last.lo - 1 : last.hi + 1 - OVERLAP_ROWS;
		const misses = this.tail !== undefined && this.tail.id === lastId ? this.tail.misses : 0;
		this.tail = { id: lastId, lo: last.lo, hi: last.hi, from: planFrom, bridged: false, at: { ...changes }, misses };
		this.earlier = undefined;
		return last;
	}

	/** After a page taken: the end where it meets `total` (see `atTotal`), else the next window. */
	private afterTaken(page: Page, window: Window, firstTake: boolean): void {
		const short = page.list.length < window.pageSize;
		if ((short && this.reachesTotal({ ...page, list: [] }, this.coveredTo)) || this.endsAtTotal(page, window)) return this.atTotal(page, window, firstTake);
		this.lastShort = short ? { page, window } : undefined;
		if (page.list.length < Math.min(window.pageSize, this.served)) this.sawHidden = true;
		this.goTo(this.nextWindow(this.tail!), true);
	}

	/**
	 * A short page that meets `total`: the end once nothing else explains it. Rows missing from pages
	 * (a first answer at a size not shown served, rows hidden) look like a `total` too low: the page
	 * after it shows which. An answer cut short in passing, or a count matched by members who left,
	 * look the same: the page is asked again, and counts once two answers agree.
	 */
	private atTotal(page: Page, window: Window, firstTake: boolean): void {
		if (this.changes.left > 0 && !this.agreed) return this.askAgain(page);
		// rows may be missing: a first answer at a size not served before, or any page after rows hidden
		if (firstTake ? window.pageSize > (this.options.served ?? 0) : this.sawHidden) {
			const fromStart = firstTake && window.start === 0;
			this.lastShort = { page, window };
			this.endCheck = fromStart ? 'first' : 'later';
			return this.goTo(fromStart ? windowOf(2, page.list.length) : windowOf(window.pageNum + 1, window.pageSize));
		}
		// from a later start (Start at Page, the tool's calls) the page is taken once: a call costs one request
		if (!this.agreed && this.startOffset === 0) return this.askAgain(page);
		this.finish('total');
	}

	protected keepMember(row: IDataObject): void {
		this.read++;
		const member = this.keep(row);
		if (member !== undefined) this.members.push(member);
	}

	/** The window after the last one taken: starting two rows before it ended, of a size the server serves. */
	protected nextWindow(tail: Pick<Tail, 'lo' | 'hi' | 'from' | 'bridged'>): Window {
		const next = windowFrom(tail.from, this.size());
		if (!tail.bridged && next.end > tail.from + OVERLAP_ROWS) return next;
		// after an empty stretch, or when no page of a size served holds the last member and reaches
		// past it: the next page plainly, from just past the lowest place that member may hold
		return this.plainWindow(tail.bridged ? tail.lo : tail.lo + 1);
	}

	/** The page that holds `position`, or one that starts there when the page would reach before the read's start. */
	protected plainWindow(position: number): Window {
		const window = windowHolding(position, this.size());
		return window.start < this.startOffset ? windowAt(Math.max(position, this.startOffset), this.size()) : window;
	}

	/** Where the positions `window` covers surely end: a server serves at least the most rows it sent at once. */
	protected certainEnd(window: Window): number {
		return window.start + Math.min(window.pageSize, this.size());
	}

	protected askAgain(page: Page): void {
		this.earlier = this.earlier && cutShort(page, this.earlier) ? this.earlier : page;
		this.dropPlan();
	}

	protected finish(end: ReadEnd): void {
		this.end = end;
	}

	protected dropPlan(): void {
		this.ahead.drop();
		this.queue = [];
	}

	/** Moves on to `window`. Planned on from a page taken, the windows after it are fetched ahead while the plan holds (each assuming the pages before it come back full); any other move drops them. */
	protected goTo(window: Window, planned = false): void {
		this.earlier = undefined;
		const head = this.queue[0];
		if (planned && head !== undefined && head.pageNum === window.pageNum && head.pageSize === window.pageSize) this.queue.shift();
		else this.dropPlan();
		this.window = window;
		if (planned) this.topUp(window);
	}

	protected topUp(from: Window): void {
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
}
