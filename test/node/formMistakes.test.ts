/* eslint-disable @n8n/community-nodes/no-restricted-imports -- development code: runs in Node.js, never inside n8n */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INode } from 'n8n-workflow';

import { packageRoot } from '../../harness/engine';
import { ACCESS_GRANT_PATH } from '../../sandbox/server';
import { DEFAULT_USER_ID, listParams, serialize, useSandbox } from '../support/helpers';

/**
 * The mistakes an operator makes in the form (an empty or wrong Group ID, a field name as the
 * dropdown shows it, a boolean or number from an expression, a token pasted with a line break)
 * are caught before a read runs empty, or handled as they were meant, through n8n's engine.
 */

const APP = { appId: 'app_form01', appSecret: 'example-secret-Qw81Zk' };
const EMPTY = { groupObj: 'member', groupId: '4004' };
const groups = [
	{ groupObj: 'leads_schema_data', groupId: '1001', size: 250 },
	{ groupObj: 'member', groupId: '3001', size: 30 },
	{ ...EMPTY, size: 0 },
];
const trigger = { userId: DEFAULT_USER_ID, groupObj: 'member', groupId: '3001', watch: 'anyNewMember' };

describe('Group ID is required', () => {
	const t = useSandbox({ pageCap: 100, groups, apps: [APP] });

	it('is marked required in the node, the trigger and the tool', () => {
		for (const type of ['beschannels', 'beschannelsTrigger', 'beschannelsTool']) {
			const { properties } = t.engine.nodeTypes.getByNameAndVersion(`n8n-nodes-beschannels.${type}`, 1).description;
			const groupIds = properties.filter((property) => property.name === 'groupId');
			expect(groupIds.length).toBeGreaterThan(0);
			for (const property of groupIds) expect(property.required).toBe(true);
		}
	});

	it('left empty, n8n itself refuses to run the workflow, naming Group ID', async () => {
		await expect(t.engine.runNode({ parameters: listParams({ groupId: '' }) })).rejects.toThrow('Parameter "Group ID" is required');
		expect(t.sandbox.log).toHaveLength(0);
	});

	it.each([
		['blank', '   '],
		['empty from an expression', '={{ $json.missing }}'],
	])('%s: the item fails naming Group ID, and nothing is sent', async (_name, groupId) => {
		const run = await t.engine.runNode({ parameters: listParams({ groupId }) });
		expect(run.error?.message).toBe('Group ID is empty');
		expect(run.error?.description).toContain('Fill in Group ID');
		expect(run.error?.context?.itemIndex).toBe(0);
		expect(t.sandbox.log).toHaveLength(0);
	});

	it('an object from an expression fails: it is not sent as "[object Object]"', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ groupId: '={{ { id: 1001 } }}' }) });
		expect(run.error?.message).toBe('Group ID must be text or a number');
		expect(run.error?.description).toContain('an object');
		expect(t.sandbox.log).toHaveLength(0);
	});

	it('a number from an expression is sent as its digits', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '={{ 3001 }}' }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(30);
		expect(t.pageRequests()[0].fields.groupId).toBe('3001');
	});

	it('with Continue On Fail, the item without a Group ID becomes an error item and the others run', async () => {
		const run = await t.engine.runNode({
			parameters: listParams({ groupObj: 'member', groupId: '={{ $json.id }}' }),
			input: [{ id: '3001' }, { id: '' }, { id: 3001 }],
			onError: 'continueRegularOutput',
		});
		expect(run.error).toBeUndefined();
		const errors = run.items.filter((item) => item.json.error !== undefined);
		expect(errors).toEqual([expect.objectContaining({ json: expect.objectContaining({ error: 'Group ID is empty' }), pairedItem: { item: 1 } })]);
		expect(run.items.filter((item) => (item.pairedItem as IDataObject).item === 0)).toHaveLength(30);
		expect(run.items.filter((item) => (item.pairedItem as IDataObject).item === 2)).toHaveLength(30);
	});

	it('a read that finds no members succeeds with a hint naming the Group ID and the User ID', async () => {
		const run = await t.engine.runNode({ parameters: listParams(EMPTY) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(0);
		const hint = run.hints.map((h) => h.message).join('\n');
		expect(hint).toContain('Group ID "4004"');
		expect(hint).toContain(`User ID "${DEFAULT_USER_ID}"`);
		expect(hint).toMatch(/Check that/);
	});

	it('the trigger fails a poll without a Group ID, sending and saving nothing', async () => {
		const p = t.engine.createPoller({ ...trigger, groupId: ' ' });
		await expect(p.poll()).rejects.toThrow('Group ID is empty');
		expect(t.sandbox.log).toHaveLength(0);
		expect(p.nodeData).toEqual({});
	});

	it("the trigger's Fetch Test Event on a group with no members says what to check", async () => {
		const p = t.engine.createPoller({ ...trigger, ...EMPTY });
		const error = await p.poll('manual').catch((caught: unknown) => caught as Error & { description?: string });
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toContain('No members');
		expect(`${(error as Error).message} ${(error as { description?: string }).description}`).toContain('Group ID "4004"');
	});

	it('the tool answers a call without a Group ID with a message for the model, and sends nothing', async () => {
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID }, [{ groupId: '' }, { groupId: '  ' }]);
		for (const result of run.results) {
			expect(result.text).toBeUndefined();
			expect(result.error).toContain('Group ID is empty');
			expect(result.error).toContain('Call again with groupId');
		}
		expect(t.pageRequests()).toHaveLength(0);
	});

	it("the tool's answer for an empty group says what to check, not only 0 members", async () => {
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID, groupObj: 'member' }, [{ groupId: '4004' }]);
		const [answer] = JSON.parse(run.results[0].text!) as IDataObject[];
		expect(answer.returned).toBe(0);
		expect(answer.note).toContain('Group ID "4004"');
	});
});

