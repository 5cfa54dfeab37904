/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { cpus } from 'node:os';

import { Engine } from '../harness/engine';
import { countArrivals, startAccountProcess, startSandbox, TOKENS, TOKEN, type Sandbox } from '../harness/processes';
import { scaleBench } from './benchScale';
import type { IDataObject } from 'n8n-workflow';

import { createShaper } from '../nodes/Beschannels/shared/items/shape';
import { memberRow, prng } from '../sandbox/members';
import { listParams } from '../harness/params';
import { DEFAULT_USER_ID, GROUP_USER_LIST_PATH, maxInWindow } from '../sandbox/server';

/**
 * npm run bench: how fast the node reads a big group against the sandbox (in its own process, so
 * it counts arrivals like a remote server), next to a plain sequential pager; how the item shaping
 * compares with JSON.parse; the memory of a 100,000-member Return All through the engine; and Any
 * New Member polling groups of up to a million members (scripts/benchScale.ts; BENCH_ONLY=scale
 * runs that section alone).
 */

const MEMBERS = 20_000;
const PAGE_SIZE = 100;
const LATENCIES = (process.env.BENCH_LATENCIES ?? '50,150,300').split(',').map(Number);
/** With BENCH_TRACE=1 each account process has a token of its own (one account still: the limit is the sandbox's). */
const TRACE = process.env.BENCH_TRACE === '1';

interface LogEntry {
	at: number;
	path: string;
}

/** A logged request with what the multi-process bench reads of it. */
type ProcessLogEntry = LogEntry & { status: number; code?: number; query: Record<string, string> };

async function measure(sandbox: Sandbox, read: () => Promise<number>) {
	await sandbox.admin('/clear-log');
	const started = performance.now();
	const members = await read();
	const seconds = (performance.now() - started) / 1000;
	const log = ((await sandbox.admin('/log')) as LogEntry[]).filter((r) => r.path === GROUP_USER_LIST_PATH);
	const requests = log.length;
	return {
		members,
		seconds,
		requests,
		rps: requests / seconds,
		ratio: seconds / (requests / 10),
		maxWindow: maxInWindow(log.map((r) => r.at)),
	};
}

/** Page after page, each request waiting for the previous answer, as declarative pagination does. */
async function sequentialPager(url: string): Promise<number> {
	let members = 0;
	let firstRows = 0;
	for (let page = 1; ; page++) {
		const form = new FormData();
		form.append('user_id', DEFAULT_USER_ID);
		form.append('group_obj', 'leads_schema_data');
		form.append('groupId', '1001');
		form.append('page_num', String(page));
		form.append('page_size', String(PAGE_SIZE));
		const answer = (await (
			await fetch(`${url}${GROUP_USER_LIST_PATH}?access_token=${TOKEN}`, { method: 'POST', body: form })
		).json()) as { data: { list: unknown[] } };
		const rows = answer.data.list.length;
		if (page === 1) firstRows = rows;
		members += rows;
		if (rows === 0 || rows < firstRows) return members;
	}
}

/** A Return All through the engine; `pageSize` undefined leaves Page Size out (automatic). */
function nodeRead(url: string, members: number, pageSize?: number) {
	const engine = new Engine({ baseUrl: url, authMode: 'accessToken', accessToken: TOKEN });
	return async () => {
		const run = await engine.runNode({ parameters: listParams({ options: pageSize === undefined ? {} : { pageSize } }) });
		if (run.error) throw run.error;
		if (run.items.length !== members) throw new Error(`expected ${members} members, got ${run.items.length}`);
		return run.items.length;
	};
}

function gc() {
	(globalThis as { gc?: () => void }).gc?.();
}

/**
 * Shaping 100,000 members with 30 score fields each, next to JSON.parse of the same bytes: every
 * member with the same 30 models, or (`varied`) each with its own 30 of 60 models, as the API
 * sends when members were scored by different models.
 */
