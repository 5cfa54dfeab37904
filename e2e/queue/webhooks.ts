/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, no-console -- development code: runs in Node.js, never inside n8n */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { maxInWindow } from '../../sandbox/server';
import { CheckError, checkGroupItems, fail, type Json } from '../lib/checks';
import type { N8nRest } from '../lib/n8n';
import { secs, sleep, type Background } from '../lib/proc';
import type { Sandbox } from '../lib/sandbox';
import { GROUP, LATENCY_MS, listNode, MEMBERS, PAGE_SIZE, WORKER_CONCURRENCY } from './workflows';

/**
 * Webhook calls into n8n in queue mode, each answer checked against the sandbox's group in full,
 * and what the sandbox saw of them: requests, refusals, the most in any 1 s, executions per worker.
 */

const WEBHOOK_TIMEOUT_MS = 180_000;

export function say(message: string): void {
	console.log(message.split('\n').map((line) => `[queue] ${line}`).join('\n'));
}

// ---- measurements ---------------------------------------------------------------------------

export interface Measurement {
	setup: string;
	executions: number;
	requests: number;
	refused: number;
	wallMs: number;
	maxPerSecond: number;
	perWorker: number[];
	notFound: number;
	/** Executions lost to n8n's locked SQLite database and run again. */
	sqliteLocked: number;
}

interface CallOutcome {
	items?: Json[];
	failure?: string;
	notFound: number;
}

export class Harness {
	webhook404s = 0;

	sqliteLocked = 0;

	private measured = 0;

	private expected: Json[] = [];

	constructor(
		readonly api: N8nRest,
		readonly sandbox: Sandbox,
		readonly logsDir: string,
		readonly main: Background,
		readonly workers: Background[],
	) {}

	async loadExpected(): Promise<void> {
		this.expected = await this.sandbox.members(GROUP);
		if (this.expected.length !== MEMBERS) fail(`the sandbox group has ${this.expected.length} members, not ${MEMBERS}`);
	}

