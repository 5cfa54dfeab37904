import type { IDataObject } from 'n8n-workflow';

import { memberIdentity, type Page } from '../page';
import type { Window } from './windows';

/**
 * What an answer proves. Rows are placed by content: a page that holds a member already read, at
 * the place the changes `total` showed can have put it, follows on from the pages before it, so
 * every member between that member and the page's last row is in it. A member found elsewhere
 * than its changes allow moved (or members joined and left at once): the read cannot rest on it.
 */

/** Where a row read may sit, and what `total` had shown of the group's changes when it was read. */
export interface Placed {
	/** The lowest and highest position it may have held (rows hidden before it widen the range). */
	lo: number;
	hi: number;
	/** Members `total` had shown joining, and leaving, when it was read. */
	joined: number;
	left: number;
	/** The pass over the group it was read in (see `Changes`). */
	pass?: number;
}

/** Where each member read may sit, by identity: what the reader knows of every member it read (see placedRows.ts). */
export interface PlacedLookup {
	has(identity: string): boolean;
	get(identity: string): Placed | undefined;
}

/** What `total` has shown of the group's changes so far: its rises and its falls, summed. */
export interface Changes {
	joined: number;
	left: number;
	/** Reads of the group from the start so far: a row's place counts only in the pass it was read in. */
	pass?: number;
}

/**
 * Where row `index` of an answer to `window` may sit: the page may have left out `hidden` rows, any
 * of them before this one.
 */
export function placeRow(window: Window, index: number, hidden: number, changes: Changes): Placed {
	return { lo: window.start + index, hi: window.start + index + hidden, ...changes };
}

/**
 * Whether a member read at `was` and found now at `now` sits where the changes since allow: moved
 * down by at most the members that joined since, up by at most those that left.
 */
function fits(was: Placed, now: Placed): boolean {
	const lowest = now.lo - was.hi;
	const highest = now.hi - was.lo;
	return lowest <= now.joined - was.joined && highest >= -(now.left - was.left);
}

/** A member read before, found where the changes since cannot have put it: where it was, where it is. */
export interface Misplaced {
	was: Placed;
	now: Placed;
}

type Anchoring =
	/** The last row of the answer read before, where it may be: the page follows on from it. */
	| { kind: 'anchored'; index: number }
	/** Rows read before found where the group's changes cannot have put them: members changed place (or tie). */
	| { kind: 'misplaced'; rows: Misplaced[] }
	/** No row read before: nothing shows where the page sits. */
	| { kind: 'none' };

/** Positions (from `lo` to `hi`, inclusive) where rows that tie in the sort order may trade places. */
export interface TieZone {
	lo: number;
	hi: number;
}

/** Whether a member's move lies wholly within one of `zones`. */
function within(zones: readonly TieZone[], row: Misplaced): boolean {
	const lo = Math.min(row.was.lo, row.now.lo);
	const hi = Math.max(row.was.lo, row.now.lo);
	return zones.some((zone) => lo >= zone.lo && hi <= zone.hi);
}

/**
 * What an answer rests on: its last member read before, when every member read before sits where the
 * changes since allow (moves within `ties`, stretches of rows known to tie, excepted).
 */
export function anchor(
	rows: IDataObject[],
	window: Window,
	hidden: number,
	changes: Changes,
	placed: PlacedLookup,
	ties: readonly TieZone[] = [],
): Anchoring {
	let last: number | undefined;
	const misplaced: Misplaced[] = [];
	for (let i = rows.length - 1; i >= 0; i--) {
		const was = placed.get(memberIdentity(rows[i]));
		if (was === undefined) continue;
		// read in an earlier pass over the group: a member read before, but its place then shows nothing now
		if ((was.pass ?? 0) !== (changes.pass ?? 0)) continue;
		const now = placeRow(window, i, hidden, changes);
		if (fits(was, now)) last ??= i;
		else if (!within(ties, { was, now })) misplaced.push({ was, now });
	}
	if (misplaced.length > 0) return { kind: 'misplaced', rows: misplaced };
	return last === undefined ? { kind: 'none' } : { kind: 'anchored', index: last };
}

/** Whether a row is a member not read before. */
export function unread(row: IDataObject, placed: PlacedLookup): boolean {
	return !placed.has(memberIdentity(row));
}

/** The members of an answer not read before (answers hold each member once: see `distinct`). */
export function freshRows(rows: IDataObject[], placed: PlacedLookup): IDataObject[] {
	return rows.filter((row) => unread(row, placed));
}

/**
 * Whether `answer` holds only rows `earlier` held, and fewer, while `total` shows no change between
 * them: an answer cut short in passing (after a change, members who left explain the rows missing).
 */
export function cutShort(answer: Page, earlier: Page): boolean {
	if (answer.list.length >= earlier.list.length || answer.total !== earlier.total) return false;
	const before = new Set(earlier.list.map((row) => memberIdentity(row)));
	return answer.list.every((row) => before.has(memberIdentity(row)));
}

/** The page with each member once: a member sent twice in one answer is kept at its first row. */
export function distinctRows(page: Page): Page {
	const ids = new Set<string>();
	const list = page.list.filter((row) => {
		const id = memberIdentity(row);
		if (ids.has(id)) return false;
		ids.add(id);
		return true;
	});
	return list.length === page.list.length ? page : { ...page, list };
}

/** Whether `total` (or its absence) says the group ends by `position`. */
export function endsBy(page: Page, position: number): boolean {
	return page.total === undefined || position >= page.total;
}

/** Whether two or more members out of place all moved by the same places, fewer than `far`. */
export function shiftedTogether(rows: Misplaced[], far: number): boolean {
	const shift = rows[0].now.lo - rows[0].was.lo;
	return rows.length > 1 && shift !== 0 && Math.abs(shift) < far && rows.every((row) => row.now.lo - row.was.lo === shift);
}

/** Whether two answers hold the same members, in the same order. */
export function sameRows(answer: Page, other: Page | undefined): boolean {
	if (other === undefined || other.list.length !== answer.list.length) return false;
	return answer.list.every((row, i) => memberIdentity(row) === memberIdentity(other.list[i]));
}

/** Whether every row of a page sitting at `sat` is `far` places or more from where it was read. */
export function displaced(rows: Page['list'], sat: Window, far: number, placed: PlacedLookup): boolean {
	return rows.every((row, i) => {
		const was = placed.get(memberIdentity(row));
		return was !== undefined && Math.abs(sat.start + i - was.lo) >= far;
	});
}

/**
 * Whether `page`, asked at `window`, past the rows of `last` (the last page taken), is that page
 * again: it held fewer rows than it asked, and no more members are to come (`toCome`, by `total`)
 * than its missing rows could hide. A page 1 sent again by a server that ignores page_num, on a group
 * that `total` says goes on, is not.
 */
export function lastPageAgain(page: Page, window: Window, last: { page: Page; window: Window } | undefined, toCome: number): boolean {
	if (last === undefined || window.start < last.window.start + last.page.list.length || !sameRows(page, last.page)) return false;
	return toCome <= last.window.pageSize - last.page.list.length;
}
