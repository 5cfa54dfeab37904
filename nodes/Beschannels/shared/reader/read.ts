import { MAX_PAGES } from '../constants';
import { memberIdentity, mergeHeader, type Page } from '../page';
import { anchor, cutShort, displaced, endsBy, freshRows, sameRows, shiftedTogether } from './evidence';
import { TieRead } from './ties';
import { BLIND_PAGES, MAX_ASKS, MAX_BLIND_PAGES, MAX_REREADS, MIN_EMPTY_STRETCH, OVERLAP_ROWS } from './limits';
import type { PaginateOptions, PaginateResult, ReadEnd, Tail } from './types';
import { sitting, windowAt, windowFrom, windowHolding, type Window } from './windows';

export type { PaginateOptions, PaginateResult } from './types';

/**
 * One read of a group: asks pages, judges each answer (see `evidence.ts`) and keeps the members.
 * Every page after the first must hold a member read before, at a place the changes `total` showed
 * allow, or the part before it is read again; the end is shown by `total` on a short page, or by
 * nothing past the members read, asked twice.
 */
class GroupRead extends TieRead {
	/** A full page of members read before, with no total, was met once and the group read again from the start. */
	private repeatChecked = false;

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

	/** Asks the current window and judges the answer. */
	protected async step(): Promise<void> {
		const answer = await this.ahead.take(this.window).catch((error: unknown) => this.refusal(error));
		this.requests++;
		if (answer === undefined) return;
		const page = this.distinct(this.earlier && cutShort(answer, this.earlier) ? this.earlier : answer);
		this.asks = this.earlier === undefined ? 1 : this.asks + 1;
		// asked again, the end counts only once two answers agree (each may be cut short in passing)
		this.agreed = this.earlier !== undefined && (sameRows(answer, this.lastAnswer) || this.asks >= MAX_ASKS);
		this.lastAnswer = answer;
		mergeHeader(this.header, answer.header);
		this.noteTotal(answer.total);
		this.served = Math.max(this.served, page.list.length);
		if (this.guessed && page.list.length > 0 && this.tail !== undefined && !this.probing) {
			// the first rows after pages asked at a guessed size: those pages may not have sat where
			// planned, so the read starts again at a size the server has now shown it serves
			this.guessed = false;
			return this.restart();
		}
		if (this.endCheck) this.afterEndCheck(page);
		else if (this.probing) this.onProbe(page);
		else if (this.tail === undefined) this.takeFirst(page);
		else this.takeNext(page, this.tail);
	}

	/**
	 * A refusal: of a page past every member read, an empty page; of the first request, the size
	 * `afterRefusal` names is asked instead (or the read fails with the error).
	 */
	protected refusal(error: unknown): Page | undefined {
		const size = this.window.pageSize;
		// a page past every member read or past `total`, refused: a server may refuse a page past its end so
		const past = this.endCheck !== undefined || this.pastEnd(this.window) || (this.sizes.firstServed !== undefined && this.window.start >= this.lastMemberEnd);
		if (past && this.options.refusedPage?.(error) === true) return { total: this.lastTotal, list: [], header: [] };
		const next = this.sizes.firstServed === undefined ? this.options.afterRefusal?.(error, size) : undefined;
		if (next === undefined) throw error;
		this.sizes.refusedSize ??= size;
		if (next < size) this.sizes.stepped = true;
		this.goTo(windowHolding(this.startOffset, this.firstSize(next)));
		return undefined;
	}

	/** An answer after the first: it must follow on from the members read, or the part before it is read again. */
	protected takeNext(page: Page, tail: Tail): void {
		const { window } = this;
		const rows = page.list;
		const short = rows.length < window.pageSize;
		// read again from the start after members were found out of place: each row is placed afresh
		const hidden = Math.max(0, window.pageSize - rows.length);
		const sat = sitting(window, rows.length);
		const found = tail.rebase ? { kind: 'none' as const } : anchor(rows, sat, hidden, this.placingChanges(), this.placed, this.ties);
		if (found.kind === 'anchored') this.narrowEnd(rows, sat, hidden, tail);
		// a page read again where rows tie: taken once it shows it holds the whole stretch
		if (!this.holdsTies(page)) return this.misplacedAt(page, tail, []);
		// members above the one it rests on are taken too (they joined, or moved there), unless the
		// read starts further down the group (Start at Page): there they are members before the start
		const from = found.kind === 'anchored' && this.startOffset > 0 ? found.index + 1 : 0;
		const fresh = freshRows(rows.slice(from), this.placed);
		// members read before all shifted by the same places: members left and joined at one moment
		// (`total` shows only the difference), not rows that tie, which trade places both ways
		// (a shift of a page or more is a server sending a page again)
		const far = Math.max(1, window.pageSize - OVERLAP_ROWS);
		if (found.kind === 'misplaced' && shiftedTogether(found.rows, far)) this.moving = true;
		// a full page of members read before, while nothing changed, or, with no total to show changes,
		// each a page or more from where it was read (a server that ignores page_num)
		const stuck = fresh.length === 0 && !short && this.repeats(found.kind === 'misplaced', page, sat, far);
		if (stuck) return this.onStuck(page, found.kind === 'misplaced');
		if (found.kind === 'misplaced') return this.misplacedAt(page, tail, found.rows);
		if (found.kind === 'none') return this.unanchored(page, tail);
		if (fresh.length > 0 || !short) return this.take(page, from);
		this.atEnd(page, window);
	}

