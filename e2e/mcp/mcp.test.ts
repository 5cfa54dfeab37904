/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CREDENTIAL_TYPE, expect, type Json } from '../lib/checks';
import { installPackage, N8nRest, n8nInstall, n8nLog, packTarball, startN8n, type N8nServer } from '../lib/n8n';
import { tail } from '../lib/proc';
import { Sandbox } from '../lib/sandbox';
import { SuiteRun } from '../lib/suite';
import { answerOf, call, connect, expectedMember, mcpWorkflow, preview, same, TOOL_NAME } from './mcp-client';

/**
 * The Beschannels tool behind n8n's MCP Server Trigger, called by the official MCP TypeScript SDK
 * client (`@modelcontextprotocol/sdk`): the packed package installed in a fresh n8n user folder
 * (2.x, then 1.x: one n8n at a time), the local sandbox as Beschannels, examples/mcp-server.json
 * activated over REST once with the sandbox's token and once with a rejected one. n8n 2.x tells
 * the node it runs as a tool (`isToolExecution()`); n8n 1.x does not, and the node knows it by its
 * type: both get the same client and the same expectations. BESCHANNELS_E2E_VERSIONS=v2 (or v1)
 * tests one version.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const GROUP_SIZE = 250;
const SEARCH = '王';
const versions = (process.env.BESCHANNELS_E2E_VERSIONS ?? 'v2,v1').split(/[\s,]+/).filter(Boolean) as Array<'v2' | 'v1'>;
const suite = new SuiteRun('mcp');
const rejectedToken = `sbx_rejected_${randomBytes(16).toString('hex')}`;
let tarball = '';
let sandbox: Sandbox;
/** The sandbox group's rows as the API sends them, and those the search matches. */
let rows: Json[] = [];
let matching: Json[] = [];

/** n8n of `key` with the package, the owner, the credentials and the two MCP workflows activated over REST. */
async function startMcpServer(key: 'v2' | 'v1'): Promise<{ n8n: N8nServer; endpoint: URL; rejectedEndpoint: URL }> {
	const userFolder = join(suite.dir, key, 'user');
	await installPackage(tarball, userFolder);
	const n8n = suite.track(`n8n-${key}`, await startN8n(n8nInstall(key), userFolder));
	const rest = new N8nRest(n8n.url);
	await rest.setupOwner();
	const good = await rest.createCredential('Beschannels sandbox', CREDENTIAL_TYPE, sandbox.account());
	const rejected = await rest.createCredential('Beschannels rejected token', CREDENTIAL_TYPE, sandbox.account({}, rejectedToken));
	const path = `beschannels-${randomBytes(4).toString('hex')}`;
	const rejectedPath = `beschannels-rejected-${randomBytes(4).toString('hex')}`;
	await rest.createActiveWorkflow(mcpWorkflow('Beschannels over MCP', path, good));
	await rest.createActiveWorkflow(mcpWorkflow('Beschannels over MCP, rejected token', rejectedPath, rejected));
	return { n8n, endpoint: new URL(`${n8n.url}/mcp/${path}`), rejectedEndpoint: new URL(`${n8n.url}/mcp/${rejectedPath}`) };
}

/** One tool, named after the tool node, with the package's description and the parameters the model fills. */
async function checkToolList(client: Client, say: (message: string) => void): Promise<void> {
	const { tools } = await client.listTools();
	expect(tools.length === 1, `the MCP server lists ${tools.length} tools: ${tools.map((tool) => tool.name).join(', ')}`);
	const [tool] = tools;
	expect(tool.name === TOOL_NAME, `the tool is called "${tool.name}", expected "${TOOL_NAME}"`);
	expect(tool.description?.startsWith('Lists the members of a group in Beschannels'), `the tool's description is "${tool.description}"`);
	const properties = tool.inputSchema.properties as Record<string, Json>;
	same(Object.keys(properties), ['groupObject', 'groupId', 'search', 'limit', 'start'], "the tool's input schema properties");
	same(tool.inputSchema.required, ['groupId'], "the tool's required arguments");
	same(properties.limit.default, 20, 'the default of limit');
	say(`tool "${tool.name}": ${tool.description}\ninput schema: ${JSON.stringify(tool.inputSchema)}`);
}

/** A group and a search: exactly the sandbox's matching members. */
async function checkSearch(client: Client, say: (message: string) => void): Promise<void> {
	const args = { groupId: GROUP.groupId, search: SEARCH };
	const result = await call(client, args);
	const answer = answerOf(result, 'the call with a search');
	same(answer.members, matching.map(expectedMember), `the members for search "${SEARCH}"`);
	same(
		{ total: answer.total, start: answer.start, returned: answer.returned, nextStart: answer.nextStart },
		{ total: matching.length, start: 1, returned: matching.length, nextStart: undefined },
		'the summary of the call with a search',
	);
	say(`call ${JSON.stringify(args)} -> ${result.bytes} bytes, ${answer.returned} members, ${result.ms} ms\nanswer: ${preview(answer)}`);
}

