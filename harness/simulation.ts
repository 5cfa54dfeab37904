/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { countArrivals, refusedRequest } from './processes';
import { AccountLimiter, type Clock } from '../nodes/Beschannels/shared/limiter/limiter';
import { prng } from '../sandbox/members';

/**
 * Several n8n processes on one account (each with its own limiter) against a modelled API, on a
 * virtual clock: a run takes milliseconds and a run with a given seed is the same every time. The
 * modelled API refuses beyond 10 requests in any 1000 ms and counts refused requests too, as the
 * sandbox does. Each reader sends `pages` requests, at most 10 at once (a refused one is sent again);
 * in a `trigger` run one reader shares the account with a poll of two requests every second.
 * "Whole" and "settled" are the benchmark's (settled leaves out the first 3 s and the last 2 s
 * before the first reader finished). `npm run simulate` (scripts/simulate.ts) prints tables of runs.
 */

export interface SimulationSettings {
	/** Requests each reader sends (at least 30, so that a read has a settled part). */
	pages: number;
	/** The modelled API's answer time (ms), before the network's jitter. */
	latencyMs: number;
	/** Process i starts i x spread x a random 0 to 1 ms late. */
	spreadMs: number;
	/** Told, at each second of the run, every process's share, accepted, and who was refused. */
	trace?: (line: string) => void;
}

/** Accepted requests a second, and the share of requests refused. */
export type Summary = Record<'whole' | 'settled', { accepted: number; refused: number }>;

/** Most requests a reader has waiting at once. */
const AT_ONCE = 10;

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

interface Read {
	startedAt: number;
	endedAt: number;
}

/** One run: the processes, the network between them and the API, and what the API saw. */
class Run {
	readonly clock = new VirtualClock();
	readonly arrivals: Arrival[] = [];
	/** The network's own random source, apart from the limiters'. */
	readonly network: () => number;
	readonly limiters: AccountLimiter[];
	reading = true;

	constructor(
		private readonly settings: SimulationSettings,
		seed: number,
		processes: number,
	) {
		// one random source for every process's limiter, as one Math.random in one Node process would be
		const random = prng(seed * 7919 + 13);
		this.network = prng(seed * 104729 + 7);
		this.limiters = Array.from({ length: processes }, () => new AccountLimiter(this.clock, random));
	}

	async sleep(ms: number) {
		await this.clock.sleep(ms);
	}

	/** One request through process `who`'s limiter, sent again until the API takes it. */
	async request(who: number) {
		for (;;) {
			const refused = await this.limiters[who].limited({
				ceiling: 10,
				send: async () => await this.exchange(who),
				judge: (wasRefused) => (wasRefused ? { kind: 'refused' as const } : { kind: 'answered' as const }),
			});
			if (!refused) return;
		}
	}

	/** A reader: `pages` requests, at most 10 at once. */
	async read(who: number): Promise<Read> {
		await this.sleep(who * this.settings.spreadMs * this.network());
		const startedAt = this.clock.now();
		let sent = 0;
		const worker = async () => {
			while (sent < this.settings.pages) {
				sent++;
				await this.request(who);
			}
		};
		await Promise.all(Array.from({ length: AT_ONCE }, worker));
		return { startedAt, endedAt: this.clock.now() };
	}

	/** A trigger: two requests every second while the reader reads. */
	async poll(who: number) {
		while (this.reading) {
			const started = this.clock.now();
			await this.request(who);
			await this.request(who);
			await this.sleep(Math.max(0, 1000 - (this.clock.now() - started)));
		}
	}

	/** Tells the trace what happened in the second up to now. */
	traceSecond(second: number) {
		if (!this.settings.trace) return;
		const shares = this.limiters.map((l) => l.rate(10)).join(',');
		const last = this.arrivals.filter((a) => a.at > this.clock.now() - 1000);
		const refused = last.filter(refusedRequest).map((a) => a.who).join('');
		this.settings.trace(`  ${String(second).padStart(3)} s  shares ${shares}  accepted ${last.length - refused.length}  refused by ${refused || '-'}`);
	}

	/** The request on its way, at the API, and its answer back. */
	private async exchange(who: number): Promise<boolean> {
		await this.sleep(this.jitter());
		const at = this.clock.now();
		const accepted = this.arrivals.filter((a) => a.at > at - 1000).length < 10;
		const arrival: Arrival = { at, status: accepted ? 200 : 429, who };
		this.arrivals.push(arrival);
		await this.sleep(this.settings.latencyMs + this.jitter());
		return refusedRequest(arrival);
	}

	private jitter() {
		const { network } = this;
		return 1 + network() * 2 + (network() < 0.1 ? network() * 32 : network() * 8);
	}
}

/** One seeded run of `kind` (a number of readers, or `trigger`: one reader beside a poller). */
export async function simulate(kind: string, seed: number, settings: SimulationSettings): Promise<Summary> {
	const readers = kind === 'trigger' ? 1 : Number(kind);
	const run = new Run(settings, seed, readers + (kind === 'trigger' ? 1 : 0));
	let results: Read[] | undefined;
	const reads = Array.from({ length: readers }, async (_, who) => await run.read(who));
	let polled = kind !== 'trigger';
	if (!polled) void run.poll(readers).then(() => (polled = true));
	void Promise.all(reads).then((done) => {
		results = done;
		run.reading = false;
	});
	const start = run.clock.now();
	for (let second = 1; !results; second++) {
		await run.clock.run(() => results !== undefined, start + second * 1000);
		if (!results && settings.trace) run.traceSecond(second);
	}
	while (!polled) await run.clock.run(() => polled, run.clock.now() + 1000);
	return summarize(run.arrivals, results);
}

function summarize(arrivals: Arrival[], results: Read[]): Summary {
	const count = (from: number, to: number) => {
		const { all, refused, accepted, seconds } = countArrivals(arrivals, from, to);
		return { accepted: accepted / seconds, refused: refused / Math.max(1, all) };
	};
	const t0 = Math.min(...results.map((r) => r.startedAt));
	const firstDone = Math.min(...results.map((r) => r.endedAt));
	return { whole: count(t0, Math.max(...results.map((r) => r.endedAt)) + 1), settled: count(t0 + 3000, firstDone - 2000) };
}
