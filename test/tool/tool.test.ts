import { ExecuteContext } from 'n8n-core';
import type { IDataObject, INode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { ACTION_TYPE, TOOL_TYPE, type ToolRun } from '../../harness/engine';
import type { ToolAnswer as Answer } from '../../nodes/Beschannels/shared/items/toolAnswer';
import type { Row } from '../../sandbox/members';
import { DEFAULT_USER_ID, listParams, serialize, useSandbox } from '../support/helpers';

/** What a tool answer keeps of a member, written out here independently of the node's code. */
const KEPT = new Set(['FullName', 'MobilePhone', 'Email', 'Company', 'CreatedTime', 'identity_id']);

/** The sandbox row as a tool answer should show it: kept fields, scores as numbers, nothing empty. */
function expectedMember(row: Row): IDataObject {
	const out: IDataObject = {};
	for (const [key, value] of Object.entries(row)) {
		if (value === '' || value === null || value === undefined) continue;
		if (key.startsWith('Score-')) out[`score_${key.slice('Score-'.length)}`] = Number(value);
		else if (KEPT.has(key)) out[key] = value as string;
	}
	return out;
}

/** The JSON text one call returned: n8n's tool hands the model the items' JSON, one answer item. */
function answerOf(run: ToolRun, call = 0): Answer {
	const { text, error } = run.results[call];
	if (error !== undefined) throw new Error(`call ${call} failed: ${error}`);
	const items = JSON.parse(text!) as Answer[];
	expect(items).toHaveLength(1);
	return items[0];
}

describe('Beschannels as a tool, through n8n-core\'s own tool machinery', () => {
	const t = useSandbox({ pageCap: 100 });
	const group = () => t.sandbox.members('leads_schema_data', '1001');
	const tool = (calls: IDataObject[], parameters: INode['parameters'] = {}) =>
		t.engine.callTool({ userId: DEFAULT_USER_ID, ...parameters }, calls);

	it('is offered to the model with a description and the parameters it fills', async () => {
		const run = await tool([]);
		expect(run.error).toBeUndefined();
		expect(run.name).toBe('Beschannels');
		expect(run.description).toMatch(/^Lists the members of a group in Beschannels/);
		expect(run.description).toContain('nextStart');
		expect(Object.keys(run.schema)).toEqual(['groupObject', 'groupId', 'search', 'limit', 'start']);
		expect(Object.entries(run.schema).filter(([, argument]) => argument.required).map(([key]) => key)).toEqual(['groupId']);
		expect(run.schema.groupObject).toMatchObject({ type: 'string', default: 'leads_schema_data' });
		expect(run.schema.groupObject.description).toContain('schema_data for customers with details');
		expect(run.schema.limit).toMatchObject({ type: 'number', default: 20 });
		expect(run.schema.start).toMatchObject({ type: 'number', default: 1 });
		expect(run.schema.search).toMatchObject({ type: 'string', default: '' });
	});

	it('answers with 20 compact members by default, the group\'s total and where the next ones start, in one request', async () => {
		const run = await tool([{ groupId: '1001' }]);
		const answer = answerOf(run);
		expect(Object.keys(answer)).toEqual(['total', 'start', 'returned', 'nextStart', 'note', 'members']);
		expect(answer).toMatchObject({ total: 250, start: 1, returned: 20, nextStart: 21 });
		expect(answer.note).toBe(
			'Members 1 to 20 of 250. More follow: call again with start 21 for the next ones; limit (at most 200) sets how many come at once.',
		);
		expect(answer.members).toEqual(group().slice(0, 20).map(expectedMember));
		expect(t.pageRequests().map((r) => [r.fields.page_num, r.fields.page_size])).toEqual([['1', '20']]);
		// n8n ran it as a tool: its run is logged on the ai_tool connection, with the model's arguments
		// and the schema's defaults as input
		const toolRun = run.run.data.resultData.runData.Beschannels?.[0];
		expect(toolRun?.inputOverride?.ai_tool?.[0]?.[0]?.json).toEqual({
			groupId: '1001',
			groupObject: 'leads_schema_data',
			search: '',
			limit: 20,
			start: 1,
		});
		expect(toolRun?.data?.ai_tool).toBeDefined();
	});

	it('is smaller than the plain node\'s output for the same members', async () => {
		const answer = JSON.stringify([answerOf(await tool([{ groupId: '1001' }]))]);
		const plain = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 20 }) });
		const plainBytes = Buffer.byteLength(JSON.stringify(plain.items.map((item) => item.json)));
		expect(Buffer.byteLength(answer)).toBeLessThan(plainBytes * 0.85);
	});

	it('gives the members the model asks for: start and limit', async () => {
		const run = await tool([
			{ groupId: '1001', start: 21, limit: 50 },
			{ groupId: '1001', start: 241, limit: 20 },
		]);
		const next = answerOf(run, 0);
		expect(next).toMatchObject({ total: 250, start: 21, returned: 50, nextStart: 71 });
		expect(next.members.map((m) => m.identity_id)).toEqual(group().slice(20, 70).map((m) => m.identity_id));
		const last = answerOf(run, 1);
		expect(last).toMatchObject({ total: 250, start: 241, returned: 10 });
		expect(last.nextStart).toBeUndefined();
		expect(last.note).toBe('Members 241 to 250 of 250: the last members of the group.');
		expect(last.members).toEqual(group().slice(240).map(expectedMember));
	});

	it('returns exactly the members matching a search, and says they are all', async () => {
		const matching = group().filter((row) => ['FullName', 'MobilePhone', 'Email'].some((k) => String(row[k]).includes('example.org')));
		expect(matching.length).toBeGreaterThan(20);
		expect(matching.length).toBeLessThan(200);
		const run = await tool([{ groupId: '1001', search: 'example.org', limit: 200 }]);
		const answer = answerOf(run);
		expect(answer).toMatchObject({ total: matching.length, start: 1, returned: matching.length });
		expect(answer.nextStart).toBeUndefined();
		expect(answer.note).toBe(`Members 1 to ${matching.length} of ${matching.length}: every member matching the search.`);
		expect(answer.members).toEqual(matching.map(expectedMember));
		expect(t.pageRequests().every((r) => r.fields.search_str === 'example.org')).toBe(true);
	});

	it('reads another kind of group the model names', async () => {
		const answer = answerOf(await tool([{ groupObject: 'member', groupId: '3001', limit: 5 }]));
		expect(answer).toMatchObject({ total: 80, returned: 5, nextStart: 6 });
		expect(answer.members).toEqual(t.sandbox.members('member', '3001').slice(0, 5).map(expectedMember));
		expect(t.pageRequests()[0].fields).toMatchObject({ group_obj: 'member', groupId: '3001' });
	});

	it('caps what one call returns, and says so', async () => {
		const answer = answerOf(await tool([{ groupId: '1001', limit: 500 }]));
		expect(answer).toMatchObject({ total: 250, returned: 200, nextStart: 201 });
		expect(answer.note).toContain('(500 were asked; one call returns at most 200)');
	});

	it('says when nothing is left from the position asked', async () => {
		const answer = answerOf(await tool([{ groupId: '1001', start: 300 }]));
		expect(answer).toMatchObject({ total: 250, start: 300, returned: 0, members: [] });
		expect(answer.nextStart).toBeUndefined();
		expect(answer.note).toBe('No members from position 300 on; Beschannels counts 250 in all.');
	});

	it('refuses a limit or start that is not a whole number of at least 1, with a message the model can act on', async () => {
		const run = await tool([
			{ groupId: '1001', limit: 0 },
			{ groupId: '1001', start: 2.5 },
		]);
		expect(run.results[0].error).toContain('Members per Call must be a whole number of at least 1');
		expect(run.results[0].error).toContain('Give 1 to 200');
		expect(run.results[1].error).toContain('Start At must be a whole number of at least 1');
		expect(t.pageRequests()).toHaveLength(0);
	});

	it('with parameters the workflow fixes: nothing for the model to fill, and an answer that says it cannot page', async () => {
		const run = await tool([{}], { groupObj: 'member', groupId: '3001', search: '', membersPerCall: 5, start: 1 });
		expect(run.schema).toEqual({});
		const answer = answerOf(run);
		expect(answer).toMatchObject({ total: 80, returned: 5, nextStart: 6 });
		expect(answer.note).toBe('Members 1 to 5 of 80. More follow, but this tool cannot read further: the workflow fixes where it starts.');
		expect(answer.members).toEqual(t.sandbox.members('member', '3001').slice(0, 5).map(expectedMember));
	});

	it('uses the keys the workflow gave the model in its note', async () => {
		const run = await tool([{ group: '1001', offset: 11 }], {
			groupId: "={{ $fromAI('group', 'The group ID', 'string') }}",
			start: "={{ $fromAI('offset', 'Where to start', 'number', 1) }}",
			membersPerCall: 10,
			search: '',
			groupObj: 'leads_schema_data',
		});
		expect(Object.keys(run.schema)).toEqual(['group', 'offset']);
		const answer = answerOf(run);
		expect(answer).toMatchObject({ start: 11, returned: 10, nextStart: 21 });
		expect(answer.note).toBe('Members 11 to 20 of 250. More follow: call again with offset 21 for the next ones.');
	});

	it('a rejected token comes back as an error the model can read, without the token', async () => {
		const rejected = `sbx-rejected-${Date.now()}`;
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: rejected });
		try {
			const run = await tool([{ groupId: '1001' }]);
			const { error, text } = run.results[0];
			expect(text).toBeUndefined();
			expect(error).toContain('Beschannels error 2');
			expect(error).toContain('invalid or expired access token');
			expect(serialize(run.run)).not.toContain(rejected);
		} finally {
			t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		}
	});
});

