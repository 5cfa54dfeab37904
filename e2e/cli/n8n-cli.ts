/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
	ACTION_NODE_TYPE,
	actionNodes,
	cliStartable,
	CREDENTIAL_TYPE,
	declaredNodeTypes,
	fail,
	PACKAGE_NAME,
	type Json,
	type Workflow,
} from '../lib/checks';
import { expectSuccess, installPackage, n8nEnv, n8nInstall, readJson, type N8nInstall } from '../lib/n8n';
import { ROOT, run, tail, type RunResult } from '../lib/proc';
import { Sandbox } from '../lib/sandbox';
import type { SuiteRun } from '../lib/suite';

/**
 * One n8n version driven through its CLI the way a user's installation is: the packed package in
 * `~/.n8n/nodes` of a fresh user folder, credentials pointing at the local sandbox, the examples
 * imported and executed with `n8n execute`.
 */

const SANDBOX_CREDENTIAL = { id: 'beschannelsSandbox1', name: 'Beschannels sandbox' };
const WRONG_CREDENTIAL = { id: 'beschannelsWrongToken1', name: 'Beschannels wrong token' };
export const WRONG_TOKEN_ID = 'e2eWrongToken01';
const COMMAND_TIMEOUT_MS = Number(process.env.BESCHANNELS_E2E_TIMEOUT ?? 240) * 1000;
/** Attempts of one `n8n execute` when n8n crashes (SIGSEGV) before its result is complete. */
const EXECUTE_ATTEMPTS = 3;

export interface Example {
	file: string;
	id: string;
	workflow: Workflow;
}

/** Every workflow in examples/, with the `id` n8n 2.x requires to import it. */
export function loadExamples(): Example[] {
	const dir = join(ROOT, 'examples');
	const files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
	return files.map((file, index) => {
		const id = `e2eExample${String(index + 1).padStart(2, '0')}`;
		return { file, id, workflow: { ...(readJson(join(dir, file)) as Workflow), id } };
	});
}

interface LoadedNodes {
	byType: Map<string, Json>;
	declared: Array<{ file: string; type: string }>;
	output: string;
}

export class N8nCli {
	readonly install: N8nInstall;

	readonly dir: string;

	readonly userFolder: string;

	nodesDir = '';

	sandbox?: Sandbox;

	readonly wrongToken = `sbx_wrong_${randomBytes(16).toString('hex')}`;

	/** n8n's warnings and errors that name the package, and what the checks noticed on the way. */
	readonly packageMessages = new Set<string>();

	readonly notes: string[] = [];

	constructor(
		key: 'v2' | 'v1',
		private readonly suite: SuiteRun,
	) {
		this.install = n8nInstall(key);
		this.dir = mkdtempSync(join(suite.dir, `n8n-${this.install.version}-`));
		this.userFolder = join(this.dir, 'user');
	}

	get logs(): string {
		return this.suite.logs;
	}

	/** Installs the package, starts the sandbox, imports the credentials and the examples (and `extra` workflows). */
	async setUp(tarball: string, examples: Example[], extra: Workflow[] = []): Promise<void> {
		const logName = join(this.logs, `npm-install-${this.install.version}.log`);
		[this.nodesDir, this.sandbox] = await Promise.all([
			installPackage(tarball, this.userFolder, logName),
			this.suite.track(`sandbox-${this.install.version}`, await Sandbox.start()),
		]);
		await this.importCredentials();
		await this.importWorkflows(examples, extra);
	}

