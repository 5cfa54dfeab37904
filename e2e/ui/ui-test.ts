/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- development code: runs in Node.js, never inside n8n */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

import {
	ACTION_NODE_TYPE,
	CheckError,
	CREDENTIAL_TYPE,
	fail,
	sandboxAdmin,
	TRIGGER_NODE_TYPE,
	type Json,
} from '../checks';
import {
	cleanUpOnExit,
	killAll,
	ROOT,
	SANDBOX_CLI,
	secs,
	startBackground,
	tail,
	timeStep,
	type Background,
	type Timing,
} from '../proc';
import { CHROMIUM_PATH, launchChromium, type DomElement, type Locator, type Page } from './browser';
import { installPackage, N8nRest, packPackage, startN8n, withoutMigrations, type N8nServer } from './n8n-server';

/**
 * Browser test of the package in a real n8n editor: packs the package and installs the tarball
 * into a fresh n8n user folder, starts n8n and the local Beschannels sandbox, and drives n8n's
 * editor in Chromium like a user:
 *   1. creates a Beschannels API credential in the credential dialog: n8n's test fails with the
 *      package's message for a wrong token and succeeds for the right one;
 *   2. reads the node's parameters (labels, Group Object options, User ID hint, Return All
 *      hiding Limit, adding an option);
 *   3. executes the node: 250 members with score_<id> columns; an unknown group and a wrong
 *      token show the package's error, not a stack trace;
 *   4. fetches the trigger's test event: one sample member.
 * Screenshots of these screens are taken on the way (see BESCHANNELS_UI_SCREENSHOTS).
 *
 * Run it through e2e/ui/run.sh. Environment:
 *   BESCHANNELS_NODE24_BIN, BESCHANNELS_N8N_V2_BIN  from the env.sh of e2e/install-n8n.sh
 *   BESCHANNELS_UI_SCREENSHOTS  unset: screenshots go to the temporary folder; 1: into
 *                               docs/screenshots/; any other value: into that folder
 *   BESCHANNELS_UI_KEEP=1       keep the temporary folder (user folder, screenshots)
 *   BESCHANNELS_UI_TIMEOUT      seconds allowed for the whole test (default 600)
 *   BESCHANNELS_UI_CHROMIUM     the browser (default /usr/bin/chromium)
 */

const USER_ID = 'user0sandbox0000000000000000000001';
const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const GROUP_SIZE = 250;
const VIEWPORT = { width: 1280, height: 800 };
const TOTAL_TIMEOUT_MS = Number(process.env.BESCHANNELS_UI_TIMEOUT ?? 600) * 1000;
const FAILURE_SCREENSHOT = join(tmpdir(), 'beschannels-ui-failure.png');

const NODE = {
	manual: "When clicking 'Execute workflow'",
	action: 'Beschannels',
	unknownGroup: 'Beschannels (unknown group)',
	wrongToken: 'Beschannels (wrong token)',
	trigger: 'Beschannels Trigger',
};

const keep = process.env.BESCHANNELS_UI_KEEP === '1';
let tmpRoot = '';
const timings: Timing[] = [];
const cleanups: Array<() => Promise<void>> = [];

function say(message: string): void {
	console.log(message.split('\n').map((line) => `[ui] ${line}`).join('\n'));
}


async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
	return await timeStep(name, body, timings, say);
}

function expect(condition: unknown, message: string): asserts condition {
	if (!condition) fail(message);
}

/** Polls `probe` until it returns something other than undefined. */
async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((done) => setTimeout(done, 200));
	}
}

function screenshotDir(): string {
	const wanted = process.env.BESCHANNELS_UI_SCREENSHOTS;
	if (!wanted) return join(tmpRoot, 'screenshots');
	if (wanted === '1') return join(ROOT, 'docs', 'screenshots');
	return resolve(wanted);
}

// ---- the workflow the browser opens -----------------------------------------------------------

interface CredentialRef {
	id: string;
	name: string;
}

