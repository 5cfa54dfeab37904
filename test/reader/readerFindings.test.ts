import type { INodeExecutionData } from 'n8n-workflow';

import type { NodeRun } from '../../harness/engine';
import { prng } from '../../sandbox/members';
import type { GroupChange } from '../../sandbox/server';
import { DEFAULT_USER_ID, listParams, type Setup, useSandbox } from '../support/helpers';

/**
 * Regression tests for seven silent losses of the reader, each run through n8n's engine against the
 * sandbox. Every test states the correct behaviour, and each failed on the reader as it stood when
 * they were written (the failure seen then is in the comment above each test):
 *
 * - a run that succeeds holds every member who was in the group and visible for the whole read, once
 *   each, and nobody who never was in it; otherwise it fails with an error saying the group changed
 *   or could not be read completely;
 * - a group that holds still is read whole: exactly its visible members, in order;
 * - one change during a read (a join, a leave, an import at one position, a batch leaving) never
 *   fails the read.
 *
 * The request numbers of scheduled changes count the group's page requests as they arrive at the
 * sandbox (1 for the first); pages are fetched ahead, so a change lands between two arrivals.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
/** A second group, for a finding shown at two group sizes. */
const OTHER = { groupObj: 'leads_schema_data', groupId: '1002' };

const identities = (items: INodeExecutionData[]) => items.map((i) => String(i.json.identity_id));
const members = (t: Setup, group = GROUP) => t.sandbox.members(group.groupObj, group.groupId).map((m) => String(m.identity_id));
const hintText = (run: NodeRun) => run.hints.map((h) => h.message).join('\n');

/**
 * A succeeding run with every member who stayed (in `before` and `after`), each once, and only
 * members who were in the group at some point of the read (a leaver read before leaving may be there).
 */
function expectEveryStayer(run: NodeRun, before: string[], after: string[]) {
	expect(run.error?.message).toBeUndefined();
	const returned = identities(run.items);
	expect(returned.length - new Set(returned).size).toBe(0);
	const kept = new Set(returned);
	const stayers = before.filter((id) => after.includes(id));
	const missing = stayers.filter((id) => !kept.has(id));
	// counts, not thousands of identities, in the failure message
	expect(`${missing.length} of the ${stayers.length} members who stayed are missing`).toBe(
		`0 of the ${stayers.length} members who stayed are missing`,
	);
	const known = new Set([...before, ...after]);
	expect(returned.filter((id) => !known.has(id))).toEqual([]);
}

/**
 * The run succeeded with exactly `expected`, in order; on failure it says how many arrived and where
 * they first differ, rather than listing thousands of identities.
 */
function expectExactly(run: NodeRun, expected: string[]) {
	expect(run.error?.message).toBeUndefined();
	const returned = identities(run.items);
	const firstDifference = expected.findIndex((id, i) => returned[i] !== id);
	expect({ returned: returned.length, firstDifference }).toEqual({ returned: expected.length, firstDifference: -1 });
}

/** Every stayer (as above), or an error that says the group changed or could not be read completely. */
function expectEveryStayerOrClearError(run: NodeRun, before: string[], after: string[]) {
	if (run.error) {
		expect(run.error.message).toMatch(/changed while it was read|could not be read completely/);
		return;
	}
	expectEveryStayer(run, before, after);
}

/** Reads the group once while `changes` happen; the members before and after. */
async function readWhile(t: Setup, changes: GroupChange[], parameters = listParams(), group = GROUP) {
	const before = members(t, group);
	t.sandbox.scheduleChanges(group.groupObj, group.groupId, changes);
	const run = await t.engine.runNode({ parameters });
	return { run, before, after: members(t, group) };
}

/** `share` of `ids`, chosen with a seeded shuffle: exactly round(share x ids.length) of them. */
function seededShare(ids: string[], share: number, seed: number): string[] {
	const random = prng(seed);
	const keyed = ids.map((id) => ({ id, key: random() }));
	keyed.sort((a, b) => a.key - b.key);
	return keyed.slice(0, Math.round(share * ids.length)).map((entry) => entry.id);
}

