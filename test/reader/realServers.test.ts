import type { INodeExecutionData } from 'n8n-workflow';

import type { NodeRun } from '../../harness/engine';
import type { GroupQuirks } from '../../sandbox/server';
import { DEFAULT_USER_ID, listParams, type Setup, useSandbox } from '../support/helpers';

/**
 * Servers as they really page, through n8n's engine against the sandbox: answers without `total`
 * (or with it as null or text), rows without an identity, a page past the end answered with the last
 * page or an error, first pages whose rows are all hidden from the User ID, a batch of members leaving
 * with one joining at the same moment, rows that tie in the sort order, and New Leads after a lead
 * dated in the future. Those with a "Before:" comment failed on the reader before them, as that
 * comment says; the others guard what already held.
 */

const identities = (items: INodeExecutionData[]) => items.map((i) => String(i.json.identity_id ?? i.json.Email));
const members = (t: Setup, groupId: string, hidden: string[] = []) =>
	t.sandbox
		.members('leads_schema_data', groupId)
		.map((m) => String(m.identity_id))
		.filter((id) => !hidden.includes(id));

/** The run succeeded with exactly `expected` (in order unless `anyOrder`); counts, not ids, on failure. */
function expectExactly(run: NodeRun, expected: string[], anyOrder = false) {
	expect(run.error?.message).toBeUndefined();
	const returned = identities(run.items);
	const got = anyOrder ? [...returned].sort() : returned;
	const want = anyOrder ? [...expected].sort() : expected;
	const firstDifference = want.findIndex((id, i) => got[i] !== id);
	expect({ returned: returned.length, firstDifference }).toEqual({ returned: expected.length, firstDifference: -1 });
}

describe('servers as they really page', () => {
	const t = useSandbox({
		pageCap: 1000,
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1', size: 3000 },
			{ groupObj: 'leads_schema_data', groupId: '2', size: 5000 },
			{ groupObj: 'leads_schema_data', groupId: '3', size: 1393 },
		],
	});
	const read = async (groupId: string, quirks: GroupQuirks, options = {}) => {
		t.sandbox.resetGroups();
		t.sandbox.setQuirks('leads_schema_data', groupId, quirks);
		return await t.engine.runNode({ parameters: listParams({ groupId, options }) });
	};

	// Before: "Beschannels ... group changed while it was read" after 65 requests (a missing total
	// counted as every change at once). Without a total, the end is a whole page found empty past the
	// last member, asked twice (a run of hidden rows shorter than a page is not taken for it).
	it.each(['missing', 'null', 'string'] as const)('total sent %s: a still group is read whole in at most 11 requests', async (totalAs) => {
		const run = await read('1', { totalAs });
		expectExactly(run, members(t, '1'));
		expect(t.pageRequests().length).toBeLessThanOrEqual(11);
	});

	// Before: "Beschannels sent page 1 again instead of new members" at once.
	it('rows without identity_id or identity_value are told apart by their fields', async () => {
		const run = await read('1', { withoutIdentity: true });
		expect(run.error?.message).toBeUndefined();
		expect(run.items).toHaveLength(3000);
		expect(new Set(run.items.map((i) => i.json.Email)).size).toBe(3000);
		expect(run.items[0].json.identity_id).toBeUndefined();
	});

	// Before: "Beschannels sent page 40 again instead of new members".
	it('Start at Page past the end, on a server that answers it with its last page: no member, no error', async () => {
		const run = await read('1', { pastEnd: 'last' }, { pageSize: 100, startPage: 40 });
		expect(run.error?.message).toBeUndefined();
		expect(run.items).toHaveLength(0);
	});

	it('a group whose last page is full, on a server that answers past the end with its last page, is read whole', async () => {
		const run = await read('1', { pastEnd: 'last' }, { pageSize: 100 });
		expectExactly(run, members(t, '1'));
	});

	it('a group on a server that answers a page past the end with an error code is read whole', async () => {
		const run = await read('1', { pastEnd: 'error' });
		expectExactly(run, members(t, '1'));
	});

	// Before: a success with 0 members after 4 requests, its hint saying all 1,393 are hidden.
	it('first pages whose rows are all hidden, on a server that serves 100 rows, Page Size automatic: every visible member', async () => {
		t.sandbox.resetGroups();
		const hidden = members(t, '3').slice(0, 237);
		t.sandbox.setQuirks('leads_schema_data', '3', { hidden });
		t.sandbox.setPageCap(100);
		try {
			const run = await t.engine.runNode({ parameters: listParams({ groupId: '3' }) });
			expectExactly(run, members(t, '3', hidden));
		} finally {
			t.sandbox.setPageCap(1000);
		}
	});

	// Before: a success with 5,000 items and a member who never moved missing, no hint.
	it('three members already read leave and one joins at the end, at one moment: every member who stayed', async () => {
		t.sandbox.resetGroups();
		const before = members(t, '2');
		t.sandbox.scheduleChanges('leads_schema_data', '2', [{ atRequest: 3, leave: { at: 100, count: 3 }, join: { at: 'end' } }]);
		const run = await t.engine.runNode({ parameters: listParams({ groupId: '2', options: { pageSize: 1000 } }) });
		expect(run.error?.message).toBeUndefined();
		const after = new Set(members(t, '2'));
		const returned = new Set(identities(run.items));
		const lost = before.filter((id) => after.has(id) && !returned.has(id));
		expect(lost).toEqual([]);
	});

	// Before: a success with 2,998 or 2,999 members (8 tied rows), or "The group changed while it was
	// read" on every run (200 tied rows) though nothing changed.
	it.each([
		['8', { from: 996, to: 1004 }],
		['200', { from: 900, to: 1100 }],
	])('%s rows that tie across a page edge, in another order on every request: every member once', async (_, block) => {
		const run = await read('1', { ties: [block] });
		expectExactly(run, members(t, '1'), true);
		// in the API's order outside the block
		const returned = identities(run.items);
		expect(returned.slice(0, block.from)).toEqual(members(t, '1').slice(0, block.from));
		expect(t.pageRequests().length).toBeLessThanOrEqual(2 * (4 + 1) + 2);
	});
});

