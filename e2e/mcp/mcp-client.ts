/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development code: runs in Node.js, never inside n8n */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CREDENTIAL_TYPE, expect, fail, PACKAGE_NAME, type Json } from '../lib/checks';
import type { CredentialRef } from '../lib/n8n';
import { ROOT, sleep } from '../lib/proc';

/**
 * The MCP side of the MCP suite: examples/mcp-server.json as n8n gets it, the official MCP
 * TypeScript SDK client, and the tool's answers as the suite expects them.
 */

const TOOL_TYPE = `${PACKAGE_NAME}.beschannelsTool`;
const MCP_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.mcpTrigger';
const USER_ID = 'user0sandbox0000000000000000000001';
export const TOOL_NAME = 'Beschannels';
const EXAMPLE = join(ROOT, 'examples', 'mcp-server.json');

/** What a tool answer keeps of a member, written out here independently of the node's code. */
const KEPT = new Set(['FullName', 'MobilePhone', 'Email', 'Company', 'CreatedTime', 'identity_id']);

export function same(actual: unknown, expected: unknown, what: string): void {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	expect(a === e, `${what}:\n  got      ${a.slice(0, 600)}\n  expected ${e.slice(0, 600)}`);
}

/** The sandbox row as the tool should answer it: kept fields, scores as numbers, nothing empty. */
export function expectedMember(row: Json): Json {
	const out: Json = {};
	for (const [key, value] of Object.entries(row)) {
		if (value === '' || value === null || value === undefined) continue;
		if (key.startsWith('Score-')) out[`score_${key.slice('Score-'.length)}`] = Number(value);
		else if (KEPT.has(key)) out[key] = value;
	}
	return out;
}

// ---- workflows ------------------------------------------------------------------------------

/**
 * examples/mcp-server.json, "MCP Server Trigger -> Beschannels tool" with only User ID set on the
 * tool, with its own path, webhook and node ids, and the credential given.
 */
export function mcpWorkflow(name: string, path: string, credential: CredentialRef): Json {
	const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Json;
	const nodes = example.nodes as Json[];
	const trigger = nodes.find((node) => node.type === MCP_TRIGGER_TYPE);
	const tool = nodes.find((node) => node.type === TOOL_TYPE);
	expect(trigger && tool, `${EXAMPLE} lacks a ${MCP_TRIGGER_TYPE} or a ${TOOL_TYPE} node`);
	expect(tool.name === TOOL_NAME, `the tool node of ${EXAMPLE} is called "${tool.name}", expected "${TOOL_NAME}"`);
	same(tool.parameters, { userId: USER_ID }, `the tool's parameters in ${EXAMPLE} (the model fills the rest)`);
	same(example.connections, { [TOOL_NAME]: { ai_tool: [[{ node: trigger.name, type: 'ai_tool', index: 0 }]] } }, `the connections of ${EXAMPLE}`);
	for (const node of nodes) node.id = randomUUID();
	trigger.webhookId = randomUUID();
	trigger.parameters = { ...trigger.parameters, path };
	tool.credentials = { [CREDENTIAL_TYPE]: credential };
	return { name, nodes, connections: example.connections, settings: example.settings };
}

// ---- the MCP client -------------------------------------------------------------------------

interface CallResult {
	isError: boolean;
	text: string;
	bytes: number;
	ms: number;
}

interface Answer {
	total?: number;
	start: number;
	returned: number;
	nextStart?: number;
	note: string;
	members: Json[];
}

/** Connects the SDK's client; right after activation n8n may answer 404 for a moment, so it tries for 30 s. */
export async function connect(url: string, transport: () => Transport): Promise<Client> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const client = new Client({ name: 'beschannels-e2e', version: '1.0.0' });
		try {
			await client.connect(transport());
			return client;
		} catch (error) {
			await client.close().catch(() => undefined);
			if (Date.now() > deadline) fail(`the MCP client could not connect to ${url}: ${(error as Error).message}`);
			await sleep(500);
		}
	}
}

export async function call(client: Client, args: Json): Promise<CallResult> {
	const started = Date.now();
	const result = await client.callTool({ name: TOOL_NAME, arguments: args });
	const content = result.content as Array<{ type: string; text?: string }>;
	expect(content.length === 1 && content[0].type === 'text', `the tool answered with content other than one text: ${JSON.stringify(content).slice(0, 300)}`);
	const text = content[0].text ?? '';
	return { isError: result.isError === true, text, bytes: Buffer.byteLength(text), ms: Date.now() - started };
}

export function answerOf(result: CallResult, what: string): Answer {
	expect(!result.isError, `${what}: the tool answered with an error: ${result.text.slice(0, 500)}`);
	const items = JSON.parse(result.text) as Answer[];
	expect(Array.isArray(items) && items.length === 1, `${what}: the answer is not one item: ${result.text.slice(0, 300)}`);
	return items[0];
}

/** An answer with its members cut to `shown`, for the log. */
export function preview(answer: Answer, shown = 2): string {
	const members = answer.members.slice(0, shown);
	const more = answer.members.length - members.length;
	const text = JSON.stringify({ ...answer, members }, null, 1).replace(/\n\s*/g, ' ');
	return more > 0 ? text.replace(/ ?\] }$/, `, ... ${more} more ] }`) : text;
}