	/**
	 * Runs one n8n CLI command. Unless `expectErrors`, remembers every warning or error line of its
	 * output that names the package.
	 */
	async n8n(args: string[], logName: string, expectErrors = false): Promise<RunResult> {
		const result = await run(this.install.bin, args, {
			cwd: this.dir,
			env: await n8nEnv(this.userFolder),
			timeoutMs: COMMAND_TIMEOUT_MS,
			logFile: join(this.logs, `${this.install.version}-${logName}.log`),
		});
		if (result.timedOut) fail(`n8n ${args[0]} did not finish in ${COMMAND_TIMEOUT_MS / 1000} s:\n${tail(result.stdout + result.stderr)}`);
		for (const line of expectErrors ? [] : `${result.stdout}\n${result.stderr}`.split('\n')) {
			if (!/beschannels/i.test(line) || !/warn|error|fail|deprecat|unknown|unrecognized|could not|cannot/i.test(line)) continue;
			if (!/^[ "{]/.test(line)) this.packageMessages.add(`${args[0]}: ${line.trim().slice(0, 300)}`);
		}
		return result;
	}

	private async importCredentials(): Promise<void> {
		const file = join(this.dir, 'credentials.json');
		const sandbox = this.sandbox!;
		writeFileSync(
			file,
			JSON.stringify([
				{ ...SANDBOX_CREDENTIAL, type: CREDENTIAL_TYPE, data: sandbox.account() },
				{ ...WRONG_CREDENTIAL, type: CREDENTIAL_TYPE, data: sandbox.account({}, this.wrongToken) },
			]),
		);
		try {
			const result = await this.n8n(['import:credentials', `--input=${file}`], 'import-credentials');
			expectSuccess(result, 'n8n import:credentials');
			if (!/imported 2 credentials/i.test(result.stdout + result.stderr)) {
				fail(`n8n import:credentials did not report 2 imported credentials:\n${tail(result.stdout + result.stderr, 10)}`);
			}
		} finally {
			rmSync(file, { force: true });
		}
	}

	/** Imports every example, the `extra` workflows and a copy of the first example with a Beschannels node that uses the wrong token. */
	private async importWorkflows(examples: Example[], extra: Workflow[]): Promise<void> {
		const dir = join(this.dir, 'workflows');
		mkdirSync(dir);
		for (const example of examples) writeFileSync(join(dir, `${example.id}.json`), JSON.stringify(example.workflow));
		for (const workflow of extra) writeFileSync(join(dir, `${String(workflow.id)}.json`), JSON.stringify(workflow));
		const source = examples.find((example) => cliStartable(example.workflow) && actionNodes(example.workflow).length > 0);
		if (!source) fail(`no example runs a ${ACTION_NODE_TYPE} node from a Manual Trigger: nothing to test a wrong token with`);
		const wrong = JSON.parse(JSON.stringify(source.workflow)) as Workflow;
		wrong.id = WRONG_TOKEN_ID;
		wrong.name = `${wrong.name} (wrong token)`;
		for (const node of wrong.nodes) {
			if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = { ...WRONG_CREDENTIAL };
		}
		writeFileSync(join(dir, `${WRONG_TOKEN_ID}.json`), JSON.stringify(wrong));
		const result = await this.n8n(['import:workflow', '--separate', `--input=${dir}`], 'import-workflows');
		expectSuccess(result, 'n8n import:workflow');
		const reported = /imported (\d+) workflows?/i.exec(result.stdout + result.stderr);
		const count = examples.length + extra.length + 1;
		if (!reported || Number(reported[1]) !== count) {
			fail(`n8n import:workflow should have imported ${count} workflows:\n${tail(result.stdout + result.stderr, 10)}`);
		}
	}

	private exported?: Promise<LoadedNodes>;

	/** `n8n export:nodes` (run once): the node types n8n loaded from the package, by type, and those package.json declares. */
	async loadedNodes(): Promise<LoadedNodes> {
		this.exported ??= this.exportNodes();
		return await this.exported;
	}

	private async exportNodes(): Promise<LoadedNodes> {
		const file = join(this.dir, 'nodes.json');
		const result = await this.n8n(['export:nodes', `--output=${file}`], 'export-nodes');
		expectSuccess(result, 'n8n export:nodes');
		const ours = (readJson(file) as unknown as Json[]).filter((node) => String(node.name).startsWith(`${PACKAGE_NAME}.`));
		const declared = declaredNodeTypes(readJson(join(this.packageDir, 'package.json')));
		return { byType: new Map(ours.map((node) => [String(node.name), node])), declared, output: result.stdout + result.stderr };
	}

	get packageDir(): string {
		return join(this.nodesDir, 'node_modules', PACKAGE_NAME);
	}

	/**
	 * Runs `n8n execute --id`. n8n sometimes crashes with SIGSEGV (exit 139) while exiting, after
	 * printing its result (isolated-vm). `accept` decides whether a run counts; a crashed run that
	 * does not count is repeated.
	 */
	async execute(id: string, accept: (result: RunResult) => boolean, expectErrors = false): Promise<RunResult> {
		let result: RunResult | undefined;
		for (let attempt = 1; attempt <= EXECUTE_ATTEMPTS; attempt++) {
			result = await this.n8n(['execute', `--id=${id}`, '--rawOutput'], `execute-${id}-${attempt}`, expectErrors);
			if (!crashed(result)) return result;
			if (accept(result)) {
				this.notes.push(`n8n crashed (SIGSEGV) on exit after printing its complete result (${id}); the result counts`);
				return result;
			}
			this.notes.push(`n8n crashed (SIGSEGV) before a usable result (${id}, attempt ${attempt}/${EXECUTE_ATTEMPTS})`);
		}
		return result!;
	}

	/**
	 * Runs a 20 s wait of the installed package on this n8n's own n8n-workflow and stops it after
	 * 200 ms: returns how it ended.
	 */
	async stoppedWait(): Promise<Json> {
		const wait = join(this.packageDir, 'dist', 'nodes', 'Beschannels', 'shared', 'wait.js');
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
		const env = { ...(await n8nEnv(this.userFolder)), NODE_PATH: resolve(this.install.bin, '..', '..') };
		const logFile = join(this.logs, `${this.install.version}-stop-wait.log`);
		const result = await run('node', ['-e', script], { cwd: this.dir, env, timeoutMs: 30_000, logFile });
		expectSuccess(result, 'the stop check');
		return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Json;
	}

	/**
	 * The installed package's package.json through this n8n's own node API version check
	 * (`checkNodesApiVersion` in its n8n-workflow, which n8n 2.41 and later run when they install or
	 * update a community package themselves); `supported: null` when this n8n has no such check.
	 */
	async nodesApiVersionCheck(): Promise<Json> {
		const script = [
			`const manifest = require(${JSON.stringify(join(this.packageDir, 'package.json'))});`,
			`const workflow = require('n8n-workflow');`,
			'console.log(JSON.stringify(typeof workflow.checkNodesApiVersion === "function"',
			'  ? { supported: workflow.N8N_NODES_API_VERSION, check: workflow.checkNodesApiVersion(manifest) }',
			'  : { supported: null }));',
		].join('\n');
		const env = { ...(await n8nEnv(this.userFolder)), NODE_PATH: resolve(this.install.bin, '..', '..') };
		const logFile = join(this.logs, `${this.install.version}-nodes-api-version.log`);
		const result = await run('node', ['-e', script], { cwd: this.dir, env, timeoutMs: 30_000, logFile });
		expectSuccess(result, 'the node API version check');
		return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Json;
	}
}

export function crashed(result: RunResult): boolean {
	return result.signal === 'SIGSEGV' || result.code === 139;
}
