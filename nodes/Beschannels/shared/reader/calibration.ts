import { memberIdentity, type Page } from '../page';
import type { Changes } from './evidence';
import type { Window } from './windows';

/** Probes at most, and how closely the last row's place is found (a share of what is unknown). */
const MAX_PROBES = 8;
const CLOSE_ENOUGH = 1 / 8;

/**
 * A short first page at position 0 holds fewer rows than asked: the server may serve no more (its
 * cap), or rows hidden from the User ID may have been left out of a bigger page. Page 1 asked at
 * smaller sizes tells them apart: it holds every row of the first answer exactly when its last row
 * sits within that size. So the last row's place, and a size the server surely serves in full, are
 * found in a few requests (one for a server that caps its pages), instead of reading the whole group
 * in pages no bigger than the rows that came.
 */
export class Calibration {
	/** The lowest and highest place the first answer's last row may hold (found to within an eighth). */
	lo: number;
	hi: number;
	private probes = 0;
	private readonly ids: Set<string>;
	/** `lo` as answers asked twice showed it; `lo` itself may rest on one answer, cut short in passing. */
	private sureLo: number;
	/**
	 * Sizes whose answers raised `lo`, smallest first, until a second answer confirms one: an answer
	 * contradicted when asked again leaves the ones before it still to be confirmed.
	 */
	private readonly unconfirmed: number[] = [];

	constructor(
		readonly first: Page,
		readonly window: Window,
		/** What `total` had shown of the changes when the first answer came. */
		readonly at: Changes,
		/** A group of a few pages: the last row is placed, and no more is spent on the size. */
		private readonly small = false,
	) {
		this.ids = new Set(first.list.map((row) => memberIdentity(row)));
		this.lo = first.list.length - 1;
		this.sureLo = this.lo;
		this.hi = window.pageSize - 1;
	}

	/** The size to ask page 1 at next, or undefined once the last row's place is known closely enough. */
	next(): number | undefined {
		const rows = this.first.list.length;
		// one row more than came: the same rows show a cap, a row more shows the first answer was cut
		// short; a small group only places its last row
		if (this.probes === 0) return this.small ? rows : rows + 1;
		const spent = this.probes >= (this.small ? 2 : MAX_PROBES);
		const close = this.hi - this.lo <= Math.max(1, this.lo * CLOSE_ENOUGH);
		// one answer with fewer rows may have been cut short in passing: the last such one is asked again
		if ((close || spent) && this.unconfirmed.length > 0) return this.unconfirmed[this.unconfirmed.length - 1];
		// one place apart: one more answer places the last row exactly, so a member moving by one shows
		if (this.hi - this.lo === 1 && !spent) return this.hi;
		if (close || spent) return undefined;
		return Math.floor((this.lo + this.hi) / 2) + 1;
	}

	/**
	 * Judges page 1 asked at `size`; false when it holds rows the first answer lacked (that answer
	 * was cut short in passing, or the group moved): the first page is then asked again.
	 */
	judge(page: Page, size: number): boolean {
		this.probes++;
		const rows = page.list.map((row) => memberIdentity(row));
		if (rows.some((id) => !this.ids.has(id))) return false;
		const confirming = this.unconfirmed[this.unconfirmed.length - 1] === size;
		if (confirming) this.unconfirmed.pop();
		if (rows.length === this.ids.size) {
			this.hi = Math.min(this.hi, size - 1);
			// a smaller answer raised `lo`, and this one contradicts it: back to what is sure, or to
			// the smaller answer before it, itself still to be confirmed
			if (confirming) this.lo = Math.max(this.sureLo, this.unconfirmed[this.unconfirmed.length - 1] ?? this.sureLo);
		} else if (confirming) {
			// rows missing at this size are missing at every smaller one: those need no answer more
			this.sureLo = this.lo;
			this.unconfirmed.length = 0;
		} else {
			this.unconfirmed.push(size);
			this.lo = Math.max(this.lo, size);
		}
		return true;
	}

	/** Rows a page of this size surely holds in full (the last row sat at `lo` or beyond). */
	get served(): number {
		return this.sureLo + 1;
	}

	/** Whether the probes showed rows hidden from the User ID: the first answer's last row sits past its own count. */
	get showedHidden(): boolean {
		return this.served > this.first.list.length;
	}
}
