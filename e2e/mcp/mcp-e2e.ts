/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- development code: runs in Node.js, never inside n8n */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CheckError, CREDENTIAL_TYPE, fail, PACKAGE_NAME, sandboxAdmin, type Json } from '../checks';
import { cleanUpOnExit, killAll, ROOT, SANDBOX_CLI, secs, startBackground, tail, timeStep, type Background, type Timing } from '../proc';
import { installPackage, N8nRest, packPackage, startN8n, withoutMigrations, type N8nServer } from '../ui/n8n-server';

/**
 * The Beschannels tool behind n8n's MCP Server Trigger, called by a real MCP client: packs the
 * package and installs the tarball into a fresh n8n user folder (2.x, then 1.x), starts n8n and the local
 * Beschannels sandbox, activates examples/mcp-server.json ("MCP Server Trigger -> Beschannels tool")
 * over REST, once with the sandbox's token and once with a rejected one, and
 * connects the official MCP TypeScript SDK client (`@modelcontextprotocol/sdk`) to them:
 *   1. lists the tools: one, named after the tool node, with the package's description and the
 *      parameters the model fills;
 *   2. calls it with a group and a search: exactly the sandbox's matching members;
 *   3. calls it with defaults and with a start and limit the model asks for: the right slice, sizes;
 *   4. the same over the SSE transport;
 *   5. calls a tool whose credential holds a rejected token: an error the client can read, no token.
 *
 * n8n 2.x tells the node it runs as a tool (`isToolExecution()`); n8n 1.x does not, and the node
 * knows it by its type: both are checked with the same client and the same expectations.
 *
 * Run it through e2e/mcp/run.sh. Environment:
 *   BESCHANNELS_NODE24_BIN, BESCHANNELS_N8N_V2_BIN, BESCHANNELS_N8N_V1_BIN  from e2e/install-n8n.sh's env.sh
 *   BESCHANNELS_MCP_VERSIONS   v2,v1 (default: both)
 *   BESCHANNELS_MCP_KEEP=1     keep the temporary folder (n8n's user folder)
 *   BESCHANNELS_MCP_TIMEOUT    seconds allowed for the whole test (default 300)
 */

const TOOL_TYPE = `${PACKAGE_NAME}.beschannelsTool`;
const MCP_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.mcpTrigger';
const USER_ID = 'user0sandbox0000000000000000000001';
const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const GROUP_SIZE = 250;
const SEARCH = '王';
const TOOL_NAME = 'Beschannels';
const EXAMPLE = join(ROOT, 'examples', 'mcp-server.json');
const TOTAL_TIMEOUT_MS = Number(process.env.BESCHANNELS_MCP_TIMEOUT ?? 300) * 1000;

/** What a tool answer keeps of a member, written out here independently of the node's code. */
const KEPT = new Set(['FullName', 'MobilePhone', 'Email', 'Company', 'CreatedTime', 'identity_id']);

const keep = process.env.BESCHANNELS_MCP_KEEP === '1';
let tmpRoot = '';
const timings: Timing[] = [];
const cleanups: Array<() => Promise<void>> = [];

function say(message: string): void {
	console.log(message.split('\n').map((line) => `[mcp] ${line}`).join('\n'));
}

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
	return await timeStep(name, body, timings, say);
}

function expect(condition: unknown, message: string): asserts condition {
	if (!condition) fail(message);
}

function same(actual: unknown, expected: unknown, what: string): void {
	const a = JSON.stringify(actual);
	const e = JSON.stringify(expected);
	expect(a === e, `${what}:\n  got      ${a.slice(0, 600)}\n  expected ${e.slice(0, 600)}`);
}

/** The sandbox row as the tool should answer it: kept fields, scores as numbers, nothing empty. */
function expectedMember(row: Json): Json {
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
function mcpWorkflow(name: string, path: string, credential: { id: string; name: string }): Json {
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
async function connect(url: string, transport: () => Transport): Promise<Client> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const client = new Client({ name: 'beschannels-e2e', version: '1.0.0' });
		try {
			await client.connect(transport());
			return client;
		} catch (error) {
			await client.close().catch(() => undefined);
			if (Date.now() > deadline) fail(`the MCP client could not connect to ${url}: ${(error as Error).message}`);
			await new Promise((done) => setTimeout(done, 500));
		}
	}
}

