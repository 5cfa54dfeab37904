/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- development code: runs in Node.js, never inside n8n */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

import {
	ACTION_NODE_TYPE,
	CheckError,
	checkGroupItems,
	CREDENTIAL_TYPE,
	fail,
	sandboxAdmin,
	TRIGGER_NODE_TYPE,
	type Json,
	type WorkflowNode,
} from '../checks';
import {
	cleanUpOnExit,
	freePort,
	killAll,
	ROOT,
	SANDBOX_CLI,
	secs,
	startBackground,
	tail,
	timeStep,
	type Background,
	type Timing,
} from '../proc';
import { installPackage, packPackage } from '../ui/n8n-server';
import { GROUP_USER_LIST_PATH, maxInWindow } from '../../sandbox/server';

/**
 * End-to-end test of the package in n8n queue mode: Redis, one main process and two workers
 * sharing one user folder (the packed package installed in its nodes folder, one SQLite database,
 * one encryption key), and the local sandbox as Beschannels.
 *
 *  1. Webhook -> Beschannels (Return All): several executions at once on the workers, each
 *     checked against the sandbox's group in full.
 *  2. The rate limit in queue mode, measured at the sandbox (most requests arriving in any 1 s):
 *     one worker; two workers; two workers with "Max Requests per Second" = 5; two workers
 *     against a sandbox that refuses more than 10 requests per second.
 *  3. Beschannels Trigger: polls in the main process, one execution on a worker for one new lead.
 *     n8n polls once a minute at most (here at a chosen second), so this runs alongside 2.
 *
 * Needs the n8n 2.x install of e2e/install-n8n.sh and redis-server; run it through e2e/queue/run.sh.
 * Environment:
 *   BESCHANNELS_NODE24_BIN, BESCHANNELS_N8N_V2_BIN, BESCHANNELS_N8N_V2_VERSION (from env.sh)
 *   BESCHANNELS_E2E_TARBALL    test this tarball instead of packing the working tree
 *   BESCHANNELS_E2E_KEEP=1     keep the temporary folder (process logs, user folder)
 *   BESCHANNELS_QUEUE_MEMBERS  members in the listed group (default 1000)
 *   BESCHANNELS_QUEUE_CALLS    webhook calls fired at once per measurement (default 10)
 *   BESCHANNELS_QUEUE_LATENCY  sandbox latency in ms (default 80)
 *   BESCHANNELS_QUEUE_SKIP_TRIGGER=1  leave out the trigger check
 *   BESCHANNELS_QUEUE_STRICT=1 fail when more requests than the limit arrive within 1 s
 *                              (default: up to one more per worker is a warning, as arrival
 *                              times jitter when the machine's CPUs are busy)
 *   REDIS_SERVER               redis-server binary (default: redis-server on PATH)
 */

const USER_ID = 'user0sandbox0000000000000000000001';
const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };

const MEMBERS = Number(process.env.BESCHANNELS_QUEUE_MEMBERS ?? 1000);
const CALLS = Number(process.env.BESCHANNELS_QUEUE_CALLS ?? 10);
const LATENCY_MS = Number(process.env.BESCHANNELS_QUEUE_LATENCY ?? 80);
const PAGE_SIZE = 100;
/** Jobs each worker runs at once. With CALLS = 2 x this, two workers split the calls evenly. */
const WORKER_CONCURRENCY = Math.max(1, Math.ceil(CALLS / 2));
const SANDBOX_RATE_LIMIT = 10;
const SAFE_RATE = 5;
const SKIP_TRIGGER = process.env.BESCHANNELS_QUEUE_SKIP_TRIGGER === '1';
const STRICT = process.env.BESCHANNELS_QUEUE_STRICT === '1';
const START_TIMEOUT_MS = 240_000;
const WEBHOOK_TIMEOUT_MS = 180_000;
/** The trigger's first scheduled poll comes this long after its workflow is created. */
const TRIGGER_FIRST_POLL_S = 20;
/** Time allowed for a scheduled poll after the new lead was added, and its execution. */
const TRIGGER_TIMEOUT_MS = 150_000;

const keep = process.env.BESCHANNELS_E2E_KEEP === '1';
let tmpRoot = '';
let logsDir = '';
const processes: Array<{ name: string; background: Background }> = [];