	/**
	 * Calls a production webhook. Right after activation n8n may answer 404 for a moment (the
	 * webhook is not registered yet): such answers start no execution and are retried. Any other
	 * failure is returned for the caller to explain.
	 */
	async callWebhook(path: string): Promise<CallOutcome> {
		const deadline = Date.now() + WEBHOOK_TIMEOUT_MS;
		let notFound = 0;
		for (;;) {
			const response = await fetch(`${this.api.url}/webhook/${path}`, { signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
			const text = await response.text();
			if (response.status === 404 && Date.now() < deadline) {
				notFound++;
				await sleep(250);
				continue;
			}
			const failed = (why: string): CallOutcome => ({ failure: `GET /webhook/${path} ${why}`, notFound });
			if (!response.ok) return failed(`answered HTTP ${response.status}: ${text.slice(0, 300)}`);
			let items: unknown;
			try {
				items = JSON.parse(text);
			} catch {
				return failed(`did not answer JSON: ${text.slice(0, 300)}`);
			}
			if (!Array.isArray(items)) return failed(`answered ${text.slice(0, 300)}; expected the items of the Beschannels node`);
			return { items: items as Json[], notFound };
		}
	}

	/**
	 * Failed webhook calls must be n8n executions that failed on a locked SQLite database
	 * (SQLITE_BUSY: the workers and the main process write to one file, which n8n does not support
	 * in queue mode), or calls for which n8n could not even record an execution while its log shows
	 * SQLITE_BUSY. Those are counted and the calls made again; anything else fails the test.
	 */
	async explainFailures(setup: string, workflowId: string, newIds: string[], missing: number, logSince: number[], failures: string[]): Promise<void> {
		const listed = (await this.api.executions(workflowId)).filter((e) => newIds.includes(String(e.id)));
		let locked = 0;
		for (const execution of listed.filter((e) => e.status !== 'success')) {
			const full = await this.api.execution(String(execution.id));
			const error = full.data?.resultData?.error as Json | undefined;
			const message = String(error?.message ?? `status ${execution.status}`);
			if (!/SQLITE_BUSY|database is locked/.test(message)) fail(`${setup}: execution ${execution.id} failed: ${message}`);
			locked++;
		}
		const logged = this.logs().some((log, i) => log.output().slice(logSince[i]).includes('SQLITE_BUSY'));
		if (missing > 0 && logged) locked += missing;
		if (locked < failures.length) fail(`${setup}: ${failures[0]}${missing ? ` (n8n recorded ${missing} execution(s) too few)` : ''}`);
		this.sqliteLocked += failures.length;
		say(`${setup}: ${failures.length} execution(s) failed on n8n's locked SQLite database (SQLITE_BUSY); calling again`);
	}

	/** The logs of the main process and the workers. */
	private logs(): Background[] {
		return [this.main, ...this.workers];
	}

	/**
	 * Calls a webhook `calls` times at once and checks every answer; calls lost to SQLite locks are
	 * made again. Returns the executions of the first round.
	 */
	async callChecked(
		setup: string,
		workflow: { id: string; path: string },
		calls: number,
		afterFirstRound: () => Promise<void> = async () => undefined,
	): Promise<{ notFound: number; firstIds: string[] }> {
		let notFound = 0;
		let firstIds: string[] = [];
		let pending = calls;
		for (let round = 1; pending > 0; round++) {
			const before = new Set((await this.api.executions(workflow.id)).map((e) => String(e.id)));
			const logSince = this.logs().map((log) => log.output().length);
			const outcomes = await Promise.all(Array.from({ length: pending }, () => this.callWebhook(workflow.path)));
			if (round === 1) await afterFirstRound();
			notFound += outcomes.reduce((sum, o) => sum + o.notFound, 0);
			outcomes.forEach((o, i) => o.items && this.checkItems(o.items, `${setup}, execution ${i + 1} of ${pending}`));
			const ids = (await this.api.executions(workflow.id)).map((e) => String(e.id)).filter((id) => !before.has(id));
			if (round === 1) firstIds = ids;
			const failures = outcomes.filter((o) => !o.items).map((o) => o.failure!);
			const missing = pending - ids.length;
			if (failures.length === 0) {
				if (missing !== 0) fail(`${setup}: n8n lists ${ids.length} new executions of the workflow for ${pending} webhook calls`);
				break;
			}
			if (round >= 3) fail(`${setup}: ${failures[0]}`);
			await this.explainFailures(setup, workflow.id, ids, missing, logSince, failures);
			pending = failures.length;
		}
		return { notFound, firstIds };
	}

	/** Every item list must be the group in full, in API order, fields as the node shapes them. */
	checkItems(items: Json[], label: string): void {
		try {
			checkGroupItems(listNode({ id: '', name: '' }), items, this.expected);
		} catch (error) {
			if (error instanceof CheckError) fail(`${label}: ${error.message}`);
			throw error;
		}
	}

	workerLogMarks(): number[] {
		return this.workers.map((w) => w.output().length);
	}

	/** How many of these executions each worker started since `marks` (from the workers' logs). */
	startedSince(marks: number[], executionIds: Set<string>): number[] {
		return this.workers.map((w, i) => {
			const started = w.output().slice(marks[i] ?? 0).matchAll(/Worker started execution (\d+)/g);
			return [...started].filter((match) => executionIds.has(match[1])).length;
		});
	}

	async measure(setup: string, workflow: { id: string; path: string }, calls: number): Promise<Measurement> {
		await this.sandbox.admin('clear-log');
		const marks = this.workerLogMarks();
		const started = Date.now();
		let wallMs = 0;
		let requests: Json[] = [];
		const locked = this.sqliteLocked;
		// The first round of calls is the measurement; calls made again after SQLite locks come later.
		const { notFound, firstIds } = await this.callChecked(setup, workflow, calls, async () => {
			wallMs = Date.now() - started;
			requests = await this.sandbox.listRequests();
		});
		writeFileSync(
			join(this.logsDir, `sandbox-requests-${++this.measured}.json`),
			JSON.stringify({ setup, requests: requests.map((r) => ({ at: r.at, page: r.fields?.page_num, code: r.code })) }),
		);
		const refused = requests.filter((r) => r.code === -1).length;
		const measurement: Measurement = {
			setup,
			executions: calls,
			requests: requests.length,
			refused,
			wallMs,
			maxPerSecond: maxInWindow(requests.map((r) => Number(r.at))),
			perWorker: this.startedSince(marks, new Set(firstIds)),
			notFound,
			sqliteLocked: this.sqliteLocked - locked,
		};
		this.webhook404s += notFound;
		say(
			`${setup}: ${calls} executions x ${this.expected.length} members checked; ${measurement.requests} requests` +
				`${refused ? ` (${refused} refused)` : ''} in ${secs(wallMs)} s, at most ${measurement.maxPerSecond} in any 1 s; ` +
				`executions per worker: ${measurement.perWorker.join(' / ')}`,
		);
		return measurement;
	}
}

/** The measurements as a table, one worker first: the baseline the other setups compare with. */
export function printTable(measurements: Measurement[]): void {
	console.log(`\n[queue] requests at the sandbox (${MEMBERS} members, ${PAGE_SIZE} per page, ${LATENCY_MS} ms latency; worker concurrency ${WORKER_CONCURRENCY})`);
	const header = ['setup', 'executions', 'requests', 'refused', 'wall time', 'max in any 1 s'];
	const ordered = [...measurements].sort((a, b) => Number(!a.setup.startsWith('1 ')) - Number(!b.setup.startsWith('1 ')));
	const rows = ordered.map((m) => [
		m.setup,
		`${m.executions} (${m.perWorker.join('+')})`,
		String(m.requests),
		String(m.refused),
		`${secs(m.wallMs)} s`,
		String(m.maxPerSecond),
	]);
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
	console.log(line(header));
	console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const row of rows) console.log(line(row));
}
