/**
 * How a Beschannels server picks the rows of one page: the model both the sandbox and the reader's
 * property tests serve pages by. A page is picked from the group's whole list first, then the rows
 * hidden from the User ID are left out of it (as data permissions do), so hidden rows make a page
 * short without moving the pages after it.
 */

export interface PagingRules {
	/** Most rows served per page whatever page_size asks. */
	cap: number;
	/**
	 * Where page k starts: 'served' skips (k-1) x the rows served per page; 'asked' skips (k-1) x
	 * page_size as asked and then caps, so asking for more than the cap skips rows.
	 */
	offsets: 'served' | 'asked';
	/** `total` counts the rows hidden from the User ID (default) or only the rows it may see. */
	totalCountsHidden?: boolean;
	/** Added to the true count in `total` (negative: a total that lies low). */
	totalOffset?: number;
	/** Serve page 1 whatever page_num says. */
	ignorePageNum?: boolean;
	/** Start every page after the first this many rows early. */
	repeatRows?: number;
	/** Answer a page past the end with the last page (as web frameworks that clamp the page number do). */
	clampPastEnd?: boolean;
}

/** The positions page `pageNum` of `asked` rows covers in the group's whole list: `from` to `to` (exclusive). */
export function pagePositions(rules: PagingRules, pageNum: number, asked: number): { from: number; to: number } {
	const size = Math.min(asked, rules.cap);
	const stride = rules.offsets === 'asked' ? asked : size;
	const page = rules.ignorePageNum ? 1 : pageNum;
	const start = (page - 1) * stride;
	const from = Math.max(0, start - (page > 1 ? (rules.repeatRows ?? 0) : 0));
	return { from, to: start + size };
}

/** One page of `list` as the server answers it: the visible rows of its positions, and `total`. */
export function servePage<T>(
	list: readonly T[],
	hidden: (row: T) => boolean,
	rules: PagingRules,
	pageNum: number,
	asked: number,
): { total: number; rows: T[] } {
	let { from, to } = pagePositions(rules, pageNum, asked);
	if (rules.clampPastEnd && from >= list.length && list.length > 0) {
		const size = to - from;
		from = Math.floor((list.length - 1) / size) * size;
		to = from + size;
	}
	const rows = list.slice(from, to).filter((row) => !hidden(row));
	const counted = rules.totalCountsHidden === false ? list.filter((row) => !hidden(row)).length : list.length;
	return { total: Math.max(0, counted + (rules.totalOffset ?? 0)), rows };
}
