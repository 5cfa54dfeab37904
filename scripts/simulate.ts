/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { countArrivals, refusedRequest } from '../harness/processes';
import { AccountLimiter, type Clock } from '../nodes/Beschannels/shared/limiter/limiter';
import { prng } from '../sandbox/members';

/**
 * npm run simulate: the multi-process benchmark's question (several n8n processes on one account,
 * each with its own limiter) answered on a virtual clock, so hundreds of runs take seconds and a run
 * with a given seed is the same every time. Each process has its own limiter on the virtual clock;
 * the modelled API refuses beyond 10 requests in any 1000 ms and counts refused requests in its
 * window, as the sandbox does. Each reader sends PAGES requests, at most 10 at once (a refused one is
 * sent again); with SIM_PROCESSES=trigger one reader shares the account with a poll of two requests
 * every second. "Whole" and "settled" are the benchmark's (settled leaves out the first 3 s and the
 * last 2 s before the first reader finished).
 *
 * Settings (environment): SIM_PROCESSES (default 2,3,4,trigger), SIM_SEEDS (40), SIM_SEED0 (0),
 * SIM_START_SPREAD (ms, 300: process i starts at i x spread x a random 0 to 1; real processes on
 * this machine start a few hundred ms apart), SIM_LATENCY (ms, 100), SIM_PAGES (60, at least 30),
 * SIM_TRACE=1 (each second of each run: every process's share, accepted, and who was refused).
 */

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const LATENCY = Number(env('SIM_LATENCY', '100'));
const PAGES = Number(env('SIM_PAGES', '60'));
// "settled" needs a read of well over 5 s: at least 30 requests a reader
if (!(PAGES >= 30)) throw new Error('SIM_PAGES must be at least 30, so that each read has a settled part');
const AT_ONCE = 10;
const SPREAD = Number(env('SIM_START_SPREAD', '300'));
const TRACE = env('SIM_TRACE', '') === '1';

/** A virtual clock: it jumps from one wait to the next. There are no stops in a simulation. */
class VirtualClock implements Clock {
	private at = 1_000_000;
	private timers = new Map<number, { at: number; run: () => void }>();
	private lastId = 0;

	now(): number {
		return this.at;
	}

	async sleep(ms: number): Promise<void> {
		await new Promise<void>((resolve) => this.timers.set(++this.lastId, { at: this.at + Math.max(0, ms), run: resolve }));
	}

	/** Runs the waits in order (letting promises settle between them) until `done()` or `until`. */
	async run(done: () => boolean, until: number) {
		for (;;) {
			for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
			if (done()) return;
			const [id, next] = [...this.timers].reduce((a, b) => (b[1].at < a[1].at ? b : a), [0, { at: Infinity, run: () => undefined }]);
			if (next.at > until) return;
			this.timers.delete(id);
			this.at = Math.max(this.at, next.at);
			next.run();
		}
	}
}

/** A request as the modelled API saw it: HTTP 429 when it refused it. */
interface Arrival {
	at: number;
	status: 200 | 429;
	who: number;
}