function shapingBench(varied: boolean) {
	const random = prng(42);
	const rows = Array.from({ length: 100_000 }, (_, n) => {
		const row = memberRow(7, { n, createdAt: 1_700_000_000 - n * 60 });
		for (const key of Object.keys(row)) if (key.startsWith('Score-')) delete row[key];
		for (let s = 0; s < 30; s++) {
			const model = varied ? 20_400 + 2 * s + (random() < 0.5 ? 1 : 0) : 20_400 + s;
			row[`Score-${model}`] = random() < 0.05 ? String(s) : Math.floor(random() * 250);
		}
		return row;
	});
	const text = JSON.stringify(rows);
	rows.length = 0;
	const bytes = Buffer.byteLength(text);

	// parse and shape in turns, as the node does page by page, so both run with the same heap; the
	// best of five of each
	let parseMs = Infinity;
	let shapeMs = Infinity;
	let parsed: IDataObject[] = [];
	for (let i = 0; i < 5; i++) {
		parsed = [];
		gc();
		let start = process.cpuUsage();
		parsed = JSON.parse(text) as IDataObject[];
		let used = process.cpuUsage(start);
		parseMs = Math.min(parseMs, (used.user + used.system) / 1000);
		gc();
		start = process.cpuUsage();
		const shaped = parsed.map(createShaper({}));
		used = process.cpuUsage(start);
		shapeMs = Math.min(shapeMs, (used.user + used.system) / 1000);
		if (shaped.length !== 100_000 || Object.keys(shaped[0]).some((k) => k.startsWith('Score-'))) {
			throw new Error('shaping did not flatten the scores');
		}
	}

	// memory: peak heap while turning the text into shaped items, against the raw JSON size
	gc();
	const before = process.memoryUsage().heapUsed;
	const items = parsed.map(createShaper({}));
	const added = process.memoryUsage().heapUsed - before;
	if (items.length !== 100_000) throw new Error('shaping lost rows');
	return { bytes, parseMs, shapeMs, shapedBytes: added };
}

/**
 * Requests, seconds and requests/second for Return All of 100,000 members, Page Size 100 (the
 * former default) next to automatic, from servers that serve at most 100, 500 and 1,000 rows a
 * page, and from one that refuses page sizes above 200 (code 10002).
 */
async function pageSizeBench(): Promise<string[]> {
	const members = Number(process.env.BENCH_PAGE_MEMBERS ?? 100_000);
	const latency = Number(process.env.BENCH_PAGE_LATENCY ?? 50);
	const rows = [
		`| Server (${members.toLocaleString('en')} members, ${latency} ms latency) | Page Size | Requests | Wall time | Requests/s | Most in any 1 s |`,
		'|---|---|---|---|---|---|',
	];
	const servers: Array<[string, number, string[]]> = [
		['serves at most 100 rows', 100, []],
		['serves at most 500 rows', 500, []],
		['serves at most 1,000 rows', 1000, []],
		['refuses page sizes above 200', 1000, ['--max-page-size', '200']],
	];
	for (const [name, cap, extra] of servers) {
		const sandbox = await startSandbox(members, cap, extra);
		try {
			await sandbox.admin('/latency', { ms: latency });
			for (const [label, size] of [['100 (set)', 100], ['automatic', undefined]] as const) {
				if (extra.length && size !== undefined) continue;
				const r = await measure(sandbox, nodeRead(sandbox.url, members, size));
				rows.push(`| ${name} | ${label} | ${r.requests} | ${r.seconds.toFixed(1)} s | ${r.rps.toFixed(2)} | ${r.maxWindow} |`);
				console.log(rows[rows.length - 1]);
				await new Promise((resolve) => setTimeout(resolve, 1200));
			}
		} finally {
			sandbox.process.kill();
		}
	}
	return rows;
}

async function bigGroupMemory() {
	const sandbox = await startSandbox(100_000, 1000);
	try {
		gc();
		const baseline = process.memoryUsage();
		let peakRss = baseline.rss;
		let peakHeap = baseline.heapUsed;
		const sampler = setInterval(() => {
			const now = process.memoryUsage();
			peakRss = Math.max(peakRss, now.rss);
			peakHeap = Math.max(peakHeap, now.heapUsed);
		}, 20);
		const started = performance.now();
		await nodeRead(sandbox.url, 100_000)();
		clearInterval(sampler);
		return {
			seconds: (performance.now() - started) / 1000,
			heapMb: (peakHeap - baseline.heapUsed) / 2 ** 20,
			rssMb: (peakRss - baseline.rss) / 2 ** 20,
		};
	} finally {
		sandbox.process.kill();
	}
}