describe('booleans and numbers from expressions', () => {
	const t = useSandbox({ pageCap: 100, groups });

	it('Return All "false" reads Limit members; "TRUE" reads them all', async () => {
		const limited = await t.engine.runNode({ parameters: listParams({ returnAll: '={{ "false" }}', limit: 5 }) });
		expect(limited.error).toBeUndefined();
		expect(limited.items).toHaveLength(5);
		const all = await t.engine.runNode({ parameters: listParams({ returnAll: '={{ "TRUE" }}', limit: 5, groupObj: 'member', groupId: '3001' }) });
		expect(all.items).toHaveLength(30);
	});

	it.each([
		['Return All', { returnAll: '={{ "yes" }}' }],
		['Limit', { returnAll: false, limit: '={{ true }}' }],
		['Limit', { returnAll: false, limit: '={{ "" }}' }],
		['Add ISO Created Time', { options: { addIsoDate: '={{ "on" }}' } }],
		['Page Size', { options: { pageSize: '={{ [100] }}' } }],
	])('%s given something that is not a boolean or number fails naming it', async (name, overrides) => {
		const run = await t.engine.runNode({ parameters: listParams(overrides as INode['parameters']) });
		expect(run.error?.message).toMatch(new RegExp(`^${name} must be`));
		expect(t.sandbox.log).toHaveLength(0);
	});

	it('"Also Report Members Whose Fields Changed" given "true" is on', async () => {
		const p = t.engine.createPoller({ ...trigger, includeUpdated: '={{ "true" }}' });
		expect(await p.poll()).toBeNull();
		expect((p.nodeData.state as IDataObject).fields).toBeDefined();
	});

	it.each([0, 11, -1])('Max Requests per Second %s fails clearly, and nothing is sent', async (rate) => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token, requestsPerSecond: rate });
		try {
			const run = await t.engine.runNode({ parameters: listParams() });
			expect(run.error?.message).toBe('Max Requests per Second in the Beschannels credential must be from 1 to 10');
			expect(t.sandbox.log).toHaveLength(0);
		} finally {
			t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		}
	});
});

