/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';

import { behaviours, caseArb, NOT_YET } from '../test/reader/serverModel';

/**
 * How often each behaviour of the reader's model (test/reader/serverModel.ts) is drawn, for a still and a
 * moving group: as the search judges them, and with every behaviour searched (FUZZ_ALL=1). Fails
 * (exit 1) when one is drawn in fewer than 5% of servers. `npm run fuzz -- --stats` runs it with the
 * search's FUZZ_RUNS (20,000); FUZZ_SEED replays a seed.
 */

const runs = Number(process.env.FUZZ_RUNS ?? 500);
const params = { numRuns: runs, ...(process.env.FUZZ_SEED && { seed: Number(process.env.FUZZ_SEED) }) };

/** Draws per behaviour: with `all`, every behaviour searched; otherwise the draws the search judges. */
function count(moving: boolean, all: boolean) {
	const tally = new Map<string, number>();
	let kept = 0;
	for (const [server, read] of fc.sample(caseArb({ moving, all }), params)) {
		const names = behaviours(server, read, moving);
		// a draw showing a behaviour in NOT_YET is left out before it is read
		if (!all && names.some((name) => NOT_YET.has(name) && process.env.FUZZ_ALL !== '1')) continue;
		kept++;
		for (const name of names) tally.set(name, (tally.get(name) ?? 0) + 1);
	}
	return { tally, kept };
}

const share = (n: number | undefined) => `${((100 * (n ?? 0)) / runs).toFixed(1).padStart(5)}%`;
const lines: string[] = [];
const low: string[] = [];
for (const moving of [false, true]) {
	const searched = count(moving, false);
	const open = count(moving, true);
	lines.push(
		`${moving ? 'moving' : 'still'} group, ${runs} draws (${share(searched.kept).trim()} judged as searched): behaviour, % of draws judged as searched, % of draws with every behaviour searched (FUZZ_ALL=1)`,
	);
	for (const [name, n] of [...open.tally].sort((a, b) => a[0].localeCompare(b[0]))) {
		lines.push(`  ${name.padEnd(24)} ${share(searched.tally.get(name))}  ${share(n)}${NOT_YET.has(name) ? '  (NOT_YET)' : ''}`);
		if (n < runs * 0.05) low.push(`${moving ? 'moving' : 'still'} ${name}`);
	}
}
console.log(lines.join('\n'));
if (low.length > 0) {
	console.error(`Drawn in fewer than 5% of servers: ${low.join(', ')}`);
	process.exitCode = 1;
}
