/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

import {
	ACTION_NODE_TYPE,
	actionNodes,
	CheckError,
	checkGroupItems,
	cliStartable,
	CREDENTIAL_TYPE,
	declaredNodeTypes,
	executionJson,
	fail,
	sandboxAdmin,
	iconFiles,
	nodeItems,
	PACKAGE_NAME,
	TRIGGER_NODE_TYPE,
	type Json,
	type Workflow,
} from './checks';
import {
	cleanUpOnExit,
	freePort,
	killAll,
	ROOT,
	run,
	SANDBOX_CLI,
	secs,
	startBackground,
	tail,
	timeStep,
	type Background,
	type RunResult,
} from './proc';

/**
 * End-to-end test in real n8n: packs the package, installs the tarball into a fresh n8n user
 * folder the way a user does (`npm install <tarball>` in ~/.n8n/nodes), points credentials at
 * the local sandbox, imports and executes every workflow in examples/ with `n8n execute`, and
 * checks the items. Also checks that a wrong token fails with the Beschannels error and without
 * showing the token, and that n8n loads every node the package declares (the polling trigger
 * included: the n8n CLI cannot run polling triggers).
 *
 * Needs the n8n installs of e2e/install-n8n.sh; run it through e2e/run.sh.
 * Environment (set by e2e/run.sh from the install's env.sh):
 *   BESCHANNELS_NODE24_BIN, BESCHANNELS_N8N_V2_BIN/_VERSION, BESCHANNELS_N8N_V1_BIN/_VERSION
 *   BESCHANNELS_E2E_VERSIONS      v2,v1 (default: both)
 *   BESCHANNELS_E2E_SERIAL=1      one n8n version after the other (default: both at once)
 *   BESCHANNELS_E2E_TARBALL       test this tarball instead of packing the working tree
 *   BESCHANNELS_E2E_KEEP=1        keep the temporary folder (logs, user folders) for a look
 *   BESCHANNELS_E2E_TIMEOUT       seconds allowed per n8n command (default 240)
 *   BESCHANNELS_E2E_INSTALL_TIMES install-n8n.sh's times, for the timings table (set by e2e/run.sh)
 */

const SANDBOX_CREDENTIAL = { id: 'beschannelsSandbox1', name: 'Beschannels sandbox' };
const WRONG_CREDENTIAL = { id: 'beschannelsWrongToken1', name: 'Beschannels wrong token' };
const COMMAND_TIMEOUT_MS = Number(process.env.BESCHANNELS_E2E_TIMEOUT ?? 240) * 1000;
/** Attempts of one `n8n execute` when n8n crashes (SIGSEGV) before its result is complete. */
const EXECUTE_ATTEMPTS = 3;

interface Version {
	key: 'v2' | 'v1';
	version: string;
	bin: string;
}

interface Timing {
	step: string;
	ms: number;
}

interface VersionReport {
	version: Version;
	timings: Timing[];
	notes: string[];
	packageMessages: Set<string>;
	error?: string;
}

const keep = process.env.BESCHANNELS_E2E_KEEP === '1';
let tmpRoot = '';

function cleanup(): void {
	killAll();
	if (tmpRoot && !keep) rmSync(tmpRoot, { recursive: true, force: true });
}

cleanUpOnExit('e2e', cleanup);


/** n8n output without the lines of database migrations (a fresh user folder prints hundreds). */
function withoutMigrations(text: string): string {
	return text
		.split('\n')
		.filter((line) => !/^(Starting|Finished) migration |^\[[A-Za-z0-9]+\] /.test(line))
		.join('\n');
}