function testWorkflow(sandbox: CredentialRef, wrong: CredentialRef): Json {
	const action = (name: string, position: [number, number], credential: CredentialRef, groupId: string) => ({
		id: randomUUID(),
		name,
		type: ACTION_NODE_TYPE,
		typeVersion: 1,
		position,
		parameters: {
			resource: 'groupUser',
			operation: 'getAll',
			userId: USER_ID,
			groupObj: GROUP.groupObj,
			groupId,
			returnAll: true,
			options: {},
		},
		credentials: { [CREDENTIAL_TYPE]: credential },
	});
	const main = (node: string) => ({ node, type: 'main', index: 0 });
	return {
		name: 'Beschannels UI test',
		nodes: [
			{ id: randomUUID(), name: NODE.manual, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 200], parameters: {} },
			action(NODE.action, [320, 0], sandbox, GROUP.groupId),
			action(NODE.unknownGroup, [320, 200], sandbox, 'no-such-group'),
			action(NODE.wrongToken, [320, 400], wrong, GROUP.groupId),
			{
				id: randomUUID(),
				name: NODE.trigger,
				type: TRIGGER_NODE_TYPE,
				typeVersion: 1,
				position: [0, 480],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					watch: 'newLeads',
					userId: USER_ID,
					groupObj: GROUP.groupObj,
					groupId: GROUP.groupId,
					options: {},
				},
				credentials: { [CREDENTIAL_TYPE]: sandbox },
			},
		],
		connections: { [NODE.manual]: { main: [[main(NODE.action), main(NODE.unknownGroup), main(NODE.wrongToken)]] } },
		settings: { executionOrder: 'v1' },
	};
}

// ---- editor helpers -------------------------------------------------------------------------

class Editor {
	private shots = 0;

	constructor(
		readonly page: Page,
		readonly shotDir: string,
	) {}

	get ndv(): Locator {
		return this.page.getByTestId('ndv');
	}

	get output(): Locator {
		return this.ndv.getByTestId('output-panel');
	}

	async openNode(name: string): Promise<Locator> {
		await this.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
		await this.ndv.waitFor({ state: 'visible' });
		const title = await this.ndv.getByTestId('node-title-container').innerText();
		expect(title.includes(name), `the node panel opened for "${title.trim()}", not "${name}"`);
		return this.ndv;
	}

	async closeNode(): Promise<void> {
		await this.ndv.getByTestId('ndv-close-button').click();
		await this.ndv.waitFor({ state: 'hidden' });
	}

	/** The visible options of an open dropdown (first line of each). */
	async dropdownOptions(testId: string): Promise<string[]> {
		const options = this.page.getByTestId(testId).filter({ visible: true });
		await options.first().waitFor({ state: 'visible' });
		return (await options.allInnerTexts()).map((text) => text.split('\n')[0].trim());
	}

	/** The output panel's item count ("250 items"), or undefined while it shows none. */
	async itemCount(): Promise<number | undefined> {
		const count = this.output.getByTestId('ndv-items-count');
		if (!(await count.isVisible())) return undefined;
		const match = /(\d[\d,]*)\s+items?\b/.exec(await count.innerText());
		return match ? Number(match[1].replace(/,/g, '')) : undefined;
	}

	async errorMessage(): Promise<string | undefined> {
		const message = this.output.getByTestId('node-error-message');
		return (await message.isVisible()) ? (await message.innerText()).trim() : undefined;
	}

	/** Executes the open node (or fetches a trigger's test event) and waits for items or an error. */
	async execute(expectedButton: RegExp): Promise<{ items?: number; error?: string }> {
		const button = this.ndv.getByTestId('node-execute-button');
		const label = await button.innerText();
		expect(expectedButton.test(label), `the node panel's run button says "${label.trim()}", expected ${expectedButton}`);
		await button.click();
		// The item count shows before the error does ("1 item" for a failed run): the run's
		// status icon next to OUTPUT tells which it is.
		const succeeded = this.output.getByTestId('node-run-status-success');
		const failed = this.output.getByTestId('node-run-status-danger');
		return await waitUntil('the node to finish (output items or an error)', 90_000, async () => {
			if (await failed.isVisible()) {
				const error = await this.errorMessage();
				return error ? { error } : undefined;
			}
			if (!(await succeeded.isVisible())) return undefined;
			const items = await this.itemCount();
			return items === undefined ? undefined : { items };
		});
	}