describe('finding 1: two members leave the first page just as page 2 is asked', () => {
	describe('a server that serves 500 rows a page, 5,000 members', () => {
		const t = useSandbox({ pageCap: 500, groups: [{ ...GROUP, size: 5000 }] });
		beforeEach(() => t.sandbox.resetGroups());

		// Page Size automatic asks 1,000 rows twice for page 1 (500 served), so request 3 is page 2.
		// Seen on today's reader: a success with 500 of the 4,998 members, hint "The group changed while
		// it was read (Beschannels' total went from 5000 to 4998) and 500 members arrived. Every member
		// who was in the group for the whole read is here", after 5 requests.
		it('finding 1: two members leaving the first page while page 2 is asked, Return All returns all 4,998 who stayed', async () => {
			const { run, before, after } = await readWhile(t, [{ atRequest: 3, leave: { at: 'top', count: 2 } }]);
			expectEveryStayer(run, before, after);
		});

		// The trigger keeps a member missing from one complete read as absent, and reports "left" only
		// when the next complete read lacks it too, so the same event during one poll only is hidden by
		// that confirmation (it passes today). Nearest setup that shows the loss: two members leave just
		// as page 2 is asked during the second poll and two more during the third. Seen on today's
		// reader: poll 3 reported 4,498 members as left (2 real), poll 4 reported 4,498 as joined (none
		// real).
		it('finding 1: the trigger (Any New Member, with left) reports no member as left or joined who did not leave or join, over three polls', async () => {
			const p = t.engine.createPoller({ userId: DEFAULT_USER_ID, ...GROUP, watch: 'anyNewMember', includeLeft: true });
			expect(await p.poll()).toBeNull();
			const leavers: string[] = [];
			const events: string[] = [];
			for (const during of [true, true, false]) {
				const before = members(t);
				if (during) t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [{ atRequest: 3, leave: { at: 'top', count: 2 } }]);
				try {
					const result = await p.poll();
					for (const item of result?.[0] ?? []) {
						events.push(`${item.json.event === 'left' ? 'left' : 'joined'}:${String(item.json.identity_id)}`);
					}
				} catch (error) {
					// a poll may fail, emitting nothing, when it cannot show it read the whole group
					expect((error as Error).message).toMatch(/could not be read completely|changed while it was read/);
				}
				const after = members(t);
				leavers.push(...before.filter((id) => !after.includes(id)));
			}
			expect(leavers).toHaveLength(4);
			const real = new Set(leavers.map((id) => `left:${id}`));
			const invented = events.filter((event) => !real.has(event));
			expect({
				left: invented.filter((event) => event.startsWith('left:')).length,
				joined: invented.filter((event) => event.startsWith('joined:')).length,
				twice: events.length - new Set(events).size,
			}).toEqual({ left: 0, joined: 0, twice: 0 });
		});
	});

	describe('a server that serves 1,000 rows a page, 5,000 members', () => {
		const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }] });
		beforeEach(() => t.sandbox.resetGroups());

		// Request 2 is page 2 here. Seen on today's reader: "The group changed while it was read" ("...
		// even after 11 parts were read again. Read 1000 members") after 22 requests (the issue counted
		// 23; the count varies by one or two with the order pages fetched ahead arrive in).
		// The page after the leavers holds no member read before: it is read again from earlier, since
		// `total` falling by two may also hide a join at the same moment (a batch leaving with a join);
		// one change costs at most half again a still read, 1.5 x (P + 1) + 2 = 12 requests (P = 6).
		it('finding 1: two members leaving the first page while page 2 is asked do not fail the read, which takes at most 12 page requests', async () => {
			const { run, before, after } = await readWhile(t, [{ atRequest: 2, leave: { at: 'top', count: 2 } }]);
			expectEveryStayer(run, before, after);
			expect(t.pageRequests().length).toBeLessThanOrEqual(12);
		});
	});
});

