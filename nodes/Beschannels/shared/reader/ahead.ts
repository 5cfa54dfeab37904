import type { Page, PageRequest } from '../page';
import type { Window } from './windows';

export type FetchPage = (request: PageRequest, signal: AbortSignal) => Promise<Page>;

/** Pages asked ahead of the one being read, dropped (and not sent) once no longer needed. */
export class Ahead {
	private pending = new Map<string, Promise<Page>>();

	private stop = new AbortController();

	/** Where the furthest window that came back with rows starts (an answer dropped after it came counts too); -1 before any. */
	furthestRows = -1;

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
				if (answer.list.length > 0) this.furthestRows = Math.max(this.furthestRows, window.start);
			},
			() => undefined,
		);
		this.pending.set(key, page);
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
