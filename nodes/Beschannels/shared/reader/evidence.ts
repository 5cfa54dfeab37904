import type { IDataObject } from 'n8n-workflow';

import { memberIdentity } from '../group/page';
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
}

/** What `total` has shown of the group's changes so far: its rises and its falls, summed. */
export interface Changes {
	joined: number;
	left: number;
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

export type Anchoring =
	/** The last row of the answer read before, where it may be: the page follows on from it. */
	| { kind: 'anchored'; index: number }
	/** Rows read before, none where the group's changes can have put them: members changed place. */
	| { kind: 'misplaced' }
	/** No row read before: nothing shows where the page sits. */
	| { kind: 'none' };

export function anchor(
	rows: IDataObject[],
	window: Window,
	hidden: number,
	changes: Changes,
	placed: ReadonlyMap<string, Placed>,
): Anchoring {
	let seen = false;
	for (let i = rows.length - 1; i >= 0; i--) {
		const id = memberIdentity(rows[i]);
		const was = id === undefined ? undefined : placed.get(id);
		if (was === undefined) continue;
		seen = true;
		if (fits(was, placeRow(window, i, hidden, changes))) return { kind: 'anchored', index: i };
	}
	return seen ? { kind: 'misplaced' } : { kind: 'none' };
}

/** Whether a row is a member not read before (a row without an identity always is). */
export function unread(row: IDataObject, placed: ReadonlyMap<string, Placed>): boolean {
	const id = memberIdentity(row);
	return id === undefined || !placed.has(id);
}

/** The members of an answer not read before (answers hold each member once: see `distinct`). */
export function freshRows(rows: IDataObject[], placed: ReadonlyMap<string, Placed>): IDataObject[] {
	return rows.filter((row) => unread(row, placed));
}
