/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';

import { checkRead } from './readerOracle';
import { caseArb, fewestPages, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * The reader's guarantee, searched over every server the model in `serverModel.ts` allows (with
 * shrinking, so a failure is reported in its smallest form), judged by `readerOracle.ts`.
 * `FUZZ_RUNS` sets how many reads each property tries (500 here, `npm run fuzz` 20,000), `FUZZ_SEED`
 * replays a seed, and `FUZZ_ALL=1` searches the behaviours NOT_YET leaves out too. How often each
 * behaviour is drawn: `npm run fuzz -- --stats` (scripts/fuzzStats.ts).
 */

const runs = Number(process.env.FUZZ_RUNS ?? 500);
const params = { numRuns: runs, ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }) };
/** A minute, and more for a long search. */
const timeout = Math.max(60_000, runs * 100);

describe('the reader against every server its model allows', () => {
	it('the fewest overlapping pages over 100,000 members: 104 at 1,000 rows a page, 1,143 at 100', () => {
		expect(fewestPages(100_000, 1000)).toBe(104);
		expect(fewestPages(100_000, 100)).toBe(1143);
	});

	it('a group that holds still is read whole, in the API order but within ties, whatever is hidden, cut short, miscounted or past its end', async () => {
		await fc.assert(
			fc.asyncProperty(caseArb({ moving: false }), async ([server, read]: [ServerSpec, ReadSpec]) => fc.pre(await checkRead(server, read, false))),
			params,
		);
	}, timeout);

	it('a read that succeeds while the group moves holds every member who stayed, once; one change at one moment never fails it', async () => {
		await fc.assert(
			fc.asyncProperty(caseArb({ moving: true }), async ([server, read]: [ServerSpec, ReadSpec]) => fc.pre(await checkRead(server, read, true))),
			params,
		);
	}, timeout);
});
