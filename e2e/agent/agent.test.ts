/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CREDENTIAL_TYPE, expect, fail, type Json } from '../lib/checks';
import { installPackage, N8nRest, n8nInstall, n8nLog, packTarball, startN8n, type N8nServer } from '../lib/n8n';
import { tail } from '../lib/proc';
import { Sandbox } from '../lib/sandbox';
import { SuiteRun } from '../lib/suite';
import { expectedMember, same } from '../mcp/mcp-client';
import { agentAnswer, agentWorkflow, ask, TOOL_NAME } from './agent-workflow';
import { FakeModel, textOf, type ChatRequest } from './fakeModel';

/**
 * The Beschannels tool on a real n8n AI Agent: Webhook -> AI Agent, whose OpenAI Chat Model's
 * credential points at a small offline OpenAI-compatible model (fakeModel.ts). The model asks for
 * the tool with arguments taken from the question and then answers with what the tool returned, so
 * the suite sees both what the agent answered and every message the model was sent: the tool as
 * n8n declared it, its answers, and the error a rejected token gives. The packed package is
 * installed in a fresh n8n user folder (2.x, then 1.x: one n8n at a time); BESCHANNELS_E2E_VERSIONS=v2
 * (or v1) tests one version.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const GROUP_SIZE = 250;
const versions = (process.env.BESCHANNELS_E2E_VERSIONS ?? 'v2,v1').split(/[\s,]+/).filter(Boolean) as Array<'v2' | 'v1'>;
const suite = new SuiteRun('agent');
const rejectedToken = `sbx_rejected_${randomBytes(16).toString('hex')}`;
const TOKEN_ADVICE =
	'Ask the user to enter a new access token in the Beschannels credential in n8n (tokens last 2 hours) or to switch it to App ID + App Secret; calling again will not help.';
let tarball = '';
let sandbox: Sandbox;
let model: FakeModel;
let rows: Json[] = [];

interface AgentServer {
	n8n: N8nServer;
	rest: N8nRest;
	/** Webhook paths: the sandbox's token; a rejected one; a rejected one with the tool's On Error set to continue. */
	paths: { good: string; rejected: string; continues: string };
	rejectedWorkflowId: string;
}

/** n8n of `key` with the package, the owner, the credentials and the three agent workflows activated over REST. */
async function startAgentServer(key: 'v2' | 'v1'): Promise<AgentServer> {
	const userFolder = join(suite.dir, key, 'user');
	await installPackage(tarball, userFolder);
	const n8n = suite.track(`n8n-${key}`, await startN8n(n8nInstall(key), userFolder));
	const rest = new N8nRest(n8n.url);
	await rest.setupOwner();
	const openAi = await rest.createCredential('Offline model', 'openAiApi', { apiKey: `sk-e2e-${randomBytes(8).toString('hex')}`, url: model.url });
	const good = await rest.createCredential('Beschannels sandbox', CREDENTIAL_TYPE, sandbox.account());
	const rejected = await rest.createCredential('Beschannels rejected token', CREDENTIAL_TYPE, sandbox.account({}, rejectedToken));
	const suffix = randomBytes(4).toString('hex');
	const paths = { good: `agent-${suffix}`, rejected: `agent-rejected-${suffix}`, continues: `agent-continues-${suffix}` };
	await rest.createActiveWorkflow(agentWorkflow('Beschannels on an AI Agent', paths.good, good, openAi));
	const rejectedWorkflowId = await rest.createActiveWorkflow(agentWorkflow('Rejected token', paths.rejected, rejected, openAi));
	await rest.createActiveWorkflow(agentWorkflow('Rejected token, tool continues on error', paths.continues, rejected, openAi, 'continueRegularOutput'));
	return { n8n, rest, paths, rejectedWorkflowId };
}

interface Conversation {
	answer: string;
	first: ChatRequest;
	second: ChatRequest;
	/** What the model got back from the tool. */
	toolText: string;
}

/** One question to the agent: its answer and the two requests the model got (the question, then the tool's result). */
async function conversation(server: AgentServer, question: string, path = server.paths.good): Promise<Conversation> {
	const answer = await agentAnswer(server.n8n.url, path, question);
	const requests = model.conversation(question);
	expect(requests.length === 2, `the model got ${requests.length} requests for "${question}", expected 2 (the question, then the tool's result)`);
	const [first, second] = requests;
	const asked = second.messages.find((message) => message.role === 'assistant' && message.tool_calls?.length);
	const result = second.messages.at(-1);
	expect(asked && result?.role === 'tool', `the model's second request does not end with the tool's result: ${JSON.stringify(second.messages).slice(0, 600)}`);
	expect(result.tool_call_id === asked.tool_calls![0].id, `the tool result answers call ${result.tool_call_id}, the model made ${asked.tool_calls![0].id}`);
	return { answer, first, second, toolText: textOf(result.content) };
}

