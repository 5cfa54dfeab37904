/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { readOnce, type Change, type ServerSpec } from './serverModel';

/**
 * Requests per read, averaged over seeded servers: a still group, 30% of rows hidden, and one change
 * during the read. `READER_COST=1 npx jest test/readerCost.test.ts` prints the table (figures for
 * docs/design/reader.md); without it the file checks the request bounds the reader promises.
 */

function seeded(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

interface Case {
	name: string;
	size: number;
	cap: number;
	pageSize?: number;
	hidden?: number;
	change?: 'join' | 'leave';
}

const cases: Case[] = [
	{ name: 'still, 5,000 members, 1,000 a page', size: 5000, cap: 1000 },
	{ name: 'still, 50,000 members, 1,000 a page', size: 50000, cap: 1000 },
	{ name: 'still, 5,000 members, server serves 500', size: 5000, cap: 500 },
	{ name: 'still, 2,000 members, server serves 100', size: 2000, cap: 100 },
	{ name: 'still, 2,000 members, Page Size 100', size: 2000, cap: 100, pageSize: 100 },
	{ name: '30% hidden, 5,000 members, 1,000 a page', size: 5000, cap: 1000, hidden: 0.3 },
	{ name: '30% hidden, 2,000 members, server serves 100', size: 2000, cap: 100, hidden: 0.3 },
	{ name: 'one join, 5,000 members, 1,000 a page', size: 5000, cap: 1000, change: 'join' },
	{ name: 'one leave, 5,000 members, 1,000 a page', size: 5000, cap: 1000, change: 'leave' },
	{ name: 'one join, 2,000 members, Page Size 100', size: 2000, cap: 100, pageSize: 100, change: 'join' },
	{ name: 'one leave, 2,000 members, Page Size 100', size: 2000, cap: 100, pageSize: 100, change: 'leave' },
];

async function requests(c: Case, seed: number): Promise<{ requests: number; complete: boolean }> {
	const random = seeded(seed);
	const hidden: number[] = [];
	for (let i = 0; i < c.size; i++) if (c.hidden && random() < c.hidden) hidden.push(i);
	const pages = Math.ceil(c.size / Math.min(c.cap, c.pageSize ?? 1000));
	const changes: Change[] = [];
	const before = 1 + Math.floor(random() * (pages + 1));
	const at = random();
	if (c.change === 'join') changes.push({ before, kind: 'join', at, count: 1, hidden: false });
	if (c.change === 'leave') changes.push({ before, kind: 'leave', at, count: 1 });
	const server: ServerSpec = { size: c.size, cap: c.cap, offsets: 'served', hidden, totalCountsHidden: true, totalOffset: 0, changes, cuts: [], doubled: [] };
	const read = await readOnce(server, { pageSize: c.pageSize, startPage: 1, concurrency: 10 });
	return { requests: read.requests.length, complete: read.result.complete };
}

const print = process.env.READER_COST === '1';
(print ? it : it.skip)('prints requests per read', async () => {
	const rows: string[] = ['| Case | ceil(N / served) + 1 | Requests (mean of 40) | Complete |', '|---|---|---|---|'];
	for (const c of cases) {
		let total = 0;
		let complete = 0;
		for (let seed = 1; seed <= 40; seed++) {
			const r = await requests(c, seed * 7919);
			total += r.requests;
			if (r.complete) complete++;
		}
		const floor = Math.ceil(c.size / Math.min(c.cap, c.pageSize ?? 1000)) + 1;
		rows.push(`| ${c.name} | ${floor} | ${(total / 40).toFixed(1)} | ${complete}/40 |`);
	}
	console.log(rows.join('\n'));
}, 600_000);

describe('requests stay few', () => {
	it('a still group served 1,000 a page: at most ceil(N / 1000) + 1, plus 5%', async () => {
		for (const size of [999, 1000, 4998, 20000, 50000]) {
			const r = await requests({ name: '', size, cap: 1000 }, 1);
			expect({ size, requests: r.requests }).toEqual({ size, requests: Math.min(r.requests, Math.floor((Math.ceil(size / 1000) + 1) * 1.05)) });
		}
	});

	it('one change costs at most half again the requests of a still read', async () => {
		for (const change of ['join', 'leave'] as const) {
			for (let seed = 1; seed <= 20; seed++) {
				const still = await requests({ name: '', size: 5000, cap: 1000 }, seed);
				const moved = await requests({ name: '', size: 5000, cap: 1000, change }, seed);
				expect(moved.complete).toBe(true);
				expect(moved.requests).toBeLessThanOrEqual(Math.ceil(still.requests * 1.5));
			}
		}
	});
});