async function call(client: Client, args: Json): Promise<CallResult> {
	const started = Date.now();
	const result = await client.callTool({ name: TOOL_NAME, arguments: args });
	const content = result.content as Array<{ type: string; text?: string }>;
	expect(content.length === 1 && content[0].type === 'text', `the tool answered with content other than one text: ${JSON.stringify(content).slice(0, 300)}`);
	const text = content[0].text ?? '';
	return { isError: result.isError === true, text, bytes: Buffer.byteLength(text), ms: Date.now() - started };
}

function answerOf(result: CallResult, what: string): Answer {
	expect(!result.isError, `${what}: the tool answered with an error: ${result.text.slice(0, 500)}`);
	const items = JSON.parse(result.text) as Answer[];
	expect(Array.isArray(items) && items.length === 1, `${what}: the answer is not one item: ${result.text.slice(0, 300)}`);
	return items[0];
}

/** An answer with its members cut to `shown`, for the log. */
function preview(answer: Answer, shown = 2): string {
	const members = answer.members.slice(0, shown);
	const more = answer.members.length - members.length;
	const text = JSON.stringify({ ...answer, members }, null, 1).replace(/\n\s*/g, ' ');
	return more > 0 ? text.replace(/ ?\] }$/, `, ... ${more} more ] }`) : text;
}

// ---- main -----------------------------------------------------------------------------------

async function startSandbox(token: string): Promise<{ process: Background; url: string }> {
	const { process: sandbox, match } = await startBackground(process.execPath, [SANDBOX_CLI, '--port', '0', '--token', token], {
		cwd: ROOT,
		ready: /Beschannels sandbox listening on (http:\/\/\S+)/,
		timeoutMs: 30_000,
	});
	return { process: sandbox, url: match[1] };
}

const VERSIONS: Record<string, { bin?: string; version?: string }> = {
	v2: { bin: process.env.BESCHANNELS_N8N_V2_BIN, version: process.env.BESCHANNELS_N8N_V2_VERSION },
	v1: { bin: process.env.BESCHANNELS_N8N_V1_BIN, version: process.env.BESCHANNELS_N8N_V1_VERSION },
};

async function main(): Promise<void> {
	const started = Date.now();
	for (const file of [SANDBOX_CLI, join(ROOT, 'dist', 'nodes')]) {
		if (!existsSync(file)) fail(`${file} is missing: run npm run build first`);
	}
	const wanted = (process.env.BESCHANNELS_MCP_VERSIONS ?? 'v2,v1').split(/[\s,]+/).filter(Boolean);
	const node24Bin = process.env.BESCHANNELS_NODE24_BIN;
	for (const name of wanted) {
		const bin = VERSIONS[name]?.bin;
		if (!bin || !node24Bin || !existsSync(bin)) {
			fail(`no n8n ${name} install: run e2e/install-n8n.sh ${name} and source its env.sh (e2e/mcp/run.sh does both)`);
		}
	}
	tmpRoot = mkdtempSync(join(tmpdir(), 'beschannels-mcp-'));
	if (keep) say(`keeping ${tmpRoot}`);
	const token = `sbx_mcp_${randomBytes(16).toString('hex')}`;
	const rejectedToken = `sbx_rejected_${randomBytes(16).toString('hex')}`;

	const [tarball, sandbox] = await Promise.all([
		step('npm pack', () => packPackage(ROOT, tmpRoot)),
		step('sandbox start', async () => {
			const started = await startSandbox(token);
			cleanups.push(() => started.process.stop());
			return started;
		}),
	]);
	say(`sandbox on ${sandbox.url}`);

	// one n8n at a time: each is a fresh user folder with the same tarball
	for (const name of wanted) {
		const label = `n8n ${VERSIONS[name].version ?? name}`;
		const userFolder = join(tmpRoot, name, 'user');
		await step(`${label}: install the tarball`, () => installPackage(tarball, userFolder));
		const n8n = await step(`${label}: start (until /healthz/readiness)`, () =>
			startN8n({ bin: VERSIONS[name].bin!, node24Bin: node24Bin!, userFolder, cwd: join(tmpRoot, name) }),
		);
		say(`${label} on ${n8n.url}`);
		try {
			await run(label, n8n, sandbox.url, token, rejectedToken);
		} catch (error) {
			say(`${label} printed (last lines, without stack traces):\n${tail(n8nLog(n8n.process.output()), 25)}`);
			throw error;
		} finally {
			await n8n.process.stop();
		}
	}
	printTimings(Date.now() - started);
}