/**
 * Several n8n processes on one account, as in queue mode: each its own Node process with its own
 * engine and limiter, against a sandbox (in a process of its own) whose API refuses beyond 10
 * requests in any second, counting refused requests in its window. Each reader reads the whole group
 * (6,000 members, 100 a page, 100 ms latency) and checks it got every member exactly once. "Settled"
 * leaves out the first 3 s and the last 2 s before the first reader finished.
 */
async function processBench(): Promise<string[]> {
	const members = Number(process.env.BENCH_PROCESS_MEMBERS ?? 6000);
	const latency = Number(process.env.BENCH_PROCESS_LATENCY ?? 100);
	const answer = process.env.BENCH_PROCESS_ANSWER === 'http429' ? 'http429' : 'code';
	const counts = (process.env.BENCH_PROCESSES ?? '1,2,3,4,trigger').split(',');
	const rows = [
		`| Processes (${members.toLocaleString('en')} members each, ${latency} ms, API refuses > 10/s as ${answer}) | Requests | Refused | Wall time (limit) | Accepted/s | Refused share | Settled accepted/s | Settled refused | Reads exact |`,
		'|---|---|---|---|---|---|---|---|---|',
	];
	for (const count of counts) {
		const readers = count === 'trigger' ? 1 : Number(count);
		const sandbox = await startSandbox(members, 100, ['--latency', String(latency)]);
		try {
			await sandbox.admin('/rate-limit', { perSecond: 10, answer });
			const startAt = Date.now() + 1500;
			const base = { url: sandbox.url, token: TOKEN, startAt };
			const token = (i: number) => (TRACE ? TOKENS[i + 1] : TOKEN);
			const reads = Array.from({ length: readers }, (_, i) =>
				startAccountProcess({ ...base, token: token(i), read: { groupObj: 'leads_schema_data', groupId: '1001', members } }),
			);
			const poller =
				count === 'trigger'
					? startAccountProcess({ ...base, token: token(readers), poll: { groupObj: 'schema_data', groupId: '2001', everyMs: 1000 } })
					: undefined;
			const results = await Promise.all(reads.map((r) => r.done));
			poller?.stop();
			const polled = await poller?.done;
			const log = ((await sandbox.admin('/log')) as ProcessLogEntry[]).filter(
				(r) => r.path === GROUP_USER_LIST_PATH,
			);
			const t0 = Math.min(...results.map((r) => r.startedAt));
			const t1 = Math.max(...results.map((r) => r.endedAt));
			const firstDone = Math.min(...results.map((r) => r.endedAt));
			const share = (part: number, all: number) => `${((100 * part) / Math.max(1, all)).toFixed(1)}%`;
			const summary = (from: number, to: number) => countArrivals(log, from, to);
			const whole = summary(t0, t1 + 1);
			const settled = summary(t0 + 3000, firstDone - 2000);
			const failures = results.filter((r) => r.error).map((r) => r.error);
			const label = count === 'trigger' ? `1 reading + 1 trigger polling every 1 s (${polled?.polls ?? 0} polls${polled?.error ? `, failed: ${polled.error}` : ''})` : String(readers);
			rows.push(
				`| ${label} | ${whole.all} | ${whole.refused} | ${whole.seconds.toFixed(1)} s (${(whole.accepted / 10).toFixed(1)} s) | ` +
					`${(whole.accepted / whole.seconds).toFixed(2)} | ${share(whole.refused, whole.all)} | ` +
					`${settled.seconds >= 3 ? (settled.accepted / settled.seconds).toFixed(2) : '-'} | ${settled.seconds >= 3 ? share(settled.refused, settled.all) : '-'} | ` +
					`${failures.length ? `**no**: ${failures.join('; ')}` : 'yes'} |`,
			);
			console.log(rows[rows.length - 1]);
			if (TRACE) console.log(perSecond(log, t0, t1, readers + (poller ? 1 : 0)));
		} finally {
			sandbox.process.kill();
		}
	}
	return rows;
}