	/** Header and first row of the output table. */
	async outputTable(): Promise<{ head: string[]; first: Record<string, string> }> {
		await this.output.getByTestId('radio-button-table').click();
		const table = this.output.locator('table').first();
		await table.waitFor({ state: 'visible' });
		const cells = await table.evaluate((element: DomElement) => {
			const text = (list: ArrayLike<DomElement>) => Array.from(list).map((cell) => (cell.textContent ?? '').trim());
			const row = element.querySelectorAll('tbody tr')[0];
			return { head: text(element.querySelectorAll('thead th')), row: row ? text(row.querySelectorAll('td')) : [] };
		});
		const first: Record<string, string> = {};
		cells.head.forEach((name, index) => {
			if (name) first[name] = cells.row[index] ?? '';
		});
		return { head: cells.head.filter(Boolean), first };
	}

	/** Makes the output panel wider by dragging the parameters panel to the left. */
	async widenOutput(): Promise<void> {
		const box = await this.ndv.getByTestId('panel-drag-button').boundingBox();
		if (!box) return;
		const y = box.y + box.height / 2;
		await this.page.mouse.move(box.x + box.width / 2, y);
		await this.page.mouse.down();
		await this.page.mouse.move(box.x + box.width / 2 - 150, y, { steps: 8 });
		await this.page.mouse.up();
	}

	async screenshot(name: string): Promise<void> {
		// No pointer hovering anything, no notifications over the screen.
		await this.page.mouse.move(VIEWPORT.width - 4, VIEWPORT.height - 4);
		await this.page
			.locator('.el-notification__closeBtn')
			.evaluateAll((buttons: DomElement[]) => buttons.forEach((button) => button.click()))
			.catch(() => undefined);
		await this.page.waitForTimeout(400);
		mkdirSync(this.shotDir, { recursive: true });
		await this.page.screenshot({ path: join(this.shotDir, `${name}.png`) });
		this.shots++;
	}

	get screenshotCount(): number {
		return this.shots;
	}
}

/** n8n's output without migrations, stack lines and its failed calls to n8n's own servers (offline). */
function n8nLog(output: string): string {
	return withoutMigrations(output)
		.split('\n')
		.filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/n8n\.io|Strapi API|A system task run failed/.test(line))
		.join('\n');
}

/** No stack trace and no internal error class names in what the output panel shows. */
function expectNoStack(text: string, what: string): void {
	const stack = /^\s*at .+(:\d+:\d+\)?|\(native\))$/m.exec(text) ?? /\b(NodeApiError|NodeOperationError|TypeError|ReferenceError):/.exec(text);
	expect(!stack, `${what}: the error panel shows a stack trace or an internal error ("${stack?.[0].trim()}")`);
}

// ---- the checks -----------------------------------------------------------------------------

interface Context {
	editor: Editor;
	sandboxUrl: string;
	token: string;
	wrongToken: string;
	members: Json[];
}

