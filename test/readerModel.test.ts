/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';

import { readArb, readOnce, serverArb, type ModelRead, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * The reader's guarantee, searched over every server the model in `serverModel.ts` allows (with
 * shrinking, so a failure is reported in its smallest form). `FUZZ_RUNS` sets how many reads each
 * property tries (`npm run fuzz` runs many more).
 */

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const params = { numRuns: runs, ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }) };

function missing(read: ModelRead): string[] {
	const returned = new Set(read.returned);
	return read.stayers.filter((id) => !returned.has(id));
}

/** A read in a few words, for a failure message: how it ended, what it missed, what it asked. */
function summary(read: ModelRead) {
	const lost = missing(read);
	const asked = read.requests.map((r) => `${r.pageNum}x${r.pageSize}`);
	return {
		end: read.result.end,
		returned: read.returned.length,
		missing: lost.length,
		firstMissing: lost.slice(0, 4),
		requests: asked.length,
		asked: asked.length > 24 ? [...asked.slice(0, 12), '...', ...asked.slice(-12)] : asked,
	};
}

/**
 * Where no page could overlap the one before (pages of one row, or past a stretch of hidden rows
 * longer than a page), the read rests on `total`: changes it does not show can go unseen there. They
 * are two or more changes at once, or a member changing place. And a member that changes place by
 * less than rows hidden (or an answer cut short) leave its place uncertain is itself unseen.
 */
function unseeable(server: ServerSpec, read: ModelRead): boolean {
	const moves = server.changes.some((c) => c.kind === 'move');
	// a member who changes place by less than rows hidden (or cut short) leave uncertain: only that member
	const lost = missing(read);
	if (moves && (server.hidden.length > 0 || server.cuts.length > 0) && lost.every((id) => read.moved.has(id))) return true;
	if (read.result.unchecked === 0) return false;
	return server.changes.length > 1 || moves;
}

/** What every read owes: no member twice, no one who never was in the group and visible. */
function expectSound(read: ModelRead): void {
	expect(new Set(read.returned).size).toBe(read.returned.length);
	expect(read.returned.filter((id) => !read.ever.has(id))).toEqual([]);
}

describe('the reader against every server its model allows', () => {
	it('a group that holds still is read whole, in the API order, whatever is hidden, cut short or miscounted', async () => {
		await fc.assert(
			fc.asyncProperty(serverArb({ moving: false }), readArb({ moving: false }), async (server: ServerSpec, spec: ReadSpec) => {
				const read = await readOnce(server, spec);
				expectSound(read);
				fc.pre(!read.blind && !read.lieUnshown);
				const want = spec.limit === undefined ? read.before : read.before.slice(0, spec.limit);
				expect(read.result.end).toBe(spec.limit !== undefined && want.length === spec.limit ? 'limit' : read.result.end);
				const same = read.returned.length === want.length && read.returned.every((id, i) => id === want[i]);
				// while no answer holds a row, nothing shows how many rows a page holds, so no empty page shows
				// the end: after a bounded walk the read may say it saw no member rather than succeed
				const unseen = read.result.end === 'unseen' && !read.sawRows;
				const whole = (spec.limit !== undefined && want.length === spec.limit) || unseen ? true : read.result.complete;
				if (!same || !whole) expect({ ...summary(read), wanted: want.length, inOrder: same }).toBe('a whole read, in order');
				// its hint never says the group changed
				if (read.result.moved) expect(summary(read)).toBe('a read that saw no change');
			}),
			params,
		);
	});

	it('a read that succeeds while the group moves holds every member who stayed, once; one change never fails it', async () => {
		await fc.assert(
			fc.asyncProperty(serverArb({ moving: true }), readArb({ moving: true }), async (server: ServerSpec, spec: ReadSpec) => {
				const read = await readOnce(server, spec);
				expectSound(read);
				fc.pre(!read.blind);
				const single = server.changes.length === 1 && server.changes[0].kind !== 'move';
				if (read.result.complete && missing(read).length > 0 && !unseeable(server, read)) expect(summary(read)).toBe('every stayer');
				const unseen = read.result.end === 'unseen' && !read.sawRows;
				if (single && !read.result.complete && !unseen) expect(summary(read)).toBe('one change read whole');
			}),
			params,
		);
	});
});
