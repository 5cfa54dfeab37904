/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { randomUUID } from 'node:crypto';

import { ACTION_NODE_TYPE, CREDENTIAL_TYPE, TRIGGER_NODE_TYPE, type Json, type WorkflowNode } from '../lib/checks';
import type { CredentialRef } from '../lib/n8n';

/** The workflows of the queue-mode suite, and the numbers it runs with. */

const USER_ID = 'user0sandbox0000000000000000000001';
export const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
/** Members in the listed group, webhook calls fired at once per measurement, sandbox latency. */
export const MEMBERS = Number(process.env.BESCHANNELS_QUEUE_MEMBERS ?? 1000);
export const CALLS = Number(process.env.BESCHANNELS_QUEUE_CALLS ?? 10);
export const LATENCY_MS = Number(process.env.BESCHANNELS_QUEUE_LATENCY ?? 80);
export const PAGE_SIZE = 100;
/** Jobs each worker runs at once. With CALLS = 2 x this, two workers split the calls evenly. */
export const WORKER_CONCURRENCY = Math.max(1, Math.ceil(CALLS / 2));

function credentialRef(credential: CredentialRef): WorkflowNode['credentials'] {
	return { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } };
}

export function listNode(credential: CredentialRef): WorkflowNode & Json {
	return {
		parameters: {
			resource: 'groupUser',
			operation: 'getAll',
			userId: USER_ID,
			...GROUP,
			returnAll: true,
			options: { pageSize: PAGE_SIZE },
		},
		name: 'Beschannels',
		type: ACTION_NODE_TYPE,
		typeVersion: 1,
		position: [220, 0],
		credentials: credentialRef(credential),
	};
}

export function webhookWorkflow(name: string, path: string, credential: CredentialRef): Json {
	return {
		name,
		nodes: [
			{
				parameters: { httpMethod: 'GET', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
			},
			listNode(credential),
		],
		connections: { Webhook: { main: [[{ node: 'Beschannels', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Polls once a minute (n8n's shortest interval), at a chosen second: "Every Minute" picks a random
 * one, which would make the test wait anything up to a minute for the first scheduled poll.
 */
export function triggerWorkflow(credential: CredentialRef, second: number): Json {
	return {
		name: 'Beschannels Trigger (new leads) -> No Operation',
		nodes: [
			{
				parameters: {
					pollTimes: { item: [{ mode: 'custom', cronExpression: `${second} * * * * *` }] },
					watch: 'newLeads',
					userId: USER_ID,
					...GROUP,
					options: {},
				},
				name: 'Beschannels Trigger',
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 0],
				credentials: credentialRef(credential),
			},
			{ parameters: {}, name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0] },
		],
		connections: { 'Beschannels Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}