/** What to do about a rejected token, as the model must read it, and no token anywhere the model looked. */
function expectTokenAdvice(text: string, what: string): void {
	expect(text.includes('Beschannels error 2 (不合法的访问令牌): invalid or expired access token. '), `${what} does not name Beschannels error 2: ${text}`);
	expect(text.includes(TOKEN_ADVICE), `${what} does not say what to do: ${text}`);
	const everything = JSON.stringify(model.requests) + text;
	expect(!everything.includes(rejectedToken) && !everything.includes(sandbox.token), `an access token reached ${what} or the model`);
}

/** The items the model got back from the tool (n8n hands a model a tool's items as a JSON array). */
function answerItems(toolText: string, what: string): Json[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(toolText);
	} catch {
		fail(`${what}: the tool's result is not JSON: ${toolText.slice(0, 500)}`);
	}
	const items = parsed as Json[];
	expect(Array.isArray(items) && items.length === 1, `${what}: the tool's result is not one item: ${toolText.slice(0, 500)}`);
	return items;
}

/** The tool's answer object in what the model got back. */
function answerIn(toolText: string, what: string): Json {
	return answerItems(toolText, what)[0];
}

/** The error message of the Beschannels node in the rejected workflow's last execution. */
async function toolError(agent: AgentServer): Promise<string> {
	const [last] = await agent.rest.executions(agent.rejectedWorkflowId);
	expect(last, 'n8n recorded no execution of the rejected workflow');
	const execution = await agent.rest.execution(String(last.id));
	const runs = execution.data?.resultData?.runData?.[TOOL_NAME] as Json[] | undefined;
	const message = runs?.at(-1)?.error?.message;
	expect(typeof message === 'string', `the execution has no error at ${TOOL_NAME}: ${JSON.stringify(execution.data?.resultData ?? {}).slice(0, 500)}`);
	return message;
}