	/** A short page with no member not read before: once two answers agree (one may be cut short in passing), the end where `total` shows it. */
	protected atEnd(page: Page, window: Window): void {
		if (!this.agreed) return this.askAgain(page);
		// members read that sit past as many places as members were read (and joined): rows are hidden before them
		if (window.start + page.list.length > this.startOffset + this.read + this.changes.joined) this.sawHidden = true;
		if (this.reachesTotal(page, window.end) || this.endsAtTotal(page, window)) return this.finish('total');
		this.endOrBridge(page, window);
	}

	/** Members already read, where they cannot be, while nothing changed: the server repeats itself, or sends its last page past the end. */
	protected onStuck(page: Page, misplaced: boolean): void {
		if (this.earlier === undefined) return this.askAgain(page);
		// with no total, members who joined above look the same: the group is read again from the start once
		if (!misplaced && !this.repeatChecked) {
			this.repeatChecked = true;
			return this.restart();
		}
		// a server may answer a page past the end with its last page (as web frameworks that clamp
		// page_num do): past `total`, or the last page taken again when it was short
		this.finish(this.pastEnd(this.window) || this.lastPageAgain(page) ? 'confirmed' : 'repeat');
	}

	/** The last member read, found again on a page that follows on from it: the members read end where that page places it (a probe of page 1 may have left its place wide). */
	protected narrowEnd(rows: Page['list'], sat: Window, hidden: number, tail: Tail): void {
		if (this.lastMemberEnd <= sat.end) return;
		const at = rows.findIndex((row) => memberIdentity(row) === tail.id);
		if (at >= 0) this.lastMemberEnd = Math.max(this.startOffset, Math.min(this.lastMemberEnd, sat.start + at + hidden + 1));
	}

	/** Whether a full page of members read before shows a page sent again: the last short page again, members out of place while nothing changed, or, with no total, each `far` or more from where it was read. */
	protected repeats(misplaced: boolean, page: Page, sat: Window, far: number): boolean {
		// the last short page again, as a server answers a page past the end, though members moved (with
		// no row shown hidden: the rows it lacked may be hidden ones)
		if (!this.sawHidden && this.lastPageAgain(page)) return true;
		return misplaced ? !this.moving : this.totalMissing && displaced(page.list, sat, far, this.placed);
	}

	/** An answer that holds no member read before. */
	protected unanchored(page: Page, tail: Tail): void {
		const { window } = this;
		const overlaps = !tail.bridged && window.start <= tail.hi;
		const left = this.leftSince(tail);
		// members left since: the rows after the last member read may have moved up, before this page
		if (left > 0) return this.readAgain(tail);
		// where the last member may sit spans more than a page holds: no page can show where this one
		// sits, and the page before held every member up to where this one starts
		const unplaceable = tail.hi - tail.lo + OVERLAP_ROWS > this.size() && window.start <= this.coveredTo;
		// nothing could show where this page sits (after rows hidden for a whole page, or pages too
		// small to overlap): it is taken on `total`'s word that no member left
		if (page.list.length > 0 && (!overlaps || unplaceable)) return this.takeByPosition(page);
		// rows past the last member read may lie before this window: only a page from it shows the end
		if (page.list.length > 0 || (!tail.bridged && window.start > tail.lo + 1)) return this.readAgain(tail);
		if (!this.agreed) return this.askAgain(page);
		// the last member read surely sat in this window, now empty: it moved up (members left above it,
		// which only a total shows) or left
		if (!tail.bridged && window.start <= tail.lo && window.end > tail.hi) return this.readAgain(tail, true);
		this.endOrBridge(page, window);
	}

	/** Takes a page no member read before can place, by its position; a short one once two answers agree (one may be cut short in passing). */
	protected takeByPosition(page: Page): void {
		if (page.list.length < this.window.pageSize && !this.agreed) return this.askAgain(page);
		this.unchecked++;
		this.take(page, 0);
	}

