/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development code: runs in Node.js, never inside n8n */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The package's folder (this file runs from dist/e2e/lib/), and the sandbox's command line there. */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const SANDBOX_CLI = join(ROOT, 'dist', 'sandbox', 'cli.js');

/**
 * Child processes for the end-to-end run: each in its own process group, so a timeout or a
 * failure ends the whole tree (n8n starts task runners of its own), and all of them are ended
 * when the run exits, however it exits.
 */

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

/** Ends every child process still running (synchronous: safe in an `exit` handler). */
export function killAll(): void {
	for (const child of live) killGroup(child, 'SIGKILL');
	live.clear();
}

interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Appends the command line and its output here. */
	logFile?: string;
}

export interface RunResult {
	command: string;
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
	timedOut: boolean;
}

/** Starts a command in a process group of its own, its output piped, ended by `killAll`. */
function spawnGroup(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcess {
	const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	live.add(child);
	return child;
}

/** Runs a command to its end, collecting its output. Never rejects for a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
	const started = Date.now();
	const line = [command, ...args].join(' ');
	return new Promise((resolve, reject) => {
		const child = spawnGroup(command, args, options);
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, options.timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			live.delete(child);
			reject(new Error(`could not start ${command}: ${error.message}`));
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			live.delete(child);
			// Task runners or other leftovers of the command's process group.
			killGroup(child, 'SIGKILL');
			const result: RunResult = {
				command: line,
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				ms: Date.now() - started,
				timedOut,
			};
			if (options.logFile) {
				appendFileSync(
					options.logFile,
					`$ ${line}\n# exit ${code ?? signal}${timedOut ? ' (timed out)' : ''} after ${result.ms} ms\n` +
						`# --- stdout\n${result.stdout}\n# --- stderr\n${result.stderr}\n`,
				);
			}
			resolve(result);
		});
	});
}

export interface Background {
	child: ChildProcess;
	/** Everything printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/** Starts a long-running command and resolves once its output matches `ready`. */
export function startBackground(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: RegExp; timeoutMs: number },
): Promise<{ process: Background; match: RegExpMatchArray }> {
	return new Promise((resolve, reject) => {
		const child = spawnGroup(command, args, options);
		let text = '';
		let settled = false;
		const handle: Background = {
			child,
			output: () => text,
			stop: () =>
				new Promise<void>((done) => {
					if (child.exitCode !== null || child.signalCode !== null) {
						live.delete(child);
						done();
						return;
					}
					const force = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
					child.once('close', () => {
						clearTimeout(force);
						live.delete(child);
						done();
					});
					killGroup(child, 'SIGTERM');
				}),
		};
		const fail = (message: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			killGroup(child, 'SIGKILL');
			live.delete(child);
			reject(new Error(`${message}\n${text}`));
		};
		const onData = (chunk: Buffer) => {
			text += chunk.toString('utf8');
			const match = options.ready.exec(text);
			if (match && !settled) {
				settled = true;
				clearTimeout(timer);
				resolve({ process: handle, match });
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		const timer = setTimeout(() => fail(`${command} did not get ready in ${options.timeoutMs} ms`), options.timeoutMs);
		child.once('error', (error) => fail(`could not start ${command}: ${error.message}`));
		child.once('close', (code, signal) => {
			live.delete(child);
			fail(`${command} ended early (exit ${code ?? signal})`);
		});
	});
}

const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that is free now and not handed out before in this run. */
export async function freePort(): Promise<number> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await new Promise<number>((resolve, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const found = typeof address === 'object' && address ? address.port : 0;
				server.close(() => resolve(found));
			});
		});
		if (port > 0 && !handedOut.has(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error('no free TCP port found');
}

/** The last `count` lines of a text. */
export function tail(text: string, count = 40): string {
	const lines = text.replace(/\s+$/, '').split('\n');
	return lines.slice(-count).join('\n');
}

/** Runs `cleanup` when this process exits, and turns SIGINT, SIGTERM and SIGHUP into such an exit. */
export function cleanUpOnExit(label: string, cleanup: () => void): void {
	process.on('exit', cleanup);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			console.error(`\n[${label}] ${signal}: stopping`);
			process.exit(130);
		});
	}
}

/** Milliseconds as seconds with one decimal. */
export function secs(ms: number): string {
	return (ms / 1000).toFixed(1);
}

export const sleep = async (ms: number): Promise<void> => await new Promise((done) => setTimeout(done, ms));
