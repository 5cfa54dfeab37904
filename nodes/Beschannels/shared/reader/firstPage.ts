import type { Page } from '../page';
import { lastPageAgain, sameRows } from './evidence';
import { Calibration } from './calibration';
import { ReadState } from './state';
import type { Tail } from './types';
import { windowAt, windowOf, type Window } from './windows';

/**
 * The first answer of a read: where its rows sit, and how many rows the server serves. A short
 * first page is probed on page 1 (which starts at position 0 however a server counts pages) before
 * its size is taken as the server's, and a read that starts further down starts exactly there.
 */
export abstract class FirstPageRead extends ReadState {
	protected abstract takeNext(page: Page, tail: Tail): void;

	protected abstract restart(): void;

	/** A first answer past `total`, held while the page after it is asked. */
	protected pastEndCheck: { page: Page; window: Window; again?: boolean } | undefined;
	protected pastEndChecked = false;

	/**
	 * The first answer. Its rows sit where the page says when it came back full, or holds the rows
	 * from where the read starts: a short answer elsewhere may come from a server that counts pages
	 * by the rows it serves, so the start is asked again in pages no bigger than the rows that came.
	 */
	protected takeFirst(page: Page): void {
		if (this.pastEndCheck) return this.afterPastEndCheck(page);
		const { window } = this;
		const rows = page.list.length;
		if (this.checkPastEnd(page)) return;
		this.sizes.firstServed ??= window.pageSize;
		if (rows === 0 && this.earlier === undefined) return this.askAgain(page);
		if (this.placeFirst(page)) return;
		const full = rows >= window.pageSize;
		const skip = this.startOffset - window.start;
		if (this.learning && (full || rows === 0)) return this.startAfterLearning(full);
		if (!full && rows > 0 && skip > 0) return this.goTo(windowAt(this.startOffset, this.size()));
		if (rows <= skip) return this.endOrBridge(page, window);
		this.take(page, skip);
	}

	/**
	 * Members from where `total` says the group ended, at a later start: the page before it is asked,
	 * to show whether the server answers a page past its end with its last page (both the same) or
	 * `total` counts too few (the start's page holds members of its own). Whether it was.
	 */
	private checkPastEnd(page: Page): boolean {
		const { window } = this;
		if (page.list.length === 0 || this.startOffset === 0 || this.pastEndChecked || !this.pastEnd(window)) return false;
		this.pastEndCheck = { page, window };
		this.goTo(windowOf(window.pageNum > 1 ? window.pageNum - 1 : window.pageNum + 1, window.pageSize));
		return true;
	}

	/**
	 * A short first answer that neither meets `total` nor fills its page up to it is placed before it
	 * is taken: probed on page 1, asked again, or page 1 asked to learn the size the server serves.
	 * Whether it was.
	 */
	private placeFirst(page: Page): boolean {
		const { window } = this;
		const rows = page.list.length;
		const full = rows >= window.pageSize;
		// a later page sits where asked only if the server serves that many rows (or it came back full)
		const placed = window.start === 0 || full || window.pageSize <= Math.max(1, this.served);
		// an empty answer (asked twice) shows nothing of the size a server serves: nothing to place
		if (full || rows === 0 || (placed && this.reachesTotal(page, window.start + rows)) || this.endsAtTotal(page, window)) return false;
		// a page of a size the server has served (in an earlier read) sits where asked: no probe places it
		const known = window.pageSize <= this.served;
		if (window.start === 0 && rows > 0 && this.calibration === undefined && !known) this.calibrate(page);
		else if (window.start > 0 && this.earlier === undefined) this.askAgain(page);
		else if (!placed) this.learnFromPageOne();
		else return false;
		return true;
	}

	/**
	 * The page before a first answer past `total`: the same members, in the same order, show the server
	 * sends its last page for any page past the end, so nothing lies past the start; otherwise the
	 * first answer is taken as it came.
	 */
	protected afterPastEndCheck(page: Page): void {
		const { page: first, window, again } = this.pastEndCheck!;
		// an empty answer may be one cut short in passing: it counts once asked again
		if (page.list.length === 0 && !again) {
			this.pastEndCheck = { page: first, window, again: true };
			return this.dropPlan();
		}
		this.pastEndCheck = undefined;
		this.pastEndChecked = true;
		if (sameRows(page, first)) return this.finish('confirmed');
		this.window = window;
		this.takeFirst(first);
	}

