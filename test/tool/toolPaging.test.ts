import type { IDataObject } from 'n8n-workflow';

import type { ToolAnswer as Answer } from '../../nodes/Beschannels/shared/items/toolAnswer';
import type { GroupQuirks } from '../../sandbox/server';
import { DEFAULT_USER_ID, useSandbox, type Setup } from '../support/helpers';

/**
 * The tool followed as a model follows it: call after call with the nextStart of the answer before,
 * through n8n-core's tool machinery, against a still group whose rows may be hidden from the User ID.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const SIZE = 250;

interface Call {
	answer?: Answer;
	error?: string;
	/** Requests the sandbox received for this call. */
	requests: number;
}

async function callTool(t: Setup, args: IDataObject): Promise<Call> {
	t.sandbox.clearLog();
	const run = await t.engine.callTool({ userId: DEFAULT_USER_ID }, [{ groupId: GROUP.groupId, ...args }]);
	const requests = t.pageRequests().length;
	const { text, error } = run.results[0];
	if (error !== undefined) return { error, requests };
	return { answer: (JSON.parse(text!) as Answer[])[0], requests };
}

/** Calls from start 1 on with the nextStart of each answer, until an answer has none. */
async function follow(t: Setup, limit: number): Promise<{ calls: Call[]; ids: string[] }> {
	const calls: Call[] = [];
	const ids: string[] = [];
	let start: number | undefined = 1;
	while (start !== undefined && calls.length < 2 * SIZE) {
		const call = await callTool(t, { start, limit });
		calls.push(call);
		if (call.answer === undefined) throw new Error(`start ${start}: ${call.error}`);
		ids.push(...call.answer.members.map((member) => String(member.identity_id)));
		start = call.answer.nextStart;
	}
	return { calls, ids };
}

/** Every fifth member hidden, from the third on: 20%, spread evenly. */
const evenly = (all: string[]) => all.filter((_, i) => i % 5 === 2);
/** 10 members hidden in every 50: 20%, in runs shorter than a page. */
const inRuns = (all: string[]) => all.filter((_, i) => i % 50 >= 20 && i % 50 < 30);
/** 25 members hidden in every 125: 20%, in runs longer than a page of 20. */
const inLongRuns = (all: string[]) => all.filter((_, i) => i % 125 >= 50 && i % 125 < 75);

const cases: Array<{ name: string; hidden?: (all: string[]) => string[]; quirks?: GroupQuirks }> = [
	{ name: 'nothing hidden' },
	{ name: 'nothing hidden, total as text', quirks: { totalAs: 'string' } },
	{ name: '20% hidden evenly, total counting them', hidden: evenly },
	{ name: '20% hidden evenly, total counting only visible members', hidden: evenly, quirks: { totalCountsHidden: false } },
	{ name: '20% hidden in runs, total counting them', hidden: inRuns },
	{ name: '20% hidden in runs, total counting only visible members', hidden: inRuns, quirks: { totalCountsHidden: false } },
	{ name: '20% hidden in runs longer than a page', hidden: inLongRuns },
	{ name: '20% hidden evenly, no total', hidden: evenly, quirks: { totalAs: 'missing' } },
	{ name: 'nothing hidden, no total', quirks: { totalAs: 'missing' } },
];

describe.each(cases)('the tool followed by nextStart over a still group of 250: $name', ({ hidden, quirks }) => {
	const t = useSandbox({ pageCap: 100 });
	const all = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((member) => String(member.identity_id));
	const hiddenIds = () => new Set(hidden?.(all()) ?? []);
	beforeAll(() => t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { ...quirks, hidden: [...hiddenIds()] }));

	it('returns every visible member once, in order, at most Members per Call a call, in few requests a call', async () => {
		const visible = all().filter((id) => !hiddenIds().has(id));
		const { calls, ids } = await follow(t, 20);
		const requests = calls.map((call) => call.requests);
		expect({ duplicates: ids.length - new Set(ids).size, missing: visible.filter((id) => !ids.includes(id)).length }).toEqual({
			duplicates: 0,
			missing: 0,
		});
		expect(ids).toEqual(visible);
		expect(Math.max(...calls.map((call) => call.answer!.members.length))).toBeLessThanOrEqual(20);
		// without a total, a short last page cannot show the end by itself: it is asked again
		if (hidden === undefined && quirks?.totalAs !== 'missing') expect(requests.every((count) => count === 1)).toBe(true);
		expect(Math.max(...requests)).toBeLessThanOrEqual(3);
		const last = calls.at(-1)!.answer!;
		expect(last.nextStart).toBeUndefined();
		expect(last.note).toMatch(/the last members of the group|No members from position/);
	});

	it('says there are no more members from a start past the end, in at most 3 requests', async () => {
		for (const start of [SIZE + 1, SIZE + 20, 1000]) {
			const call = await callTool(t, { start, limit: 20 });
			expect(call.error).toBeUndefined();
			expect(call.answer).toMatchObject({ start, returned: 0, members: [] });
			expect(call.answer!.nextStart).toBeUndefined();
			expect(call.answer!.note).toMatch(new RegExp(`^No members from position ${start} on`));
			expect(call.requests).toBeLessThanOrEqual(3);
		}
	});
});

describe('a nextStart that counted members, as it did before, over a group with rows hidden', () => {
	const t = useSandbox({ pageCap: 100 });
	const all = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((member) => String(member.identity_id));
	beforeAll(() => t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: evenly(all()) }));

	it('is at or before where the next members start: some come again, none is skipped', async () => {
		const hidden = new Set(evenly(all()));
		const visible = all().filter((id) => !hidden.has(id));
		const first = (await callTool(t, { start: 1, limit: 20 })).answer!;
		const counted = first.start + first.returned;
		expect(counted).toBeLessThan(first.nextStart!);
		const next = (await callTool(t, { start: counted, limit: 20 })).answer!;
		const ids = [...first.members, ...next.members].map((member) => String(member.identity_id));
		const seen = [...new Set(ids)];
		expect(seen).toEqual(visible.slice(0, seen.length));
		expect(ids.length).toBeGreaterThan(seen.length);
	});
});