function readJson(path: string): Json {
	return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

// ---- what to test ---------------------------------------------------------------------------

function versionsToTest(): Version[] {
	const wanted = (process.env.BESCHANNELS_E2E_VERSIONS ?? 'v2,v1').split(/[\s,]+/).filter(Boolean);
	return wanted.map((key) => {
		if (key !== 'v2' && key !== 'v1') throw new Error(`unknown n8n version key "${key}" (use v2, v1)`);
		const upper = key.toUpperCase();
		const bin = process.env[`BESCHANNELS_N8N_${upper}_BIN`];
		const version = process.env[`BESCHANNELS_N8N_${upper}_VERSION`];
		if (!bin || !version || !existsSync(bin)) {
			throw new Error(`no n8n install for ${key}: run e2e/install-n8n.sh and source its env.sh (or use e2e/run.sh)`);
		}
		return { key, version, bin };
	});
}

interface Example {
	file: string;
	workflow: Workflow;
}

function loadExamples(): Example[] {
	const dir = join(ROOT, 'examples');
	const files = readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.sort();
	if (files.length === 0) throw new Error('examples/ has no workflow');
	return files.map((file) => ({ file, workflow: readJson(join(dir, file)) as Workflow }));
}

/** Packs the package (or takes BESCHANNELS_E2E_TARBALL) and checks the tarball has what package.json declares. */
async function packTarball(into: string): Promise<{ tarball: string; ms: number }> {
	const given = process.env.BESCHANNELS_E2E_TARBALL;
	if (given) return { tarball: resolve(given), ms: 0 };
	const packed = await run('npm', ['pack', '--json', '--pack-destination', into], {
		cwd: ROOT,
		timeoutMs: 120_000,
	});
	if (packed.code !== 0) throw new Error(`npm pack failed:\n${tail(packed.stderr)}`);
	const info = (JSON.parse(packed.stdout) as Json[])[0];
	const files = new Set((info.files as Json[]).map((f) => String(f.path)));
	const packageJson = readJson(join(ROOT, 'package.json'));
	const declared: string[] = [...(packageJson.n8n?.nodes ?? []), ...(packageJson.n8n?.credentials ?? [])];
	const missing = declared.filter((file) => !files.has(file));
	if (missing.length) {
		throw new Error(`the tarball lacks files package.json declares in "n8n" (was npm run build done?): ${missing.join(', ')}`);
	}
	return { tarball: join(into, String(info.filename)), ms: packed.ms };
}

// ---- one n8n version ------------------------------------------------------------------------

class VersionRun {
	readonly report: VersionReport;

	private readonly dir: string;

	private readonly userFolder: string;

	private readonly nodesDir: string;

	private readonly logs: string;

	private sandbox?: Background;

	private sandboxUrl = '';

	private readonly token = `sbx_e2e_${randomBytes(16).toString('hex')}`;

	private readonly wrongToken = `sbx_wrong_${randomBytes(16).toString('hex')}`;

	private readonly membersCache = new Map<string, Json[]>();

	constructor(
		readonly version: Version,
		private readonly tarball: string,
		private readonly examples: Example[],
	) {
		this.report = { version, timings: [], notes: [], packageMessages: new Set() };
		this.dir = mkdtempSync(join(tmpRoot, `n8n-${version.version}-`));
		this.userFolder = join(this.dir, 'user');
		this.nodesDir = join(this.userFolder, '.n8n', 'nodes');
		this.logs = join(this.dir, 'logs');
		mkdirSync(this.nodesDir, { recursive: true });
		mkdirSync(this.logs);
	}

	private say(message: string): void {
		const prefix = `[n8n ${this.version.version}]`;
		console.log(message.split('\n').map((line) => `${prefix} ${line}`).join('\n'));
	}

	private note(message: string): void {
		this.report.notes.push(message);
		this.say(`note: ${message}`);
	}

	private async step<T>(name: string, body: () => Promise<T>): Promise<T> {
		return await timeStep(name, body, this.report.timings, (message) => this.say(message));
	}

	/** Environment of every n8n command: this user folder, Node 24 first on PATH, no outside N8N_ settings. */
	private async n8nEnv(): Promise<NodeJS.ProcessEnv> {
		const env: NodeJS.ProcessEnv = {};
		for (const [key, value] of Object.entries(process.env)) {
			if (!key.startsWith('N8N_') && !key.startsWith('DB_')) env[key] = value;
		}
		const node24 = process.env.BESCHANNELS_NODE24_BIN;
		if (!node24) throw new Error('BESCHANNELS_NODE24_BIN is not set (source the env.sh of e2e/install-n8n.sh)');
		return {
			...env,
			PATH: `${node24}${delimiter}${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			// n8n 2.x starts a task broker whatever N8N_RUNNERS_ENABLED says: one port per process.
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		};
	}

	/**
	 * Runs one n8n CLI command. Unless `expectErrors`, remembers every warning or error line of its
	 * output that names the package (n8n's own words about it, shown at the end of the run).
	 */
	private async n8n(args: string[], logName: string, expectErrors = false): Promise<RunResult> {
		const result = await run(this.version.bin, args, {
			cwd: this.dir,
			env: await this.n8nEnv(),
			timeoutMs: COMMAND_TIMEOUT_MS,
			logFile: join(this.logs, `${logName}.log`),
		});
		if (result.timedOut) fail(`n8n ${args[0]} did not finish in ${COMMAND_TIMEOUT_MS / 1000} s:\n${tail(result.stdout + result.stderr)}`);
		for (const line of expectErrors ? [] : `${result.stdout}\n${result.stderr}`.split('\n')) {
			if (/beschannels/i.test(line) && /warn|error|fail|deprecat|unknown|unrecognized|could not|cannot/i.test(line)) {
				if (!line.startsWith(' ') && !line.startsWith('"') && !line.startsWith('{')) {
					this.report.packageMessages.add(`${args[0]}: ${line.trim().slice(0, 300)}`);
				}
			}
		}
		return result;
	}

	private expectSuccess(result: RunResult, what: string): void {
		if (result.code !== 0) {
			fail(`${what} failed (exit ${result.code ?? result.signal}):\n${tail(withoutMigrations(result.stdout + result.stderr))}`);
		}
	}

	async run(): Promise<void> {
		// Time e2e/run.sh measured for e2e/install-n8n.sh, e.g. "2.40.7=cached:3,1.123.81=installed:290".
		for (const entry of (process.env.BESCHANNELS_E2E_INSTALL_TIMES ?? '').split(',')) {
			const [version, how] = entry.split('=');
			if (version !== this.version.version || !how) continue;
			const [kind, seconds] = how.split(':');
			this.report.timings.push({ step: 'n8n install (install-n8n.sh)', ms: Number(seconds) * 1000 });
			this.say(`n8n install: ${kind} in ${seconds} s`);
		}
		try {
			await this.step('install package', () => this.installPackage());
			await this.startSandbox();
			await this.step('import credentials', () => this.importCredentials());
			const imported = await this.step('import workflows', () => this.importWorkflows());
			await this.step('check loaded nodes', () => this.checkLoadedNodes());
			for (const item of imported.runnable) {
				await this.step(`execute ${item.file}`, () => this.executeExample(item));
			}
			await this.step('execute wrong token', () => this.executeWrongToken(imported.wrongTokenId));
			await this.step('stop ends a wait', () => this.checkStopEndsWait());
			this.say('all checks passed');
		} catch (error) {
			const message = error instanceof CheckError ? error.message : (error as Error).stack ?? String(error);
			this.report.error = message;
			this.say(`FAILED: ${message}`);
		} finally {
			await this.sandbox?.stop();
		}
	}

	// ---- steps --------------------------------------------------------------------------------

	private async installPackage(): Promise<void> {
		writeFileSync(
			join(this.nodesDir, 'package.json'),
			`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2)}\n`,
		);
		const result = await run('npm', ['install', this.tarball, '--omit=peer', '--no-audit', '--no-fund'], {
			cwd: this.nodesDir,
			timeoutMs: COMMAND_TIMEOUT_MS,
			logFile: join(this.logs, 'npm-install.log'),
		});
		this.expectSuccess(result, 'npm install of the tarball');
		const installed = join(this.nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
		if (!existsSync(installed)) fail(`npm install did not put ${PACKAGE_NAME} in ${this.nodesDir}/node_modules`);
		const peer = join(this.nodesDir, 'node_modules', 'n8n-workflow');
		if (existsSync(peer)) fail('npm install --omit=peer installed n8n-workflow next to the package');
	}

	private installedPackageJson(): Json {
		return readJson(join(this.nodesDir, 'node_modules', PACKAGE_NAME, 'package.json'));
	}

	private async startSandbox(): Promise<void> {
		const { process: sandbox, match } = await startBackground(
			process.execPath,
			// Port 0: the sandbox takes a free port from the system and prints it.
			[SANDBOX_CLI, '--port', '0', '--token', this.token],
			{ cwd: ROOT, ready: /Beschannels sandbox listening on (http:\/\/\S+)/, timeoutMs: 30_000 },
		);
		this.sandbox = sandbox;
		this.sandboxUrl = match[1];
		this.say(`sandbox on ${this.sandboxUrl}`);
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each admin route answers its own JSON shape
	private async admin(route: string, body: Json = {}): Promise<any> {
		return await sandboxAdmin(this.sandboxUrl, route, body);
	}

	private async members(groupObj: string, groupId: string): Promise<Json[]> {
		const key = `${groupObj}/${groupId}`;
		if (!this.membersCache.has(key)) this.membersCache.set(key, (await this.admin('members', { groupObj, groupId })) as Json[]);
		return this.membersCache.get(key)!;
	}

	private async importCredentials(): Promise<void> {
		const data = (accessToken: string) => ({ baseUrl: this.sandboxUrl, authMode: 'accessToken', accessToken });
		const file = join(this.dir, 'credentials.json');
		writeFileSync(
			file,
			JSON.stringify([
				{ ...SANDBOX_CREDENTIAL, type: CREDENTIAL_TYPE, data: data(this.token) },
				{ ...WRONG_CREDENTIAL, type: CREDENTIAL_TYPE, data: data(this.wrongToken) },
			]),
		);
		try {
			const result = await this.n8n(['import:credentials', `--input=${file}`], 'import-credentials');
			this.expectSuccess(result, 'n8n import:credentials');
			if (!/imported 2 credentials/i.test(result.stdout + result.stderr)) {
				fail(`n8n import:credentials did not report 2 imported credentials:\n${tail(result.stdout + result.stderr, 10)}`);
			}
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** Imports a copy of every example (with the `id` n8n 2.x requires) and a wrong-token copy. */
	private async importWorkflows(): Promise<{ runnable: Array<Example & { id: string }>; wrongTokenId: string }> {
		const dir = join(this.dir, 'workflows');
		mkdirSync(dir);
		const runnable: Array<Example & { id: string }> = [];
		let wrongSource: Example | undefined;
		this.examples.forEach((example, index) => {
			const id = `e2eExample${String(index + 1).padStart(2, '0')}`;
			const workflow: Workflow = { ...example.workflow, id };
			writeFileSync(join(dir, `${id}.json`), JSON.stringify(workflow));
			if (!cliStartable(workflow)) {
				this.note(`${example.file} has no Manual Trigger: imported, not executed (the n8n CLI starts workflows from a Manual Trigger only)`);
				return;
			}
			if (actionNodes(workflow).length === 0) {
				this.note(`${example.file} has no ${ACTION_NODE_TYPE} node: executed without item checks`);
			} else {
				wrongSource ??= example;
			}
			runnable.push({ ...example, workflow, id });
		});
		if (!wrongSource) fail(`no example runs a ${ACTION_NODE_TYPE} node from a Manual Trigger: nothing to test a wrong token with`);
		const wrongTokenId = 'e2eWrongToken01';
		const wrong = JSON.parse(JSON.stringify(wrongSource.workflow)) as Workflow;
		wrong.id = wrongTokenId;
		wrong.name = `${wrong.name} (wrong token)`;
		for (const node of wrong.nodes) {
			if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = { ...WRONG_CREDENTIAL };
		}
		writeFileSync(join(dir, `${wrongTokenId}.json`), JSON.stringify(wrong));

		const count = this.examples.length + 1;
		const result = await this.n8n(['import:workflow', '--separate', `--input=${dir}`], 'import-workflows');
		this.expectSuccess(result, 'n8n import:workflow');
		const reported = /imported (\d+) workflows?/i.exec(result.stdout + result.stderr);
		if (!reported || Number(reported[1]) !== count) {
			fail(`n8n import:workflow should have imported ${count} workflows:\n${tail(result.stdout + result.stderr, 10)}`);
		}
		return { runnable, wrongTokenId };
	}

	/**
	 * `n8n export:nodes` writes every node type n8n loaded, community packages included: every
	 * node file the package declares must be there, with icons n8n can serve. The polling trigger
	 * must be loaded as a polling node.
	 */
	private async checkLoadedNodes(): Promise<void> {
		const output = join(this.dir, 'nodes.json');
		const result = await this.n8n(['export:nodes', `--output=${output}`], 'export-nodes');
		this.expectSuccess(result, 'n8n export:nodes');
		const loaded = readJson(output) as unknown as Json[];
		const ours = loaded.filter((node) => String(node.name).startsWith(`${PACKAGE_NAME}.`));
		const byType = new Map(ours.map((node) => [String(node.name), node]));
		const packageJson = this.installedPackageJson();
		const declared = declaredNodeTypes(packageJson);
		const missing = declared.filter(({ type }) => !byType.has(type));
		if (missing.length) {
			fail(
				`n8n did not load ${missing.map((m) => `${m.type} (${m.file})`).join(', ')}; it loaded ` +
					`${ours.map((n) => n.name).join(', ') || `nothing from ${PACKAGE_NAME}`}. n8n printed:\n` +
					tail(withoutMigrations(result.stdout + result.stderr), 25),
			);
		}
		const packageDir = join(this.nodesDir, 'node_modules', PACKAGE_NAME);
		for (const { type } of declared) {
			const description = byType.get(type)!;
			const icons = iconFiles(description, PACKAGE_NAME);
			if (icons.length === 0 && !description.icon) this.note(`${type} has no icon in n8n`);
			const absent = icons.filter((icon) => !existsSync(join(packageDir, icon)));
			if (absent.length) fail(`${type}: n8n points at icon files the installed package lacks: ${absent.join(', ')}`);
			if (!description.codex) this.note(`${type} has no codex (categories) in n8n: is its .node.json missing?`);
		}
		this.say(`n8n loaded: ${ours.map((n) => n.name).join(', ')}`);

		const trigger = declared.find(({ type }) => type === TRIGGER_NODE_TYPE);
		if (!trigger) {
			this.note(`SKIPPED trigger check: the package declares no ${TRIGGER_NODE_TYPE} node yet`);
			return;
		}
		const description = byType.get(TRIGGER_NODE_TYPE)!;
		if (description.polling !== true) fail(`${TRIGGER_NODE_TYPE} is loaded but not as a polling node (polling: ${description.polling})`);
		const group: unknown[] = description.group ?? [];
		if (!group.includes('trigger')) fail(`${TRIGGER_NODE_TYPE} is loaded but its group ${JSON.stringify(group)} lacks "trigger"`);
		const inputs: unknown[] = Array.isArray(description.inputs) ? description.inputs : [];
		if (inputs.length) fail(`${TRIGGER_NODE_TYPE} has inputs ${JSON.stringify(inputs)}; a trigger has none`);
		const credentialNames = ((description.credentials ?? []) as Json[]).map((c) => c.name);
		if (!credentialNames.includes(CREDENTIAL_TYPE)) {
			fail(`${TRIGGER_NODE_TYPE} does not use the ${CREDENTIAL_TYPE} credential (${credentialNames.join(', ') || 'none'})`);
		}
		this.say(`trigger loaded: ${TRIGGER_NODE_TYPE} (polling, ${description.properties?.length ?? 0} properties)`);
	}

	/**
	 * Runs `n8n execute --id`. n8n sometimes crashes with SIGSEGV (exit 139) while exiting, after
	 * printing its result (isolated-vm). `accept` decides whether a run counts; a crashed run that
	 * does not count is repeated.
	 */
	private async execute(
		id: string,
		logName: string,
		accept: (result: RunResult) => boolean,
		expectErrors = false,
	): Promise<RunResult> {
		let result: RunResult | undefined;
		for (let attempt = 1; attempt <= EXECUTE_ATTEMPTS; attempt++) {
			result = await this.n8n(['execute', `--id=${id}`, '--rawOutput'], `${logName}-${attempt}`, expectErrors);
			const crashed = result.signal === 'SIGSEGV' || result.code === 139;
			if (!crashed) return result;
			if (accept(result)) {
				this.note(`n8n crashed (SIGSEGV) on exit after printing its complete result (${logName}); the result counts`);
				return result;
			}
			this.note(`n8n crashed (SIGSEGV) before a usable result (${logName}, attempt ${attempt}/${EXECUTE_ATTEMPTS})`);
		}
		return result!;
	}

	private async executeExample(example: Example & { id: string }): Promise<void> {
		const nodes = actionNodes(example.workflow);
		const check = async (result: RunResult) => {
			const output = result.stdout + result.stderr;
			if (output.includes(this.token)) fail(`n8n printed the access token while executing ${example.file}`);
			const execution = executionJson(result.stdout);
			if (!execution) fail(`no complete execution JSON in the output of ${example.file}:\n${tail(output)}`);
			const lines: string[] = [];
			for (const node of nodes) {
				const parameters = node.parameters ?? {};
				const groupObj = parameters.groupObj;
				const groupId = parameters.groupId;
				const items = nodeItems(execution, node.name);
				if (typeof groupObj !== 'string' || groupObj.startsWith('=') || typeof groupId !== 'string' || groupId.startsWith('=')) {
					if (items.length === 0) fail(`"${node.name}" output no items`);
					lines.push(`"${node.name}": ${items.length} items (group set by expression: not compared)`);
					continue;
				}
				const rows = await this.members(groupObj, groupId);
				const result = checkGroupItems(node, items, rows);
				result.notes.forEach((n) => this.note(`${example.file} "${node.name}": ${n}`));
				lines.push(
					`"${node.name}": ${items.length} items = sandbox ${groupObj}/${groupId} in API order; ` +
						`${result.scoreFields} score fields checked (${result.numericStrings} from numeric strings, ${result.emptyScores} empty)`,
				);
			}
			return lines;
		};
		const result = await this.execute(example.id, `execute-${example.id}`, (r) => executionJson(r.stdout) !== undefined);
		if (result.code !== 0 && !(result.signal === 'SIGSEGV' || result.code === 139)) {
			const execution = executionJson(result.stdout);
			const message = execution?.data?.resultData?.error?.message;
			fail(`n8n execute of ${example.file} failed (exit ${result.code ?? result.signal})${message ? `: ${message}` : ''}:\n${tail(result.stdout + result.stderr)}`);
		}
		for (const line of await check(result)) this.say(`${example.file}: ${line}`);
	}

	/**
	 * The node waits (rate limiter, backoff, Retry-After) with the `sleep` of the n8n-workflow its
	 * host n8n provides: 2.x's takes a signal, 1.x's does not but 1.x has `sleepWithAbort`. The
	 * installed package's wait, run on this n8n's own n8n-workflow, must end at once on a stop.
	 */
	private async checkStopEndsWait(): Promise<void> {
		const n8nModules = resolve(this.version.bin, '..', '..');
		const wait = join(this.nodesDir, 'node_modules', PACKAGE_NAME, 'dist', 'nodes', 'Beschannels', 'shared', 'wait.js');
		const script = [
			`const { pause } = require(${JSON.stringify(wait)});`,
			`const workflow = require('n8n-workflow');`,
			'const stop = new AbortController();',
			'const started = Date.now();',
			'setTimeout(() => stop.abort(), 200);',
			'pause(20000, stop.signal).then(',
			'  () => console.log(JSON.stringify({ ended: "resolved", ms: Date.now() - started })),',
			'  (error) => console.log(JSON.stringify({ ended: error.constructor.name, ms: Date.now() - started,',
			'    sleepWithAbort: typeof workflow.sleepWithAbort, sleepParameters: workflow.sleep.length })),',
			');',
		].join('\n');
		const env = { ...(await this.n8nEnv()), NODE_PATH: n8nModules };
		const result = await run('node', ['-e', script], { cwd: this.dir, env, timeoutMs: 30_000, logFile: join(this.logs, 'stop-wait.log') });
		this.expectSuccess(result, 'the stop check');
		const outcome = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Json;
		if (outcome.ended !== 'ExecutionStopped' || !(Number(outcome.ms) < 1200)) {
			fail(`a 20 s wait stopped after 200 ms should end at once with ExecutionStopped; it ended ${JSON.stringify(outcome)}`);
		}
		this.say(
			`stop: a 20 s wait stopped after 200 ms ended after ${outcome.ms} ms on this n8n's n8n-workflow ` +
				`(sleepWithAbort: ${outcome.sleepWithAbort}, sleep takes ${outcome.sleepParameters} parameters)`,
		);
	}

	private async executeWrongToken(id: string): Promise<void> {
		const result = await this.execute(id, 'execute-wrong-token', () => false, true);
		const output = result.stdout + result.stderr;
		if (output.includes(this.wrongToken)) fail('n8n showed the wrong access token in the output of the failed execution');
		if (result.code !== 1) {
			fail(`n8n execute with a wrong token should exit 1, it exited ${result.code ?? result.signal}:\n${tail(output)}`);
		}
		if (!output.includes('Beschannels error 2')) fail(`the wrong-token execution does not say "Beschannels error 2":\n${tail(output)}`);
		const execution = executionJson(output);
		const error = execution?.data?.resultData?.error;
		const shown = error ? `${error.message}${error.description ? ` | ${error.description}` : ''}` : output.split('\n').find((l) => l.includes('Beschannels error 2'));
		this.say(`wrong token: exit 1, n8n says: ${shown}`);
	}
}

