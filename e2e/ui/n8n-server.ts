/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

import { fail, PACKAGE_NAME, type Json } from '../checks';
import { freePort, run, startBackground, tail, type Background } from '../proc';

/**
 * A real n8n for the UI test: the packed package installed in a fresh user folder the way a
 * user installs a community package, n8n started on a free loopback port, and the few REST
 * calls that prepare what the browser then works with (owner, credentials, workflow).
 */

/** n8n output without the lines of database migrations (a fresh user folder prints hundreds). */
export function withoutMigrations(text: string): string {
	return text
		.split('\n')
		.filter((line) => !/^(Starting|Finished) migration |^\[[A-Za-z0-9]+\] /.test(line))
		.join('\n');
}

/** `npm pack` of the working tree into `into`; returns the tarball's path. */
export async function packPackage(root: string, into: string): Promise<string> {
	const packed = await run('npm', ['pack', '--json', '--pack-destination', into], { cwd: root, timeoutMs: 120_000 });
	if (packed.code !== 0) fail(`npm pack failed:\n${tail(packed.stderr)}`);
	const info = (JSON.parse(packed.stdout) as Json[])[0];
	return join(into, String(info.filename));
}

/** Installs the tarball into `<userFolder>/.n8n/nodes` with `npm install <tgz> --omit=peer`. */
export async function installPackage(tarball: string, userFolder: string): Promise<void> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(join(nodesDir, 'package.json'), `${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} })}\n`);
	// npm resolves the peer dependency's tree (n8n-workflow) even with --omit=peer; with
	// --prefer-offline it takes that metadata from npm's cache when it is there.
	const result = await run('npm', ['install', tarball, '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], {
		cwd: nodesDir,
		timeoutMs: 180_000,
	});
	if (result.code !== 0) fail(`npm install of the tarball failed:\n${tail(result.stdout + result.stderr)}`);
	if (!existsSync(join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json'))) {
		fail(`npm install did not put ${PACKAGE_NAME} in ${nodesDir}/node_modules`);
	}
}

export interface N8nServer {
	url: string;
	process: Background;
}

/** Starts `n8n start` on a free loopback port and waits for /healthz/readiness. */
export async function startN8n(options: { bin: string; node24Bin: string; userFolder: string; cwd: string }): Promise<N8nServer> {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!key.startsWith('N8N_') && !key.startsWith('DB_')) env[key] = value;
	}
	const port = await freePort();
	Object.assign(env, {
		PATH: `${options.node24Bin}${delimiter}${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		// n8n 2.x starts a task broker whatever N8N_RUNNERS_ENABLED says: one port per process.
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	});
	const { process: n8n } = await startBackground(options.bin, ['start'], {
		cwd: options.cwd,
		env,
		ready: /Editor is now accessible via/,
		timeoutMs: 180_000,
	});
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		const status = await fetch(`${url}/healthz/readiness`).then(
			(response) => response.status,
			() => 0,
		);
		if (status === 200) break;
		if (Date.now() > deadline) {
			await n8n.stop();
			fail(`n8n said it is accessible but ${url}/healthz/readiness answered ${status || 'nothing'} for 60 s:\n${tail(withoutMigrations(n8n.output()))}`);
		}
		await new Promise((done) => setTimeout(done, 250));
	}
	return { url, process: n8n };
}

/** n8n's REST API as the owner. n8n ties its auth cookie to a `browser-id` header. */
export class N8nRest {
	authCookie = '';

	constructor(
		readonly url: string,
		readonly browserId: string,
	) {}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- n8n's REST answers, read field by field and checked at run time
	async call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<any> {
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
		if (!response.ok) fail(`n8n ${method} ${path} answered HTTP ${response.status}: ${text.slice(0, 400)}`);
		for (const cookie of response.headers.getSetCookie()) {
			const match = /^n8n-auth=([^;]+)/.exec(cookie);
			if (match) this.authCookie = match[1];
		}
		return (JSON.parse(text) as Json).data;
	}

	async setupOwner(): Promise<void> {
		await this.call('POST', '/rest/owner/setup', {
			email: 'owner@example.com',
			firstName: 'Test',
			lastName: 'Owner',
			password: `Ui-test-${this.browserId.slice(0, 8)}-Pw1`,
		});
		if (!this.authCookie) fail('n8n did not set the n8n-auth cookie on owner setup');
	}

	async createCredential(name: string, type: string, data: Json): Promise<{ id: string; name: string }> {
		const created = await this.call('POST', '/rest/credentials', { name, type, data });
		return { id: String(created.id), name };
	}

	async createWorkflow(workflow: Json): Promise<string> {
		const created = await this.call('POST', '/rest/workflows', workflow);
		return String(created.id);
	}

	/** Saves a workflow and activates it (2.40.7: `POST /rest/workflows/<id>/activate` with its versionId). */
	async createActiveWorkflow(workflow: Json): Promise<string> {
		const created = await this.call('POST', '/rest/workflows', { ...workflow, active: false });
		if (!created?.id || !created.versionId) fail(`n8n returned no id and versionId for workflow "${workflow.name}"`);
		await this.call('POST', `/rest/workflows/${created.id}/activate`, { versionId: created.versionId });
		return String(created.id);
	}
}