/** Sets up one n8n (owner, credentials, two activated MCP workflows) and runs the checks against it. */
async function run(label: string, n8n: N8nServer, sandboxUrl: string, token: string, rejectedToken: string): Promise<void> {
	const step = <T>(name: string, body: () => Promise<T>) => timeStep(`${label}: ${name}`, body, timings, say);
	const rest = new N8nRest(n8n.url, randomUUID());
	const path = `beschannels-${randomBytes(4).toString('hex')}`;
	const rejectedPath = `beschannels-rejected-${randomBytes(4).toString('hex')}`;
	const rows = await step('owner, credentials, two MCP workflows activated (REST)', async () => {
		await rest.setupOwner();
		const data = (accessToken: string) => ({ baseUrl: sandboxUrl, authMode: 'accessToken', accessToken });
		const good = await rest.createCredential('Beschannels sandbox', CREDENTIAL_TYPE, data(token));
		const rejected = await rest.createCredential('Beschannels rejected token', CREDENTIAL_TYPE, data(rejectedToken));
		await rest.createActiveWorkflow(mcpWorkflow('Beschannels over MCP', path, good));
		await rest.createActiveWorkflow(mcpWorkflow('Beschannels over MCP, rejected token', rejectedPath, rejected));
		const members = (await sandboxAdmin(sandboxUrl, 'members', GROUP)) as Json[];
		expect(members.length === GROUP_SIZE, `the sandbox group has ${members.length} members, expected ${GROUP_SIZE}`);
		return members;
	});
	const endpoint = new URL(`${n8n.url}/mcp/${path}`);
	const client = await step('connect (Streamable HTTP)', () =>
		connect(endpoint.href, () => new StreamableHTTPClientTransport(endpoint)),
	);
	try {
		await checks({ label, step, n8n, rows, path, rejectedPath, token, rejectedToken }, client);
	} finally {
		await client.close();
	}
}

interface Setup {
	label: string;
	step: <T>(name: string, body: () => Promise<T>) => Promise<T>;
	n8n: N8nServer;
	/** The sandbox group's rows, as the API sends them. */
	rows: Json[];
	/** The MCP paths of the workflow with the sandbox's token and of the one with a rejected token. */
	path: string;
	rejectedPath: string;
	token: string;
	rejectedToken: string;
}