async function credentialDialog({ editor, sandboxUrl, token, wrongToken }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.action);
	await ndv.getByTestId('node-credentials-select').click();
	await page.getByTestId('node-credentials-select-item-new').click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.waitFor({ state: 'visible' });
	const heading = await modal.innerText();
	expect(heading.includes('Beschannels API'), `the new credential dialog is not for "Beschannels API":\n${heading.slice(0, 300)}`);

	const mode = modal.getByTestId('parameter-input-authMode');
	const modeText = async () => `${await mode.innerText()} ${await mode.locator('input').first().inputValue().catch(() => '')}`;
	// the dropdown can take a moment to open on a busy machine: choose again until the choice shows
	for (let attempt = 0; attempt < 5 && !(await modeText()).includes('Access Token'); attempt++) {
		await mode.click();
		const option = page.getByTestId('parameter-input-item').filter({ visible: true, hasText: 'Access Token' }).first();
		await option.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
		await option.click({ timeout: 5_000 }).catch(() => undefined);
		await page.waitForTimeout(300);
	}
	expect((await modeText()).includes('Access Token'), `Authentication is not "Access Token" (${(await modeText()).trim()})`);
	const tokenInput = modal.locator('[data-test-id="parameter-input-accessToken"] input');
	await modal.locator('[data-test-id="parameter-input-baseUrl"] input').fill(sandboxUrl);
	await tokenInput.fill(wrongToken);
	await modal.getByTestId('credential-save-button').click();

	// A wrong token: n8n's test fails; "More details" shows the package's message.
	await modal.getByText(/Couldn.t connect with these settings/).waitFor({ state: 'visible', timeout: 60_000 });
	await modal.getByText('More details').click();
	const rejected = modal.getByText('Beschannels rejected the access token (code 2', { exact: false });
	await rejected.waitFor({ state: 'visible' });
	const rejectedText = (await rejected.innerText()).trim();
	say(`wrong token: n8n says "Couldn't connect with these settings": ${rejectedText}`);
	expect(!(await modal.innerText()).includes(wrongToken), 'the credential dialog shows the access token');
	await editor.screenshot('credential-test-failure');

	// The right token: n8n's test succeeds. n8n closes a new credential's dialog when it does;
	// the dialog of a saved credential tests it again when it opens.
	await tokenInput.fill(token);
	const save = modal.getByTestId('credential-save-button');
	await save.click();
	const success = modal.getByTestId('credentials-config-container-test-success');
	const outcome = await waitUntil('the credential test to succeed', 60_000, async () => {
		if (await success.isVisible()) return 'shown';
		if (!(await modal.isVisible())) return 'closed';
		// The earlier failure stays on screen while n8n saves and tests again ("Saving"); it
		// counts once the button says "Saved".
		const saved = /^\s*Saved\s*$/.test(await save.innerText().catch(() => ''));
		if (saved && (await modal.getByText(/Couldn.t connect with these settings/).isVisible())) {
			const details = modal.getByText('More details');
			if (await details.isVisible()) await details.click();
			fail(`n8n's credential test failed with the right token:\n${(await modal.innerText()).slice(0, 600)}`);
		}
		return undefined;
	});
	if (outcome === 'closed') {
		await ndv.getByTestId('credential-edit-button').click();
		await modal.waitFor({ state: 'visible' });
	}
	await success.waitFor({ state: 'visible', timeout: 60_000 });
	const successText = (await success.innerText()).split('\n')[0].trim();
	expect(/tested successfully/i.test(successText), `unexpected success message: "${successText}"`);
	say(`right token: n8n says "${successText}"`);
	const credentialName = (await modal.getByTestId('credential-name').innerText()).trim();
	await editor.screenshot('credential-test-success');
	await modal.getByRole('button', { name: 'Close this dialog' }).click();
	await modal.waitFor({ state: 'hidden' });

	const selected = await ndv.getByTestId('node-credentials-select').innerText().catch(() => '');
	const selectedValue = await ndv.locator('[data-test-id="node-credentials-select"] input').first().inputValue().catch(() => '');
	expect(
		`${selected} ${selectedValue}`.includes(credentialName),
		`the node does not use the new credential "${credentialName}" (shows "${selected.trim() || selectedValue}")`,
	);
	say(`the node now uses the credential "${credentialName}" created in the dialog`);
}

