import { fail, type Json } from '../lib/checks';
import type { N8nRest } from '../lib/n8n';
import { sleep, type Background } from '../lib/proc';
import type { Sandbox } from '../lib/sandbox';
import { say } from './webhooks';
import { GROUP } from './workflows';

/**
 * The Beschannels Trigger in queue mode: it polls in the main process, and one new lead makes one
 * execution on one worker. n8n polls once a minute at most (here at a chosen second).
 */

/** Time allowed for a scheduled poll after the new lead was added, and its execution. */
const TRIGGER_TIMEOUT_MS = 150_000;

export interface TriggerResult {
	executionId: string;
	polls: number;
	secondsAfterAdding: number;
	worker: string;
	sqliteLocked: boolean;
}

export async function triggerCheck(
	api: N8nRest,
	sandbox: Sandbox,
	workflowId: string,
	workers: Array<{ name: string; background: Background }>,
): Promise<TriggerResult> {
	// Activation polls once and records where the group stands; wait for that poll, then add a lead.
	const deadline = Date.now() + 60_000;
	while ((await sandbox.listRequests()).length === 0) {
		if (Date.now() > deadline) fail('the Beschannels Trigger did not poll the sandbox when its workflow was activated');
		await sleep(250);
	}
	await sleep(500);
	const early = await api.executions(workflowId);
	if (early.length) fail(`activating the trigger workflow started ${early.length} execution(s); the first poll must only record the state`);
	const before = new Set(((await sandbox.members(GROUP, true))).map((m) => String(m.identity_id)));
	await sandbox.admin('add-members', { ...GROUP, count: 1 });
	const addedAt = Date.now();
	const added = ((await sandbox.members(GROUP, true))).filter((m) => !before.has(String(m.identity_id)));
	if (added.length !== 1) fail(`adding one member to the trigger sandbox added ${added.length}`);
	const newId = String(added[0].identity_id);
	say(`trigger: activation poll done; added lead ${newId}; waiting for the next scheduled poll`);

	let execution: Json | undefined;
	while (!execution) {
		if (Date.now() - addedAt > TRIGGER_TIMEOUT_MS) {
			fail(`no execution of the trigger workflow within ${TRIGGER_TIMEOUT_MS / 1000} s of adding a lead (polls seen: ${(await sandbox.listRequests()).length})`);
		}
		await sleep(2000);
		const listed = await api.executions(workflowId);
		if (listed.length > 1) fail(`the trigger workflow ran ${listed.length} times for one new lead`);
		const done = listed.find((e) => e.finished === true || ['success', 'error', 'crashed', 'canceled'].includes(String(e.status)));
		if (done) execution = done;
	}
	const secondsAfterAdding = Math.round((Date.now() - addedAt) / 1000);
	const id = String(execution.id);
	if (execution.mode !== 'trigger') fail(`the trigger execution ${id} has mode "${execution.mode}", not "trigger"`);
	const full = await api.execution(id);
	let sqliteLocked = false;
	if (execution.status !== 'success') {
		const message = String(full.data?.resultData?.error?.message ?? '');
		// The trigger did its part (one execution, with the lead) when only saving it met a locked database.
		if (!/SQLITE_BUSY|database is locked/.test(message)) fail(`the trigger execution ${id} ended with status "${execution.status}": ${message}`);
		sqliteLocked = true;
	}
	const runs = full.data?.resultData?.runData?.['Beschannels Trigger'];
	const items = ((runs?.[0]?.data?.main?.[0] ?? []) as Json[]).map((item) => item.json as Json);
	const ids = items.map((item) => String(item.identity_id));
	if (ids.length !== 1 || ids[0] !== newId) {
		fail(`the trigger execution ${id} carries ${JSON.stringify(ids)}; expected exactly the new lead ${newId}`);
	}
	const ranOn = workers.filter((w) => new RegExp(`Worker started execution ${id}\\b`).test(w.background.output())).map((w) => w.name);
	if (ranOn.length !== 1) fail(`the trigger execution ${id} should have run on exactly one worker; worker logs name it on ${ranOn.length}`);
	return { executionId: id, polls: (await sandbox.listRequests()).length, secondsAfterAdding, worker: ranOn[0], sqliteLocked };
}
