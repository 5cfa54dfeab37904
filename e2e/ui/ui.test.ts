/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error, no-console -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CREDENTIAL_TYPE, expect, type Json } from '../lib/checks';
import { installPackage, N8nRest, n8nInstall, n8nLog, packTarball, startN8n, type N8nServer } from '../lib/n8n';
import { ROOT, tail } from '../lib/proc';
import { Sandbox } from '../lib/sandbox';
import { SuiteRun } from '../lib/suite';
import { CHROMIUM_PATH, launchChromium, type Page } from './browser';
import { Editor, GROUP, GROUP_SIZE, NODE, testWorkflow, VIEWPORT } from './editor';
import { credentialDialog, executeNode, nodeErrors, nodeParameters, triggerTestEvent, type Context } from './editor-checks';
import { outputFields } from './fields-checks';
import { appCredential, requiredGroupId, triggerFieldsToWatch } from './form-checks';

/**
 * The package in a real n8n editor, in Chromium: the packed package installed in a fresh n8n 2.x
 * user folder, the local sandbox as Beschannels, and a user's steps in the editor. Screenshots of
 * these screens are taken on the way: into the temporary folder, or with
 * BESCHANNELS_UI_SCREENSHOTS=1 into docs/screenshots/ (any other value: into that folder).
 */

const FAILURE_SCREENSHOT = join(tmpdir(), 'beschannels-ui-failure.png');
const suite = new SuiteRun('ui');
let n8n: N8nServer;
let rest: N8nRest;
let sandboxes: { sandbox: Sandbox; redirector: Sandbox };
let page: Page;
const pageErrors: string[] = [];
const ctx = {} as Context;
/** App ID + App Secret the sandbox gives tokens for (random: the lint takes a literal for a secret). */
const app = { appId: `app_ui_${randomBytes(4).toString('hex')}`, appSecret: `sbx_${randomBytes(12).toString('hex')}` };

function screenshotDir(): string {
	const wanted = process.env.BESCHANNELS_UI_SCREENSHOTS;
	if (!wanted) return join(suite.dir, 'screenshots');
	return wanted === '1' ? join(ROOT, 'docs', 'screenshots') : resolve(wanted);
}

/** n8n with the package installed, the sandbox and the browser, started side by side. */
async function startAll(): Promise<[N8nServer, Sandbox, Awaited<ReturnType<typeof launchChromium>>]> {
	const install = n8nInstall('v2');
	if (!existsSync(CHROMIUM_PATH)) expect(false, `${CHROMIUM_PATH} is missing: apt-get install chromium (e2e/run.sh ui does it)`);
	const userFolder = join(suite.dir, 'user');
	return await Promise.all([
		packTarball(suite.dir)
			.then(async (tarball) => await installPackage(tarball, userFolder))
			.then(async () => suite.track('n8n', await startN8n(install, userFolder))),
		Sandbox.start(['--app-id', app.appId, '--app-secret', app.appSecret]).then((sandbox) => suite.track('sandbox', sandbox)),
		launchChromium().then((browser) => {
			suite.onStop(async () => await browser.close());
			return browser;
		}),
	]);
}

/** The owner, the credentials and the workflow (REST), then the workflow open in the editor. */
async function openWorkflow(sandbox: Sandbox, browser: Awaited<ReturnType<typeof launchChromium>>): Promise<void> {
	rest = new N8nRest(n8n.url);
	await rest.setupOwner();
	const wrongToken = `sbx_wrong_${randomBytes(16).toString('hex')}`;
	const right = await rest.createCredential('Beschannels sandbox', CREDENTIAL_TYPE, sandbox.account());
	const wrong = await rest.createCredential('Beschannels wrong token', CREDENTIAL_TYPE, sandbox.account({}, wrongToken));
	const workflowId = await rest.createWorkflow(testWorkflow(right, wrong));
	const members = await sandbox.members(GROUP);
	expect(members.length === GROUP_SIZE, `the sandbox group ${GROUP.groupObj}/${GROUP.groupId} has ${members.length} members, expected ${GROUP_SIZE}`);

	const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
	context.setDefaultTimeout(30_000);
	await context.addCookies([{ name: 'n8n-auth', value: rest.authCookie, domain: '127.0.0.1', path: '/' }]);
	// The editor sends this browser id with every call; n8n accepts the cookie only with it.
	await context.addInitScript({ content: `localStorage.setItem('n8n-browserId', ${JSON.stringify(rest.browserId)});` });
	page = await context.newPage();
	page.on('pageerror', (error) => pageErrors.push(error.message));
	Object.assign(ctx, { editor: new Editor(page, screenshotDir()), sandboxUrl: sandbox.url, token: sandbox.token, wrongToken, members, app });
	await page.goto(`${n8n.url}/workflow/${workflowId}`, { timeout: 120_000 });
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${NODE.action}"]`).waitFor({ state: 'visible', timeout: 120_000 });
}

