import { randomUUID } from 'node:crypto';

import { CREDENTIAL_TYPE, expect, fail, PACKAGE_NAME, type Json } from '../lib/checks';
import type { CredentialRef } from '../lib/n8n';
import { sleep } from '../lib/proc';
import { MODEL_ID } from './fakeModel';

/**
 * The workflow of the agent suite, as a user builds it in the editor: Webhook -> AI Agent, with an
 * OpenAI Chat Model on the agent's model input and the Beschannels Tool (only User ID set: the model
 * fills the rest) on its tool input; and a webhook call that returns what the agent answered.
 */

const USER_ID = 'user0sandbox0000000000000000000001';
export const TOOL_NAME = 'Beschannels';
const TOOL_TYPE = `${PACKAGE_NAME}.beschannelsTool`;
const AGENT = 'AI Agent';
const MODEL = 'OpenAI Chat Model';

/**
 * `toolOnError`: the tool node's Settings > On Error (`continueRegularOutput`: a failure becomes an
 * item the agent passes to the model); n8n's default otherwise.
 */
export function agentWorkflow(name: string, path: string, beschannels: CredentialRef, openAi: CredentialRef, toolOnError?: string): Json {
	const node = (nodeName: string, type: string, typeVersion: number, parameters: Json, position: [number, number], extra: Json = {}) => ({
		id: randomUUID(),
		name: nodeName,
		type,
		typeVersion,
		position,
		parameters,
		...extra,
	});
	return {
		name,
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'firstEntryJson', options: {} }, [0, 0], {
				webhookId: randomUUID(),
			}),
			// Agent 3 is the newest version both n8n 1.123.81 and 2.41.1 have; no streaming: the webhook answers once
			node(AGENT, '@n8n/n8n-nodes-langchain.agent', 3, { promptType: 'define', text: '={{ $json.body.question }}', options: { enableStreaming: false } }, [220, 0]),
			// 1.2: chat completions (1.3 calls the Responses API unless told not to)
			node(MODEL, '@n8n/n8n-nodes-langchain.lmChatOpenAi', 1.2, { model: { __rl: true, mode: 'id', value: MODEL_ID }, options: {} }, [120, 220], {
				credentials: { openAiApi: openAi },
			}),
			node(TOOL_NAME, TOOL_TYPE, 1, { userId: USER_ID }, [340, 220], {
				credentials: { [CREDENTIAL_TYPE]: beschannels },
				...(toolOnError && { onError: toolOnError }),
			}),
		],
		connections: {
			Webhook: { main: [[{ node: AGENT, type: 'main', index: 0 }]] },
			[MODEL]: { ai_languageModel: [[{ node: AGENT, type: 'ai_languageModel', index: 0 }]] },
			[TOOL_NAME]: { ai_tool: [[{ node: AGENT, type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Asks the agent `question` through the workflow's production webhook and returns n8n's answer.
 * Right after activation n8n may answer 404 for a moment: asked again for 30 s.
 */
export async function ask(n8nUrl: string, path: string, question: string): Promise<{ status: number; text: string }> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const response = await fetch(`${n8nUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ question }),
			signal: AbortSignal.timeout(120_000),
		});
		const text = await response.text();
		if (response.status !== 404 || Date.now() > deadline) return { status: response.status, text };
		await sleep(250);
	}
}

/** The agent's answer (its `output`) to `question`, which must have run through. */
export async function agentAnswer(n8nUrl: string, path: string, question: string): Promise<string> {
	const { status, text } = await ask(n8nUrl, path, question);
	if (status !== 200) fail(`POST /webhook/${path} answered HTTP ${status}: ${text.slice(0, 500)}`);
	const body = JSON.parse(text) as Json;
	expect(typeof body.output === 'string', `the agent's answer has no output text: ${text.slice(0, 500)}`);
	return body.output as string;
}
