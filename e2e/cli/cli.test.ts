/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	actionNodes,
	checkGroupItems,
	cliStartable,
	CREDENTIAL_TYPE,
	executionJson,
	fail,
	iconFiles,
	nodeItems,
	PACKAGE_NAME,
	TRIGGER_NODE_TYPE,
	type Json,
} from '../lib/checks';
import { packTarball, withoutMigrations } from '../lib/n8n';
import { tail, type RunResult } from '../lib/proc';
import { SuiteRun } from '../lib/suite';
import { crashed, loadExamples, N8nCli, WRONG_TOKEN_ID, type Example } from './n8n-cli';
import { received, routingOf, type Routing } from './routing';

/**
 * The packed package in real n8n 2.x and 1.x, through n8n's CLI: installed into a fresh user
 * folder's `~/.n8n/nodes`, credentials pointing at the local sandbox, every example executed and
 * its items compared with the sandbox's members. BESCHANNELS_E2E_VERSIONS=v2 (or v1) tests one
 * version; BESCHANNELS_E2E_SERIAL=1 tests them one after the other.
 */

const versions = (process.env.BESCHANNELS_E2E_VERSIONS ?? 'v2,v1').split(/[\s,]+/).filter(Boolean) as Array<'v2' | 'v1'>;
const examples = loadExamples();
const routings = examples
	.map((example, index) => routingOf(example, `e2eRouting${String(index + 1).padStart(2, '0')}`))
	.filter((routing): routing is Routing => routing !== undefined);
const suite = new SuiteRun('e2e');
let tarball = '';

/** The items of every Beschannels node of an example, compared with the sandbox's members. */
async function checkExampleRun(cli: N8nCli, example: Example, result: RunResult): Promise<string[]> {
	const output = result.stdout + result.stderr;
	if (output.includes(cli.sandbox!.token)) fail(`n8n printed the access token while executing ${example.file}`);
	const execution = executionJson(result.stdout);
	if (!execution) fail(`no complete execution JSON in the output of ${example.file}:\n${tail(output)}`);
	const lines: string[] = [];
	for (const node of actionNodes(example.workflow)) {
		const { groupObj, groupId } = node.parameters ?? {};
		const items = nodeItems(execution, node.name);
		if ([groupObj, groupId].some((value) => typeof value !== 'string' || value.startsWith('='))) {
			if (items.length === 0) fail(`"${node.name}" output no items`);
			lines.push(`"${node.name}": ${items.length} items (group set by expression: not compared)`);
			continue;
		}
		const checked = checkGroupItems(node, items, await cli.sandbox!.members({ groupObj, groupId }));
		cli.notes.push(...checked.notes.map((note) => `${example.file} "${node.name}": ${note}`));
		lines.push(
			`"${node.name}": ${items.length} items = sandbox ${groupObj}/${groupId} in API order; ` +
				`${checked.scoreFields} score fields checked (${checked.numericStrings} from numeric strings, ${checked.emptyScores} empty)`,
		);
	}
	return lines;
}

/** Every node type package.json declares is loaded, with icon files the installed package has; returns their names. */
async function checkLoadedNodes(cli: N8nCli): Promise<string> {
	const { byType, declared, output } = await cli.loadedNodes();
	const missing = declared.filter(({ type }) => !byType.has(type));
	if (missing.length) {
		const loaded = [...byType.keys()].join(', ') || `nothing from ${PACKAGE_NAME}`;
		fail(`n8n did not load ${missing.map((m) => `${m.type} (${m.file})`).join(', ')}; it loaded ${loaded}. n8n printed:\n${tail(withoutMigrations(output), 25)}`);
	}
	for (const { type } of declared) {
		const description = byType.get(type)!;
		const icons = iconFiles(description, PACKAGE_NAME);
		if (icons.length === 0 && !description.icon) cli.notes.push(`${type} has no icon in n8n`);
		const absent = icons.filter((icon) => !existsSync(join(cli.packageDir, icon)));
		if (absent.length) fail(`${type}: n8n points at icon files the installed package lacks: ${absent.join(', ')}`);
		if (!description.codex) cli.notes.push(`${type} has no codex (categories) in n8n: is its .node.json missing?`);
	}
	return [...byType.keys()].join(', ');
}

/** The trigger is loaded as a polling trigger without inputs that uses the Beschannels credential. */
async function checkTrigger(cli: N8nCli): Promise<void> {
	const description = (await cli.loadedNodes()).byType.get(TRIGGER_NODE_TYPE);
	if (!description) fail(`n8n did not load ${TRIGGER_NODE_TYPE}`);
	if (description.polling !== true) fail(`${TRIGGER_NODE_TYPE} is loaded but not as a polling node (polling: ${description.polling})`);
	const group: unknown[] = description.group ?? [];
	if (!group.includes('trigger')) fail(`${TRIGGER_NODE_TYPE} is loaded but its group ${JSON.stringify(group)} lacks "trigger"`);
	const inputs: unknown[] = Array.isArray(description.inputs) ? description.inputs : [];
	if (inputs.length) fail(`${TRIGGER_NODE_TYPE} has inputs ${JSON.stringify(inputs)}; a trigger has none`);
	const credentialNames = ((description.credentials ?? []) as Json[]).map((c) => c.name);
	if (!credentialNames.includes(CREDENTIAL_TYPE)) {
		fail(`${TRIGGER_NODE_TYPE} does not use the ${CREDENTIAL_TYPE} credential (${credentialNames.join(', ') || 'none'})`);
	}
}

