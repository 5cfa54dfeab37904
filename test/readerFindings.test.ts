import type { INodeExecutionData } from 'n8n-workflow';

import { prng } from '../sandbox/members';
import type { GroupChange } from '../sandbox/server';
import { DEFAULT_USER_ID, listParams, useSandbox } from './helpers';

/**
 * Seven ways the reader used to return part of a group as a success (or fail a read one change
 * should not fail), found by trying it as a new user would: through n8n's engine, against the
 * sandbox. Each test failed on the reader before every page had to rest on a member already read.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const ids = (items: INodeExecutionData[]) => items.map((i) => String(i.json.identity_id));

function useGroup(options: Parameters<typeof useSandbox>[0], size: number) {
	const t = useSandbox({ ...options, groups: [{ ...GROUP, size }] });
	const members = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
	beforeEach(() => t.sandbox.resetGroups());
	/** Runs Return All while `changes` happen; checks every member in the group before and after came once. */
	const readWhile = async (changes: GroupChange[], parameters = listParams()) => {
		const before = members();
		t.sandbox.clearLog();
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, changes);
		const run = await t.engine.runNode({ parameters });
		const after = members();
		const returned = ids(run.items);
		const stayers = before.filter((id) => after.includes(id));
		return { run, returned, missing: stayers.filter((id) => !returned.includes(id)), requests: t.pageRequests().length };
	};
	return { t, members, readWhile };
}

describe('finding 1: two members leave the first page just as the next page is asked', () => {
	describe('on a server that serves 500 rows a page', () => {
		const { readWhile } = useGroup({ pageCap: 500 }, 5000);

		it('Return All returns all 4,998 who stayed, not 500 of them as a success', async () => {
			for (const atRequest of [2, 3]) {
				const { run, returned, missing } = await readWhile([{ atRequest, leave: { at: 10, count: 2 } }]);
				expect(run.error).toBeUndefined();
				expect(missing).toEqual([]);
				expect(new Set(returned).size).toBe(returned.length);
			}
		});
	});

	describe('on a server that serves 1,000 rows a page', () => {
		const { readWhile } = useGroup({ pageCap: 1000 }, 5000);

		it('the read succeeds (one change never fails it) in at most 9 requests', async () => {
			const { run, missing, requests } = await readWhile([{ atRequest: 2, leave: { at: 10, count: 2 } }]);
			expect(run.error).toBeUndefined();
			expect(missing).toEqual([]);
			expect(requests).toBeLessThanOrEqual(9);
		});
	});

	describe('the trigger, on a server that serves 500 rows a page', () => {
		const { t, members } = useGroup({ pageCap: 500 }, 5000);

		it('two such polls in a row report the four who left, and no one else, as left or joined', async () => {
			const poller = t.engine.createPoller({ userId: DEFAULT_USER_ID, ...GROUP, watch: 'anyNewMember', includeLeft: true });
			expect(await poller.poll()).toBeNull();
			const leavers = members().slice(10, 14);
			const events: string[] = [];
			// two members leave during each of two polls (after page 1 was read, so each pair is still in
			// its poll's read); the two polls after them confirm each pair left
			for (let poll = 0; poll < 4; poll++) {
				if (poll < 2) t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [{ atRequest: 3, leave: { at: 10, count: 2 } }]);
				const result = await poller.poll();
				for (const item of result?.[0] ?? []) events.push(`${String(item.json.event ?? 'joined')}:${String(item.json.identity_id)}`);
			}
			expect(events.sort()).toEqual(leavers.map((id) => `left:${id}`).sort());
		});
	});
});

describe('finding 2: a run of hidden members a page long', () => {
	const { t, members } = useGroup({ pageCap: 1000 }, 5000);

	it('is read past: all 4,000 visible members, and a hint that 1,000 are counted but not sent', async () => {
		const all = members();
		const hidden = all.slice(1000, 2000);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expect(ids(run.items)).toEqual(all.filter((id) => !hidden.includes(id)));
		const [hint] = run.hints.map((h) => h.message);
		expect(hint).toMatch(/announced 5000 members .* 4000 arrived/);
		expect(hint).toMatch(/other 1000 are counted by Beschannels but not sent/);
	});
});

