/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { getHeapSpaceStatistics } from 'node:v8';

import { Engine } from './engine';
import { peakRssKb } from './processes';
import { DEFAULT_USER_ID } from '../sandbox/server';

/**
 * One n8n process polling Any New Member (both options on) on a big group, for the bench's scale
 * section: started with one JSON argument (`ScaleJob`), it prints `{ ready, rssMb }` once its engine
 * is loaded, then runs one poll for each line "poll" on stdin and prints what that poll took: seconds,
 * the process's peak memory during it (VmHWM, reset before each poll), the static data's size as n8n
 * writes it, the events, and its memory at the start, after a full collection (what earlier polls
 * left the process holding: freed memory the allocator and V8 keep). With SCALE_SPACES=1 it also
 * prints to stderr the process's memory at the start and the most each V8 heap space and external
 * memory held during the poll, to tell where a peak comes from.
 */

export interface ScaleJob {
	url: string;
	token: string;
	groupObj: string;
	groupId: string;
	includeLeft: boolean;
	includeUpdated: boolean;
}

export interface ScalePoll {
	seconds: number;
	peakRssMb: number;
	/** The process's memory when the poll started, after a full collection. */
	startRssMb: number;
	stateBytes: number;
	saved: boolean;
	joined: number;
	left: number;
	updated: number;
	error?: string;
}

const mb = (kb: number) => kb / 1024;

function rssKb(): number {
	return process.memoryUsage().rss / 1024;
}

/** Starts counting the peak afresh (Linux: writing 5 to clear_refs resets VmHWM to the current RSS). */
function resetPeak(): void {
	(globalThis as { gc?: () => void }).gc?.();
	try {
		writeFileSync('/proc/self/clear_refs', '5');
	} catch {
		// not Linux: the peak counts from the process's start
	}
}

async function main() {
	const job = JSON.parse(process.argv[2]) as ScaleJob;
	const engine = new Engine({ baseUrl: job.url, authMode: 'accessToken', accessToken: job.token });
	// the workflow stays active between polls, as in n8n (SCALE_RESTART=1: loaded afresh from its record for each poll, as after a restart)
	const parameters = { userId: DEFAULT_USER_ID, groupObj: job.groupObj, groupId: job.groupId, watch: 'anyNewMember', includeLeft: job.includeLeft, includeUpdated: job.includeUpdated };
	const poller = engine.createPoller(parameters, {}, undefined, process.env.SCALE_RESTART !== '1');
	(globalThis as { gc?: () => void }).gc?.();
	console.log(JSON.stringify({ ready: true, rssMb: mb(rssKb()) }));
	for await (const line of createInterface({ input: process.stdin })) {
		if (line.trim() !== 'poll') break;
		resetPeak();
		const startRssMb = mb(rssKb());
		if (process.env.SCALE_SPACES) console.error(JSON.stringify({ atStart: process.memoryUsage() }));
		const writes = poller.writes;
		const spaces: Record<string, number> = {};
		const sampler = process.env.SCALE_SPACES
			? setInterval(() => {
					for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = Math.max(spaces[space.space_name] ?? 0, Math.round(space.space_used_size / 2 ** 20));
					spaces.external = Math.max(spaces.external ?? 0, Math.round(process.memoryUsage().external / 2 ** 20));
					spaces.arrayBuffers = Math.max(spaces.arrayBuffers ?? 0, Math.round(process.memoryUsage().arrayBuffers / 2 ** 20));
				}, 50)
			: undefined;
		const started = performance.now();
		let result: Partial<ScalePoll> = {};
		try {
			const emitted = (await poller.poll()) ?? [];
			const items = emitted[0] ?? [];
			const count = (event: string) => items.filter((item) => item.json.event === event).length;
			result = { joined: count('joined'), left: count('left'), updated: count('updated') };
		} catch (error) {
			result = { error: (error as Error).message };
		}
		const seconds = (performance.now() - started) / 1000;
		if (sampler) {
			clearInterval(sampler);
			console.error(JSON.stringify(spaces));
		}
		const poll: ScalePoll = {
			seconds,
			peakRssMb: mb(peakRssKb() ?? 0),
			startRssMb,
			stateBytes: poller.recordBytes,
			saved: poller.writes > writes,
			joined: 0,
			left: 0,
			updated: 0,
			...result,
		};
		console.log(JSON.stringify(poll));
	}
	process.exit(0);
}

if (require.main === module) void main();
