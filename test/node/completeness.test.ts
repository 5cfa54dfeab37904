import type { INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

/**
 * The whole group or a clear error, never a silent part of it: through n8n's engine, against the
 * sandbox counting offsets either way, serving a page short once, or announcing a total it never
 * reaches.
 */

const identities = (items: INodeExecutionData[]) => items.map((i) => i.json.identity_id);

describe.each(['asked', 'served'] as const)('a server that serves at most 37 rows a page, counting offsets by rows %s', (offsets) => {
	const t = useSandbox({ pageCap: 37, offsets, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 1037 }] });
	const group = () => t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id);

	it('Return All with default options returns all 1,037 members once, in order, with no hint', async () => {
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expect(identities(run.items)).toEqual(group());
		expect(run.hints).toHaveLength(0);
		// the short first answer is not taken as the cap until page 1 asked at 38 rows, then at 37, holds
		// the same 37; then pages of at most the 37 rows served
		expect(t.pageRequests()[1].fields.page_size).toBe('38');
		expect(t.pageRequests().slice(2).every((r) => Number(r.fields.page_size) <= 37)).toBe(true);
	});

	it('Limit 45 returns exactly the first 45 members', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 45 }) });
		expect(identities(run.items)).toEqual(group().slice(0, 45));
		expect(t.pageRequests().map((r) => r.fields.page_size)).toEqual(['45', '38', '37', '35']);
	});

	it('Start at Page 3 of Page Size 100 returns members 201 on', async () => {
		const slice = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 100, options: { pageSize: 100, startPage: 3 } }),
		});
		expect(identities(slice.items)).toEqual(group().slice(200, 300));
		const rest = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100, startPage: 3 } }) });
		expect(identities(rest.items)).toEqual(group().slice(200));
		expect(rest.hints).toHaveLength(0);
	});
});

describe('Start at Page counts pages of Page Size, whatever Limit is', () => {
	const t = useSandbox({ pageCap: 100 });

	it('Limit 10, Page Size 100, Start at Page 3 returns members 201-210', async () => {
		const run = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 10, options: { pageSize: 100, startPage: 3 } }),
		});
		const group = t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id);
		expect(identities(run.items)).toEqual(group.slice(200, 210));
	});
});

describe('a page served short once, and a total never reached', () => {
	const t = useSandbox({ pageCap: 20, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 100 }] });
	const group = () => t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id);
	afterEach(() => t.sandbox.setQuirks('leads_schema_data', '1001', {}));

	it('a page that comes back with 15 of its 20 rows once is asked again: every member, no hint', async () => {
		t.sandbox.injectFault({ fault: { kind: 'short', rows: 15 }, page: 2 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 20 } }) });
		expect(identities(run.items)).toEqual(group());
		expect(run.hints).toHaveLength(0);
	});

	it('an empty page before the total is asked again', async () => {
		t.sandbox.injectFault({ fault: { kind: 'short', rows: 0 }, page: 3 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 20 } }) });
		expect(identities(run.items)).toEqual(group());
	});

	it('a total that is never reached: the end is confirmed, and the hint says what is known and what is not', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { totalOffset: 30 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 20 } }) });
		expect(run.error).toBeUndefined();
		expect(identities(run.items)).toEqual(group());
		const [hint] = run.hints.map((h) => h.message);
		expect(hint).toMatch(/announced 130 members .* 100 arrived/);
		expect(hint).toMatch(/asked twice/);
		expect(hint).toMatch(/other 30 are counted by Beschannels but not sent/);
		expect(hint).not.toMatch(/All members that exist were returned/);
	});
});

describe('the trigger never invents or loses events', () => {
	const base = { userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001' };
	const t = useSandbox({ pageCap: 20, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 60 }] });
	const ids = (result: INodeExecutionData[][] | null) => (result?.[0] ?? []).map((i) => i.json.identity_id);
	beforeEach(() => t.sandbox.resetGroups());

	it('Any New Member: a page short on two answers is taken as hidden rows: no member is reported as left or joined', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft: true, options: { pageSize: 20 } });
		expect(await p.poll()).toBeNull();
		// asked again, the page still comes short: its missing rows are taken as hidden, not as gone
		t.sandbox.injectFault({ fault: { kind: 'short', rows: 5 }, page: 2, times: 2 });
		expect(await p.poll()).toBeNull();
		expect(await p.poll()).toBeNull();
		expect(await p.poll()).toBeNull();
	});

	it('Any New Member: a page short only once is read again and the poll goes on', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft: true, options: { pageSize: 20 } });
		await p.poll();
		const added = t.sandbox.addMembers('leads_schema_data', '1001', 2);
		t.sandbox.injectFault({ fault: { kind: 'short', rows: 5 }, page: 2 });
		expect(new Set(ids(await p.poll()))).toEqual(new Set(added.map((m) => m.identity_id)));
	});

	it('a poll that finds nothing new writes no static data', async () => {
		for (const watch of ['anyNewMember', 'newLeads']) {
			const p = t.engine.createPoller({ ...base, watch, options: { pageSize: 20 } });
			await p.poll();
			expect(p.writes).toBe(1);
			expect(await p.poll()).toBeNull();
			expect(await p.poll()).toBeNull();
			expect(p.writes).toBe(1);
			t.sandbox.addMembers('leads_schema_data', '1001', 1);
			expect(ids(await p.poll())).toHaveLength(1);
			expect(p.writes).toBe(2);
		}
	});

	it('New Leads: a new lead without a readable CreatedTime neither ends the read nor hides later leads', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 20 } });
		await p.poll();
		const newest = Date.parse('2026-11-01T00:00:00Z') / 1000;
		const older = t.sandbox.addMembers('leads_schema_data', '1001', 12, { createdAt: newest });
		t.sandbox.addMembers('leads_schema_data', '1001', 1, { createdAt: newest + 1, createdTimeText: '' });
		const newer = t.sandbox.addMembers('leads_schema_data', '1001', 12, { createdAt: newest + 2 });
		const emitted = ids(await p.poll());
		expect(new Set(emitted)).toEqual(new Set([...older, ...newer].map((m) => m.identity_id)));
		expect(emitted).toHaveLength(24);
		expect(await p.poll()).toBeNull();
		expect(t.engine.logger.lines.some((l) => /1 members have no readable CreatedTime/.test(l.message))).toBe(true);
	});

	it('a poll that runs out of the time n8n gives it fails cleanly, saving and emitting nothing', async () => {
		const parameters = { ...base, watch: 'anyNewMember', options: { pageSize: 5 } };
		const first = t.engine.createPoller(parameters);
		await first.poll();
		// the same workflow, now with 2 s per poll: 13 pages at 1 s each do not fit
		const p = t.engine.createPoller(parameters, first.staticData, 2000);
		const saved = p.record;
		t.sandbox.addMembers('leads_schema_data', '1001', 3);
		t.sandbox.setLatency(1000);
		try {
			const started = Date.now();
			await expect(p.poll()).rejects.toThrow(/The poll ran out of time before the group was read/);
			expect(Date.now() - started).toBeLessThan(2000);
			expect(p.record).toBe(saved);
		} finally {
			t.sandbox.setLatency(0);
		}
	});

	it('New Leads reads CreatedTime written with a T', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 20 } });
		await p.poll();
		const [lead] = t.sandbox.addMembers('leads_schema_data', '1001', 1, {
			createdAt: Date.parse('2026-11-02T00:00:00Z') / 1000,
			createdTimeText: '2026-11-02T08:00:00',
		});
		expect(ids(await p.poll())).toEqual([lead.identity_id]);
		expect(await p.poll()).toBeNull();
	});
});