describe('finding 3: scattered hidden rows on a group that holds still, total counting only the visible', () => {
	const { t, members } = useGroup({ pageCap: 100 }, 2000);

	async function readWithHidden(share: number) {
		const random = prng(7);
		const all = members();
		const hidden = all.filter(() => random() < share);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden, totalCountsHidden: false });
		const run = await t.engine.runNode({ parameters: listParams() });
		return { run, visible: all.filter((id) => !hidden.includes(id)), requests: t.pageRequests().length };
	}

	it.each([[0.9], [0.7], [0.3]])('%s hidden: every visible member, in order, and no hint that the group changed', async (share) => {
		const { run, visible } = await readWithHidden(share);
		expect(run.error).toBeUndefined();
		expect(ids(run.items)).toEqual(visible);
		expect(run.hints.map((h) => h.message).join(' ')).not.toMatch(/changed/);
	});

	it('30% hidden costs at most twice the requests of the group read whole', async () => {
		const { requests } = await readWithHidden(0.3);
		expect(requests).toBeLessThanOrEqual(2 * Math.ceil(2000 / 100) + 2);
	});
});

describe('finding 4: a group that shrinks under the read', () => {
	const { readWhile } = useGroup({ pageCap: 100 }, 1004);

	it('six members leaving before the last page lose no one who stayed', async () => {
		const params = listParams({ options: { pageSize: 100 } });
		const still = await readWhile([], params);
		for (let atRequest = 2; atRequest <= still.requests + 1; atRequest++) {
			const { run, missing } = await readWhile([{ atRequest, leave: { at: 'top', count: 6 } }], params);
			expect({ atRequest, error: run.error?.message, missing }).toEqual({ atRequest, error: undefined, missing: [] });
		}
	});
});

describe('finding 5: Start at Page 3 with Page Size automatic, on a server that serves 100 rows', () => {
	const { t, members } = useGroup({ pageCap: 100 }, 3000);

	it('returns exactly members 201 to 3,000', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { startPage: 3 } }) });
		expect(run.error).toBeUndefined();
		expect(ids(run.items)).toEqual(members().slice(200));
	});

	it('the tool started at 201 returns member 201 on, not "no members"', async () => {
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID }, [{ groupId: GROUP.groupId, start: 201, limit: 200 }]);
		const answer = JSON.parse(run.results[0].text!)[0] as { returned: number; members: Array<{ identity_id: string }> };
		expect(answer.returned).toBe(200);
		expect(answer.members.map((m) => m.identity_id)).toEqual(members().slice(200, 400));
	});
});

describe('finding 6: one change while the last page is read', () => {
	const { readWhile } = useGroup({ pageCap: 100 }, 2500);
	const params = listParams({ options: { pageSize: 100 } });

	it('one join or one leave near the end does not fail the read, and costs at most half again', async () => {
		const still = await readWhile([], params);
		for (const change of [{ join: { at: 'top' as const } }, { leave: { at: 'top' as const } }]) {
			const { run, missing, requests } = await readWhile([{ atRequest: still.requests, ...change }], params);
			expect(run.error).toBeUndefined();
			expect(missing).toEqual([]);
			expect(requests).toBeLessThanOrEqual(Math.ceil(still.requests * 1.5));
		}
	});

	it("an import of a page's worth at the top does not fail the read", async () => {
		const { run, missing } = await readWhile([{ atRequest: 12, join: { at: 'top', count: 100 } }], params);
		expect(run.error).toBeUndefined();
		expect(missing).toEqual([]);
	});
});

describe('finding 7: a member who changes place during the read', () => {
	const { readWhile } = useGroup({ pageCap: 100 }, 2000);

	it('is never lost from a read that succeeds; the read may fail, saying the group changed', async () => {
		for (const [from, to, atRequest] of [[1500, 10, 8], [10, 1500, 8], [850, 840, 9], [1999, 0, 15]]) {
			const { run, missing } = await readWhile([{ atRequest, move: { from, to } }], listParams({ options: { pageSize: 100 } }));
			if (run.error) expect(run.error.message).toMatch(/The group changed while it was read/);
			else expect({ from, to, atRequest, missing }).toEqual({ from, to, atRequest, missing: [] });
		}
	});
});