describe('finding 2: a run of hidden members about a page long', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }] });

	// Seen on today's reader: a success with 1,000 of the 4,000 visible members after 3 or 4 requests, hint
	// "Beschannels announced 5000 members in this group but 1000 arrived. ... the other 4000 are counted
	// by Beschannels but not sent (hidden from this User ID by its data permissions, or deleted)".
	it('finding 2: positions 1,000 to 1,999 hidden: all 4,000 visible members in order, and the hint says 1,000 are counted but not sent', async () => {
		const all = members(t);
		const hidden = all.slice(1000, 2000);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden });
		const run = await t.engine.runNode({ parameters: listParams() });
		expectExactly(run, [...all.slice(0, 1000), ...all.slice(2000)]);
		expect(hintText(run)).toMatch(/\b1,?000\b[^.]*counted[^.]*not sent/);
		expect(hintText(run)).not.toMatch(/\b4,?000\b[^.]*counted[^.]*not sent/);
	});
});

describe('finding 3: rows hidden here and there in a group that holds still', () => {
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 2000 }] });
	/** Hides `share` of the members (seeded); returns the visible ones in order. */
	const hide = (share: number, totalCountsHidden?: boolean) => {
		const all = members(t);
		const hidden = new Set(seededShare(all, share, 8));
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: [...hidden], totalCountsHidden });
		return all.filter((id) => !hidden.has(id));
	};

	// Seen on today's reader: a success with 7 of the 200 visible members after 4 requests, hint
	// "Beschannels announced 200 members in this group but 7 arrived ... the other 193 are counted by
	// Beschannels but not sent".
	it('finding 3: 90% hidden, total counting only the 200 visible: all 200 in order, a success', async () => {
		const visible = hide(0.9, false);
		expect(visible).toHaveLength(200);
		const run = await t.engine.runNode({ parameters: listParams() });
		expectExactly(run, visible);
	});

	// Seen on today's reader: "Beschannels sent page 2 again instead of new members" ("... the server
	// seems to ignore page_num. Read 26 members of the 600 that total announced") after 4 requests.
	it('finding 3: 70% hidden, total counting only the 600 visible: all 600 in order, a success that does not blame page_num', async () => {
		const visible = hide(0.7, false);
		const run = await t.engine.runNode({ parameters: listParams() });
		expectExactly(run, visible);
	});

	// With total counting only the visible rows, today's reader reads this whole but in 81 to 111
	// requests and without a hint; the hint that the group changed shows when total counts the hidden
	// rows too (the default), as here. Seen on today's reader: all 1,400, after 90 to 102 requests (the
	// count varies with the order pages fetched ahead arrive in), hint "The group changed while it was
	// read (members moved between pages) and 1400 members arrived".
	it('finding 3: 30% hidden: all 1,400 visible in order, at most 42 page requests, and no hint that the group changed', async () => {
		const visible = hide(0.3);
		const run = await t.engine.runNode({ parameters: listParams() });
		expectExactly(run, visible);
		expect(hintText(run)).not.toMatch(/changed/);
		expect(t.pageRequests().length).toBeLessThanOrEqual(2 * Math.ceil(2000 / 100) + 2);
	});
});

describe('finding 4: a group that shrinks under the read', () => {
	// At 100 rows a page, 1,005 members are read in 13 requests, the last one asking for the 4 members
	// after position 1,001 with a 2-row overlap. Six members leaving then leave it empty: today's reader
	// takes the empty page, asked twice, as the end. With 1,000 or 5,000 members and a 100- or 1,000-row
	// cap the same leave is caught (no size reproduced the loss there), so the group is sized for it.
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 1005 }, { ...OTHER, size: 2419 }] });
	beforeEach(() => t.sandbox.resetGroups());

	// Seen on today's reader: a success with 1,001 members, the last 4 who stayed missing, after 14
	// requests, no hint.
	it('finding 4: six members leave at the top as the last page is asked: every member who stayed, or a clear error', async () => {
		const { run, before, after } = await readWhile(t, [{ atRequest: 13, leave: { at: 'top', count: 6 } }]);
		expectEveryStayerOrClearError(run, before, after);
	});

	// The same loss from a single leave, found while looking for finding 6's setup. Seen on today's
	// reader: a success with 2,418 members, the last one who stayed missing, after 27 requests, no hint.
	it('finding 4: one member leaves at the top as the last page is asked (2,419 members, Page Size 100): every member who stayed, or a clear error', async () => {
		const { run, before, after } = await readWhile(
			t,
			[{ atRequest: 27, leave: { at: 'top' } }],
			listParams({ ...OTHER, options: { pageSize: 100 } }),
			OTHER,
		);
		expectEveryStayerOrClearError(run, before, after);
	});
});

