/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

import { fail, PACKAGE_NAME, type Json } from './checks';
import { freePort, ROOT, run, sleep, startBackground, tail, type Background, type RunResult } from './proc';

/**
 * A real n8n for the end-to-end suites: the installs of e2e/install-n8n.sh, the packed package
 * installed the way a user installs a community package, n8n's CLI, `n8n start` with its REST API,
 * queue mode's workers, and Redis.
 */

export interface N8nInstall {
	key: 'v2' | 'v1';
	version: string;
	bin: string;
}

/** The n8n install of e2e/install-n8n.sh for `key`, from the environment its env.sh sets. */
export function n8nInstall(key: 'v2' | 'v1'): N8nInstall {
	const upper = key.toUpperCase();
	const bin = process.env[`BESCHANNELS_N8N_${upper}_BIN`];
	const version = process.env[`BESCHANNELS_N8N_${upper}_VERSION`];
	if (!bin || !version || !existsSync(bin) || !process.env.BESCHANNELS_NODE24_BIN) {
		fail(`no n8n ${key} install: run e2e/install-n8n.sh ${key} and source its env.sh (e2e/run.sh does both)`);
	}
	return { key, version, bin };
}

/** n8n output without the lines of database migrations (a fresh user folder prints hundreds). */
export function withoutMigrations(text: string): string {
	return text
		.split('\n')
		.filter((line) => !/^(Starting|Finished) migration |^\[[A-Za-z0-9]+\] /.test(line))
		.join('\n');
}

/** n8n's output without migrations, stack lines and its failed calls to n8n's own servers (offline). */
export function n8nLog(output: string): string {
	return withoutMigrations(output)
		.split('\n')
		.filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/n8n\.io|Strapi API|A system task run failed/.test(line))
		.join('\n');
}

export function readJson(path: string): Json {
	return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

/**
 * Environment of every n8n process: this user folder, Node 24 first on PATH, none of the outside
 * n8n settings, a task broker port of its own (n8n 2.x starts one whatever N8N_RUNNERS_ENABLED says).
 */
export async function n8nEnv(userFolder: string, extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$)/.test(key)) env[key] = value;
	}
	return {
		...env,
		PATH: `${process.env.BESCHANNELS_NODE24_BIN}${delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		...extra,
	};
}

/**
 * The tarball to test: BESCHANNELS_E2E_TARBALL, or `npm pack` of the working tree into `into`,
 * checked to hold every file package.json declares in its `n8n` section.
 */
export async function packTarball(into: string): Promise<string> {
	const given = process.env.BESCHANNELS_E2E_TARBALL;
	if (given) return resolve(given);
	const packed = await run('npm', ['pack', '--json', '--pack-destination', into], { cwd: ROOT, timeoutMs: 120_000 });
	if (packed.code !== 0) fail(`npm pack failed:\n${tail(packed.stderr)}`);
	const info = (JSON.parse(packed.stdout) as Json[])[0];
	const files = new Set((info.files as Json[]).map((f) => String(f.path)));
	const { n8n } = readJson(join(ROOT, 'package.json'));
	const missing = [...(n8n?.nodes ?? []), ...(n8n?.credentials ?? [])].filter((file: string) => !files.has(file));
	if (missing.length) fail(`the tarball lacks files package.json declares in "n8n" (was npm run build done?): ${missing.join(', ')}`);
	return join(into, String(info.filename));
}

/** Installs the tarball into `<userFolder>/.n8n/nodes` with `npm install <tgz> --omit=peer`; returns that folder. */
export async function installPackage(tarball: string, userFolder: string, logFile?: string): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} })}\n`);
	// npm resolves the peer dependency's tree (n8n-workflow) even with --omit=peer; with
	// --prefer-offline it takes that metadata from npm's cache when it is there.
	const result = await run('npm', ['install', tarball, '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], {
		cwd: nodesDir,
		timeoutMs: 180_000,
		logFile,
	});
	if (result.code !== 0) fail(`npm install of the tarball failed:\n${tail(result.stdout + result.stderr)}`);
	if (!existsSync(join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json'))) {
		fail(`npm install did not put ${PACKAGE_NAME} in ${nodesDir}/node_modules`);
	}
	if (existsSync(join(nodesDir, 'node_modules', 'n8n-workflow'))) fail('npm install --omit=peer installed n8n-workflow next to the package');
	return nodesDir;
}

export function expectSuccess(result: RunResult, what: string): void {
	if (result.code !== 0) {
		fail(`${what} failed (exit ${result.code ?? result.signal}):\n${tail(withoutMigrations(result.stdout + result.stderr))}`);
	}
}

export interface N8nServer {
	url: string;
	process: Background;
}

/**
 * Starts `n8n start` on a free loopback port and waits for /healthz/readiness. `extra` adds
 * settings (queue mode's); `readiness: false` returns once n8n says the editor is accessible.
 */