function saveLogs(): void {
	if (!logsDir) return;
	for (const { name, background } of processes) {
		try {
			writeFileSync(join(logsDir, `${name}.log`), background.output());
		} catch {
			// the folder may be gone already
		}
	}
}

function cleanup(): void {
	saveLogs();
	killAll();
	if (tmpRoot && !keep) rmSync(tmpRoot, { recursive: true, force: true });
}

cleanUpOnExit('queue', cleanup);

function say(message: string): void {
	console.log(message.split('\n').map((line) => `[queue] ${line}`).join('\n'));
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const timings: Timing[] = [];

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
	return await timeStep(name, body, timings, say);
}

/** The data of `GET /rest/executions/:id` is in the `flatted` format: strings and objects by index. */
export function unflatten(text: string): Json {
	const table = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const at = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const value = table[index];
		if (typeof value !== 'object' || value === null) {
			revived.set(index, value);
			return value;
		}
		const out: Json = Array.isArray(value) ? [] : {};
		revived.set(index, out);
		for (const [key, entry] of Object.entries(value)) out[key] = typeof entry === 'string' ? at(Number(entry)) : entry;
		return out;
	};
	return at(0) as Json;
}

// ---- processes ------------------------------------------------------------------------------

class Sandbox {
	constructor(
		readonly url: string,
		readonly token: string,
	) {}

	static async start(name: string, args: string[]): Promise<Sandbox> {
		const token = `sbx_queue_${randomBytes(16).toString('hex')}`;
		// The sandbox stands for a remote server, whose clock does not wait for this machine's CPU:
		// a higher priority keeps its arrival times true when n8n keeps both cores busy (as root;
		// otherwise nice warns and runs it at the usual priority).
		const { process: background, match } = await startBackground(
			'nice',
			['-n', '-10', process.execPath, SANDBOX_CLI, '--port', '0', '--token', token, ...args],
			{ cwd: ROOT, ready: /Beschannels sandbox listening on (http:\/\/\S+)/, timeoutMs: 30_000 },
		);
		processes.push({ name, background });
		return new Sandbox(match[1], token);
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each admin route answers its own JSON shape
	async admin(route: string, body: Json = {}): Promise<any> {
		return await sandboxAdmin(this.url, route, body);
	}

	async listRequests(): Promise<Json[]> {
		const log = (await this.admin('log')) as Json[];
		return log.filter((entry) => entry.path === GROUP_USER_LIST_PATH);
	}
}

async function startRedis(dir: string): Promise<number> {
	const port = await freePort();
	const { process: background } = await startBackground(
		process.env.REDIS_SERVER || 'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ ready: /Ready to accept connections/, timeoutMs: 30_000 },
	);
	processes.push({ name: 'redis', background });
	return port;
}

/** The tarball to test: BESCHANNELS_E2E_TARBALL, or `npm pack` of the working tree. */
async function packTarball(into: string): Promise<string> {
	const given = process.env.BESCHANNELS_E2E_TARBALL;
	return given ? resolve(given) : await packPackage(ROOT, into);
}

interface N8nSetup {
	bin: string;
	userFolder: string;
	encryptionKey: string;
	redisPort: number;
	queuePrefix: string;
}

/** Environment shared by main and workers: same user folder, key, database and queue. */
async function n8nEnv(setup: N8nSetup, extra: Record<string, string>): Promise<NodeJS.ProcessEnv> {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$)/.test(key)) env[key] = value;
	}
	const node24 = process.env.BESCHANNELS_NODE24_BIN;
	if (!node24) throw new Error('BESCHANNELS_NODE24_BIN is not set (source the env.sh of e2e/install-n8n.sh)');
	return {
		...env,
		PATH: `${node24}${delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: setup.userFolder,
		N8N_ENCRYPTION_KEY: setup.encryptionKey,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(setup.redisPort),
		QUEUE_BULL_PREFIX: setup.queuePrefix,
		// n8n 2.x starts a task broker in every process: one port each.
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...extra,
	};
}

async function startMain(setup: N8nSetup): Promise<{ url: string; background: Background }> {
	const port = await freePort();
	const env = await n8nEnv(setup, {
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
	});
	const { process: background } = await startBackground(setup.bin, ['start'], {
		cwd: setup.userFolder,
		env,
		ready: /Editor is now accessible via/,
		timeoutMs: START_TIMEOUT_MS,
	});
	processes.push({ name: 'n8n-main', background });
	return { url: `http://127.0.0.1:${port}`, background };
}

