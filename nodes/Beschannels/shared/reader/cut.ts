import type { Window } from './windows';

/**
 * Where the members read end exactly, on a group that holds still: the first `read` members are
 * every member the User ID may see from the read's start up to position `end` (exclusive). Only a
 * page boundary shows it where rows are hidden: a short page does not say which of its places the
 * hidden rows held.
 */
export interface Cut {
	end: number;
	read: number;
}

/** A page just taken: its window (where its rows sit), the row the read stopped before (`rows` when it took them all), rows hidden from it. */
interface Taken {
	window: Window;
	next: number;
	rows: number;
	hidden: number;
}

/**
 * The cut after a page taken: at the page's end when it was taken whole at a size the server serves
 * (`served`), at row `next` when no row of it was hidden; otherwise the cut before it stands. Rows
 * kept from a page that starts before the read's start, with rows hidden, may sit before the start:
 * the read then has no cut.
 */
export function nextCut(
	cut: Cut | 'lost' | undefined,
	taken: Taken,
	read: { startOffset: number; served: number; read: number },
): Cut | 'lost' | undefined {
	const { window, next, rows, hidden } = taken;
	if (cut === 'lost' || (window.start < read.startOffset && hidden > 0)) return 'lost';
	let end: number | undefined;
	if (next >= rows && window.pageSize <= read.served) end = window.end;
	else if (hidden === 0) end = window.start + next;
	if (end === undefined || end < (cut?.end ?? 0)) return cut;
	return { end, read: read.read };
}
