/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development code: runs in Node.js, never inside n8n */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ACTION_NODE_TYPE, CREDENTIAL_TYPE, expect, fail, TRIGGER_NODE_TYPE, type Json } from '../lib/checks';
import type { CredentialRef } from '../lib/n8n';
import { sleep } from '../lib/proc';
import type { DomElement, Locator, Page } from './browser';

/**
 * n8n's editor as the browser test sees it: the workflow it opens, and what a user does there
 * (open a node, execute it, read its output table, take a screenshot).
 */

const USER_ID = 'user0sandbox0000000000000000000001';
export const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
export const GROUP_SIZE = 250;
export const VIEWPORT = { width: 1280, height: 800 };

export const NODE = {
	manual: "When clicking 'Execute workflow'",
	action: 'Beschannels',
	unknownGroup: 'Beschannels (unknown group)',
	wrongToken: 'Beschannels (wrong token)',
	trigger: 'Beschannels Trigger',
};

/** Polls `probe` until it returns something other than undefined. */
export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(200);
	}
}

// ---- the workflow the browser opens -----------------------------------------------------------

export function testWorkflow(sandbox: CredentialRef, wrong: CredentialRef): Json {
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

export class Editor {
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

	/**
	 * Opens the multi-select `input` once it has loaded its options from the API: its options, and
	 * what they list (each option's first line).
	 */
	async listOptions(input: Locator): Promise<{ items: Locator; listed: string[] }> {
		await input.waitFor({ state: 'visible', timeout: 10_000 });
		// the select is disabled while it loads its options from the API
		await input.locator('input.el-input__inner:not([disabled])').first().waitFor({ state: 'attached', timeout: 30_000 });
		await input.click();
		// a multi-select's options carry no data-test-id: Element Plus' own class names them
		const items = this.page.locator('.el-select-dropdown__item').filter({ visible: true });
		await items.first().waitFor({ state: 'visible' });
		return { items, listed: (await items.allInnerTexts()).map((text) => text.split('\n')[0].trim()) };
	}

	/** Opens a node's panel (or keeps it, when it is open already). */
	async openNode(name: string): Promise<Locator> {
		if (await this.ndv.isVisible()) {
			const open = await this.ndv.getByTestId('node-title-container').innerText();
			if (open.trim().split('\n')[0].trim() === name) return this.ndv;
			await this.closeNode();
		}
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

	/** Closes a dialog or node panel a check left open, so that the next check starts on the canvas. */
	async backToCanvas(): Promise<void> {
		const modal = this.page.getByTestId('editCredential-modal');
		if (await modal.isVisible()) await modal.getByRole('button', { name: 'Close this dialog' }).click().catch(() => undefined);
		if (await this.ndv.isVisible()) await this.closeNode().catch(() => undefined);
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

/** No stack trace and no internal error class names in what the output panel shows. */
export function expectNoStack(text: string, what: string): void {
	const stack = /^\s*at .+(:\d+:\d+\)?|\(native\))$/m.exec(text) ?? /\b(NodeApiError|NodeOperationError|TypeError|ReferenceError):/.exec(text);
	expect(!stack, `${what}: the error panel shows a stack trace or an internal error ("${stack?.[0].trim()}")`);
}