describe('Beschannels as a tool run as a node of its own (n8n 2.x agents\' engine requests, n8n 1.x)', () => {
	const t = useSandbox({ pageCap: 100 });
	const group = () => t.sandbox.members('leads_schema_data', '1001');
	const parameters = { userId: DEFAULT_USER_ID };

	it('knows it is a tool by its type when isToolExecution() says no', async () => {
		expect(ExecuteContext.prototype.isToolExecution()).toBe(false);
		const run = await t.engine.runNode({ nodeType: TOOL_TYPE, parameters, input: [{ groupId: '1001', limit: 3 }] });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		const answer = run.items[0].json as unknown as Answer;
		expect(answer).toMatchObject({ total: 250, start: 1, returned: 3, nextStart: 4 });
		expect(answer.members).toEqual(group().slice(0, 3).map(expectedMember));
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
	});

	it('and when the context has no isToolExecution at all, as in n8n 1.x', async () => {
		const original = Object.getOwnPropertyDescriptor(ExecuteContext.prototype, 'isToolExecution')!;
		delete (ExecuteContext.prototype as { isToolExecution?: unknown }).isToolExecution;
		try {
			const run = await t.engine.runNode({ nodeType: TOOL_TYPE, parameters, input: [{ groupId: '1001', start: 5, limit: 2 }] });
			const answer = run.items[0].json as unknown as Answer;
			expect(answer).toMatchObject({ start: 5, returned: 2, nextStart: 7 });
			expect(answer.members.map((m) => m.identity_id)).toEqual(group().slice(4, 6).map((m) => m.identity_id));
		} finally {
			Object.defineProperty(ExecuteContext.prototype, 'isToolExecution', original);
		}
	});
});

