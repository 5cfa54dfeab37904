import { memberIdentity, type Page } from '../page';
import type { Misplaced, TieZone } from './evidence';
import { FirstPageRead } from './firstPage';
import { OVERLAP_ROWS } from './limits';
import type { Tail } from './types';
import { windowAround, type Window } from './windows';

/** Looks at one page edge, at most, for rows that tie, before members found out of place count as moved. */
const MAX_TIE_LOOKS = 6;

/**
 * Rows that tie in the sort order (leads created in the same second, say) may come back in another
 * order on every request, so where such a stretch crosses a page edge, a member can fall on one side
 * in one answer and on the other in the next, and be in neither page. When members read before turn
 * up a few places off near the edge while `total` showed no change, the edge is read again in the page
 * with the most rows on either side of the places they moved between: it is taken once both its ends
 * agree with what the pages on either side held there (the stretch lies within it).
 */
export abstract class TieRead extends FirstPageRead {
	/** Where rows trade places, as far as seen; moves within them are not taken as members moving. */
	protected ties: TieZone[] = [];
	/** The stretch being looked at. */
	private zone: TieZone | undefined;
	/** The answer that showed rows trading places near its start, and where it was asked. */
	private tieEdge: { page: Page; window: Window } | undefined;
	private tieLooks = 0;

	protected abstract readAgainFromStart(): void;

	/** Members read before, out of place in `page`: rows that tie near the page edge, or members that moved. */
	protected misplacedAt(page: Page, tail: Tail, rows: Misplaced[]): void {
		const zone = spanOf(rows, this.zone);
		const around = windowAround(zone.lo, zone.hi, this.size(), OVERLAP_ROWS);
		const local = around !== undefined && around.start >= this.startOffset && zone.lo <= tail.hi + OVERLAP_ROWS;
		if (this.moving || !local || this.tieLooks >= MAX_TIE_LOOKS) return this.readAgainFromStart();
		this.tieLooks++;
		this.zone = zone;
		this.ties = [...this.ties.filter((known) => known.hi < zone.lo || known.lo > zone.hi), zone];
		// the answer the stretch was first seen in, which each look is checked against
		this.tieEdge ??= { page, window: this.window };
		this.goTo(around);
	}

	/**
	 * Whether an answer centred on the stretch that ties holds it whole: past the stretch, its rows are
	 * the ones the answer that showed the stretch held at the same places. A row that differs there
	 * widens the stretch, to be looked at again.
	 */
	protected holdsTies(page: Page): boolean {
		const edge = this.tieEdge;
		const zone = this.zone;
		if (edge === undefined || zone === undefined) return true;
		let compared = 0;
		for (let i = page.list.length - 1; i >= 0; i--) {
			const position = this.window.start + i;
			if (position <= zone.hi) break;
			const other = edge.page.list[position - edge.window.start];
			if (other === undefined) continue;
			compared++;
			if (memberIdentity(other) !== memberIdentity(page.list[i])) {
				this.zone = { lo: zone.lo, hi: position };
				return false;
			}
		}
		if (compared < OVERLAP_ROWS) return false;
		this.tieEdge = undefined;
		this.zone = undefined;
		this.tieLooks = 0;
		return true;
	}
}

/** The places the members out of place moved between, with the stretch seen to tie before. */
function spanOf(rows: Misplaced[], ties: TieZone | undefined): TieZone {
	let lo = ties?.lo ?? Infinity;
	let hi = ties?.hi ?? -Infinity;
	// by the places rows sat at the least: a short last page leaves its rows' highest places open
	for (const { was, now } of rows) {
		lo = Math.min(lo, was.lo, now.lo);
		hi = Math.max(hi, was.lo, now.lo);
	}
	return { lo, hi };
}
