/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { requests, type Case } from '../test/reader/readCost';

/**
 * Requests per read in the reader's model, averaged over 40 seeded servers per case: a still group,
 * 30% of rows hidden, one change during the read, and a block of ties across a page edge, as a Markdown table (the figures in
 * docs/design/reader.md). `npm run reader:cost`.
 */

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
	{ name: '8 ties across a page edge, 3,000 members, 1,000 a page', size: 3000, cap: 1000, ties: 8 },
	{ name: '200 ties across a page edge, 3,000 members, 1,000 a page', size: 3000, cap: 1000, ties: 200 },
	{ name: '30 ties across a page edge, 2,000 members, Page Size 100', size: 2000, cap: 100, pageSize: 100, ties: 30 },
];

async function main(): Promise<void> {
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
}

void main();