describe('credentials trim what is pasted around a token, App ID and App Secret', () => {
	const t = useSandbox({ pageCap: 100, groups, apps: [APP] });
	afterEach(() => t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token }));

	it('an access token with a trailing line break and spaces works in the node and the Test button', async () => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: ` ${t.sandbox.token}\n  ` });
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001' }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(30);
		expect(await t.engine.testCredential()).toMatchObject({ status: 'OK' });
	});

	it('an App ID and App Secret pasted with spaces and line breaks work', async () => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'appCredentials', appId: `\t${APP.appId} `, appSecret: `${APP.appSecret}\r\n` });
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001' }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(30);
		expect(t.sandbox.log.some((r) => r.path === ACCESS_GRANT_PATH)).toBe(true);
		expect(await t.engine.testCredential()).toMatchObject({ status: 'OK' });
		expect(serialize(run.run)).not.toContain(APP.appSecret);
	});

	it('the Access Token mode shows that tokens expire after 2 hours and names the mode for schedules', () => {
		const properties = t.engine.credentialTypes.beschannelsApi.properties;
		const notice = properties.find((property) => property.type === 'notice');
		expect(notice?.displayOptions?.show?.authMode).toEqual(['accessToken']);
		expect(notice?.displayName).toMatch(/2 hours/);
		expect(notice?.displayName).toMatch(/App ID \+ App Secret/);
		expect(properties.find((property) => property.name === 'authMode')?.default).toBe('accessToken');
	});
});

describe('every trigger item says what happened in `event`', () => {
	const t = useSandbox({ pageCap: 100, groups });
	beforeEach(() => t.sandbox.resetGroups());
	const eventsOf = (result: Array<Array<{ json: IDataObject }>> | null) =>
		(result?.[0] ?? []).map((item) => `${String(item.json.event)}:${String(item.json.identity_id)}`).sort();

	it('Any New Member: "joined", "updated" and "left" on one output', async () => {
		const p = t.engine.createPoller({ ...trigger, includeLeft: true, includeUpdated: true });
		expect(await p.poll()).toBeNull();
		const members = t.sandbox.members('member', '3001');
		const [changed, gone] = [String(members[3].identity_id), String(members[5].identity_id)];
		const [joined] = t.sandbox.addMembers('member', '3001', 1);
		t.sandbox.updateMembers('member', '3001', [{ identityId: changed, set: { Email: 'changed@example.com' } }]);
		t.sandbox.removeMembers('member', '3001', [gone]);
		expect(eventsOf(await p.poll())).toEqual([`joined:${String(joined.identity_id)}`, `updated:${changed}`].sort());
		expect(eventsOf(await p.poll())).toEqual([`left:${gone}`]);
	});

	it('New Leads: "created"', async () => {
		const p = t.engine.createPoller({ ...trigger, watch: 'newLeads' });
		expect(await p.poll()).toBeNull();
		const [lead] = t.sandbox.addMembers('member', '3001', 1);
		expect(eventsOf(await p.poll())).toEqual([`created:${String(lead.identity_id)}`]);
	});

	it('Fetch Test Event gives a sample with the event a poll would emit', async () => {
		for (const [watch, event] of [['anyNewMember', 'joined'], ['newLeads', 'created']]) {
			const sample = await t.engine.createPoller({ ...trigger, watch }).poll('manual');
			expect(sample?.[0][0].json.event).toBe(event);
		}
	});
});