	/**
	 * Nothing past the members read in `window`, asked twice. It ends the group when `total` says so
	 * and the empty stretch past both the last member and `total` is long enough to show it: a whole
	 * page of the size the server serves, and at least ten positions. So a `total` that counts only the
	 * members the User ID may see is not taken for one that counts them all past a run of hidden rows
	 * shorter than a page. Otherwise the read goes on past it.
	 */
	protected endOrBridge(page: Page, window: Window): void {
		const end = this.certainEnd(window);
		// `total` 0 and not a row sent (asked twice): nothing to read, from any start
		if (this.reachesTotal(page, end) || (page.total === 0 && this.served === 0)) return this.finish('total');
		// no row has come while `total` counts members past the first page's start: nothing shows how
		// many rows a page holds (a server may serve one), so no empty page shows the end; the read walks
		// on, at most twice the pages of this size that reach `total` (BLIND_PAGES to MAX_BLIND_PAGES),
		// then says it saw no member
		if (this.served === 0 && page.total !== undefined && page.total > this.firstStart) {
			const walkable = Math.min(MAX_BLIND_PAGES, Math.max(BLIND_PAGES, 2 * Math.ceil(page.total / window.pageSize) + 2));
			if (++this.blindSteps >= walkable) return this.finish('unseen');
			return this.bridge(window);
		}
		// no member read yet and nothing in the window: its places before the start are empty too
		const from = this.read === 0 && page.list.length === 0 ? Math.min(window.start, this.lastMemberEnd) : this.lastMemberEnd;
		const past = Math.max(from, page.total ?? 0);
		const needed = Math.max(MIN_EMPTY_STRETCH, this.size());
		// an answer past here that came with rows (one fetched ahead, dropped) shows the group goes on
		if (endsBy(page, end) && end - past >= needed && end > this.ahead.furthestRows(this.served)) return this.finish('confirmed');
		this.bridge(window);
	}

	/** The last row taken may sit before the window (or, `missed`, surely no longer sits in it): read from earlier, further back at each miss. */
	protected readAgain(tail: Tail, missed = false): void {
		if (missed) tail.misses = Math.max(tail.misses, 1);
		const left = this.leftSince(tail);
		this.moving ||= tail.misses > 0 || left > 0;
		if ((tail.misses > 0 || left > 0) && !this.countReread()) return;
		const back = 1 + left + (tail.misses === 0 ? 0 : Math.max(OVERLAP_ROWS, this.size() / 2) * 2 ** (tail.misses - 1));
		tail.misses++;
		const from = tail.lo - back;
		const window = windowFrom(from, this.size());
		// pages too small to span from there to the last member: the page that holds its lowest place
		if (from >= this.startOffset && window.end <= tail.lo) return this.goTo(windowHolding(tail.lo, this.size()));
		if (from >= this.startOffset) return this.goTo(window);
		if (tail.misses <= 1) return this.goTo(windowFrom(this.startOffset, this.size()));
		// back at the start, no member can sit before the page: it is taken by position
		this.restart();
	}

	/** Reads on from the start, taking the first page by position and placing its rows afresh. */
	protected restart(): void {
		this.changes.pass = (this.changes.pass ?? 0) + 1;
		this.tail = this.tailAt(this.startOffset, true);
		this.goTo(windowAt(this.startOffset, this.size()));
	}

	/** A tail with no member to rest on, at `position`: the next page is taken by position. */
	private tailAt(position: number, rebase?: boolean): Tail {
		return { lo: position, hi: position - 1, from: position, bridged: true, rebase, at: { ...this.changes }, misses: 0 };
	}

	private leftSince(tail: Tail): number {
		return this.changes.left - tail.at.left;
	}

	/** Members were found out of place: the group is read again from the start, once, to find any who moved into the part read. */
	protected readAgainFromStart(): void {
		this.moving = true;
		if (this.misplaced || !this.countReread()) return this.finish('moved');
		this.misplaced = true;
		this.restart();
	}

	protected countReread(): boolean {
		this.rereads++;
		if (this.rereads <= MAX_REREADS) return true;
		this.finish('moved');
		return false;
	}

	/** Nothing past the members read in this window, before `total` ends (rows hidden from the User ID): read on past it. */
	protected bridge(window: Window): void {
		this.unchecked++;
		this.sawHidden = true;
		const end = this.certainEnd(window);
		this.tail = this.tailAt(end, this.tail?.rebase);
		this.goTo(this.plainWindow(end));
	}

	protected result(end: ReadEnd): PaginateResult {
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
			served: this.served,
			cut: this.cut === 'lost' ? undefined : this.cut,
		};
	}
}

/** Reads a group and returns its members in the API's order, each identity once, and whether the read showed it has them all. */
export async function paginate(options: PaginateOptions): Promise<PaginateResult> {
	return await new GroupRead(options).run();
}
