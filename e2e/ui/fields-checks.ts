/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { expect } from '../lib/checks';
import type { Context } from './editor-checks';
import { GROUP_SIZE, NODE } from './editor';

/** The option's name in the node panel: n8n's lint asks a list loaded from the API to end in "Names or IDs". */
const OUTPUT_FIELDS = 'Output Field Names or IDs';

/**
 * Output Fields: the dropdown lists the group's fields as the API's answer names them (header labels,
 * score_<id>, the other keys); two chosen fields leave items with those two and identity_id.
 */
export async function outputFields({ editor }: Context): Promise<void> {
	const { page } = editor;
	const ndv = await editor.openNode(NODE.action);
	await ndv.getByTestId('collection-parameter-add').click();
	await page.getByTestId('collection-parameter-option').filter({ visible: true, hasText: OUTPUT_FIELDS }).first().click();
	const input = ndv.getByTestId('parameter-input-outputFields');
	const { items, listed } = await editor.listOptions(input);
	for (const name of ['FullName (姓名)', 'MobilePhone (手机号)', 'CreatedTime (创建时间)', 'identity_id', 'client_type']) {
		expect(listed.includes(name), `Output Fields does not offer "${name}" (offers ${listed.join(', ')})`);
	}
	const scores = listed.filter((name) => /^score_\d+$/.test(name));
	expect(scores.length > 0, `Output Fields offers no score_<id> field (offers ${listed.join(', ')})`);
	expect(!listed.some((name) => name.startsWith('Score-')), `Output Fields offers a raw Score- key (${listed.join(', ')})`);
	await editor.screenshot('output-fields');

	for (const name of ['FullName (姓名)', 'MobilePhone (手机号)']) {
		await items.filter({ hasText: name }).first().click();
	}
	await page.keyboard.press('Escape');
	const result = await editor.execute(/Execute step/i);
	expect(!result.error, `executing "${NODE.action}" with Output Fields failed: ${result.error}`);
	expect(result.items === GROUP_SIZE, `the output shows ${result.items} items, expected the group's ${GROUP_SIZE}`);
	const { head } = await editor.outputTable();
	expect(
		JSON.stringify(head) === JSON.stringify(['FullName', 'MobilePhone', 'identity_id']),
		`with FullName and MobilePhone chosen, the output columns are ${head.join(', ')}`,
	);
	console.log(`[ui] Output Fields offers ${listed.length} fields (${listed.slice(0, 3).join(', ')}, ..., ${scores.length} score_ fields); chosen two: columns ${head.join(', ')}`);
	await editor.closeNode();
}