describe('members who move, and totals beside hidden rows', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ groupObj: 'leads_schema_data', groupId: '1', size: 5000 }] });
	/** One member in every `every`, hidden from the User ID. */
	const hiddenOf = (ids: string[], every: number) => ids.filter((_, i) => i % every === 1);

	// Before: a success with one of the two members missing, no hint.
	it('two members trading places on a still server: every member once, or a clear error', async () => {
		t.sandbox.resetGroups();
		const before = members(t, '1');
		t.sandbox.scheduleChanges('leads_schema_data', '1', [{ atRequest: 3, move: { from: 10, to: 3000 } }, { atRequest: 3, move: { from: 2999, to: 10 } }]);
		const run = await t.engine.runNode({ parameters: listParams({ groupId: '1', options: { pageSize: 1000 } }) });
		if (run.error) expect(run.error.message).toMatch(/changed while it was read/);
		else expect(new Set(identities(run.items))).toEqual(new Set(before));
	});

	it('a member moving to the top while a third of the rows are hidden: every member once, or a clear error', async () => {
		t.sandbox.resetGroups();
		const all = members(t, '1');
		const hidden = hiddenOf(all, 3);
		t.sandbox.setQuirks('leads_schema_data', '1', { hidden });
		t.sandbox.scheduleChanges('leads_schema_data', '1', [{ atRequest: 3, move: { from: 4500, to: 0 } }]);
		const run = await t.engine.runNode({ parameters: listParams({ groupId: '1' }) });
		if (run.error) expect(run.error.message).toMatch(/changed while it was read/);
		else expect(new Set(identities(run.items))).toEqual(new Set(all.filter((id) => !hidden.includes(id))));
	});

	it('a total lower than the visible members, with rows hidden: every visible member', async () => {
		t.sandbox.resetGroups();
		const all = members(t, '1');
		const hidden = hiddenOf(all, 20);
		t.sandbox.setQuirks('leads_schema_data', '1', { hidden, totalOffset: -534 });
		const run = await t.engine.runNode({ parameters: listParams({ groupId: '1' }) });
		expectExactly(run, all.filter((id) => !hidden.includes(id)));
	});
});

describe('New Leads after a lead dated in the future', () => {
	const t = useSandbox({ pageCap: 50, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 60 }] });

	// Before: the 5 leads created after it were never emitted (the cursor had moved past them).
	it('emits the leads created after it, each once', async () => {
		t.sandbox.resetGroups();
		const p = t.engine.createPoller({ userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001', watch: 'newLeads', options: { pageSize: 50 } });
		expect(await p.poll()).toBeNull();
		const [top] = t.sandbox.members('leads_schema_data', '1001');
		t.sandbox.updateMembers('leads_schema_data', '1001', [{ identityId: String(top.identity_id), set: { CreatedTime: '2099-01-01 00:00:00' } }]);
		// a lead seen before is no new lead, whatever its date says now
		expect(await p.poll()).toBeNull();
		const added = t.sandbox.addMembers('leads_schema_data', '1001', 5);
		const emitted = ((await p.poll())?.[0] ?? []).map((i) => i.json.identity_id);
		expect(new Set(emitted)).toEqual(new Set(added.map((m) => m.identity_id)));
		expect(emitted).toHaveLength(5);
		expect(await p.poll()).toBeNull();
	});
});

describe('Any New Member on a group whose rows tie across a page edge', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 2500 }] });

	// Before: half the polls failed, and members were reported left, then joined again.
	it('every poll succeeds and, while nothing changes, emits nothing', async () => {
		t.sandbox.resetGroups();
		t.sandbox.setQuirks('leads_schema_data', '1001', { ties: [{ from: 950, to: 1050 }, { from: 1990, to: 2010 }] });
		const p = t.engine.createPoller({ userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001', watch: 'anyNewMember', includeLeft: true });
		expect(await p.poll()).toBeNull();
		for (let poll = 0; poll < 4; poll++) expect(await p.poll()).toBeNull();
		const added = t.sandbox.addMembers('leads_schema_data', '1001', 2);
		const emitted = ((await p.poll())?.[0] ?? []).map((i) => i.json.identity_id);
		expect(new Set(emitted)).toEqual(new Set(added.map((m) => m.identity_id)));
	});
});