function versionSuite(key: 'v2' | 'v1'): void {
	let cli: N8nCli;
	const say = (message: string) => console.log(`[n8n ${cli.install.version}] ${message}`);

	before(async () => {
		cli = new N8nCli(key, suite);
		await cli.setUp(
			tarball,
			examples,
			routings.map((routing) => routing.workflow),
		);
	});

	after(() => {
		for (const message of cli?.packageMessages ?? []) say(`said about the package: ${message}`);
		for (const note of cli?.notes ?? []) say(`note: ${note}`);
	});

	it('loads every node the package declares, with icon files the package has', async () => {
		say(`n8n loaded: ${await checkLoadedNodes(cli)}`);
	});

	it('loads the trigger as a polling trigger without inputs that uses the Beschannels credential', async () => await checkTrigger(cli));

	it("declares an n8nNodesApiVersion this n8n accepts when it installs a package from its Community Nodes screen", async (t) => {
		const outcome = await cli.nodesApiVersionCheck();
		if (outcome.supported === null) {
			t.skip('this n8n does not check n8nNodesApiVersion');
			return;
		}
		if (outcome.check?.compatible !== true) {
			fail(`n8n (node API version ${outcome.supported}) would refuse to install the package: ${JSON.stringify(outcome.check)}`);
		}
		say(`node API version: the package passes this n8n's check (it supports ${outcome.supported}): ${JSON.stringify(outcome.check)}`);
	});

	for (const example of examples) {
		// The n8n CLI starts workflows from a Manual Trigger only: the others are imported, not executed.
		const skip = cliStartable(example.workflow) ? false : 'no Manual Trigger: imported, not executed';
		it(`executes ${example.file}: each Beschannels node outputs the sandbox's members, scores flattened`, { skip }, async () => {
			const result = await cli.execute(example.id, (r) => executionJson(r.stdout) !== undefined);
			if (result.code !== 0 && !crashed(result)) {
				const message = executionJson(result.stdout)?.data?.resultData?.error?.message;
				fail(`n8n execute of ${example.file} failed (exit ${result.code ?? result.signal})${message ? `: ${message}` : ''}:\n${tail(result.stdout + result.stderr)}`);
			}
			for (const line of await checkExampleRun(cli, example, result)) say(`${example.file}: ${line}`);
		});
	}

	for (const routing of routings) {
		it(`routes trigger items by event with the Switch node of ${routing.example.file}`, async () => {
			const result = await cli.execute(routing.id, (r) => executionJson(r.stdout) !== undefined);
			const execution = executionJson(result.stdout);
			if (!execution) fail(`no execution JSON for the routing copy of ${routing.example.file}:\n${tail(result.stdout + result.stderr)}`);
			const error = execution.data?.resultData?.error?.message;
			if (error) fail(`the routing copy of ${routing.example.file} failed: ${error}`);
			const got = received(execution, routing.expected.keys());
			for (const [node, items] of routing.expected) {
				if (JSON.stringify(got.get(node)) !== JSON.stringify(items)) {
					fail(`"${node}" received ${JSON.stringify(got.get(node))}, expected ${JSON.stringify(items)}`);
				}
			}
			say(`${routing.example.file}: ${[...got].map(([node, items]) => `"${node}" <- ${items.join(', ') || 'nothing'}`).join('; ')}`);
		});
	}

	it('fails a wrong token with exit 1 and "Beschannels error 2", without showing the token', async () => {
		const result = await cli.execute(WRONG_TOKEN_ID, () => false, true);
		const output = result.stdout + result.stderr;
		if (output.includes(cli.wrongToken)) fail('n8n showed the wrong access token in the output of the failed execution');
		if (result.code !== 1) fail(`n8n execute with a wrong token should exit 1, it exited ${result.code ?? result.signal}:\n${tail(output)}`);
		if (!output.includes('Beschannels error 2')) fail(`the wrong-token execution does not say "Beschannels error 2":\n${tail(output)}`);
	});

	it("ends a wait at once when the execution is stopped, on this n8n's n8n-workflow", async () => {
		const outcome = await cli.stoppedWait();
		if (outcome.ended !== 'ExecutionStopped' || !(Number(outcome.ms) < 1200)) {
			fail(`a 20 s wait stopped after 200 ms should end at once with ExecutionStopped; it ended ${JSON.stringify(outcome)}`);
		}
		say(`stop: ended after ${outcome.ms} ms (sleepWithAbort: ${outcome.sleepWithAbort}, sleep takes ${outcome.sleepParameters} parameters)`);
	});
}

describe('the packed package in real n8n, through its CLI', { concurrency: process.env.BESCHANNELS_E2E_SERIAL !== '1' }, () => {
	before(async () => {
		tarball = await packTarball(suite.dir);
	});
	after(async () => await suite.stop());

	for (const key of versions) {
		const version = process.env[`BESCHANNELS_N8N_${key.toUpperCase()}_VERSION`] ?? key;
		describe(`n8n ${version}`, { timeout: 900_000, concurrency: 1 }, () => versionSuite(key));
	}
});
