import type { INodeExecutionData } from 'n8n-workflow';

import type { GroupChange } from '../../sandbox/server';
import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

/**
 * The findings of `readerFindings.test.ts`, at many moments and places rather than the one that
 * showed each: a group shrinking at any request, members changing place in either direction, one
 * change costing at most half again a still read, and the tool started past a capped first page.
 * Through n8n's engine, against the sandbox.
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

describe('a group that shrinks under the read, at any request', () => {
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

describe('the tool, started past the first page of a server that serves 100 rows', () => {
	const { t, members } = useGroup({ pageCap: 100 }, 3000);

	it('the tool started at 201 returns member 201 on, not "no members"', async () => {
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID }, [{ groupId: GROUP.groupId, start: 201, limit: 200 }]);
		const answer = JSON.parse(run.results[0].text!)[0] as { returned: number; members: Array<{ identity_id: string }> };
		expect(answer.returned).toBe(200);
		expect(answer.members.map((m) => m.identity_id)).toEqual(members().slice(200, 400));
	});
});

describe('one change near the end of the read', () => {
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
});

describe('a member who changes place, in either direction, at several moments', () => {
	const { readWhile } = useGroup({ pageCap: 100 }, 2000);

	it('is never lost from a read that succeeds; the read may fail, saying the group changed', async () => {
		for (const [from, to, atRequest] of [[1500, 10, 8], [10, 1500, 8], [850, 840, 9], [1999, 0, 15]]) {
			const { run, missing } = await readWhile([{ atRequest, move: { from, to } }], listParams({ options: { pageSize: 100 } }));
			if (run.error) expect(run.error.message).toMatch(/The group changed while it was read/);
			else expect({ from, to, atRequest, missing }).toEqual({ from, to, atRequest, missing: [] });
		}
	});
});