describe('examples route trigger items on event with one Switch node', () => {
	const t = useSandbox({ pageCap: 100, groups });
	interface Condition {
		leftValue: string;
		rightValue: string;
		operator: { operation: string };
	}
	interface Rule {
		outputKey: string;
		conditions: { conditions: Condition[] };
	}
	const example = (file: string) =>
		JSON.parse(readFileSync(join(packageRoot(), 'examples', file), 'utf8')) as { nodes: INode[]; connections: IDataObject };
	/** The Switch output an item goes to, as the Switch node's rules (equals, not empty) read it. */
	const route = (rules: Rule[], json: IDataObject) =>
		rules.find((rule) =>
			rule.conditions.conditions.every((condition) => {
				const field = /^=\{\{ \$json\.(\w+) \}\}$/.exec(condition.leftValue)![1];
				const value = json[field];
				if (condition.operator.operation === 'equals') return value === condition.rightValue;
				if (condition.operator.operation === 'notEmpty') return typeof value === 'string' && value !== '';
				throw new Error(`unexpected operation ${condition.operator.operation}`);
			}),
		)?.outputKey;

	it('members-to-crm.json: joined and updated members with an email go to the upsert, members who left to their own output', async () => {
		const workflow = example('members-to-crm.json');
		const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-beschannels.beschannelsTrigger')!;
		const switches = workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.switch');
		expect(switches).toHaveLength(1);
		const rules = (switches[0].parameters.rules as { values: Rule[] }).values;
		expect(rules.map((rule) => rule.outputKey)).toEqual(['joined', 'updated', 'left']);
		const outputs = (workflow.connections[switches[0].name] as { main: Array<Array<{ node: string }>> }).main;
		expect(outputs.map((output) => output.map((connection) => connection.node))).toEqual([
			['Upsert CRM contact by email'],
			['Upsert CRM contact by email'],
			['Mark CRM contact as left'],
		]);

		const p = t.engine.createPoller({ ...trigger.parameters, groupId: '1001' });
		expect(await p.poll()).toBeNull();
		const members = t.sandbox.members('leads_schema_data', '1001');
		const [changed, gone] = [String(members[3].identity_id), String(members[8].identity_id)];
		const [joined] = t.sandbox.addMembers('leads_schema_data', '1001', 1);
		t.sandbox.updateMembers('leads_schema_data', '1001', [{ identityId: changed, set: { Email: 'changed@example.com' } }]);
		t.sandbox.removeMembers('leads_schema_data', '1001', [gone]);
		const first = (await p.poll())![0].map((item) => [String(item.json.identity_id), route(rules, item.json)]);
		expect(new Map(first)).toEqual(new Map([[String(joined.identity_id), 'joined'], [changed, 'updated']]));
		const second = (await p.poll())![0].map((item) => [String(item.json.identity_id), route(rules, item.json)]);
		expect(second).toEqual([[gone, 'left']]);
	});
});

describe('field names are checked against the group', () => {
	const t = useSandbox({ pageCap: 100, groups });
	beforeEach(() => t.sandbox.resetGroups());
	const member = { groupObj: 'member', groupId: '3001' };
	const keysOf = (items: Array<{ json: IDataObject }>) => [...new Set(items.flatMap((item) => Object.keys(item.json)))].sort();

	it.each([
		['the key', ['Email']],
		["the dropdown's text", ['Email (邮箱)']],
		['the label', ['邮箱']],
		['another case', ['email']],
		['an expression in another case, with spaces', '={{ " EMAIL , identity_id " }}'],
	])('Output Fields: %s means the field', async (_name, outputFields) => {
		const run = await t.engine.runNode({ parameters: listParams({ ...member, options: { outputFields } }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(30);
		expect(keysOf(run.items)).toEqual(['Email', 'identity_id']);
	});

	it('Output Fields: Score-<id>, score_<id> and a score model no member has yet are accepted', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ ...member, options: { outputFields: ['Score-20408', 'SCORE_3774', 'score_99999'] } }) });
		expect(run.error).toBeUndefined();
		expect(keysOf(run.items)).toEqual(['identity_id', 'score_20408', 'score_3774']);
	});

	it('Output Fields: a name no field has fails naming it and the closest fields', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ ...member, options: { outputFields: ['Emial', 'Foo'] } }) });
		expect(run.error?.message).toBe('Output Fields names fields this group does not have: "Emial", "Foo"');
		expect(run.error?.description).toMatch(/"Emial": closest Email/);
		expect(run.items).toHaveLength(0);
	});

	const watching = { ...trigger, includeUpdated: true };
	const updateEmail = () => {
		const id = String(t.sandbox.members('member', '3001')[4].identity_id);
		t.sandbox.updateMembers('member', '3001', [{ identityId: id, set: { Email: 'moved@example.com' } }]);
		return id;
	};

	it.each([
		["the dropdown's text", ['Email (邮箱)']],
		['the label', ['邮箱']],
		['another case', 'email'],
	])('Fields to Watch: %s watches the field', async (_name, watchFields) => {
		const p = t.engine.createPoller({ ...watching, watchFields });
		expect(await p.poll()).toBeNull();
		const id = updateEmail();
		const result = await p.poll();
		expect((result?.[0] ?? []).map((item) => `${String(item.json.event)}:${String(item.json.identity_id)}`)).toEqual([`updated:${id}`]);
	});

	it('Fields to Watch: a name no field has fails the poll naming it, and nothing is saved', async () => {
		const p = t.engine.createPoller({ ...watching, watchFields: ['Foo', 'score_20408'] });
		await expect(p.poll()).rejects.toThrow('Fields to Watch names a field this group does not have: "Foo"');
		expect(p.nodeData).toEqual({});
	});

	it('Fields to Watch: an object from an expression fails; it does not widen to every field', async () => {
		const p = t.engine.createPoller({ ...watching, watchFields: '={{ { field: "Email" } }}' });
		await expect(p.poll()).rejects.toThrow('Fields to Watch must be field names');
		expect(p.nodeData).toEqual({});
		expect(t.sandbox.log).toHaveLength(0);
	});
});

