/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions -- development code: runs in Node.js, never inside n8n */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { AccountJob } from './accountProcess';
import { packageRoot } from './engine';

/**
 * Several n8n processes on one account, as queue mode runs them: each in its own Node process with
 * its own engine and limiter (harness/accountProcess.ts), started together against one sandbox.
 */

export interface ProcessResult {
	startedAt: number;
	endedAt: number;
	items?: number;
	polls?: number;
	error?: string;
}

export const TOKEN = 'bench-token';
/** Tokens the sandboxes started here accept (one account: the limit is the sandbox's). */
export const TOKENS = [TOKEN, ...Array.from({ length: 5 }, (_, i) => `${TOKEN}-${i + 1}`)];

/** The sandbox in a process of its own, as a remote server: its URL, and its admin API. */
export interface Sandbox {
	url: string;
	process: ChildProcess;
	admin: (path: string, body?: unknown) => Promise<unknown>;
}

/** Starts the sandbox (dist/sandbox/cli.js) with `members` in its first group, serving at most `cap` rows a page. */
export async function startSandbox(members: number, cap: number, extra: string[] = []): Promise<Sandbox> {
	const child = spawn(process.execPath, [
		join(packageRoot(), 'dist/sandbox/cli.js'),
		...['--port', '0', '--cap', String(cap), '--members', String(members), '--token', TOKENS.join(','), ...extra],
	]);
	const url = await new Promise<string>((resolve, reject) => {
		child.once('exit', () => reject(new Error('sandbox exited')));
		child.stdout!.on('data', (chunk) => {
			const match = /listening on (\S+)/.exec(String(chunk));
			if (match) resolve(match[1]);
		});
	});
	const admin = async (path: string, body?: unknown) =>
		await (await fetch(`${url}/__sandbox${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) })).json();
	return { url, process: child, admin };
}

/** Starts one process; `stop` ends a polling one; `done` resolves with what it printed. */
export function startAccountProcess(job: AccountJob): { done: Promise<ProcessResult>; stop: () => void } {
	const child = spawn(process.execPath, [join(packageRoot(), 'dist/harness/accountProcess.js'), JSON.stringify(job)]);
	let out = '';
	child.stdout!.on('data', (chunk) => (out += String(chunk)));
	child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
	const done = new Promise<ProcessResult>((resolve, reject) => {
		child.once('exit', () => {
			const line = out.trim().split('\n').pop() ?? '';
			try {
				resolve(JSON.parse(line) as ProcessResult);
			} catch {
				reject(new Error(`an account process printed no result: ${out.slice(-500)}`));
			}
		});
	});
	return { done, stop: () => child.stdin!.end('stop\n') };
}

/** A request the API refused as too many (code -1 or HTTP 429, as the sandbox answers). */
export function refusedRequest(entry: { status: number; code?: number }): boolean {
	return entry.status === 429 || entry.code === -1;
}

/** Requests that arrived in [from, to): all, refused, accepted, and the span in seconds. */
export function countArrivals(log: Array<{ at: number; status: number; code?: number }>, from: number, to: number) {
	const inside = log.filter((r) => r.at >= from && r.at < to);
	const refused = inside.filter(refusedRequest).length;
	return { all: inside.length, refused, accepted: inside.length - refused, seconds: (to - from) / 1000 };
}

/** A process's peak memory so far (VmHWM, in kB; Linux), or undefined where /proc does not say. */
export function peakRssKb(pid: number | 'self' = 'self'): number | undefined {
	try {
		const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
		return Number.isFinite(kb) ? kb : undefined;
	} catch {
		return undefined;
	}
}
