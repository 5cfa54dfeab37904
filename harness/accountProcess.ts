/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { Engine } from './engine';
import { listParams } from './params';
import { DEFAULT_USER_ID } from '../sandbox/server';

/**
 * One n8n process on an account other processes use too (see `startAccountProcess`): its own
 * engine, so its own limiter. Started with one JSON argument (`AccountJob`).
 * It waits until `startAt` (epoch ms) so the processes begin together, then either reads the group
 * in full (Return All, Page Size 100) and checks it got exactly `members` distinct members, or runs
 * the trigger's poll (Any New Member) every `everyMs` until the parent sends "stop" on stdin. Prints
 * one JSON line: `{ startedAt, endedAt, items?, polls?, error? }`.
 */

export interface AccountJob {
	url: string;
	token: string;
	startAt: number;
	read?: { groupObj: string; groupId: string; members: number };
	poll?: { groupObj: string; groupId: string; everyMs: number };
}

type Job = AccountJob;

async function read(engine: Engine, job: NonNullable<Job['read']>): Promise<{ items: number }> {
	const run = await engine.runNode({
		parameters: listParams({ groupObj: job.groupObj, groupId: job.groupId, options: { pageSize: 100 } }),
	});
	if (run.error) throw run.error;
	const distinct = new Set(run.items.map((item) => String(item.json.identity_id))).size;
	if (run.items.length !== job.members || distinct !== job.members) {
		throw new Error(`expected ${job.members} distinct members, got ${run.items.length} (${distinct} distinct)`);
	}
	return { items: run.items.length };
}

async function poll(engine: Engine, job: NonNullable<Job['poll']>): Promise<{ polls: number }> {
	const poller = engine.createPoller({ userId: DEFAULT_USER_ID, groupObj: job.groupObj, groupId: job.groupId, watch: 'anyNewMember', options: { pageSize: 100 } });
	let stopped = false;
	process.stdin.on('data', () => (stopped = true));
	let polls = 0;
	while (!stopped) {
		const started = Date.now();
		await poller.poll();
		polls++;
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.everyMs - (Date.now() - started))));
	}
	return { polls };
}

async function main() {
	const job = JSON.parse(process.argv[2]) as Job;
	const engine = new Engine({ baseUrl: job.url, authMode: 'accessToken', accessToken: job.token });
	await new Promise((resolve) => setTimeout(resolve, Math.max(0, job.startAt - Date.now())));
	const startedAt = Date.now();
	try {
		const done = job.read ? await read(engine, job.read) : await poll(engine, job.poll!);
		console.log(JSON.stringify({ startedAt, endedAt: Date.now(), ...done }));
	} catch (error) {
		console.log(JSON.stringify({ startedAt, endedAt: Date.now(), error: (error as Error).message }));
	}
	process.exit(0);
}

if (require.main === module) void main();