describe('Page Size, when added in the editor, means automatic until changed', () => {
	const t = useSandbox({ pageCap: 1000, groups });
	const pageSizeOption = () => {
		const { properties } = t.engine.nodeTypes.getByNameAndVersion('n8n-nodes-beschannels.beschannels', 1).description;
		const options = properties.find((property) => property.name === 'options' && property.type === 'collection')!;
		return (options.options as INode['parameters'][]).find((option) => option.name === 'pageSize')!;
	};

	it('the value the editor fills in reads as automatic: the first request asks 1,000 rows', async () => {
		const added = pageSizeOption().default;
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: added } }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(250);
		expect(t.pageRequests()[0].fields.page_size).toBe('1000');
		expect(String(pageSizeOption().hint)).toMatch(/0.*automatic/);
	});

	it('a value set is the most rows any request asks', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.items).toHaveLength(250);
		expect(Math.max(...t.pageRequests().map((r) => Number(r.fields.page_size)))).toBe(100);
	});
});

describe('the README, for an ops user', () => {
	const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');

	it('is under 15,000 bytes, with the demo near the top and where to find User ID and Group ID', () => {
		expect(Buffer.byteLength(readme)).toBeLessThan(15_000);
		expect(readme.indexOf('npm ci && npm run demo')).toBeGreaterThan(0);
		expect(readme.indexOf('npm ci && npm run demo')).toBeLessThan(1_500);
		const finding = readme.slice(readme.indexOf('## Finding things in the Beschannels app'));
		expect(finding).toMatch(/\*\*User ID\*\*[\s\S]{0,200}Personal settings > User ID/);
		expect(finding).toMatch(/\*\*Group ID\*\*/);
		expect(readme).toContain('members-to-crm.json');
	});

	it('makes no claim the node does not keep', () => {
		expect(readme).not.toMatch(/every lead score as a plain number/);
		expect(readme).not.toMatch(/all four/);
		expect(readme).not.toMatch(/first offered only/);
		// the credential section leads with App ID + App Secret
		const credentials = readme.slice(readme.indexOf('## Credentials'));
		expect(credentials.indexOf('App ID + App Secret')).toBeLessThan(credentials.indexOf('Access Token'));
	});
});

describe("Fetch Test Event checks Fields to Watch", () => {
	const t = useSandbox({ pageCap: 100, groups });

	it('a name no field has fails the test event naming it; a label passes', async () => {
		const base = { ...trigger, includeUpdated: true };
		await expect(t.engine.createPoller({ ...base, watchFields: ['Emial'] }).poll('manual')).rejects.toThrow(
			'Fields to Watch names a field this group does not have: "Emial"',
		);
		const sample = await t.engine.createPoller({ ...base, watchFields: ['邮箱'] }).poll('manual');
		expect(sample?.[0][0].json.event).toBe('joined');
	});
});

describe('User ID and Group Object from an expression', () => {
	const t = useSandbox({ pageCap: 100, groups });

	it.each([
		['User ID', { userId: '={{ { id: "user1" } }}' }],
		['Group Object', { groupObj: '={{ ["member"] }}' }],
	])('%s that is not text fails naming it; nothing is sent as "[object Object]"', async (name, overrides) => {
		const run = await t.engine.runNode({ parameters: listParams(overrides) });
		expect(run.error?.message).toBe(`${name} must be text`);
		expect(t.sandbox.log).toHaveLength(0);
	});
});
