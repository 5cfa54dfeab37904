/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import type { INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_USER_ID, useSandbox } from '../support/helpers';

const base = { userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001' };
const ids = (result: INodeExecutionData[][] | null) => (result?.[0] ?? []).map((i) => i.json.identity_id);

describe('Beschannels Trigger', () => {
	const t = useSandbox({
		pageCap: 20,
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1001', size: 50 },
			{ groupObj: 'schema_data', groupId: '2001', size: 30 },
		],
	});
	afterEach(() => t.sandbox.setQuirks('leads_schema_data', '1001', {}));
	const newest = () => t.sandbox.members('leads_schema_data', '1001')[0];
	const epoch = (chinaTime: string) => Date.parse(`${chinaTime.replace(' ', 'T')}+08:00`) / 1000;

	describe('New Leads', () => {
		const poller = () => t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 20 } });
		let p: ReturnType<typeof poller>;
		beforeAll(() => {
			t.sandbox.resetGroups();
			p = poller();
		});

		it('records the current state on the first poll and emits nothing, reading one page', async () => {
			expect(await p.poll()).toBeNull();
			expect(p.nodeData.state).toMatchObject({ mode: 'newLeads', newest: newest().CreatedTime });
			expect(t.pageRequests()).toHaveLength(1);
		});

		it('emits 3 new members once, shaped like the action node\'s output', async () => {
			const added = t.sandbox.addMembers('leads_schema_data', '1001', 3);
			const result = await p.poll();
			expect(new Set(ids(result))).toEqual(new Set(added.map((m) => m.identity_id)));
			for (const item of result![0]) {
				expect(Object.keys(item.json).some((k) => k.startsWith('Score-'))).toBe(false);
				expect(item.json.FullName).toBeDefined();
			}
			expect(t.pageRequests()).toHaveLength(1);
		});

		it('returns null when nothing is new', async () => {
			expect(await p.poll()).toBeNull();
		});

		it('tells apart members created in the same second as the cursor', async () => {
			const cursor = p.nodeData.state as { newest: string };
			const added = t.sandbox.addMembers('leads_schema_data', '1001', 2, { createdAt: epoch(cursor.newest) });
			expect(added[0].CreatedTime).toBe(cursor.newest);
			expect(new Set(ids(await p.poll()))).toEqual(new Set(added.map((m) => m.identity_id)));
			expect(await p.poll()).toBeNull();
		});

		it('does not see an old lead added to the group later (documented)', async () => {
			t.sandbox.addMembers('leads_schema_data', '1001', 1, { existingFrom: { groupObj: 'schema_data', groupId: '2001' } });
			expect(await p.poll()).toBeNull();
		});

		it('ignores a member who left', async () => {
			t.sandbox.removeMembers('leads_schema_data', '1001', [String(newest().identity_id)]);
			expect(await p.poll()).toBeNull();
		});

		it('falls back to reading the whole group when the order is not newest first', async () => {
			t.sandbox.setQuirks('leads_schema_data', '1001', { order: 'oldest' });
			const added = t.sandbox.addMembers('leads_schema_data', '1001', 1);
			const result = await p.poll();
			expect(ids(result)).toEqual([added[0].identity_id]);
			expect(t.pageRequests().length).toBeGreaterThanOrEqual(3);
			expect(t.engine.logger.lines.some((l) => /not ordered newest first/.test(l.message))).toBe(true);
		});

		it('Fetch Test Event returns the newest member and leaves the state alone', async () => {
			const before = p.record;
			const result = await p.poll('manual');
			expect(result?.[0]).toHaveLength(1);
			expect(result![0][0].json.identity_id).toBe(newest().identity_id);
			expect(p.record).toBe(before);
		});

		it('surfaces Beschannels errors with the same messages as the action node', async () => {
			t.sandbox.injectFault({ fault: { kind: 'code', code: 2, msg: '不合法的访问令牌' } });
			await expect(p.poll()).rejects.toThrow(/Beschannels error 2 \(不合法的访问令牌\)/);
		});
	});

	describe('Any New Member', () => {
		let p: ReturnType<typeof t.engine.createPoller>;
		beforeAll(() => {
			t.sandbox.resetGroups();
			p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft: true, options: { pageSize: 20 } });
		});

		it('records the group on the first poll and emits nothing', async () => {
			expect(await p.poll()).toBeNull();
			expect(p.nodeData.state).toMatchObject({ mode: 'anyNewMember', count: 50 });
		});

		it('emits 3 new members, then nothing', async () => {
			const added = t.sandbox.addMembers('leads_schema_data', '1001', 3);
			expect(new Set(ids(await p.poll()))).toEqual(new Set(added.map((m) => m.identity_id)));
			expect(await p.poll()).toBeNull();
		});

		it('sees an old lead added to the group later', async () => {
			const [old] = t.sandbox.addMembers('leads_schema_data', '1001', 1, {
				existingFrom: { groupObj: 'schema_data', groupId: '2001' },
			});
			expect(ids(await p.poll())).toEqual([old.identity_id]);
		});

		it('reports a member who left', async () => {
			const gone = String(newest().identity_id);
			t.sandbox.removeMembers('leads_schema_data', '1001', [gone]);
			// absent from one complete read: not yet reported; absent from the next too: it left
			expect(await p.poll()).toBeNull();
			const result = await p.poll();
			expect(result?.[0].map((i) => i.json)).toEqual([{ identity_id: gone, event: 'left' }]);
			expect(await p.poll()).toBeNull();
		});

		it('without "members who left", a removal emits nothing', async () => {
			const quiet = t.engine.createPoller({ ...base, watch: 'anyNewMember', options: { pageSize: 20 } });
			await quiet.poll();
			t.sandbox.removeMembers('leads_schema_data', '1001', [String(newest().identity_id)]);
			expect(await quiet.poll()).toBeNull();
		});
	});
});