async function simulate(kind: string, seed: number) {
	const clock = new VirtualClock();
	// one random source for every process's limiter, as one Math.random in one Node process would be
	const random = prng(seed * 7919 + 13);
	const network = prng(seed * 104729 + 7);
	const jitter = () => 1 + network() * 2 + (network() < 0.1 ? network() * 32 : network() * 8);
	const sleep = async (ms: number) => await clock.sleep(ms);
	const arrivals: Arrival[] = [];
	const accept = (at: number) => arrivals.filter((a) => a.at > at - 1000).length < 10;

	async function request(limiter: AccountLimiter, who: number) {
		for (;;) {
			const refused = await limiter.limited({
				ceiling: 10,
				send: async () => {
					await sleep(jitter());
					const arrival: Arrival = { at: clock.now(), status: accept(clock.now()) ? 200 : 429, who };
					arrivals.push(arrival);
					await sleep(LATENCY + jitter());
					return refusedRequest(arrival);
				},
				judge: (wasRefused) => (wasRefused ? { kind: 'refused' as const } : { kind: 'answered' as const }),
			});
			if (!refused) return;
		}
	}
	async function read(limiter: AccountLimiter, who: number) {
		const startedAt = clock.now();
		let sent = 0;
		const worker = async () => {
			while (sent < PAGES) {
				sent++;
				await request(limiter, who);
			}
		};
		await Promise.all(Array.from({ length: AT_ONCE }, worker));
		return { startedAt, endedAt: clock.now() };
	}
	let reading = true;
	async function poll(limiter: AccountLimiter, who: number) {
		while (reading) {
			const started = clock.now();
			await request(limiter, who);
			await request(limiter, who);
			await sleep(Math.max(0, 1000 - (clock.now() - started)));
		}
	}

	const readers = kind === 'trigger' ? 1 : Number(kind);
	const limiters = Array.from({ length: readers + (kind === 'trigger' ? 1 : 0) }, () => new AccountLimiter(clock, random));
	let results: Array<{ startedAt: number; endedAt: number }> | undefined;
	const reads = limiters.slice(0, readers).map(async (limiter, i) => {
		await sleep(i * SPREAD * network());
		return await read(limiter, i);
	});
	let polled = kind !== 'trigger';
	if (!polled) void poll(limiters[readers], readers).then(() => (polled = true));
	void Promise.all(reads).then((done) => {
		results = done;
		reading = false;
	});
	const start = clock.now();
	for (let second = 1; !results; second++) {
		await clock.run(() => results !== undefined, start + second * 1000);
		if (TRACE && !results) {
			const shares = limiters.map((l) => l.rate(10)).join(',');
			const last = arrivals.filter((a) => a.at > clock.now() - 1000);
			const refused = last.filter(refusedRequest).map((a) => a.who).join('');
			console.log(`  ${String(second).padStart(3)} s  shares ${shares}  accepted ${last.length - refused.length}  refused by ${refused || '-'}`);
		}
	}
	while (!polled) await clock.run(() => polled, clock.now() + 1000);
	return summarize(arrivals, results);
}

type Summary = Record<'whole' | 'settled', { accepted: number; refused: number }>;

function summarize(arrivals: Arrival[], results: Array<{ startedAt: number; endedAt: number }>): Summary {
	const count = (from: number, to: number) => {
		const { all, refused, accepted, seconds } = countArrivals(arrivals, from, to);
		return { accepted: accepted / seconds, refused: refused / Math.max(1, all) };
	};
	const t0 = Math.min(...results.map((r) => r.startedAt));
	const firstDone = Math.min(...results.map((r) => r.endedAt));
	return { whole: count(t0, Math.max(...results.map((r) => r.endedAt)) + 1), settled: count(t0 + 3000, firstDone - 2000) };
}

async function main() {
	const seeds = Number(env('SIM_SEEDS', '40'));
	const first = Number(env('SIM_SEED0', '0'));
	console.log(`| Processes (${PAGES} requests each, ${LATENCY} ms, starts up to ${SPREAD} ms apart, ${seeds} seeds) | Whole accepted/s: mean (lowest) | Whole refused | Whole below 7.5/s | Settled accepted/s: mean (lowest) | Settled refused: mean (highest) | Settled below 8.5/s or over 5% refused |`);
	console.log('|---|---|---|---|---|---|---|');
	for (const kind of env('SIM_PROCESSES', '2,3,4,trigger').split(',')) {
		const runs: Summary[] = [];
		for (let seed = first + 1; seed <= first + seeds; seed++) {
			if (TRACE) console.log(`${kind}, seed ${seed}`);
			runs.push(await simulate(kind, seed));
		}
		const mean = (pick: (r: Summary) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
		const lowest = (pick: (r: Summary) => number) => Math.min(...runs.map(pick));
		const highest = (pick: (r: Summary) => number) => Math.max(...runs.map(pick));
		const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
		const label = kind === 'trigger' ? '1 reading + 1 polling every 1 s' : kind;
		console.log(
			`| ${label} | ${mean((r) => r.whole.accepted).toFixed(2)} (${lowest((r) => r.whole.accepted).toFixed(2)}) | ${percent(mean((r) => r.whole.refused))} | ` +
				`${runs.filter((r) => r.whole.accepted < 7.5).length} of ${seeds} | ${mean((r) => r.settled.accepted).toFixed(2)} (${lowest((r) => r.settled.accepted).toFixed(2)}) | ` +
				`${percent(mean((r) => r.settled.refused))} (${percent(highest((r) => r.settled.refused))}) | ${runs.filter((r) => r.settled.accepted < 8.5 || r.settled.refused > 0.05).length} of ${seeds} |`,
		);
	}
}

void main();
