import type { PageRequest } from '../page';

/**
 * Where to ask. Page k of size s holds the group's positions (k - 1) x s to k x s - 1 for any size
 * the server serves in full, so by choosing the size as well as the page a request can start a few
 * rows before the last one ended: the rows read twice show where the page sits.
 */

/** A page request and the positions it covers: `start` (inclusive) to `end` (exclusive). */
export interface Window extends PageRequest {
	start: number;
	end: number;
}

/** Sizes tried below the largest one when looking for a page that starts just before a position. */
const SIZE_SEARCH_SHARE = 0.5;

export function windowOf(pageNum: number, pageSize: number): Window {
	return { pageNum, pageSize, start: (pageNum - 1) * pageSize, end: pageNum * pageSize };
}

/** The page of `size` rows that holds `position`. */
export function windowHolding(position: number, size: number): Window {
	return windowOf(Math.floor(position / size) + 1, size);
}

/**
 * The page of at most `size` rows that starts exactly at `position`: the largest size that divides
 * it (any size at position 0).
 */
export function windowAt(position: number, size: number): Window {
	if (position === 0) return windowOf(1, size);
	for (let s = Math.min(size, position); s > 1; s--) if (position % s === 0) return windowOf(position / s + 1, s);
	return windowOf(position + 1, 1);
}

/**
 * The page of at most `size` rows that starts at or before `from` and reaches furthest; with
 * `from` below 0, the first page.
 */
export function windowFrom(from: number, size: number): Window {
	if (from <= 0) return windowOf(1, size);
	let best = windowHolding(from, size);
	const smallest = Math.max(1, Math.floor(size * (1 - SIZE_SEARCH_SHARE)));
	for (let s = size - 1; s >= smallest; s--) {
		const candidate = windowHolding(from, s);
		if (candidate.end > best.end) best = candidate;
	}
	return best;
}

/**
 * Where an answer's rows sit: in the window asked, or, when it holds more rows than asked (a server
 * that starts later pages a few rows early), ending where the window ends.
 */
export function sitting(window: Window, rows: number): Window {
	return rows > window.pageSize ? { ...window, start: window.end - rows } : window;
}

/**
 * The page of at most `size` rows (and at least a third of it) that holds positions `lo` to `hi` with
 * the most rows on either side of them, or undefined when no page holds them with `margin` rows on
 * each side.
 */
export function windowAround(lo: number, hi: number, size: number, margin: number): Window | undefined {
	let best: Window | undefined;
	let bestMargin = margin - 1;
	for (let s = size; s >= Math.max(1, Math.floor(size / 3)); s--) {
		const window = windowHolding(Math.max(0, lo - margin), s);
		const around = Math.min(lo - window.start, window.end - 1 - hi);
		if (around > bestMargin) {
			best = window;
			bestMargin = around;
		}
	}
	return best;
}