async function startWorker(setup: N8nSetup, name: string): Promise<Background> {
	const env = await n8nEnv(setup, { QUEUE_HEALTH_CHECK_PORT: String(await freePort()) });
	const { process: background } = await startBackground(setup.bin, ['worker', `--concurrency=${WORKER_CONCURRENCY}`], {
		cwd: setup.userFolder,
		env,
		ready: /n8n worker is now ready/,
		timeoutMs: START_TIMEOUT_MS,
	});
	processes.push({ name, background });
	return background;
}

// ---- n8n REST API ---------------------------------------------------------------------------

class N8nApi {
	private cookie = '';

	private readonly browserId = randomUUID();

	constructor(readonly url: string) {}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- n8n's REST answers, read field by field and checked at run time
	async call(method: string, path: string, body?: unknown): Promise<any> {
		let response: Response;
		let text: string;
		for (let attempt = 1; ; attempt++) {
			response = await fetch(`${this.url}${path}`, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': this.browserId,
					...(this.cookie ? { cookie: this.cookie } : {}),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			text = await response.text();
			// A read may meet the SQLite database locked by a worker: ask again.
			if (method !== 'GET' || response.status < 500 || attempt >= 3) break;
			await sleep(500 * attempt);
		}
		if (!response.ok) fail(`n8n ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
		for (const header of response.headers.getSetCookie()) {
			const match = /^(n8n-auth=[^;]+)/.exec(header);
			if (match) this.cookie = match[1];
		}
		return text ? (JSON.parse(text) as Json) : {};
	}

	async setupOwner(): Promise<void> {
		await this.call('POST', '/rest/owner/setup', {
			email: 'owner@queue-test.example.com',
			firstName: 'Queue',
			lastName: 'Test',
			password: `Queue-${randomBytes(8).toString('hex')}-9`,
		});
		if (!this.cookie) fail('n8n owner setup did not set the n8n-auth cookie');
	}

	async createCredential(name: string, data: Json): Promise<{ id: string; name: string }> {
		const created = await this.call('POST', '/rest/credentials', { name, type: CREDENTIAL_TYPE, data });
		const id = created.data?.id;
		if (!id) fail(`n8n did not return an id for credential "${name}": ${JSON.stringify(created).slice(0, 300)}`);
		return { id: String(id), name };
	}

	/** Creates and activates a workflow; returns its id. */
	async createActiveWorkflow(workflow: Json): Promise<string> {
		const created = await this.call('POST', '/rest/workflows', { ...workflow, active: false });
		const { id, versionId } = created.data ?? {};
		if (!id) fail(`n8n did not return an id for workflow "${workflow.name}"`);
		await this.call('POST', `/rest/workflows/${id}/activate`, { versionId });
		return String(id);
	}

	async executions(workflowId: string): Promise<Json[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const listed = await this.call('GET', `/rest/executions?filter=${filter}&limit=50`);
		return (listed.data?.results ?? []) as Json[];
	}

	async execution(id: string): Promise<Json> {
		const found = (await this.call('GET', `/rest/executions/${id}`)).data as Json;
		if (typeof found?.data === 'string') found.data = unflatten(found.data);
		return found;
	}
}

// ---- workflows ------------------------------------------------------------------------------

function credentialRef(credential: { id: string; name: string }): WorkflowNode['credentials'] {
	return { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
}

function listNode(credential: { id: string; name: string }): WorkflowNode & Json {
	return {
		parameters: {
			resource: 'groupUser',
			operation: 'getAll',
			userId: USER_ID,
			...GROUP,
			returnAll: true,
			options: { pageSize: PAGE_SIZE },
		},
		name: 'Beschannels',
		type: ACTION_NODE_TYPE,
		typeVersion: 1,
		position: [220, 0],
		credentials: credentialRef(credential),
	};
}

function webhookWorkflow(name: string, path: string, credential: { id: string; name: string }): Json {
	return {
		name,
		nodes: [
			{
				parameters: { httpMethod: 'GET', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
			},
			listNode(credential),
		],
		connections: { Webhook: { main: [[{ node: 'Beschannels', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Polls once a minute (n8n's shortest interval), at a chosen second: "Every Minute" picks a random
 * one, which would make the test wait anything up to a minute for the first scheduled poll.
 */
function triggerWorkflow(credential: { id: string; name: string }, second: number): Json {
	return {
		name: 'Beschannels Trigger (new leads) -> No Operation',
		nodes: [
			{
				parameters: {
					pollTimes: { item: [{ mode: 'custom', cronExpression: `${second} * * * * *` }] },
					watch: 'newLeads',
					userId: USER_ID,
					...GROUP,
					options: {},
				},
				name: 'Beschannels Trigger',
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				credentials: credentialRef(credential),
			},
			{ parameters: {}, name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0] },
		],
		connections: { 'Beschannels Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

// ---- measurements ---------------------------------------------------------------------------

interface Measurement {
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

class Harness {
	webhook404s = 0;

	sqliteLocked = 0;

	private measured = 0;

	private expected: Json[] = [];

	constructor(
		readonly api: N8nApi,
		readonly sandbox: Sandbox,
		readonly main: Background,
		readonly workers: Background[],
	) {}

	async loadExpected(): Promise<void> {
		this.expected = (await this.sandbox.admin('members', GROUP)) as Json[];
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
			join(logsDir, `sandbox-requests-${++this.measured}.json`),
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

// ---- trigger --------------------------------------------------------------------------------

interface TriggerResult {
	executionId: string;
	polls: number;
	secondsAfterAdding: number;
	worker: string;
	sqliteLocked: boolean;
}

async function triggerCheck(
	api: N8nApi,
	sandbox: Sandbox,
	workflowId: string,
	workers: Array<{ name: string; background: Background }>,
): Promise<TriggerResult> {
	// Activation polls once and records where the group stands; wait for that poll, then add a lead.
	const deadline = Date.now() + 60_000;
	while ((await sandbox.listRequests()).length === 0) {
		if (Date.now() > deadline) fail('the Beschannels Trigger did not poll the sandbox when its workflow was activated');
		await sleep(250);
	}
	await sleep(500);
	const early = await api.executions(workflowId);
	if (early.length) fail(`activating the trigger workflow started ${early.length} execution(s); the first poll must only record the state`);
	const before = new Set(((await sandbox.admin('members', GROUP)) as Json[]).map((m) => String(m.identity_id)));
	await sandbox.admin('add-members', { ...GROUP, count: 1 });
	const addedAt = Date.now();
	const added = ((await sandbox.admin('members', GROUP)) as Json[]).filter((m) => !before.has(String(m.identity_id)));
	if (added.length !== 1) fail(`adding one member to the trigger sandbox added ${added.length}`);
	const newId = String(added[0].identity_id);
	say(`trigger: activation poll done; added lead ${newId}; waiting for the next scheduled poll`);

	let execution: Json | undefined;
	while (!execution) {
		if (Date.now() - addedAt > TRIGGER_TIMEOUT_MS) {
			fail(`no execution of the trigger workflow within ${TRIGGER_TIMEOUT_MS / 1000} s of adding a lead (polls seen: ${(await sandbox.listRequests()).length})`);
		}
		await sleep(2000);
		const listed = await api.executions(workflowId);
		if (listed.length > 1) fail(`the trigger workflow ran ${listed.length} times for one new lead`);
		const done = listed.find((e) => e.finished === true || ['success', 'error', 'crashed', 'canceled'].includes(String(e.status)));
		if (done) execution = done;
	}
	const secondsAfterAdding = Math.round((Date.now() - addedAt) / 1000);
	const id = String(execution.id);
	if (execution.mode !== 'trigger') fail(`the trigger execution ${id} has mode "${execution.mode}", not "trigger"`);
	const full = await api.execution(id);
	let sqliteLocked = false;
	if (execution.status !== 'success') {
		const message = String(full.data?.resultData?.error?.message ?? '');
		// The trigger did its part (one execution, with the lead) when only saving it met a locked database.
		if (!/SQLITE_BUSY|database is locked/.test(message)) fail(`the trigger execution ${id} ended with status "${execution.status}": ${message}`);
		sqliteLocked = true;
	}
	const runs = full.data?.resultData?.runData?.['Beschannels Trigger'];
	const items = ((runs?.[0]?.data?.main?.[0] ?? []) as Json[]).map((item) => item.json as Json);
	const ids = items.map((item) => String(item.identity_id));
	if (ids.length !== 1 || ids[0] !== newId) {
		fail(`the trigger execution ${id} carries ${JSON.stringify(ids)}; expected exactly the new lead ${newId}`);
	}
	const ranOn = workers.filter((w) => new RegExp(`Worker started execution ${id}\\b`).test(w.background.output())).map((w) => w.name);
	if (ranOn.length !== 1) fail(`the trigger execution ${id} should have run on exactly one worker; worker logs name it on ${ranOn.length}`);
	return { executionId: id, polls: (await sandbox.listRequests()).length, secondsAfterAdding, worker: ranOn[0], sqliteLocked };
}

// ---- main -----------------------------------------------------------------------------------

function printTables(measurements: Measurement[]): void {
	console.log('\n[queue] timings in seconds');
	const width = Math.max(...timings.map((t) => t.step.length)) + 2;
	for (const { step: name, ms } of timings) console.log(`  ${name.padEnd(width)}${secs(ms).padStart(7)}`);

	console.log(`\n[queue] requests at the sandbox (${MEMBERS} members, ${PAGE_SIZE} per page, ${LATENCY_MS} ms latency; worker concurrency ${WORKER_CONCURRENCY})`);
	const header = ['setup', 'executions', 'requests', 'refused', 'wall time', 'max in any 1 s'];
	// One worker first: the baseline the other setups compare with.
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

async function main(): Promise<number> {
	const started = Date.now();
	if (!existsSync(SANDBOX_CLI)) throw new Error(`${SANDBOX_CLI} is missing: run npm run build first`);
	const bin = process.env.BESCHANNELS_N8N_V2_BIN;
	if (!bin || !existsSync(bin)) throw new Error('no n8n 2.x install: run e2e/install-n8n.sh v2 and source its env.sh (or use e2e/queue/run.sh)');
	if (!(CALLS >= 2) || !(MEMBERS >= 1)) throw new Error('BESCHANNELS_QUEUE_CALLS must be at least 2 and BESCHANNELS_QUEUE_MEMBERS at least 1');
	tmpRoot = mkdtempSync(join(tmpdir(), 'beschannels-queue-'));
	logsDir = join(tmpRoot, 'logs');
	mkdirSync(logsDir);
	if (keep) say(`keeping ${tmpRoot}`);
	say(`n8n ${process.env.BESCHANNELS_N8N_V2_VERSION ?? ''} in queue mode: 1 main + 2 workers (concurrency ${WORKER_CONCURRENCY}), ${CALLS} webhook calls per measurement`);

	const setup: N8nSetup = {
		bin,
		userFolder: join(tmpRoot, 'user'),
		encryptionKey: randomBytes(24).toString('hex'),
		redisPort: 0,
		queuePrefix: `beschannels-queue-${randomBytes(4).toString('hex')}`,
	};
	const measurements: Measurement[] = [];
	/** Rate findings: reported after every measurement has run. */
	const problems: string[] = [];
	const warnings: string[] = [];
	let tablesPrinted = false;
	/**
	 * The most requests that may arrive within 1 s. Arrival times vary with this machine's load: a
	 * worker whose event loop stalls sends a request later than its limiter counted it, so one more
	 * per worker is reported as a warning (BESCHANNELS_QUEUE_STRICT=1: as a failure).
	 */
	const expectAtMost = (m: Measurement, limit: number, workers: number, why: string) => {
		const message = `${m.setup}: ${m.maxPerSecond} requests arrived within 1 s; expected at most ${limit} (${why})`;
		if (m.maxPerSecond > limit + (STRICT ? 0 : workers)) problems.push(message);
		else if (m.maxPerSecond > limit) warnings.push(`${message}; within the tolerance of 1 per worker for arrival jitter on a busy machine`);
	};
	const workerProcs: Array<{ name: string; background: Background }> = [];
	let triggerPromise: Promise<TriggerResult> | undefined;
	let triggerSettled = false;
	try {
		const [[redisPort, sandbox, triggerSandbox]] = await step('redis, sandboxes, npm pack + install package', async () => {
			const redisDir = join(tmpRoot, 'redis');
			mkdirSync(redisDir);
			return await Promise.all([
				Promise.all([
					startRedis(redisDir),
					Sandbox.start('sandbox', ['--members', String(MEMBERS), '--cap', String(PAGE_SIZE), '--latency', String(LATENCY_MS)]),
					Sandbox.start('sandbox-trigger', []),
				]),
				packTarball(tmpRoot).then(async (tarball) => await installPackage(tarball, setup.userFolder)),
			]);
		});
		setup.redisPort = redisPort;
		say(`redis on 127.0.0.1:${redisPort}; sandbox ${sandbox.url}; trigger sandbox ${triggerSandbox.url}`);

		// The main process creates the database; the workers start once it is up.
		const main = await step('start n8n main', () => startMain(setup));
		say(`n8n main on ${main.url}`);
		if (/Scaling mode is not officially supported with sqlite/.test(main.background.output())) {
			say('n8n says: "Scaling mode is not officially supported with sqlite" (expected: the test shares one SQLite file)');
		}
		const [worker1, worker2] = await step('start workers 1 and 2', () =>
			Promise.all([startWorker(setup, 'n8n-worker-1'), startWorker(setup, 'n8n-worker-2')]),
		);
		workerProcs.push({ name: 'worker 1', background: worker1 }, { name: 'worker 2', background: worker2 });

		const api = new N8nApi(main.url);
		const ids = await step('owner, credentials, workflows', async () => {
			await api.setupOwner();
			const account = (url: string, token: string, extra: Json = {}) => ({
				baseUrl: url,
				authMode: 'accessToken',
				accessToken: token,
				...extra,
			});
			const defaultRate = await api.createCredential('Beschannels (default rate)', account(sandbox.url, sandbox.token));
			const safeRate = await api.createCredential(
				`Beschannels (${SAFE_RATE} per second)`,
				account(sandbox.url, sandbox.token, { requestsPerSecond: SAFE_RATE }),
			);
			const triggerCredential = await api.createCredential('Beschannels (trigger sandbox)', account(triggerSandbox.url, triggerSandbox.token));
			const webhook = async (name: string, credential: { id: string; name: string }) => {
				const path = `beschannels-${randomBytes(6).toString('hex')}`;
				return { id: await api.createActiveWorkflow(webhookWorkflow(name, path, credential)), path };
			};
			const defaultRateFlow = await webhook('Webhook -> Beschannels (Return All)', defaultRate);
			const safeRateFlow = await webhook(`Webhook -> Beschannels (Return All, ${SAFE_RATE}/s)`, safeRate);
			const pollSecond = (Math.floor(Date.now() / 1000) + TRIGGER_FIRST_POLL_S) % 60;
			const triggerId = SKIP_TRIGGER ? undefined : await api.createActiveWorkflow(triggerWorkflow(triggerCredential, pollSecond));
			return { defaultRate: defaultRateFlow, safeRate: safeRateFlow, triggerId };
		});

		if (ids.triggerId) {
			const triggerId = ids.triggerId;
			const triggerStarted = Date.now();
			// Runs alongside the measurements: its own sandbox, so its polls are not counted there.
			triggerPromise = triggerCheck(api, triggerSandbox, triggerId, workerProcs).finally(() => {
				triggerSettled = true;
				const ms = Date.now() - triggerStarted;
				timings.push({ step: 'trigger: activation to checked execution (alongside)', ms });
				say(`trigger check done after ${secs(ms)} s`);
			});
			triggerPromise.catch(() => undefined);
		}

		const harness = new Harness(api, sandbox, main.background, [worker1, worker2]);
		await harness.loadExpected();
		await step('first webhook call (waits out 404s)', async () => {
			const { notFound } = await harness.callChecked('first webhook call', ids.defaultRate, 1);
			harness.webhook404s += notFound;
			say(`first webhook call: ${MEMBERS} members checked${notFound ? ` after ${notFound} answers 404 (webhook not registered yet)` : ''}`);
		});

		const two = await step('measure: two workers', () => harness.measure('2 workers, default rate (10/s each)', ids.defaultRate, CALLS));
		measurements.push(two);
		if (two.perWorker.some((n) => n === 0)) problems.push(`two workers: the executions ran on one worker only (${two.perWorker.join(' / ')})`);
		expectAtMost(two, 20, 2, "each worker's limiter allows 10");
		if (two.maxPerSecond <= 10) {
			say(`note: two workers stayed at ${two.maxPerSecond} in any 1 s this time (their executions did not overlap enough to exceed 10)`);
		}

		const safe = await step(`measure: two workers at ${SAFE_RATE}/s`, () =>
			harness.measure(`2 workers, Max Requests per Second = ${SAFE_RATE}`, ids.safeRate, CALLS),
		);
		measurements.push(safe);
		expectAtMost(safe, 10, 2, `each worker allows ${SAFE_RATE}`);

		await sandbox.admin('rate-limit', { perSecond: SANDBOX_RATE_LIMIT, answer: 'code' });
		const limited = await step('measure: two workers, API refuses > 10/s', () =>
			harness.measure(`2 workers, default rate, API refuses > ${SANDBOX_RATE_LIMIT}/s`, ids.defaultRate, CALLS),
		);
		measurements.push(limited);
		await sandbox.admin('rate-limit', {});

		// One worker: stop worker 2 (its jobs are done), so every execution runs on worker 1.
		await step('stop worker 2', async () => {
			await worker2.stop();
			harness.workers.splice(1);
		});
		const one = await step('measure: one worker', () => harness.measure('1 worker, default rate (10/s)', ids.defaultRate, CALLS));
		measurements.push(one);
		expectAtMost(one, 10, 1, 'its limiter allows 10');

		if (triggerPromise) {
			const result = triggerSettled ? await triggerPromise : await step('trigger: wait for its execution', () => triggerPromise!);
			const after = await api.executions(ids.triggerId!);
			if (after.length !== 1) fail(`the trigger workflow ran ${after.length} times for one new lead (after ${result.polls} polls)`);
			say(
				`trigger: execution ${result.executionId} on ${result.worker}, ${result.secondsAfterAdding} s after the lead was added, ` +
					`carries exactly the new lead; ${result.polls} polls in all (activation included), 1 execution`,
			);
			if (result.sqliteLocked) say(`trigger: n8n marked execution ${result.executionId} as failed: its SQLite database was locked (SQLITE_BUSY)`);
		} else {
			say('trigger check skipped (BESCHANNELS_QUEUE_SKIP_TRIGGER=1)');
		}

		printTables(measurements);
		tablesPrinted = true;
		for (const warning of warnings) say(`WARNING: ${warning}`);
		if (problems.length) fail(problems.join('\n'));
		if (harness.sqliteLocked) {
			say(`${harness.sqliteLocked} execution(s) failed on n8n's locked SQLite database (SQLITE_BUSY) and were run again: n8n does not support SQLite in queue mode`);
		}
		if (harness.webhook404s) say(`webhook answered 404 ${harness.webhook404s} time(s) right after activation (retried)`);
		say(`passed in ${secs(Date.now() - started)} s`);
		return 0;
	} catch (error) {
		const message = error instanceof CheckError ? error.message : (error as Error).stack ?? String(error);
		if (measurements.length && !tablesPrinted) printTables(measurements);
		console.log(`\n[queue] FAILED after ${secs(Date.now() - started)} s: ${message}`);
		for (const { name, background } of processes) {
			if (!name.startsWith('n8n')) continue;
			console.log(`[queue] last lines of ${name}:\n${tail(background.output(), 15)}`);
		}
		if (!keep) console.log('[queue] set BESCHANNELS_E2E_KEEP=1 to keep the process logs and the n8n user folder');
		return 1;
	}
}

main().then(
	(code) => {
		process.exit(code);
	},
	(error: Error) => {
		console.error(`[queue] ERROR: ${error instanceof CheckError ? error.message : error.stack ?? error.message}`);
		process.exit(1);
	},
);