function versionSuite(key: 'v2' | 'v1'): void {
	let server: AgentServer;
	let failed = false;
	const say = (message: string) => console.log(`[agent ${key}] ${message}`);
	const check = (body: () => Promise<void>) => async () =>
		await body().catch((error) => {
			failed = true;
			throw error;
		});

	before(check(async () => {
		const started = Date.now();
		server = await startAgentServer(key);
		say(`n8n ready with the agent workflows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}));

	after(async () => {
		if (failed && server) say(`n8n printed (last lines, without stack traces):\n${tail(n8nLog(server.n8n.process.output()), 30)}`);
		await server?.n8n.process.stop();
	});

	it("the model is offered the Beschannels tool; asked for a count, it calls it and answers the group's total", check(async () => {
		const question = `How many members are in group ${GROUP.groupId}? (${key}) Look at 1 member.`;
		const started = Date.now();
		const { answer, first, toolText } = await conversation(server, question);
		const tool = first.tools?.find((declared) => declared.function.name === TOOL_NAME);
		expect(tool, `the model was not offered a tool named ${TOOL_NAME}: ${JSON.stringify(first.tools?.map((t) => t.function.name))}`);
		same(Object.keys(tool.function.parameters?.properties ?? {}), ['groupObject', 'groupId', 'search', 'limit', 'start'], "the tool's parameters as the model sees them");
		same(tool.function.parameters?.required, ['groupId'], "the tool's required arguments as the model sees them");
		expect(tool.function.description?.startsWith('Lists the members of a group in Beschannels'), `the tool's description: ${tool.function.description}`);
		say(`the tool as n8n declared it to the model: ${JSON.stringify(tool).slice(0, 1500)}`);
		const result = answerIn(toolText, 'the count');
		same([result.total, result.start, result.returned, result.nextStart], [GROUP_SIZE, 1, 1, 2], 'total, start, returned and nextStart of the count');
		same(result.members, rows.slice(0, 1).map(expectedMember), 'the member of the count');
		expect(answer === toolText, `the agent's answer is not what the tool returned:\n  answer ${answer.slice(0, 300)}\n  tool   ${toolText.slice(0, 300)}`);
		say(`count: ${Date.now() - started} ms; the model got ${toolText.length} characters: ${toolText.slice(0, 200)}`);
	}));

	it('asked for a member by email, the model gets exactly that member', check(async () => {
		const row = rows[137];
		const question = `Who has the email ${row.Email} in group ${GROUP.groupId}? (${key})`;
		const { first, second, toolText } = await conversation(server, question);
		// n8n writes the model's call back into the history with an `id` of its own among the arguments
		const { groupId, search } = JSON.parse(second.messages.find((m) => m.tool_calls)!.tool_calls![0].function.arguments) as Json;
		same({ groupId, search }, { groupId: GROUP.groupId, search: row.Email }, 'the arguments the model chose');
		expect(first.messages.some((m) => m.role === 'user'), 'the first request has no user message');
		const result = answerIn(toolText, 'the lookup');
		same([result.total, result.returned], [1, 1], 'total and returned of the lookup');
		same(result.members, [expectedMember(row)], 'the member found by email');
	}));

	it("past one call's 200 members: members 201 to 205, asked with start", check(async () => {
		await sandbox.admin('clear-log');
		const question = `List 5 members of group ${GROUP.groupId} from position 201. (${key})`;
		const { toolText } = await conversation(server, question);
		const result = answerIn(toolText, 'the page past the cap');
		same([result.total, result.start, result.returned, result.nextStart], [GROUP_SIZE, 201, 5, 206], 'the summary of members 201 to 205');
		same(result.members, rows.slice(200, 205).map(expectedMember), 'members 201 to 205');
		const pages = (await sandbox.listRequests()).map((request) => `page ${request.fields?.page_num} of ${request.fields?.page_size}`);
		say(`members 201 to 205 were read with: ${pages.join(', ')}`);
	}));

	it(
		key === 'v2'
			? 'a rejected token: the model is told the user must enter a new token (n8n hands it the error message only)'
			: "a rejected token: n8n 1.x ends the run with the tool's error, which says what to do; the model never sees it",
		check(async () => {
			const question = `How many members are in group ${GROUP.groupId}? (${key}, rejected)`;
			if (key === 'v2') {
				const { answer, toolText } = await conversation(server, question, server.paths.rejected);
				const [item] = answerItems(toolText, 'the rejected call');
				same(Object.keys(item), ['error'], 'the keys of what the model got for a failed call');
				expectTokenAdvice(item.error, "the model's tool result");
				expect(answer === toolText, 'the agent did not answer with what the tool returned');
				say(`for a rejected token the model got: ${toolText}`);
				return;
			}
			const { status, text } = await ask(server.n8n.url, server.paths.rejected, question);
			expect(status === 500, `the run with a rejected token answered HTTP ${status}, expected 500 (the run failed): ${text.slice(0, 300)}`);
			same(model.conversation(question).length, 1, 'requests the model got for a run the tool ended');
			const error = await toolError(server);
			expectTokenAdvice(error, "the Beschannels node's error in the execution");
			say(`HTTP ${status} ${text}; the execution's error at the Beschannels node: ${error}`);
		}),
	);

	it('with the tool\'s On Error set to continue, a rejected token reaches the model with what to do', check(async () => {
		const question = `How many members are in group ${GROUP.groupId}? (${key}, rejected, continue)`;
		const { toolText } = await conversation(server, question, server.paths.continues);
		const [item] = answerItems(toolText, 'the rejected call that continues');
		expectTokenAdvice(String(item.error), "the model's tool result");
		say(`with On Error "continue", for a rejected token the model got: ${toolText}`);
	}));

}

describe('the Beschannels tool on an AI Agent in a real n8n, with an offline OpenAI-compatible model', () => {
	before(async () => {
		[tarball, sandbox, model] = await Promise.all([
			packTarball(suite.dir),
			Sandbox.start().then((started) => suite.track('sandbox', started)),
			FakeModel.start(),
		]);
		suite.onStop(async () => await model.stop());
		rows = await sandbox.members(GROUP);
		expect(rows.length === GROUP_SIZE, `the sandbox group has ${rows.length} members, expected ${GROUP_SIZE}`);
	});
	after(async () => await suite.stop());

	for (const key of versions) {
		const version = process.env[`BESCHANNELS_N8N_${key.toUpperCase()}_VERSION`] ?? key;
		describe(`n8n ${version}`, { timeout: Number(process.env.BESCHANNELS_AGENT_TIMEOUT ?? 300) * 1000 }, () => versionSuite(key));
	}
});
