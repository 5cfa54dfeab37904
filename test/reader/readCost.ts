import { readOnce, type Change, type ServerSpec } from './serverModel';

/**
 * One read of a seeded server in the reader's model, for its cost in requests: a still group, some
 * rows hidden, one change during the read, or a block of ties across a page edge (test/reader/readerCost.test.ts, scripts/readerCost.ts).
 */

function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

export interface Case {
	name: string;
	size: number;
	cap: number;
	pageSize?: number;
	hidden?: number;
	change?: 'join' | 'leave';
	/** A block of this many rows that tie in the sort order, across a page edge, in a new order at every request. */
	ties?: number;
}

/** The requests one read of case `c` took with `seed`, and whether it read the group whole. */
export async function requests(c: Case, seed: number): Promise<{ requests: number; complete: boolean }> {
	const random = seeded(seed);
	const hidden: number[] = [];
	for (let i = 0; i < c.size; i++) if (c.hidden && random() < c.hidden) hidden.push(i);
	const pages = Math.ceil(c.size / Math.min(c.cap, c.pageSize ?? 1000));
	const changes: Change[] = [];
	const before = 1 + Math.floor(random() * (pages + 1));
	const at = random();
	if (c.change === 'join') changes.push({ before, kind: 'join', at, count: 1, hidden: false });
	if (c.change === 'leave') changes.push({ before, kind: 'leave', at, count: 1 });
	const served = Math.min(c.cap, c.pageSize ?? 1000);
	const edge = served * (1 + Math.floor(random() * Math.max(1, pages - 1)));
	const ties = c.ties ? [{ at: Math.max(0, edge - Math.floor(c.ties / 2)), length: c.ties }] : [];
	const server: ServerSpec = { size: c.size, cap: c.cap, offsets: 'served', hidden, totalCountsHidden: true, totalOffset: 0, changes, cuts: [], doubled: [], ties, tieSeed: seed };
	const read = await readOnce(server, { pageSize: c.pageSize, startPage: 1, concurrency: 10 });
	return { requests: read.requests.length, complete: read.result.complete };
}
