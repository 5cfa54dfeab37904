/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';

import { GROUP_USER_LIST_PATH } from '../../sandbox/server';
import { sandboxAdmin, type Json } from './checks';
import { ROOT, SANDBOX_CLI, startBackground, type Background } from './proc';

/** The local Beschannels sandbox in a process of its own, and its admin routes. */
export class Sandbox {
	private readonly membersCache = new Map<string, Json[]>();

	private constructor(
		readonly url: string,
		readonly token: string,
		readonly process: Background,
	) {}

	/**
	 * Starts the sandbox on a free port with a new access token. `nice`: at a higher priority, as
	 * a remote server's clock does not wait for this machine's CPUs (as root; otherwise nice warns
	 * and runs it at the usual priority).
	 */
	static async start(args: string[] = [], nice = false): Promise<Sandbox> {
		const token = `sbx_e2e_${randomBytes(16).toString('hex')}`;
		const command = [process.execPath, SANDBOX_CLI, '--port', '0', '--token', token, ...args];
		const { process: background, match } = await startBackground(nice ? 'nice' : command[0], nice ? ['-n', '-10', ...command] : command.slice(1), {
			cwd: ROOT,
			ready: /Beschannels sandbox listening on (http:\/\/\S+)/,
			timeoutMs: 30_000,
		});
		return new Sandbox(match[1], token, background);
	}

	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each admin route answers its own JSON shape
	async admin(route: string, body: Json = {}): Promise<any> {
		return await sandboxAdmin(this.url, route, body);
	}

	/** The members of a group in API order (read once, unless `fresh`). */
	async members(group: { groupObj: string; groupId: string }, fresh = false): Promise<Json[]> {
		const key = `${group.groupObj}/${group.groupId}`;
		if (fresh || !this.membersCache.has(key)) this.membersCache.set(key, (await this.admin('members', group)) as Json[]);
		return this.membersCache.get(key)!;
	}

	/** The group-user-list requests the sandbox received since its log was last cleared. */
	async listRequests(): Promise<Json[]> {
		return ((await this.admin('log')) as Json[]).filter((entry) => entry.path === GROUP_USER_LIST_PATH);
	}

	/** Credential data pointing at this sandbox. */
	account(extra: Json = {}, accessToken = this.token): Json {
		return { baseUrl: this.url, authMode: 'accessToken', accessToken, ...extra };
	}

	async stop(): Promise<void> {
		await this.process.stop();
	}
}
