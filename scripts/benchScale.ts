/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, no-console -- development code: runs in Node.js, never inside n8n */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { packageRoot } from '../harness/engine';
import { peakRssKb, startSandbox, TOKEN } from '../harness/processes';
import type { ScaleJob, ScalePoll } from '../harness/scalePoll';
import { GROUP_USER_LIST_PATH, maxInWindow } from '../sandbox/server';
import { fewestPages } from '../test/reader/serverModel';

/**
 * The scale section of `npm run bench`: Any New Member with "members who left" and "members whose
 * fields changed" on, in an n8n process of its own (harness/scalePoll.ts), against the sandbox in
 * another, serving 1,000 rows a page. For each group size: a first poll (records the group), a poll
 * after 3 members joined, 3 left and 3 changed a field during it (reports them), and a poll with no
 * change (saves nothing). Each prints its requests against P + 1 (P: the fewest pages that each
 * overlap the page before by a row), its time against the floor (P + 1 requests at 10 a second), the
 * process's peak memory, and the static data as n8n writes it. The sandbox keeps each member as
 * two numbers and builds the rows of the page asked only.
 */

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '10000,300000,1000000').split(',').map(Number);
const CAP = 1000;
const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };

/** P + 1: the fewest pages that read `members` at `cap` rows, each overlapping the one before by a row, and one request more. */
function floorRequests(members: number, cap: number): number {
	return fewestPages(members, cap) + 1;
}

function startPoller(job: ScaleJob) {
	const child = spawn(process.execPath, ['--expose-gc', join(packageRoot(), 'dist/harness/scalePoll.js'), JSON.stringify(job)]);
	child.stderr!.on('data', (chunk) => process.stderr.write(chunk));
	const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
	const next = async <T>() => {
		const line = await lines.next();
		if (line.done) throw new Error('the polling process ended');
		return JSON.parse(line.value as string) as T;
	};
	return {
		ready: () => next<{ rssMb: number }>(),
		poll: async () => {
			child.stdin!.write('poll\n');
			return await next<ScalePoll>();
		},
		stop: () => child.kill(),
	};
}

/** A process's peak memory, as the table gives it. */
function peakMb(pid: number | undefined): string {
	const kb = pid === undefined ? undefined : peakRssKb(pid);
	return kb === undefined ? '-' : `${(kb / 1024).toFixed(0)} MB`;
}

export async function scaleBench(): Promise<string[]> {
	const rows = [
		'| Members | Poll | Requests (P + 1) | Time (floor) | Peak memory of the n8n process (idle / at its start) | State as saved | Bytes a member | Events |',
		'|---|---|---|---|---|---|---|---|',
	];
	for (const members of SIZES) {
		const sandbox = await startSandbox(members, CAP);
		const poller = startPoller({ url: sandbox.url, token: TOKEN, ...GROUP, includeLeft: true, includeUpdated: true });
		try {
			const idle = await poller.ready();
			const floor = floorRequests(members, CAP);
			for (const poll of ['first', 'changes', 'still'] as const) {
				await sandbox.admin('/clear-log');
				if (poll === 'changes') {
					await sandbox.admin('/schedule', {
						...GROUP,
						changes: [
							{ atRequest: 2, leave: { at: Math.floor(members / 2), count: 3 }, join: { at: 'top', count: 3 } },
							{ atRequest: 2, update: [10, Math.floor(members / 3), members - 10].map((at) => ({ at, set: { Company: 'Changed Co.' } })) },
						],
					});
				}
				const result = await poller.poll();
				const log = ((await sandbox.admin('/log')) as Array<{ at: number; path: string }>).filter((r) => r.path === GROUP_USER_LIST_PATH);
				const events = result.error ? `**failed**: ${result.error}` : `${result.joined} joined, ${result.left} left, ${result.updated} updated${result.saved ? '' : ', nothing saved'}`;
				rows.push(
					`| ${members.toLocaleString('en')} | ${poll} | ${log.length} (${floor}), most in 1 s: ${maxInWindow(log.map((r) => r.at))} | ` +
						`${result.seconds.toFixed(1)} s (${(floor / 10).toFixed(1)} s, ${(result.seconds / (floor / 10)).toFixed(2)} x) | ` +
						`${result.peakRssMb.toFixed(0)} MB (${idle.rssMb.toFixed(0)} / ${result.startRssMb.toFixed(0)} MB) | ${(result.stateBytes / 2 ** 20).toFixed(2)} MB | ` +
						`${(result.stateBytes / members).toFixed(1)} | ${events} |`,
				);
				console.log(rows[rows.length - 1]);
			}
			rows.push(`| ${members.toLocaleString('en')} | the sandbox's own process, peak | | | ${peakMb(sandbox.process.pid)} | | | |`);
			console.log(rows[rows.length - 1]);
		} finally {
			poller.stop();
			sandbox.process.kill();
		}
	}
	return rows;
}
