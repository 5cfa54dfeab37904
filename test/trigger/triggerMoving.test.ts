import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_USER_ID, useSandbox } from '../support/helpers';

/**
 * The trigger while groups change and leads arrive in bulk, polled through n8n's engine with the
 * static data kept between polls as n8n keeps it: no member reported as joined or left who did not
 * join or leave, no new lead lost, none emitted twice.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const base = { userId: DEFAULT_USER_ID, ...GROUP };
type Poll = INodeExecutionData[][] | null;

/** The events of a poll: identity_id for a joined member or new lead, `left:<id>` for one who left. */
function events(result: Poll): string[] {
	return (result?.[0] ?? []).map((item) => (item.json.event === 'left' ? `left:${String(item.json.identity_id)}` : String(item.json.identity_id)));
}

describe('Any New Member while the group moves', () => {
	// 400 members, 20 rows a page: the 6th request has no overlap with the 5th (the overlap budget)
	const t = useSandbox({ pageCap: 20, groups: [{ ...GROUP, size: 400 }] });
	const ids = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
	beforeEach(() => t.sandbox.resetGroups());

	async function pollsAround(includeLeft: boolean) {
		const p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft, options: { pageSize: 20 } });
		expect(await p.poll()).toBeNull();
		const [leaver] = ids();
		// during the next poll, the newest member leaves while another joins at the end: total does not change
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [{ atRequest: 6, leave: { at: 'top' }, join: { at: 'end' } }]);
		const polls = [events(await p.poll()), events(await p.poll()), events(await p.poll())];
		// settled: a poll with nothing new writes nothing
		const writes = p.writes;
		expect(await p.poll()).toBeNull();
		expect(p.writes).toBe(writes);
		const joiner = ids().at(-1)!;
		return { polls, leaver, joiner };
	}

	it('with "left": the member who left is reported once, the one who joined once, nobody else', async () => {
		const { polls, leaver, joiner } = await pollsAround(true);
		expect(polls.flat().sort()).toEqual([joiner, `left:${leaver}`].sort());
	});

	it('without "left": only the member who joined is reported, once', async () => {
		const { polls, joiner } = await pollsAround(false);
		expect(polls.flat()).toEqual([joiner]);
	});

	it('a member who leaves and comes back a poll later is not reported at all', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft: true, options: { pageSize: 20 } });
		await p.poll();
		const [member] = t.sandbox.members(GROUP.groupObj, GROUP.groupId);
		t.sandbox.removeMembers(GROUP.groupObj, GROUP.groupId, [String(member.identity_id)]);
		expect(await p.poll()).toBeNull();
		// back in the group: it was absent from one poll only
		t.sandbox.resetGroups();
		expect(await p.poll()).toBeNull();
		expect(await p.poll()).toBeNull();
	});
});

describe('a group whose total counts members the server never sends', () => {
	const t = useSandbox({ pageCap: 20, groups: [{ ...GROUP, size: 60 }] });

	it('polls successfully and reports real joins', async () => {
		const [hidden] = t.sandbox.members(GROUP.groupObj, GROUP.groupId).slice(30);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: [String(hidden.identity_id)] });
		for (const watch of ['anyNewMember', 'newLeads']) {
			const p = t.engine.createPoller({ ...base, watch, options: { pageSize: 20 } });
			expect(await p.poll()).toBeNull();
			const [joined] = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1);
			expect(events(await p.poll())).toEqual([joined.identity_id]);
			expect(await p.poll()).toBeNull();
		}
	});
});

describe('New Leads', () => {
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 300 }] });
	beforeEach(() => t.sandbox.resetGroups());
	const newest = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId)[0];
	const epoch = (time: string) => Date.parse(`${time.replace(' ', 'T')}+08:00`) / 1000;

	it('after a bulk import of 150 leads in one second, a poll with nothing new emits nothing', async () => {
		const second = epoch(String(newest().CreatedTime)) + 60;
		t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 150, { createdAt: second });
		const p = t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 100 } });
		expect(await p.poll()).toBeNull();
		expect(await p.poll()).toBeNull();
		// more leads in that same second, across pages, are each emitted once
		const more = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 120, { createdAt: second });
		expect(new Set(events(await p.poll()))).toEqual(new Set(more.map((m) => m.identity_id)));
		expect(await p.poll()).toBeNull();
	});

	it('a new lead leaves between pages during a poll: every new lead who stayed is emitted once', async () => {
		const p = t.engine.createPoller({ ...base, watch: 'newLeads', options: { pageSize: 20 } });
		await p.poll();
		const second = epoch(String(newest().CreatedTime)) + 60;
		// 44 new leads, each a second after the last
		const added = Array.from({ length: 44 }, (_, i) => t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1, { createdAt: second + i })[0]);
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [{ atRequest: 2, leave: { at: 'top' } }]);
		const first = events(await p.poll());
		const second2 = events(await p.poll());
		const emitted = [...first, ...second2];
		const stayed = added.map((m) => String(m.identity_id)).filter((id) => t.sandbox.members(GROUP.groupObj, GROUP.groupId).some((m) => m.identity_id === id));
		expect(stayed).toHaveLength(43);
		for (const id of stayed) expect(emitted.filter((e) => e === id)).toHaveLength(1);
		expect(new Set(emitted).size).toBe(emitted.length);
	});
});

describe('state saved by an earlier version', () => {
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 120 }] });
	const group = JSON.stringify([DEFAULT_USER_ID, GROUP.groupObj, GROUP.groupId, '']);

	it('Any New Member with identities keeps working: no flood, real joins and leaves', async () => {
		const ids = t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
		const saved: IDataObject = { 'node:Beschannels Trigger': { state: { mode: 'anyNewMember', group, ids, count: ids.length } } };
		const p = t.engine.createPoller({ ...base, watch: 'anyNewMember', includeLeft: true }, saved);
		expect(await p.poll()).toBeNull();
		const [joined] = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1);
		expect(events(await p.poll())).toEqual([joined.identity_id]);
	});

	it('New Leads keeps its cursor: no flood, the next lead once', async () => {
		const [top] = t.sandbox.members(GROUP.groupObj, GROUP.groupId);
		const saved: IDataObject = {
			'node:Beschannels Trigger': { state: { mode: 'newLeads', group, newest: top.CreatedTime, newestIds: [top.identity_id] } },
		};
		const p = t.engine.createPoller({ ...base, watch: 'newLeads' }, saved);
		expect(await p.poll()).toBeNull();
		const [lead] = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1);
		expect(events(await p.poll())).toEqual([lead.identity_id]);
	});
});