async function nodeParameters({ editor }: Context): Promise<void> {
	const { page, ndv } = editor;
	const items = (await ndv.getByTestId('parameter-item').allInnerTexts()).map((text) => text.split('\n').map((l) => l.trim()));
	const labels = items.map((lines) => lines[0]);
	for (const label of ['User ID', 'Group Object', 'Group ID', 'Return All', 'Options']) {
		expect(labels.includes(label), `no parameter labelled "${label}" (labels: ${labels.join(', ')})`);
	}
	const userId = items.find((lines) => lines[0] === 'User ID')!;
	const hint = userId.find((line) => line.includes('Personal settings > User ID'));
	expect(hint, `the User ID parameter has no "Personal settings > User ID" hint (${userId.join(' | ')})`);

	await ndv.getByTestId('parameter-input-groupObj').click();
	const groupObjects = await editor.dropdownOptions('parameter-input-item');
	const expected = ['Market Leads', 'Customers With Details', 'Members'];
	expect(
		JSON.stringify(groupObjects) === JSON.stringify(expected),
		`Group Object options are ${JSON.stringify(groupObjects)}, expected ${JSON.stringify(expected)}`,
	);
	await editor.screenshot('node-parameters');
	await page.getByTestId('parameter-input-item').filter({ visible: true, hasText: expected[0] }).first().click();
	await page.getByTestId('parameter-input-item').filter({ visible: true }).first().waitFor({ state: 'hidden' });

	const limit = ndv.getByTestId('parameter-input-limit');
	expect((await limit.count()) === 0, 'Limit is shown while Return All is on');
	await ndv.getByTestId('parameter-input-returnAll').click();
	await limit.waitFor({ state: 'visible', timeout: 5_000 });
	await ndv.getByTestId('parameter-input-returnAll').click();
	await limit.waitFor({ state: 'detached', timeout: 5_000 });

	await ndv.getByTestId('collection-parameter-add').click();
	const options = await editor.dropdownOptions('collection-parameter-option');
	const wanted = ['Page Size', 'Search', 'Return Fields', 'Use Column Labels as Field Names', 'Add ISO Created Time', 'Retries'];
	const missing = wanted.filter((name) => !options.includes(name));
	expect(missing.length === 0, `"Add Option" lacks ${missing.join(', ')} (has ${options.join(', ')})`);
	expect(!options.includes('Created Time UTC Offset'), '"Created Time UTC Offset" is offered before "Add ISO Created Time" is on');
	await page.getByTestId('collection-parameter-option').filter({ visible: true, hasText: 'Page Size' }).first().click();
	const pageSize = ndv.locator('[data-test-id="parameter-input-pageSize"] input').first();
	await pageSize.waitFor({ state: 'visible', timeout: 5_000 });
	expect((await pageSize.inputValue()) === '100', `Page Size was added with ${await pageSize.inputValue()}, not 100`);
	expect(!(await ndv.getByText('No properties').isVisible()), '"No properties" is still shown after adding Page Size');
	say(`labels ok; Group Object: ${groupObjects.join(' / ')}; hint "${hint}"; options: ${options.join(', ')}`);
}

async function executeNode({ editor, members }: Context): Promise<void> {
	const result = await editor.execute(/Execute step/i);
	expect(!result.error, `executing "${NODE.action}" failed: ${result.error}`);
	expect(result.items === GROUP_SIZE, `the output shows ${result.items} items, expected the group's ${GROUP_SIZE}`);
	const { head, first } = await editor.outputTable();
	const scores = head.filter((name) => /^score_\d+$/.test(name));
	expect(scores.length > 0, `no score_<id> column in the output table (${head.join(', ')})`);
	expect(!head.some((name) => name.startsWith('Score-')), `a raw Score- column is left in the output table (${head.join(', ')})`);
	expect(
		first.identity_id === String(members[0].identity_id),
		`the first row is ${first.identity_id}, the sandbox's first member is ${members[0].identity_id}`,
	);
	say(`${result.items} items; ${scores.length} score columns (${scores.slice(0, 3).join(', ')}, ...); first row ${first.FullName} = sandbox's first member`);
	await editor.widenOutput();
	await editor.screenshot('node-output');
	await editor.closeNode();
}