describe('parameters as n8n fills them in', () => {
	const t = useSandbox();
	const filled = (type: string, parameters: INode['parameters']) => {
		const node: INode = { id: 'n', name: 'Beschannels', type, typeVersion: 1, position: [0, 0], parameters };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: t.engine.nodeTypes });
		return workflow.getNode('Beschannels')!.parameters;
	};

	it('the plain node keeps exactly its parameters and defaults', () => {
		expect(filled(ACTION_TYPE, { userId: DEFAULT_USER_ID })).toEqual({
			resource: 'groupUser',
			operation: 'getAll',
			userId: DEFAULT_USER_ID,
			groupObj: 'leads_schema_data',
			groupId: '',
			returnAll: false,
			limit: 50,
			options: {},
		});
	});

	it('the tool gets its description and lets the model fill the group, search, count and start', () => {
		const parameters = filled(TOOL_TYPE, { userId: DEFAULT_USER_ID });
		expect(Object.keys(parameters).sort()).toEqual(
			['toolDescription', 'resource', 'operation', 'userId', 'groupObj', 'groupId', 'search', 'membersPerCall', 'start', 'options'].sort(),
		);
		for (const name of ['groupObj', 'groupId', 'search', 'membersPerCall', 'start']) {
			expect(parameters[name]).toMatch(/^=\{\{ \/\*n8n-auto-generated-fromAI-override\*\/ \$fromAI\('/);
		}
		expect(parameters.toolDescription).toMatch(/^Lists the members of a group in Beschannels/);
	});
});