/** Defaults, then the start and limit the model asks for: the right slices and sizes. */
async function checkSlices(client: Client, say: (message: string) => void): Promise<void> {
	const defaults = await call(client, { groupId: GROUP.groupId });
	const first = answerOf(defaults, 'the default call');
	same(first.members, rows.slice(0, 20).map(expectedMember), 'the members of the default call');
	same([first.total, first.returned, first.nextStart], [GROUP_SIZE, 20, 21], 'total, returned and nextStart of the default call');
	const asked = await call(client, { groupId: GROUP.groupId, start: first.nextStart, limit: 100 });
	const next = answerOf(asked, 'the call with start and limit');
	same(next.members, rows.slice(20, 120).map(expectedMember), 'the members of start 21, limit 100');
	same([next.total, next.start, next.returned, next.nextStart], [GROUP_SIZE, 21, 100, 121], 'the summary of start 21, limit 100');
	say(`call {"groupId":"1001"} -> ${defaults.bytes} bytes, ${first.returned} members of ${first.total}, ${defaults.ms} ms; note: ${first.note}`);
	say(`call {"groupId":"1001","start":21,"limit":100} -> ${asked.bytes} bytes, ${next.returned} members, ${asked.ms} ms; note: ${next.note}`);
	say(`(the whole group as the API sends its rows: ${Buffer.byteLength(JSON.stringify(rows))} bytes, ${rows.length} members)`);
}

function versionSuite(key: 'v2' | 'v1'): void {
	let server: Awaited<ReturnType<typeof startMcpServer>>;
	let client: Client;
	let failed = false;
	const say = (message: string) => console.log(`[mcp ${key}] ${message}`);
	/** A check whose failure also shows n8n's last lines. */
	const check = (body: () => Promise<void>) => async () =>
		await body().catch((error) => {
			failed = true;
			throw error;
		});

	before(check(async () => {
		server = await startMcpServer(key);
		client = await connect(server.endpoint.href, () => new StreamableHTTPClientTransport(server.endpoint));
		say(`connected to ${server.endpoint.href}: server ${JSON.stringify(client.getServerVersion())}`);
	}));

	after(async () => {
		await client?.close();
		if (failed && server) say(`n8n printed (last lines, without stack traces):\n${tail(n8nLog(server.n8n.process.output()), 25)}`);
		await server?.n8n.process.stop();
	});

	it('lists one tool, named after the tool node, with the package\'s description and the parameters the model fills', check(async () => await checkToolList(client, say)));

	it("a call with a group and a search answers exactly the sandbox's matching members", check(async () => await checkSearch(client, say)));

	it('a call with defaults, then with the start and limit the model asks for, answers the right slice', check(async () => await checkSlices(client, say)));

	it('the same tool and answer over the SSE transport', check(async () => {
		const sse = await connect(server.endpoint.href, () => new SSEClientTransport(server.endpoint));
		try {
			const { tools } = await sse.listTools();
			same(tools.map((tool) => tool.name), [TOOL_NAME], 'the tools listed over SSE');
			const answer = answerOf(await call(sse, { groupId: GROUP.groupId, search: SEARCH }), 'the call over SSE');
			same(answer.members, matching.map(expectedMember), 'the members over SSE');
		} finally {
			await sse.close();
		}
	}));

	it('a rejected token comes back as an error the client can read, naming Beschannels error 2, without a token', check(async () => {
		const other = await connect(server.rejectedEndpoint.href, () => new StreamableHTTPClientTransport(server.rejectedEndpoint));
		try {
			const result = await call(other, { groupId: GROUP.groupId });
			expect(result.isError, `a call with a rejected token did not come back as an error: ${result.text.slice(0, 300)}`);
			expect(result.text.includes('Beschannels error 2'), `the error does not name Beschannels error 2: ${result.text}`);
			expect(result.text.includes('invalid or expired access token'), `the error does not say the token is invalid: ${result.text}`);
			expect(!result.text.includes(rejectedToken) && !result.text.includes(sandbox.token), 'the error shows an access token');
			say(`error as the client sees it (isError: ${result.isError}): ${result.text}`);
		} finally {
			await other.close();
		}
	}));
}

describe("the Beschannels tool behind n8n's MCP Server Trigger, called by the MCP SDK client", () => {
	before(async () => {
		[tarball, sandbox] = await Promise.all([packTarball(suite.dir), Sandbox.start().then((started) => suite.track('sandbox', started))]);
		rows = await sandbox.members(GROUP);
		expect(rows.length === GROUP_SIZE, `the sandbox group has ${rows.length} members, expected ${GROUP_SIZE}`);
		matching = rows.filter((row) => ['FullName', 'MobilePhone', 'Email'].some((field) => String(row[field]).includes(SEARCH)));
		expect(matching.length > 1 && matching.length < 20, `the search "${SEARCH}" matches ${matching.length} sandbox members; the test needs 2 to 19`);
	});
	after(async () => await suite.stop());

	for (const key of versions) {
		const version = process.env[`BESCHANNELS_N8N_${key.toUpperCase()}_VERSION`] ?? key;
		describe(`n8n ${version}`, { timeout: Number(process.env.BESCHANNELS_MCP_TIMEOUT ?? 300) * 1000 }, () => versionSuite(key));
	}
});
