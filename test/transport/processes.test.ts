import { countArrivals, refusedRequest, startAccountProcess, type ProcessResult } from '../../harness/processes';
import { simulate, type Summary } from '../../harness/simulation';
import { BeschannelsSandbox } from '../../sandbox/server';

/**
 * Several n8n processes on one account, as queue mode runs them: each in its own Node process with
 * its own engine and its own limiter, against one sandbox that refuses beyond 10 requests in any
 * second and counts refused requests too. No setting tells them of each other. The same question is
 * asked on a virtual clock (harness/simulation.ts), over many seeded runs a busy machine cannot move.
 */

/** 61 pages of 100 a process: the settled part of a read of three holds well over 100 requests. */
const MEMBERS = 6000;

describe('processes that share an account', () => {
	const sandbox = new BeschannelsSandbox({
		latencyMs: 100,
		pageCap: 100,
		rateLimit: { perSecond: 10, answer: 'code' },
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1001', size: MEMBERS },
			{ groupObj: 'schema_data', groupId: '2001', size: 120 },
		],
	});
	beforeAll(async () => await sandbox.start());
	afterAll(async () => await sandbox.stop());
	beforeEach(() => {
		sandbox.clearLog();
		sandbox.setRateLimit({ perSecond: 10, answer: 'code' });
	});

	const job = (startAt: number) => ({ url: sandbox.url, token: sandbox.token, startAt });
	const read = { groupObj: 'leads_schema_data', groupId: '1001', members: MEMBERS };
	const pages = () => sandbox.log.filter((r) => r.fields.group_obj === 'leads_schema_data');

	it('three processes reading at once each read the whole group, with few requests refused', async () => {
		const startAt = Date.now() + 1500;
		const results = await Promise.all([1, 2, 3].map(async () => await startAccountProcess({ ...job(startAt), read }).done));
		for (const result of results) expect(result).toEqual(expect.objectContaining({ items: MEMBERS }));
		expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
		const log = pages();
		const from = Math.min(...results.map((r) => r.startedAt));
		const whole = countArrivals(log, from, Math.max(...results.map((r) => r.endedAt)) + 1);
		// at least 3 x 61 pages of 100 got through
		expect(whole.accepted).toBeGreaterThanOrEqual(3 * 61);
		// start-up costs some refusals (each process starts at the full rate in case it is alone);
		// limiters that did not learn from refusals had about a fifth of all requests refused
		expect(whole.refused / whole.all).toBeLessThanOrEqual(0.15);
		// once settled (past the first 3 s, until a second before the first process finished) the
		// processes share the budget in whole requests a second and hardly any request is refused;
		// judged on enough requests that a refusal or two cannot tip it
		const settled = countArrivals(log, from + 3000, Math.min(...results.map((r) => r.endedAt)) - 1000);
		expect(settled.all).toBeGreaterThanOrEqual(60);
		expect(settled.refused / settled.all).toBeLessThanOrEqual(0.05);
	});

	it('a trigger polling in one process while another reads: both get what they asked for', async () => {
		const startAt = Date.now() + 1500;
		const poller = startAccountProcess({ ...job(startAt), poll: { groupObj: 'schema_data', groupId: '2001', everyMs: 1000 } });
		const reader: ProcessResult = await startAccountProcess({ ...job(startAt), read }).done;
		poller.stop();
		const polled = await poller.done;
		expect(reader.error).toBeUndefined();
		expect(reader.items).toBe(MEMBERS);
		expect(polled.error).toBeUndefined();
		expect(polled.polls).toBeGreaterThanOrEqual(2);
		const refused = sandbox.log.filter(refusedRequest).length;
		expect(refused / sandbox.log.length).toBeLessThanOrEqual(0.15);
	});
});

describe('processes that share an account, on a virtual clock', () => {
	/** 40 seeded runs of the modelled API: readers of 60 requests, 100 ms latency, starts up to 300 ms apart. */
	async function runs(kind: string): Promise<Summary[]> {
		const summaries: Summary[] = [];
		for (let seed = 1; seed <= 40; seed++) summaries.push(await simulate(kind, seed, { pages: 60, latencyMs: 100, spreadMs: 300 }));
		return summaries;
	}

	it('three processes reading at once: few requests refused, hardly any once settled, in every run', async () => {
		for (const run of await runs('3')) {
			// limiters that did not learn from refusals had over a third refused here
			expect(run.whole.refused).toBeLessThanOrEqual(0.15);
			expect(run.settled.refused).toBeLessThanOrEqual(0.05);
		}
	});

	it('a reader beside a trigger polling every second: few requests refused, in every run', async () => {
		for (const run of await runs('trigger')) expect(run.whole.refused).toBeLessThanOrEqual(0.15);
	});
});
