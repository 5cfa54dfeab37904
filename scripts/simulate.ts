/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { simulate, type SimulationSettings, type Summary } from '../harness/simulation';

/**
 * npm run simulate: the multi-process benchmark's question (several n8n processes on one account,
 * each with its own limiter) answered on a virtual clock (harness/simulation.ts), so hundreds of runs
 * take seconds and a run with a given seed is the same every time. Prints a table row for each kind
 * of run, over the seeds.
 *
 * Settings (environment): SIM_PROCESSES (default 2,3,4,trigger), SIM_SEEDS (40), SIM_SEED0 (0),
 * SIM_START_SPREAD (ms, 300: process i starts at i x spread x a random 0 to 1; real processes on
 * this machine start a few hundred ms apart), SIM_LATENCY (ms, 100), SIM_PAGES (60, at least 30),
 * SIM_TRACE=1 (each second of each run: every process's share, accepted, and who was refused).
 */

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const TRACE = env('SIM_TRACE', '') === '1';
const settings: SimulationSettings = {
	latencyMs: Number(env('SIM_LATENCY', '100')),
	pages: Number(env('SIM_PAGES', '60')),
	spreadMs: Number(env('SIM_START_SPREAD', '300')),
	trace: TRACE ? (line) => console.log(line) : undefined,
};
// "settled" needs a read of well over 5 s: at least 30 requests a reader
if (!(settings.pages >= 30)) throw new Error('SIM_PAGES must be at least 30, so that each read has a settled part');

function row(kind: string, runs: Summary[]): string {
	const mean = (pick: (r: Summary) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
	const lowest = (pick: (r: Summary) => number) => Math.min(...runs.map(pick));
	const highest = (pick: (r: Summary) => number) => Math.max(...runs.map(pick));
	const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
	const label = kind === 'trigger' ? '1 reading + 1 polling every 1 s' : kind;
	const seeds = runs.length;
	return (
		`| ${label} | ${mean((r) => r.whole.accepted).toFixed(2)} (${lowest((r) => r.whole.accepted).toFixed(2)}) | ${percent(mean((r) => r.whole.refused))} | ` +
		`${runs.filter((r) => r.whole.accepted < 7.5).length} of ${seeds} | ${mean((r) => r.settled.accepted).toFixed(2)} (${lowest((r) => r.settled.accepted).toFixed(2)}) | ` +
		`${percent(mean((r) => r.settled.refused))} (${percent(highest((r) => r.settled.refused))}) | ${runs.filter((r) => r.settled.accepted < 8.5 || r.settled.refused > 0.05).length} of ${seeds} |`
	);
}

async function main() {
	const seeds = Number(env('SIM_SEEDS', '40'));
	const first = Number(env('SIM_SEED0', '0'));
	console.log(
		`| Processes (${settings.pages} requests each, ${settings.latencyMs} ms, starts up to ${settings.spreadMs} ms apart, ${seeds} seeds) | Whole accepted/s: mean (lowest) | Whole refused | Whole below 7.5/s | Settled accepted/s: mean (lowest) | Settled refused: mean (highest) | Settled below 8.5/s or over 5% refused |`,
	);
	console.log('|---|---|---|---|---|---|---|');
	for (const kind of env('SIM_PROCESSES', '2,3,4,trigger').split(',')) {
		const runs: Summary[] = [];
		for (let seed = first + 1; seed <= first + seeds; seed++) {
			if (TRACE) console.log(`${kind}, seed ${seed}`);
			runs.push(await simulate(kind, seed, settings));
		}
		console.log(row(kind, runs));
	}
}

void main();
