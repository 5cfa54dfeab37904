import type { Page, PageRequest } from '../page';
import type { Window } from './windows';

export type FetchPage = (request: PageRequest, signal: AbortSignal) => Promise<Page>;

/** Pages asked ahead of the one being read, dropped (and not sent) once no longer needed. */
export class Ahead {
	private pending = new Map<string, Promise<Page>>();

	private stop = new AbortController();

	/** For each page size asked, the furthest page that came back with rows and the most rows one held (an answer dropped after it came counts too). */
	private withRows = new Map<number, { pageNum: number; rows: number }>();

	constructor(private readonly fetchPage: FetchPage) {}

	private static key(window: Window): string {
		return `${window.pageNum}:${window.pageSize}`;
	}

	fetch(window: Window): void {
		const key = Ahead.key(window);
		if (this.pending.has(key)) return;
		const page = this.fetchPage({ pageNum: window.pageNum, pageSize: window.pageSize }, this.stop.signal);
		page.then(
			(answer) => {
				if (answer.list.length > 0) this.noteRows(window, answer.list.length);
			},
			() => undefined,
		);
		this.pending.set(key, page);
	}

	private noteRows(window: Window, rows: number): void {
		const seen = this.withRows.get(window.pageSize);
		this.withRows.set(window.pageSize, { pageNum: Math.max(seen?.pageNum ?? 0, window.pageNum), rows: Math.max(seen?.rows ?? 0, rows) });
	}

	/**
	 * The furthest place an answer with rows shows the group reaches, or -1 before any. A server
	 * serving fewer rows than asked places page n at n - 1 times what it serves, which is at least
	 * `served` (and the rows any answer of that size held): so this counts no further than certain.
	 */
	furthestRows(served: number): number {
		let furthest = -1;
		for (const [pageSize, seen] of this.withRows) furthest = Math.max(furthest, (seen.pageNum - 1) * Math.min(pageSize, Math.max(served, seen.rows)));
		return furthest;
	}

	async take(window: Window): Promise<Page> {
		this.fetch(window);
		const key = Ahead.key(window);
		const page = this.pending.get(key)!;
		this.pending.delete(key);
		return await page;
	}

	drop(): void {
		this.stop.abort();
		this.stop = new AbortController();
		this.pending = new Map();
	}
}
