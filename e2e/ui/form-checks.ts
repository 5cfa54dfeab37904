/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { expect } from '../lib/checks';
import type { Context } from './editor-checks';
import { NODE, waitUntil } from './editor';

/** What the editor shows of the form's checks: a required Group ID, the App ID + App Secret credential, Fields to Watch. */

function say(message: string): void {
	console.log(`[ui] ${message}`);
}

/**
 * Group ID is required: n8n's node panel marks no parameter with a "*", but it shows an issue on a
 * required parameter left empty (and refuses to run the node), as it does for User ID.
 */
export async function requiredGroupId({ editor }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.action);
	const item = ndv.getByTestId('parameter-item').filter({ visible: true, hasText: 'Group ID' }).first();
	const input = ndv.locator('[data-test-id="parameter-input-groupId"] input').first();
	const issue = item.locator('[class*="parameter-issues"]');
	const before = await input.inputValue();
	expect((await issue.count()) === 0, `Group ID shows an issue while it holds "${before}"`);
	await input.fill('');
	await page.keyboard.press('Tab');
	await issue.first().waitFor({ state: 'visible', timeout: 10_000 });
	say('Group ID left empty: the node panel shows an issue on it');
	await editor.screenshot('group-id-required');
	await input.fill(before);
	await page.keyboard.press('Tab');
	await issue.first().waitFor({ state: 'detached', timeout: 10_000 });
	await editor.closeNode();
}

/**
 * A new credential in App ID + App Secret mode: Access Token mode shows that tokens expire after 2
 * hours, App ID and App Secret pasted with spaces around them pass n8n's test.
 */
export async function appCredential({ editor, sandboxUrl, app }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.trigger);
	await ndv.getByTestId('node-credentials-select').click();
	await page.getByTestId('node-credentials-select-item-new').click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.waitFor({ state: 'visible' });
	const notice = modal.getByText(/Access tokens expire after 2 hours/);
	await notice.waitFor({ state: 'visible', timeout: 10_000 });
	say(`Access Token mode shows: "${(await notice.innerText()).trim()}"`);

	const mode = modal.getByTestId('parameter-input-authMode');
	const modeText = async () => `${await mode.innerText()} ${await mode.locator('input').first().inputValue().catch(() => '')}`;
	for (let attempt = 0; attempt < 5 && !(await modeText()).includes('App ID + App Secret'); attempt++) {
		await mode.click();
		const option = page.getByTestId('parameter-input-item').filter({ visible: true, hasText: /^\s*App ID \+ App Secret/ }).first();
		await option.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
		await option.click({ timeout: 5_000 }).catch(() => undefined);
		await page.waitForTimeout(300);
	}
	expect((await modeText()).includes('App ID + App Secret'), `Authentication is not "App ID + App Secret" (${(await modeText()).trim()})`);
	await notice.waitFor({ state: 'hidden', timeout: 5_000 });
	await modal.locator('[data-test-id="parameter-input-baseUrl"] input').fill(sandboxUrl);
	await modal.locator('[data-test-id="parameter-input-appId"] input').fill(` ${app.appId}  `);
	await modal.locator('[data-test-id="parameter-input-appSecret"] input').fill(`${app.appSecret} `);
	await modal.getByTestId('credential-save-button').click();

	const success = modal.getByTestId('credentials-config-container-test-success');
	const outcome = await waitUntil('the App ID + App Secret credential test to succeed', 60_000, async () => {
		if (await success.isVisible()) return 'shown';
		if (!(await modal.isVisible())) return 'closed';
		if (await modal.getByText(/Couldn.t connect with these settings/).isVisible()) return 'failed';
		return undefined;
	});
	expect(outcome !== 'failed', `n8n's test failed for App ID + App Secret pasted with spaces:\n${(await modal.innerText().catch(() => '')).slice(0, 600)}`);
	if (outcome === 'closed') {
		await ndv.getByTestId('credential-edit-button').click();
		await modal.waitFor({ state: 'visible' });
		await success.waitFor({ state: 'visible', timeout: 60_000 });
	}
	expect(!(await modal.innerText()).includes(app.appSecret), 'the credential dialog shows the App Secret');
	say(`App ID + App Secret (pasted with spaces): n8n says "${(await success.innerText()).split('\n')[0].trim()}"`);
	await editor.screenshot('credential-app-id');
	await modal.getByRole('button', { name: 'Close this dialog' }).click();
	await modal.waitFor({ state: 'hidden' });
	await editor.closeNode();
}

/** The trigger set to report members whose fields changed: Fields to Watch lists the group's fields. */
export async function triggerFieldsToWatch({ editor }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.trigger);
	await ndv.getByTestId('parameter-input-watch').click();
	await page.getByTestId('parameter-input-item').filter({ visible: true, hasText: /^\s*Any New Member/ }).first().click();
	const updated = ndv.getByTestId('parameter-input-includeUpdated');
	await updated.waitFor({ state: 'visible', timeout: 10_000 });
	await updated.click();
	const input = ndv.getByTestId('parameter-input-watchFields');
	const { items, listed } = await editor.listOptions(input);
	expect(listed.includes('Email (邮箱)'), `Fields to Watch does not offer "Email (邮箱)" (offers ${listed.join(', ')})`);
	const score = listed.find((name) => /^score_\d+$/.test(name));
	expect(score !== undefined, `Fields to Watch offers no score_<id> field (offers ${listed.join(', ')})`);
	for (const name of ['Email (邮箱)', score!]) await items.filter({ hasText: name }).first().click();
	await page.keyboard.press('Escape');
	await editor.screenshot('trigger-fields-to-watch');

	const result = await editor.execute(/Fetch Test Event/i);
	expect(!result.error, `"Fetch Test Event" with Fields to Watch failed: ${result.error}`);
	const { head, first } = await editor.outputTable();
	if (head.includes('event')) expect(first.event === 'joined', `the sample's event is "${first.event}", expected "joined"`);
	say(`Fields to Watch offers ${listed.length} fields; chosen Email (邮箱) and ${score}; the sample's event: ${first.event ?? '(column not shown)'}`);
	await editor.closeNode();
}