describe('Beschannels Trigger state for a 100,000-member group', () => {
	const t = useSandbox({
		pageCap: 1000,
		groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 100_000 }],
	});

	it('keeps Any New Member compact and New Leads tiny', async () => {
		const any = t.engine.createPoller({ ...base, watch: 'anyNewMember', options: { pageSize: 1000 } });
		const started = Date.now();
		expect(await any.poll()).toBeNull();
		const seconds = (Date.now() - started) / 1000;
		const anyPages = t.pageRequests().length;
		const anyBytes = Buffer.byteLength(any.record);
		// ceil(100,000 / 1,000) + 1 requests, and at most 5% more for the overlaps that show movement
		expect(anyPages).toBeLessThanOrEqual(Math.floor(101 * 1.05));
		expect(anyBytes / 100_000).toBeLessThan(8.1);

		// one new member is found in the next full read
		const [added] = t.sandbox.addMembers('leads_schema_data', '1001', 1);
		expect(ids(await any.poll())).toEqual([added.identity_id]);

		t.sandbox.clearLog();
		const leads = t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 1000 } });
		expect(await leads.poll()).toBeNull();
		const leadsBytes = Buffer.byteLength(leads.record);
		const leadsPages = t.pageRequests().length;
		expect(leadsPages).toBe(1);
		expect(leadsBytes).toBeLessThan(400);

		const withIds = JSON.stringify({ ids: t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id) });
		console.log(
			`trigger state, 100,000 members: Any New Member ${anyBytes} bytes (${(anyBytes / 100_000).toFixed(2)} per member), ` +
				`with members who left ~${withIds.length} bytes (${(withIds.length / 100_001).toFixed(1)} per member); ` +
				`New Leads ${leadsBytes} bytes; pages per poll: Any New Member ${anyPages}, New Leads ${leadsPages}; full read ${seconds.toFixed(1)} s`,
		);
	}, 120_000);
});