async function nodeErrors({ editor, wrongToken }: Context): Promise<void> {
	const cases = [
		{ node: NODE.unknownGroup, expected: 'Beschannels error 10002', screenshot: '' },
		{ node: NODE.wrongToken, expected: 'Beschannels error 2 ', screenshot: 'node-error' },
	];
	for (const item of cases) {
		await editor.openNode(item.node);
		const result = await editor.execute(/Execute step/i);
		expect(result.error, `"${item.node}" did not fail (${result.items} items)`);
		expect(`${result.error} `.includes(item.expected), `"${item.node}" shows "${result.error}", expected "${item.expected.trim()}..."`);
		const description = await editor.output.getByTestId('node-error-description').innerText().catch(() => '');
		const panel = await editor.output.innerText();
		expectNoStack(panel, item.node);
		expect(!panel.includes(wrongToken), `"${item.node}": the error panel shows the access token`);
		say(`"${item.node}": ${result.error} | ${description.trim().split('\n')[0]}`);
		if (item.screenshot) await editor.screenshot(item.screenshot);
		await editor.closeNode();
	}
}

async function triggerTestEvent({ editor, members }: Context): Promise<void> {
	await editor.openNode(NODE.trigger);
	const result = await editor.execute(/Fetch Test Event/i);
	expect(!result.error, `"Fetch Test Event" failed: ${result.error}`);
	expect(result.items === 1, `"Fetch Test Event" shows ${result.items} items, expected 1 sample member`);
	const newest = members.reduce<Json | undefined>(
		(best, row) => (!best || String(row.CreatedTime ?? '') > String(best.CreatedTime ?? '') ? row : best),
		undefined,
	)!;
	const { first } = await editor.outputTable();
	expect(
		first.identity_id === String(newest.identity_id),
		`the sample is ${first.identity_id}, the newest member of the group is ${newest.identity_id}`,
	);
	say(`sample: ${first.FullName} (${first.CreatedTime}), the group's newest member`);
	await editor.screenshot('trigger-test-event');
	await editor.closeNode();
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

async function main(): Promise<void> {
	const started = Date.now();
	for (const file of [SANDBOX_CLI, join(ROOT, 'dist', 'nodes')]) {
		if (!existsSync(file)) fail(`${file} is missing: run npm run build first`);
	}
	const n8nBin = process.env.BESCHANNELS_N8N_V2_BIN;
	const node24Bin = process.env.BESCHANNELS_NODE24_BIN;
	if (!n8nBin || !node24Bin || !existsSync(n8nBin)) {
		fail('no n8n 2.x install: run e2e/install-n8n.sh v2 and source its env.sh (e2e/ui/run.sh does both)');
	}
	if (!existsSync(CHROMIUM_PATH)) fail(`${CHROMIUM_PATH} is missing: apt-get install chromium (e2e/ui/run.sh does it)`);
	tmpRoot = mkdtempSync(join(tmpdir(), 'beschannels-ui-'));
	if (keep) say(`keeping ${tmpRoot}`);
	const userFolder = join(tmpRoot, 'user');
	const token = `sbx_ui_${randomBytes(16).toString('hex')}`;
	const wrongToken = `sbx_wrong_${randomBytes(16).toString('hex')}`;

	// n8n needs the package installed before it starts; the sandbox and the browser start meanwhile.
	const [n8n, sandbox, browser] = await Promise.all([
		(async (): Promise<N8nServer> => {
			await step('npm pack + install the tarball', async () => {
				const tarball = await packPackage(ROOT, tmpRoot);
				await installPackage(tarball, userFolder);
			});
			const server = await step('n8n start (until /healthz/readiness)', () =>
				startN8n({ bin: n8nBin, node24Bin, userFolder, cwd: tmpRoot }),
			);
			cleanups.push(() => server.process.stop());
			return server;
		})(),
		step('sandbox start', async () => {
			const started = await startSandbox(token);
			cleanups.push(() => started.process.stop());
			return started;
		}),
		step('browser start', async () => {
			const launched = await launchChromium();
			cleanups.unshift(() => launched.close());
			return launched;
		}),
	]);
	say(`n8n on ${n8n.url}, sandbox on ${sandbox.url}, Chromium ${browser.version()}`);

	const browserId = randomUUID();
	const rest = new N8nRest(n8n.url, browserId);
	const { workflowId, members } = await step('owner, credentials, workflow (REST)', async () => {
		await rest.setupOwner();
		const data = (accessToken: string) => ({ baseUrl: sandbox.url, authMode: 'accessToken', accessToken });
		const sandboxCredential = await rest.createCredential('Beschannels sandbox', CREDENTIAL_TYPE, data(token));
		const wrongCredential = await rest.createCredential('Beschannels wrong token', CREDENTIAL_TYPE, data(wrongToken));
		const id = await rest.createWorkflow(testWorkflow(sandboxCredential, wrongCredential));
		const rows = (await sandboxAdmin(sandbox.url, 'members', GROUP)) as Json[];
		expect(rows.length === GROUP_SIZE, `the sandbox group ${GROUP.groupObj}/${GROUP.groupId} has ${rows.length} members, expected ${GROUP_SIZE}`);
		return { workflowId: id, members: rows };
	});

	const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
	context.setDefaultTimeout(30_000);
	await context.addCookies([{ name: 'n8n-auth', value: rest.authCookie, domain: '127.0.0.1', path: '/' }]);
	// The editor sends this browser id with every call; n8n accepts the cookie only with it.
	await context.addInitScript({ content: `localStorage.setItem('n8n-browserId', ${JSON.stringify(browserId)});` });
	const page = await context.newPage();
	const pageErrors: string[] = [];
	page.on('pageerror', (error) => pageErrors.push(error.message));
	const editor = new Editor(page, screenshotDir());
	const ctx: Context = { editor, sandboxUrl: sandbox.url, token, wrongToken, members };

	try {
		await step('open the workflow in the editor', async () => {
			await page.goto(`${n8n.url}/workflow/${workflowId}`, { timeout: 120_000 });
			await page.locator(`[data-test-id="canvas-node"][data-node-name="${NODE.action}"]`).waitFor({ state: 'visible', timeout: 120_000 });
		});
		await step('1. credential dialog: test wrong and right token', () => credentialDialog(ctx));
		await step('2. node panel: parameters', () => nodeParameters(ctx));
		await step('3. execute: 250 members', () => executeNode(ctx));
		await step('3. execute: unknown group, wrong token', () => nodeErrors(ctx));
		await step('4. trigger: Fetch Test Event', () => triggerTestEvent(ctx));
	} catch (error) {
		await page.screenshot({ path: FAILURE_SCREENSHOT }).then(
			() => say(`screenshot of the failure: ${FAILURE_SCREENSHOT}`),
			() => undefined,
		);
		if (pageErrors.length) say(`errors in the editor page:\n${pageErrors.slice(-5).join('\n')}`);
		say(`n8n printed (last lines, without stack traces):\n${tail(n8nLog(n8n.process.output()), 25)}`);
		throw error;
	}

	const dir = screenshotDir();
	say(`${editor.screenshotCount} screenshots in ${dir.startsWith(ROOT) ? relative(ROOT, dir) : dir}${dir.startsWith(tmpRoot) && !keep ? ' (temporary; BESCHANNELS_UI_SCREENSHOTS=1 writes docs/screenshots/)' : ''}`);
	printTimings(Date.now() - started);
}

function printTimings(totalMs: number): void {
	const width = Math.max(...timings.map((t) => t.step.length)) + 2;
	console.log('\n[ui] timings in seconds (pack, sandbox and browser start run alongside)');
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

cleanUpOnExit('ui', removeTmp);

const watchdog = setTimeout(() => {
	console.error(`[ui] FAILED: the UI test did not finish in ${TOTAL_TIMEOUT_MS / 1000} s (BESCHANNELS_UI_TIMEOUT)`);
	process.exit(1);
}, TOTAL_TIMEOUT_MS);

main()
	.then(
		() => {
			console.log('[ui] passed');
			process.exitCode = 0;
		},
		(error: Error) => {
			console.error(`[ui] FAILED: ${error instanceof CheckError ? error.message : error.stack ?? error.message}`);
			if (!keep) console.error('[ui] set BESCHANNELS_UI_KEEP=1 to keep the n8n user folder and screenshots');
			process.exitCode = 1;
		},
	)
	.finally(async () => {
		await stopAll();
		clearTimeout(watchdog);
	});
