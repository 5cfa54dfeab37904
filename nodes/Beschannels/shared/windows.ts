import type { PageRequest } from './page';

/**
 * Where to ask next. Page k of size s holds the group's positions (k - 1) x s to k x s - 1, so by
 * choosing the size as well as the page, a request can start a few rows before the last one ended:
 * those rows, read twice, show whether the group moved between the two requests.
 */

/** A page request and the positions it covers: `start` (inclusive) to `end` (exclusive). */
export interface Window extends PageRequest {
	start: number;
	end: number;
}

/** Rows each window repeats from the one before it; two, since one cannot show that a single leave lost nothing. */
export const OVERLAP_ROWS = 2;

/** Overlaps may cost at most this share of extra requests over reading without them. */
export const OVERLAP_BUDGET = 0.05;

/** Sizes tried below the cap when looking for a page boundary just before a position. */
const SIZE_SEARCH_SHARE = 0.2;

export function windowOf(pageNum: number, pageSize: number): Window {
	return { pageNum, pageSize, start: (pageNum - 1) * pageSize, end: pageNum * pageSize };
}

/** The page of `size` rows that holds `position`. */
export function windowHolding(position: number, size: number): Window {
	return windowOf(Math.floor(position / size) + 1, size);
}

/**
 * The window of at most `cap` rows that reaches furthest past `position` while starting at least
 * `overlap` rows before it (none: at or before it); the page of `cap` rows that holds `position`
 * when no such window moves on.
 */
export function nextWindow(position: number, cap: number, overlap: number): Window {
	const from = position - overlap;
	const plain = windowHolding(position, cap);
	if (from < 0) return plain;
	let best: Window | undefined;
	const smallest = Math.max(1, Math.floor(cap * (1 - SIZE_SEARCH_SHARE)));
	for (let size = cap; size >= smallest; size--) {
		const pageNum = Math.floor(from / size) + 1;
		if (best === undefined || pageNum * size > best.end) best = windowOf(pageNum, size);
	}
	return best !== undefined && best.end > position ? best : plain;
}

/**
 * The next window, overlapping the last one as long as the overlaps keep within the budget: the
 * `windows` read from position `from` on plus this one may be at most `OVERLAP_BUDGET` more than the
 * rows they cover need. Without `spent` (a group seen moving), every window overlaps.
 */
export function planWindow(position: number, cap: number, overlap: number, spent?: { from: number; windows: number }): Window {
	if (overlap > 0) {
		const overlapping = nextWindow(position, cap, overlap);
		if (spent === undefined) return overlapping;
		const needed = Math.ceil((overlapping.end - spent.from) / cap);
		if (spent.windows + 1 <= Math.max(2, Math.floor(needed * (1 + OVERLAP_BUDGET)))) return overlapping;
	}
	return nextWindow(position, cap, 0);
}