/**
 * A check's steps. A check opens the node it needs (or finds it open); on a failure, a screenshot, the
 * page's errors and n8n's last lines are shown, and the editor goes back to the canvas.
 */
function inEditor(check: (context: Context) => Promise<void>): () => Promise<void> {
	return async () => {
		try {
			await check(ctx);
		} catch (error) {
			await page?.screenshot({ path: FAILURE_SCREENSHOT }).then(() => console.log(`[ui] screenshot of the failure: ${FAILURE_SCREENSHOT}`), () => undefined);
			if (pageErrors.length) console.log(`[ui] errors in the editor page:\n${pageErrors.slice(-5).join('\n')}`);
			if (n8n) console.log(`[ui] n8n printed (last lines, without stack traces):\n${tail(n8nLog(n8n.process.output()), 25)}`);
			// The next check starts on the canvas.
			await ctx.editor?.backToCanvas();
			throw error;
		}
	};
}

/**
 * The Test button as the editor calls it (`POST /rest/credentials/test` with a saved credential), for
 * Base URLs a user gets wrong: the package names the problem instead of an error code.
 */
async function testButton(name: string, data: Json): Promise<{ status: string; message: string }> {
	const saved = await rest.createCredential(name, CREDENTIAL_TYPE, data);
	return await rest.call('POST', '/rest/credentials/test', { credentials: { ...saved, type: CREDENTIAL_TYPE, data } });
}

async function misconfiguredBaseUrls(): Promise<void> {
	const { sandbox, redirector } = sandboxes;
	const noScheme = await testButton('No scheme', sandbox.account({ baseUrl: sandbox.url.replace(/^http:\/\//, '') }));
	expect(
		noScheme.status === 'Error' && /does not start with https:\/\/ or http:\/\//.test(noScheme.message),
		`a Base URL without http:// should be named by the Test button; n8n said ${JSON.stringify(noScheme)}`,
	);
	await redirector.admin('redirect', { status: 301, to: sandbox.url });
	const redirected = await testButton('Redirects', sandbox.account({ baseUrl: redirector.url }));
	expect(
		redirected.status === 'Error' && /^The Base URL redirects \(HTTP 301\)/.test(redirected.message),
		`a Base URL that redirects should be named by the Test button; n8n said ${JSON.stringify(redirected)}`,
	);
	console.log(`[ui] Test button, no scheme: ${noScheme.message}`);
	console.log(`[ui] Test button, redirect: ${redirected.message}`);
}

describe("the package in n8n's editor (Chromium)", { timeout: Number(process.env.BESCHANNELS_UI_TIMEOUT ?? 600) * 1000 }, () => {
	before(async () => {
		const [server, sandbox, browser] = await startAll();
		n8n = server;
		sandboxes = { sandbox, redirector: suite.track('redirector', await Sandbox.start()) };
		console.log(`[ui] n8n on ${n8n.url}, sandbox on ${sandbox.url}, Chromium ${browser.version()}`);
		await inEditor(async () => await openWorkflow(sandbox, browser))();
	});
	after(async () => {
		if (ctx.editor) console.log(`[ui] ${ctx.editor.screenshotCount} screenshots in ${screenshotDir()}`);
		await suite.stop();
	});

	it("credential dialog: n8n's test fails a wrong token with the package's message and passes the right one", inEditor(credentialDialog));
	it('node panel: labels, User ID hint, Group Object options, Return All hides Limit, options to add', inEditor(nodeParameters));
	it("execute: the group's 250 members with score_<id> columns, in the sandbox's order", inEditor(executeNode));
	it("Output Fields: the dropdown lists the group's fields from the API; two chosen leave those two and identity_id", inEditor(outputFields));
	it("execute: an unknown group and a wrong token show the package's error, no stack trace, no token", inEditor(nodeErrors));
	it('trigger: "Fetch Test Event" shows one sample, the group\'s newest member', inEditor(triggerTestEvent));
	it('Group ID is shown as required', inEditor(requiredGroupId));
	it('trigger: Fields to Watch lists the group\'s fields by key and label', inEditor(triggerFieldsToWatch));
	it('credential: Access Token mode warns of the 2-hour token; App ID + App Secret pasted with spaces passes the test', inEditor(appCredential));
	it('Test button: a Base URL without http:// and one that redirects are named', misconfiguredBaseUrls);
});
