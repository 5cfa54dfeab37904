import type { IDataObject } from 'n8n-workflow';

import { memberIdentity, type Page } from './page';
import { OVERLAP_ROWS, type Window } from './windows';

/**
 * What one answer proves, and so what the reader does next. Every rule of evidence is here:
 *
 * - Rows are placed by content. The last member already read that an answer holds is its anchor;
 *   the members it holds that were not read yet are new, whatever moved before them.
 * - A window that should repeat rows already read (an overlap) but holds none of them shows that
 *   the group moved up past the overlap: members may have been skipped, so the part before is
 *   read again. A window without an overlap is checked by `total`: when it differs from the last
 *   answer's, the group moved and the part before is read again too.
 * - A short, empty or nothing-new answer is asked once more (one answer can be a passing fault).
 *   Asked again, a short one is taken as rows hidden from this User ID and the read goes on; an
 *   empty one, or one that holds nothing past its overlap, shows the end. A short page whose
 *   members bring the count exactly to `total`, at the end `total` gives, shows the end at once;
 *   a `total` the rows went past lies low and vouches for nothing from then on.
 */

/** What the reader knows when an answer arrives. */
export interface Reading {
	seen: ReadonlySet<string>;
	/** Where the next unread member should be, counting from the start of the group. */
	position: number;
	/** Members before the first one wanted (Start at Page). */
	startOffset: number;
	/** Members read so far, each once. */
	read: number;
	/** No answer has been taken yet. */
	first: boolean;
	/** `total` of the last answer taken. */
	lastTotal?: number;
	/** The rows read passed a `total` seen: totals vouch for nothing any more. */
	totalShownLow: boolean;
	/** This window was asked once already and came back short, empty or with nothing new. */
	askedAgain: boolean;
	/** This window reads again a part already read, after the group moved. */
	recheck: boolean;
	/** The answer holds rows without an identity, exactly as the last answer taken did. */
	sameAnonymousRows: boolean;
	/** The last answer taken held every row it was asked for (none hidden): its last rows are known. */
	fullBefore: boolean;
}

export type Verdict =
	/** Ask the same window again: the answer may have been a passing fault. */
	| { kind: 'askAgain' }
	/** Ask the same position in pages of `size`, the rows the server showed it serves. */
	| { kind: 'resize'; size: number }
	/** The group moved: read the window before this one again. */
	| { kind: 'rewind' }
	/**
	 * Take `fresh` (the members after the anchor, not read before); `end` when the read is over;
	 * `shifted` when the anchor sat elsewhere than the overlap puts it: members joined or left above.
	 */
	| { kind: 'take'; fresh: IDataObject[]; duplicates: number; end?: 'total' | 'confirmed' | 'repeat'; shifted?: boolean };

/**
 * The members an answer adds (those not read yet; in the first answer, from `position` on) and its
 * anchor: the index of the last member already read, or -1.
 */
function placeRows(page: Page, window: Window, reading: Reading) {
	const rows = page.list;
	let anchor = -1;
	for (let i = rows.length - 1; i >= 0; i--) {
		const id = memberIdentity(rows[i]);
		if (id !== undefined && reading.seen.has(id)) {
			anchor = i;
			break;
		}
	}
	// Only the first answer is placed by position (Start at Page): later ones may lack hidden rows.
	// After it, every member not read yet is taken, also one before the anchor: a member a moving
	// group had pushed past the pages read, found when a part is read again.
	const after = reading.first ? rows.slice(Math.max(0, reading.position - window.start)) : rows;
	const fresh: IDataObject[] = [];
	const ids = new Set<string>();
	let duplicates = 0;
	for (const row of after) {
		const id = memberIdentity(row);
		if (id !== undefined && reading.seen.has(id)) continue;
		// the same member twice in one answer
		if (id !== undefined && ids.has(id)) {
			duplicates++;
			continue;
		}
		if (id !== undefined) ids.add(id);
		fresh.push(row);
	}
	return { anchor, fresh, duplicates };
}

export function judge(page: Page, window: Window, reading: Reading): Verdict {
	// rows that cannot be told apart, sent again: the server repeats itself
	if (reading.sameAnonymousRows) return { kind: 'take', fresh: [], duplicates: 0, end: 'repeat' };
	const served = page.list.length;
	const overlap = reading.position - window.start;
	const { anchor, fresh, duplicates } = placeRows(page, window, reading);
	const anchored = anchor >= 0;

	if (!reading.first && !anchored && served > 0) {
		if (overlap >= OVERLAP_ROWS) return { kind: 'rewind' };
		if (reading.lastTotal !== undefined && page.total !== reading.lastTotal) return { kind: 'rewind' };
	}
	if (reading.recheck) return { kind: 'take', fresh, duplicates };
	// the anchor is not where the overlap puts it: members joined above (further down) or left above
	// (further up, when no rows were hidden from the last page); an answer that brings nothing new is
	// judged below, since a server may repeat itself
	const shiftedUp = reading.fullBefore && anchored && anchor < overlap - 1;
	const shifted = !reading.first && fresh.length > 0 && (anchor > overlap - 1 || shiftedUp);

	const short = served < window.pageSize;
	const { total } = page;
	const reachesTotal =
		total !== undefined &&
		!reading.totalShownLow &&
		window.end >= total &&
		reading.startOffset + reading.read + fresh.length === total;
	if (short && reachesTotal) return { kind: 'take', fresh, duplicates, end: 'total', shifted };

	const nothingNew = fresh.length === 0;
	if (short || nothingNew) {
		if (!reading.askedAgain) return { kind: 'askAgain' };
		// where a page of this size starts depends on how the server counts: ask in pages it serves
		if (reading.first && window.pageNum > 1 && served > 0) return { kind: 'resize', size: served };
	}
	if (nothingNew) {
		// nothing past the rows read before: the end; rows past them all read already: a repeat
		const end = served <= overlap ? 'confirmed' : 'repeat';
		return { kind: 'take', fresh, duplicates, end, shifted };
	}
	return { kind: 'take', fresh, duplicates, shifted };
}