async function checks(setup: Setup, client: Client): Promise<void> {
	const { label, step, n8n, rows, path, rejectedPath, token, rejectedToken } = setup;
	const tell = (message: string) => say(`${label}: ${message}`);
	const endpoint = new URL(`${n8n.url}/mcp/${path}`);
	tell(`connected to ${endpoint.href}: server ${JSON.stringify(client.getServerVersion())}`);

	await step('1. list the tools', async () => {
		const { tools } = await client.listTools();
		expect(tools.length === 1, `the MCP server lists ${tools.length} tools: ${tools.map((tool) => tool.name).join(', ')}`);
		const [tool] = tools;
		expect(tool.name === TOOL_NAME, `the tool is called "${tool.name}", expected "${TOOL_NAME}"`);
		expect(tool.description?.startsWith('Lists the members of a group in Beschannels'), `the tool's description is "${tool.description}"`);
		const properties = tool.inputSchema.properties as Record<string, Json>;
		same(Object.keys(properties), ['groupObject', 'groupId', 'search', 'limit', 'start'], 'the tool\'s input schema properties');
		same(tool.inputSchema.required, ['groupId'], 'the tool\'s required arguments');
		same(properties.limit.default, 20, 'the default of limit');
		tell(`tool "${tool.name}": ${tool.description}`);
		tell(`input schema: ${JSON.stringify(tool.inputSchema)}`);
	});

	const matching = rows.filter((row) => ['FullName', 'MobilePhone', 'Email'].some((key) => String(row[key]).includes(SEARCH)));
	await step('2. call with a group and a search', async () => {
		expect(matching.length > 1 && matching.length < 20, `the search "${SEARCH}" matches ${matching.length} sandbox members; the test needs 2 to 19`);
		const args = { groupId: GROUP.groupId, search: SEARCH };
		const result = await call(client, args);
		const answer = answerOf(result, 'the call with a search');
		same(answer.members, matching.map(expectedMember), `the members for search "${SEARCH}"`);
		same(
			{ total: answer.total, start: answer.start, returned: answer.returned, nextStart: answer.nextStart },
			{ total: matching.length, start: 1, returned: matching.length, nextStart: undefined },
			'the summary of the call with a search',
		);
		tell(`call ${JSON.stringify(args)} -> ${result.bytes} bytes, ${answer.returned} members, ${result.ms} ms`);
		tell(`answer: ${preview(answer)}`);
	});

	await step('3. call with defaults, then with a start and limit asked for', async () => {
		const defaults = await call(client, { groupId: GROUP.groupId });
		const first = answerOf(defaults, 'the default call');
		same(first.members, rows.slice(0, 20).map(expectedMember), 'the members of the default call');
		same([first.total, first.returned, first.nextStart], [GROUP_SIZE, 20, 21], 'total, returned and nextStart of the default call');
		const asked = await call(client, { groupId: GROUP.groupId, start: first.nextStart, limit: 100 });
		const next = answerOf(asked, 'the call with start and limit');
		same(next.members, rows.slice(20, 120).map(expectedMember), 'the members of start 21, limit 100');
		same([next.total, next.start, next.returned, next.nextStart], [GROUP_SIZE, 21, 100, 121], 'the summary of start 21, limit 100');
		const rawGroup = Buffer.byteLength(JSON.stringify(rows));
		tell(`call {"groupId":"1001"} -> ${defaults.bytes} bytes, ${first.returned} members of ${first.total}, ${defaults.ms} ms; note: ${first.note}`);
		tell(`call {"groupId":"1001","start":21,"limit":100} -> ${asked.bytes} bytes, ${next.returned} members, ${asked.ms} ms; note: ${next.note}`);
		tell(`(the whole group as the API sends its rows: ${rawGroup} bytes, ${rows.length} members)`);
	});

	await step('4. the same over SSE', async () => {
		const sse = await connect(endpoint.href, () => new SSEClientTransport(endpoint));
		try {
			const { tools } = await sse.listTools();
			same(tools.map((tool) => tool.name), [TOOL_NAME], 'the tools listed over SSE');
			const answer = answerOf(await call(sse, { groupId: GROUP.groupId, search: SEARCH }), 'the call over SSE');
			same(answer.members, matching.map(expectedMember), 'the members over SSE');
		} finally {
			await sse.close();
		}
	});

	await step('5. a rejected token', async () => {
		const rejectedEndpoint = new URL(`${n8n.url}/mcp/${rejectedPath}`);
		const other = await connect(rejectedEndpoint.href, () => new StreamableHTTPClientTransport(rejectedEndpoint));
		try {
			const result = await call(other, { groupId: GROUP.groupId });
			expect(result.isError, `a call with a rejected token did not come back as an error: ${result.text.slice(0, 300)}`);
			expect(result.text.includes('Beschannels error 2'), `the error does not name Beschannels error 2: ${result.text}`);
			expect(result.text.includes('invalid or expired access token'), `the error does not say the token is invalid: ${result.text}`);
			expect(!result.text.includes(rejectedToken) && !result.text.includes(token), 'the error shows an access token');
			tell(`error as the client sees it (isError: ${result.isError}): ${result.text}`);
		} finally {
			await other.close();
		}
	});
}

/** n8n's output without migrations, stack lines and its failed calls to n8n's own servers (offline). */
function n8nLog(output: string): string {
	return withoutMigrations(output)
		.split('\n')
		.filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/n8n\.io|Strapi API|A system task run failed/.test(line))
		.join('\n');
}

function printTimings(totalMs: number): void {
	const width = Math.max(...timings.map((t) => t.step.length)) + 2;
	console.log('\n[mcp] timings in seconds (pack and sandbox start run alongside)');
	for (const { step: name, ms } of timings) console.log(`${name.padEnd(width)}${secs(ms).padStart(7)}`);
	console.log(`${'total (wall clock)'.padEnd(width)}${secs(totalMs).padStart(7)}`);
}

async function stopAll(): Promise<void> {
	for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
}

function removeTmp(): void {
	killAll();
	if (tmpRoot && !keep) rmSync(tmpRoot, { recursive: true, force: true });
}

cleanUpOnExit('mcp', removeTmp);

const watchdog = setTimeout(() => {
	console.error(`[mcp] FAILED: the MCP test did not finish in ${TOTAL_TIMEOUT_MS / 1000} s (BESCHANNELS_MCP_TIMEOUT)`);
	process.exit(1);
}, TOTAL_TIMEOUT_MS);

main()
	.then(
		() => {
			console.log('[mcp] passed');
			process.exitCode = 0;
		},
		(error: Error) => {
			console.error(`[mcp] FAILED: ${error instanceof CheckError ? error.message : error.stack ?? error.message}`);
			if (!keep) console.error('[mcp] set BESCHANNELS_MCP_KEEP=1 to keep the n8n user folder');
			process.exitCode = 1;
		},
	)
	.finally(async () => {
		await stopAll();
		clearTimeout(watchdog);
	});