	/**
	 * The page after a short page that met `total`: empty, the group ends there; rows show a server
	 * that serves fewer rows than asked, or hides rows, and a `total` that counts too few: the read goes on.
	 */
	protected afterEndCheck(page: Page): void {
		const check = this.endCheck;
		this.endCheck = undefined;
		// after a first page, the size that came may be a cap: read again from the start at that size,
		// each row placed afresh (the first page's rows could sit anywhere in the positions it asked)
		// (the first page again, past `total`, is a server answering a page past the end with its last page)
		if (page.list.length > 0 && check === 'first') return !this.sawHidden && this.lastPageAgain(page) ? this.finish('confirmed') : this.restart();
		if (page.list.length > 0) return this.takeNext(page, this.tail!);
		if (this.startOffset === 0 && !this.sawHidden) return this.finish('total');
		// from a later start, or after rows hidden, an empty page may be hidden rows: a `total` of visible
		// members shows nothing of positions, so the end needs the empty stretch any end past rows hidden does
		this.endOrBridge(page, this.window);
	}

	/** Whether `page` is the last page taken, a short one, again, with no more members to come than its missing rows could hide (see `lastPageAgain`). */
	protected lastPageAgain(page: Page): boolean {
		return lastPageAgain(page, this.window, this.lastShort, (this.lastTotal ?? 0) - (this.startOffset + this.read));
	}

	/**
	 * A short answer at a later page may come from a server that counts pages by the rows it serves:
	 * page 1, which starts at position 0 however pages are counted, is asked at the same size to learn
	 * how many rows the server serves.
	 */
	protected learnFromPageOne(): void {
		if (this.learned || this.calibration !== undefined) return this.goTo(windowAt(this.startOffset, this.size()));
		this.learning = true;
		this.learned = true;
		this.goTo(windowOf(1, this.window.pageSize));
	}

	/** Page 1 came back full (the server serves that many) or empty: the read starts where it should. */
	protected startAfterLearning(full: boolean): void {
		this.learning = false;
		const size = full ? this.window.pageSize : Math.max(1, this.served);
		this.goTo(windowAt(this.startOffset, Math.min(size, this.firstSize(this.options.pageSize))));
	}

	/** A short first page at position 0: where its last row sits is found by asking page 1 at smaller sizes. */
	protected calibrate(page: Page): void {
		const small = page.total !== undefined && page.total <= 4 * page.list.length;
		this.calibration = new Calibration(page, this.window, { ...this.changes }, small);
		this.probing = true;
		this.goTo(windowOf(1, this.calibration.next()!));
	}

	protected onProbe(page: Page): void {
		const calibration = this.calibration!;
		// page 1 with fewer rows than the server has shown it serves: rows hidden (or one answer cut
		// short), which holds for the read even when the probes end with the first page asked again
		if (page.list.length < Math.min(this.window.pageSize, this.served)) this.sawHidden = true;
		// the group moved while page 1 was probed: answers no longer compare, the rows that came are the size
		if (this.moving) return this.endCalibration(new Calibration(calibration.first, calibration.window, calibration.at));
		if (!calibration.judge(page, this.window.pageSize)) {
			this.probing = false;
			return this.goTo(calibration.window);
		}
		const size = calibration.next();
		if (size !== undefined) return this.goTo(windowOf(1, size));
		this.endCalibration(calibration);
	}

	protected endCalibration(calibration: Calibration): void {
		this.probing = false;
		this.learning = false;
		this.served = Math.max(this.served, calibration.served);
		// the probes showed rows hidden on page 1: that counts for the whole read, also one from a later
		// start, which never takes this page
		if (calibration.showedHidden) this.sawHidden = true;
		this.window = calibration.window;
		if (this.startOffset > 0) return this.goTo(windowAt(this.startOffset, this.size()));
		this.take(calibration.first, 0, calibration);
	}
}
