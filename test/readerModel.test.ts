/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';

import { checkRead } from './readerOracle';
import { behaviours, caseArb, fewestPages, NOT_YET, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * The reader's guarantee, searched over every server the model in `serverModel.ts` allows (with
 * shrinking, so a failure is reported in its smallest form), judged by `readerOracle.ts`.
 * `FUZZ_RUNS` sets how many reads each property tries (500 here, `npm run fuzz` 20,000), `FUZZ_SEED`
 * replays a seed, `FUZZ_ALL=1` searches the behaviours NOT_YET leaves out too, and `FUZZ_STATS=1`
 * (`npm run fuzz -- --stats`) prints how often each behaviour is drawn.
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

	(process.env.FUZZ_STATS === '1' ? it : it.skip)('draws every behaviour in at least 5% of servers', () => {
		const lines: string[] = [];
		const low: string[] = [];
		for (const moving of [false, true]) {
			// `all`: every behaviour searched; otherwise the draws the property judges (a draw showing a
			// behaviour in NOT_YET is left out before it is read)
			const count = (all: boolean) => {
				const tally = new Map<string, number>();
				let kept = 0;
				for (const [server, read] of fc.sample(caseArb({ moving, all }), params)) {
					const names = behaviours(server, read, moving);
					if (!all && names.some((name) => NOT_YET.has(name) && process.env.FUZZ_ALL !== '1')) continue;
					kept++;
					for (const name of names) tally.set(name, (tally.get(name) ?? 0) + 1);
				}
				return { tally, kept };
			};
			const searched = count(false);
			const open = count(true);
			const share = (n: number | undefined) => `${((100 * (n ?? 0)) / runs).toFixed(1).padStart(5)}%`;
			lines.push(
				`${moving ? 'moving' : 'still'} group, ${runs} draws (${share(searched.kept).trim()} judged as searched): behaviour, % of draws judged as searched, % of draws with every behaviour searched (FUZZ_ALL=1)`,
			);
			for (const [name, n] of [...open.tally].sort((a, b) => a[0].localeCompare(b[0]))) {
				lines.push(`  ${name.padEnd(24)} ${share(searched.tally.get(name))}  ${share(n)}${NOT_YET.has(name) ? '  (NOT_YET)' : ''}`);
				if (n < runs * 0.05) low.push(`${moving ? 'moving' : 'still'} ${name}`);
			}
		}
		console.log(lines.join('\n'));
		expect(low).toEqual([]);
	});
});