/** BENCH_TRACE=1: each second of a multi-process run, what each process got through and had refused. */
function perSecond(log: ProcessLogEntry[], from: number, to: number, processes: number): string {
	const lines = [`  second: ${Array.from({ length: processes }, (_, i) => `p${i + 1} ok/refused`).join(', ')}`];
	const byProcess = TOKENS.slice(1, processes + 1).map((token) => log.filter((r) => r.query.access_token === token));
	for (let at = from; at < to; at += 1000) {
		const cells = byProcess.map((sent) => {
			const { accepted, refused } = countArrivals(sent, at, at + 1000);
			return `${accepted}/${refused}`;
		});
		lines.push(`  ${String((at - from) / 1000).padStart(6)}: ${cells.join(', ')}`);
	}
	return lines.join('\n');
}

async function main() {
	const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
	console.log(`Beschannels benchmark on ${machine}`);
	if (process.env.BENCH_ONLY === 'scale') {
		console.log(`\n${(await scaleBench()).join('\n')}`);
		return;
	}
	if (process.env.BENCH_ONLY === 'processes') {
		console.log(`\n${(await processBench()).join('\n')}`);
		return;
	}
	if (process.env.BENCH_ONLY === 'pageSize') {
		const table = await pageSizeBench();
		const big = await bigGroupMemory();
		console.log(`\n${table.join('\n')}\n`);
		console.log(memoryLine(big));
		return;
	}
	console.log(`${MEMBERS} members, page size ${PAGE_SIZE} (the sandbox's cap), sandbox in its own process\n`);
	const sandbox = await startSandbox(MEMBERS, PAGE_SIZE);
	const rows: string[] = [
		'| Reader | Latency | Wall time | Requests | Requests/s | Time / floor | Most in any 1 s |',
		'|---|---|---|---|---|---|---|',
	];
	try {
		for (const latency of LATENCIES) {
			await sandbox.admin('/latency', { ms: latency });
			for (const [name, read] of [
				['this node', nodeRead(sandbox.url, MEMBERS, PAGE_SIZE)],
				['sequential pager', () => sequentialPager(sandbox.url)],
			] as const) {
				const r = await measure(sandbox, read);
				rows.push(
					`| ${name} | ${latency} ms | ${r.seconds.toFixed(1)} s | ${r.requests} | ${r.rps.toFixed(2)} | ${r.ratio.toFixed(2)} | ${r.maxWindow} |`,
				);
				console.log(rows[rows.length - 1]);
				// let the account's window empty between runs
				await new Promise((resolve) => setTimeout(resolve, 1200));
			}
		}
	} finally {
		sandbox.process.kill();
	}

	const pageSizes = await pageSizeBench();
	const processes = await processBench();
	// the engine run first, while the heap is still small, so its peak is its own
	const big = await bigGroupMemory();
	const same = shapingBench(false);
	const varied = shapingBench(true);
	const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
	const cells = (f: (s: typeof same) => string) => `| ${f(same)} | ${f(varied)} |`;
	console.log(`\n${rows.join('\n')}\n`);
	console.log(`${pageSizes.join('\n')}\n`);
	console.log(`${processes.join('\n')}\n`);
	console.log('| Shaping 100,000 members, 30 scores each | Same models | Models vary by member |');
	console.log('|---|---|---|');
	console.log(`| Raw JSON ${cells((s) => mb(s.bytes))}`);
	console.log(`| JSON.parse of the same bytes, CPU ${cells((s) => `${s.parseMs.toFixed(0)} ms`)}`);
	console.log(
		`| Shaping (flatten scores, one item per member), CPU ${cells((s) => `${s.shapeMs.toFixed(0)} ms (${(s.shapeMs / s.parseMs).toFixed(2)} x JSON.parse)`)}`,
	);
	console.log(
		`| Heap the shaped items add ${cells((s) => `${mb(s.shapedBytes)} (${(s.shapedBytes / s.bytes).toFixed(2)} x the raw JSON)`)}`,
	);
	console.log(`\n${memoryLine(big)}`);
	console.log(`\nAny New Member at scale (BENCH_SCALE_SIZES, default 10,000, 300,000 and 1,000,000 members)\n`);
	console.log((await scaleBench()).join('\n'));
}

function memoryLine(big: { seconds: number; heapMb: number; rssMb: number }): string {
	return (
		`Return All over 100,000 members through the engine (automatic Page Size, a server serving 1,000 rows, no latency): ` +
		`${big.seconds.toFixed(1)} s, peak heap +${big.heapMb.toFixed(0)} MB, peak RSS +${big.rssMb.toFixed(0)} MB`
	);
}

void main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
