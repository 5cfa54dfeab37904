/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { cleanUpOnExit, killAll, type Background } from './proc';

/**
 * What every end-to-end suite needs around its checks: a temporary folder (kept with
 * BESCHANNELS_E2E_KEEP=1), the logs of the processes it starts, and their end however the run ends.
 */
export class SuiteRun {
	readonly dir: string;

	readonly logs: string;

	private readonly started: Array<{ name: string; process: Background }> = [];

	private readonly closers: Array<() => Promise<void>> = [];

	constructor(label: string) {
		this.dir = mkdtempSync(join(tmpdir(), `beschannels-${label}-`));
		this.logs = join(this.dir, 'logs');
		mkdirSync(this.logs);
		const keep = process.env.BESCHANNELS_E2E_KEEP === '1';
		cleanUpOnExit(label, () => {
			this.saveLogs();
			killAll();
			if (!keep) rmSync(this.dir, { recursive: true, force: true });
		});
	}

	/** Remembers a started process: its output is saved in logs/<name>.log, and it is stopped by `stop()`. */
	track<T extends { process: Background }>(name: string, started: T): T {
		this.started.push({ name, process: started.process });
		return started;
	}

	/** Something else to end in `stop()` (a browser), ended first. */
	onStop(close: () => Promise<void>): void {
		this.closers.unshift(close);
	}

	output(name: string): string {
		return this.started.find((p) => p.name === name)?.process.output() ?? '';
	}

	saveLogs(): void {
		for (const { name, process: background } of this.started) {
			try {
				writeFileSync(join(this.logs, `${name}.log`), background.output());
			} catch {
				// the folder may be gone already
			}
		}
	}

	/** Ends the browser, then every process started (for a suite's `after`: none of them is checked any more). */
	async stop(): Promise<void> {
		this.saveLogs();
		for (const close of this.closers.splice(0)) await close().catch(() => undefined);
		killAll();
	}
}