describe('finding 5: Start at Page with Page Size automatic', () => {
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 3000 }] });

	// Seen on today's reader: a success with 0 of the 2,800 members after 2 requests, hint "Beschannels
	// announced 3000 members in this group (2800 from the start page on) but 0 arrived".
	it('finding 5: Start at Page 3 on a 100-row server returns exactly members 201 to 3,000, in order', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { startPage: 3 } }) });
		expectExactly(run, members(t).slice(200));
	});
});

describe('finding 6: one change while the last page is read, Page Size 100', () => {
	// A still read of 2,500 members takes 27 requests at Page Size 100 (25 pages' worth of rows).
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 2500 }, { ...OTHER, size: 2419 }] });
	beforeEach(() => t.sandbox.resetGroups());
	const pageSize100 = (group = GROUP) => listParams({ ...group, options: { pageSize: 100 } });

	// Seen on today's reader: "The group changed while it was read" ("total went from 2500 to 2501 ...
	// even after 1 parts were read again") after 50 requests.
	it('finding 6: one member joining at the top as the last page is read (2,500 members) does not fail the read: every member who stayed', async () => {
		const { run, before, after } = await readWhile(t, [{ atRequest: 27, join: { at: 'top' } }], pageSize100());
		expectEveryStayer(run, before, after);
	});

	// With 2,500 members a single leave at any request and position is read whole today (in about 50
	// requests); the nearest setup that fails is a group of 2,402 to 2,419 members, the leave arriving
	// with request 26. Seen on today's reader with 2,419: "The group changed while it was read" ("total
	// went from 2419 to 2418 ... even after 1 parts were read again") after 47 requests.
	it('finding 6: one member leaving at the top as the last pages are read (2,419 members) does not fail the read: every member who stayed', async () => {
		const { run, before, after } = await readWhile(t, [{ atRequest: 26, leave: { at: 'top' } }], pageSize100(OTHER), OTHER);
		expectEveryStayer(run, before, after);
	});

	// Seen on today's reader: "The group changed while it was read" ("total went from 2500 to 2600 ...
	// even after 0 parts were read again. Read 819 members") after 11 requests.
	it('finding 6: an import of 100 members at the top during the read does not fail the read: every member who stayed', async () => {
		const { run, before, after } = await readWhile(t, [{ atRequest: 10, join: { at: 'top', count: 100 } }], pageSize100());
		expectEveryStayer(run, before, after);
	});
});

describe('finding 7: a member who changes place during the read', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }] });
	beforeEach(() => t.sandbox.resetGroups());

	// The member at position 3,000 (not read yet) moves to the top (read already) as page 3 is asked.
	// Seen on today's reader: a success with 4,999 of the 5,000 members (the moved one missing) after 9
	// requests, hint "The group changed while it was read (members moved between pages) and 4999
	// members arrived. Every member who was in the group for the whole read is here, once".
	it('finding 7: a member moving from position 3,000 to the top while page 3 is asked: every member, the moved one too, or a clear error', async () => {
		const { run, before, after } = await readWhile(t, [{ atRequest: 3, move: { from: 3000, to: 0 } }]);
		expect(after).toHaveLength(5000);
		expectEveryStayerOrClearError(run, before, after);
	});
});
