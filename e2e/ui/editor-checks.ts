/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { expect, fail, type Json } from '../lib/checks';
import type { Locator } from './browser';
import { Editor, expectNoStack, GROUP_SIZE, NODE, waitUntil } from './editor';

/** What the browser test does in n8n's editor, check by check, as a user would. */

export interface Context {
	editor: Editor;
	sandboxUrl: string;
	token: string;
	wrongToken: string;
	members: Json[];
	/** The App ID and App Secret the sandbox gives tokens for. */
	app: { appId: string; appSecret: string };
}

function say(message: string): void {
	console.log(message.split('\n').map((line) => `[ui] ${line}`).join('\n'));
}

/** Opens the action node's credential list and a new Beschannels API credential in Access Token mode. */
async function newAccessTokenCredential(editor: Editor): Promise<{ ndv: Locator; modal: Locator }> {
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
	// the field shows its default only once rendered: look at it after that, not before
	await mode.locator('input').first().waitFor({ state: 'visible' });
	// the dropdown can take a moment to open on a busy machine: choose again until the choice shows
	for (let attempt = 0; attempt < 5 && !(await modeText()).includes('Access Token'); attempt++) {
		await mode.click();
		// by the option's name: the other option's description mentions "access tokens" too
		const option = page.getByTestId('parameter-input-item').filter({ visible: true, hasText: /^\s*Access Token/ }).first();
		await option.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
		await option.click({ timeout: 5_000 }).catch(() => undefined);
		await page.waitForTimeout(300);
	}
	expect((await modeText()).includes('Access Token'), `Authentication is not "Access Token" (${(await modeText()).trim()})`);
	return { ndv, modal };
}

/**
 * A new credential in the credential dialog: n8n's test fails for a wrong token with the package's
 * message, then succeeds for the right one, and the node uses the new credential.
 */
export async function credentialDialog({ editor, sandboxUrl, token, wrongToken }: Context): Promise<void> {
	const { ndv, modal } = await newAccessTokenCredential(editor);
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
	await rightToken(editor, modal, token);
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

/** Saves the right token in the open dialog and waits for n8n's test to succeed. */
async function rightToken(editor: Editor, modal: Locator, token: string): Promise<void> {
	const tokenInput = modal.locator('[data-test-id="parameter-input-accessToken"] input');
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
		await editor.ndv.getByTestId('credential-edit-button').click();
		await modal.waitFor({ state: 'visible' });
	}
	await success.waitFor({ state: 'visible', timeout: 60_000 });
	const successText = (await success.innerText()).split('\n')[0].trim();
	expect(/tested successfully/i.test(successText), `unexpected success message: "${successText}"`);
	say(`right token: n8n says "${successText}"`);
}

/** The node panel: labels, the User ID hint, Group Object options, Return All hiding Limit, adding an option. */
export async function nodeParameters({ editor }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.action);
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
	// added, Page Size is 0: automatic, as the hint under it says
	expect((await pageSize.inputValue()) === '0', `Page Size was added with ${await pageSize.inputValue()}, not 0 (automatic)`);
	const pageSizeItem = ndv.getByTestId('parameter-item').filter({ visible: true, hasText: 'Page Size' }).first();
	const pageSizeText = await pageSizeItem.innerText();
	expect(/0 is automatic/.test(pageSizeText), `Page Size shows no "0 is automatic" hint once added (${pageSizeText.replace(/\s+/g, ' ')})`);
	await editor.screenshot('page-size-option');
	expect(!(await ndv.getByText('No properties').isVisible()), '"No properties" is still shown after adding Page Size');
	say(`labels ok; Group Object: ${groupObjects.join(' / ')}; hint "${hint}"; options: ${options.join(', ')}`);
}

/** Executing the node: the group's members, score_<id> columns, in the sandbox's order. */
export async function executeNode({ editor, members }: Context): Promise<void> {
	await editor.openNode(NODE.action);
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

/** An unknown group and a wrong token: the package's error, no stack trace, no token. */
export async function nodeErrors({ editor, wrongToken }: Context): Promise<void> {
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

/** The trigger's "Fetch Test Event": one sample member, the group's newest. */
export async function triggerTestEvent({ editor, members }: Context): Promise<void> {
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