export async function startN8n(
	install: N8nInstall,
	userFolder: string,
	options: { extra?: Record<string, string>; readiness?: boolean } = {},
): Promise<N8nServer> {
	const port = await freePort();
	const env = await n8nEnv(userFolder, {
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		...options.extra,
	});
	const { process: n8n } = await startBackground(install.bin, ['start'], {
		cwd: userFolder,
		env,
		ready: /Editor is now accessible via/,
		timeoutMs: 240_000,
	});
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	while (options.readiness !== false) {
		const status = await fetch(`${url}/healthz/readiness`).then((response) => response.status, () => 0);
		if (status === 200) break;
		if (Date.now() > deadline) {
			await n8n.stop();
			fail(`n8n said it is accessible but ${url}/healthz/readiness answered ${status || 'nothing'} for 60 s:\n${tail(withoutMigrations(n8n.output()))}`);
		}
		await sleep(250);
	}
	return { url, process: n8n };
}

/** Starts `n8n worker` (queue mode) with `extra` settings, once it says it is ready. */
export async function startWorker(install: N8nInstall, userFolder: string, extra: Record<string, string>, concurrency: number): Promise<Background> {
	const env = await n8nEnv(userFolder, { ...extra, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) });
	const { process: worker } = await startBackground(install.bin, ['worker', `--concurrency=${concurrency}`], {
		cwd: userFolder,
		env,
		ready: /n8n worker is now ready/,
		timeoutMs: 240_000,
	});
	return worker;
}

/** Starts redis-server (REDIS_SERVER, or the one on PATH) on a free loopback port, saving nothing. */
export async function startRedis(dir: string): Promise<{ port: number; process: Background }> {
	const port = await freePort();
	mkdirSync(dir, { recursive: true });
	const { process: redis } = await startBackground(
		process.env.REDIS_SERVER || 'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ ready: /Ready to accept connections/, timeoutMs: 30_000 },
	);
	return { port, process: redis };
}

/** The data of `GET /rest/executions/:id` is in the `flatted` format: strings and objects by index. */
function unflatten(text: string): Json {
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

export interface CredentialRef {
	id: string;
	name: string;
}

/** n8n's REST API as the owner. n8n ties its auth cookie to a `browser-id` header. */
export class N8nRest {
	authCookie = '';

	readonly browserId = randomUUID();

	constructor(readonly url: string) {}

	/** Calls the API and returns the `data` of its answer. A read that meets a locked database is asked again. */
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- n8n's REST answers, read field by field and checked at run time
	async call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<any> {
		for (let attempt = 1; ; attempt++) {
			const response = await fetch(`${this.url}${path}`, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': this.browserId,
					...(this.authCookie ? { cookie: `n8n-auth=${this.authCookie}` } : {}),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.text();
			if (method === 'GET' && response.status >= 500 && attempt < 3) {
				await sleep(500 * attempt);
				continue;
			}
			if (!response.ok) fail(`n8n ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 400)}`);
			for (const cookie of response.headers.getSetCookie()) {
				const match = /^n8n-auth=([^;]+)/.exec(cookie);
				if (match) this.authCookie = match[1];
			}
			return text ? (JSON.parse(text) as Json).data : undefined;
		}
	}

	async setupOwner(): Promise<void> {
		await this.call('POST', '/rest/owner/setup', {
			email: 'owner@example.com',
			firstName: 'Test',
			lastName: 'Owner',
			password: `E2e-${this.browserId.slice(0, 8)}-Pw1`,
		});
		if (!this.authCookie) fail('n8n did not set the n8n-auth cookie on owner setup');
	}

	async createCredential(name: string, type: string, data: Json): Promise<CredentialRef> {
		const created = await this.call('POST', '/rest/credentials', { name, type, data });
		if (!created?.id) fail(`n8n did not return an id for credential "${name}"`);
		return { id: String(created.id), name };
	}

	async createWorkflow(workflow: Json): Promise<string> {
		const created = await this.call('POST', '/rest/workflows', { ...workflow, active: false });
		if (!created?.id) fail(`n8n did not return an id for workflow "${workflow.name}"`);
		return String(created.id);
	}

	/** Creates and activates a workflow; returns its id. */
	async createActiveWorkflow(workflow: Json): Promise<string> {
		const created = await this.call('POST', '/rest/workflows', { ...workflow, active: false });
		if (!created?.id) fail(`n8n did not return an id for workflow "${workflow.name}"`);
		await this.call('POST', `/rest/workflows/${created.id}/activate`, { versionId: created.versionId });
		return String(created.id);
	}

	async executions(workflowId: string): Promise<Json[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		return ((await this.call('GET', `/rest/executions?filter=${filter}&limit=50`))?.results ?? []) as Json[];
	}

	async execution(id: string): Promise<Json> {
		const found = (await this.call('GET', `/rest/executions/${id}`)) as Json;
		if (typeof found?.data === 'string') found.data = unflatten(found.data);
		return found;
	}
}