// ---- main -----------------------------------------------------------------------------------

function printTimings(reports: VersionReport[], packMs: number): void {
	const steps: string[] = [];
	for (const report of reports) for (const { step } of report.timings) if (!steps.includes(step)) steps.push(step);
	const width = Math.max(20, ...steps.map((s) => s.length)) + 2;
	const header = reports.map((r) => `n8n ${r.version.version}`.padStart(14)).join('');
	console.log('\n[e2e] timings in seconds');
	console.log(`${'step'.padEnd(width)}${header}`);
	if (packMs) console.log(`${'npm pack (shared)'.padEnd(width)}${secs(packMs).padStart(14)}`);
	for (const step of steps) {
		const cells = reports.map((r) => {
			const t = r.timings.find((x) => x.step === step);
			return (t ? secs(t.ms) : '-').padStart(14);
		});
		console.log(`${step.padEnd(width)}${cells.join('')}`);
	}
	const totals = reports.map((r) => secs(r.timings.reduce((sum, t) => sum + t.ms, 0)).padStart(14));
	console.log(`${'total'.padEnd(width)}${totals.join('')}`);
}

async function main(): Promise<number> {
	const started = Date.now();
	if (!existsSync(SANDBOX_CLI)) throw new Error(`${SANDBOX_CLI} is missing: run npm run build first`);
	const versions = versionsToTest();
	const examples = loadExamples();
	tmpRoot = mkdtempSync(join(tmpdir(), 'beschannels-e2e-'));
	if (keep) console.log(`[e2e] keeping ${tmpRoot}`);

	const { tarball, ms: packMs } = await packTarball(tmpRoot);
	console.log(`[e2e] package: ${tarball}${packMs ? ` (npm pack ${secs(packMs)} s)` : ''}`);
	console.log(`[e2e] examples: ${examples.map((e) => e.file).join(', ')}`);

	const runs = versions.map((version) => new VersionRun(version, tarball, examples));
	if (process.env.BESCHANNELS_E2E_SERIAL === '1') {
		for (const r of runs) await r.run();
	} else {
		await Promise.all(runs.map((r) => r.run()));
	}

	const reports = runs.map((r) => r.report);
	printTimings(reports, packMs);
	for (const report of reports) {
		const label = `n8n ${report.version.version}`;
		for (const message of report.packageMessages) console.log(`[e2e] ${label} said about the package: ${message}`);
		for (const note of report.notes) console.log(`[e2e] ${label} note: ${note}`);
	}
	const failed = reports.filter((r) => r.error);
	console.log(`[e2e] ${failed.length ? 'FAILED' : 'passed'} in ${secs(Date.now() - started)} s`);
	for (const report of failed) console.log(`[e2e] n8n ${report.version.version}: ${report.error}`);
	if (failed.length && !keep) console.log('[e2e] set BESCHANNELS_E2E_KEEP=1 to keep the n8n logs and user folders');
	return failed.length ? 1 : 0;
}

main().then(
	(code) => {
		process.exitCode = code;
	},
	(error: Error) => {
		console.error(`[e2e] ERROR: ${error instanceof CheckError ? error.message : error.stack ?? error.message}`);
		process.exitCode = 1;
	},
);
