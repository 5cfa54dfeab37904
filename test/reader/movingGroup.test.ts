import type { INodeExecutionData } from 'n8n-workflow';

import { Engine } from '../../harness/engine';
import { BeschannelsSandbox, type GroupChange } from '../../sandbox/server';
import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

/**
 * A group that moves while it is read, and a server that hides rows from a page: through n8n's
 * engine, against the sandbox. Every member who is in the group for the whole read comes back
 * once, or the run fails saying why; a short page is evidence, never the end by itself.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const identities = (items: INodeExecutionData[]) => items.map((i) => String(i.json.identity_id));

/** Checks a run against the group before and after it changed: stayers all there, once each. */
function expectEveryStayer(items: INodeExecutionData[], before: string[], after: string[]) {
	const returned = identities(items);
	expect(new Set(returned).size).toBe(returned.length);
	const stayers = before.filter((id) => after.includes(id));
	const missing = stayers.filter((id) => !returned.includes(id));
	expect(missing).toEqual([]);
	const known = new Set([...before, ...after]);
	expect(returned.filter((id) => !known.has(id))).toEqual([]);
}

describe('a page with a row hidden from this User ID, on every answer', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }] });
	const group = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
	let visible: string[] = [];
	beforeAll(() => {
		const hidden = group()[2500];
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: [hidden] });
		visible = group().filter((id) => id !== hidden);
	});

	it('Return All returns the 4,999 members it may see, and says one is counted but not sent', async () => {
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expect(identities(run.items)).toEqual(visible);
		const [hint] = run.hints.map((h) => h.message);
		expect(hint).toMatch(/announced 5000 members .* 4999 arrived/);
		expect(hint).toMatch(/1 .*counted by Beschannels but not sent/);
	});

	it('Limit 4,000 returns the first 4,000 members it may see', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 4000 }) });
		expect(run.error).toBeUndefined();
		expect(identities(run.items)).toEqual(visible.slice(0, 4000));
	});
});

describe('a group that changes while it is read', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }] });
	const group = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
	beforeEach(() => t.sandbox.resetGroups());

	async function readWhile(changes: GroupChange[]) {
		const before = group();
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, changes);
		const run = await t.engine.runNode({ parameters: listParams() });
		return { run, before, after: group() };
	}

	it('one member leaves at the top: every member who stayed comes back once', async () => {
		const { run, before, after } = await readWhile([{ atRequest: 3, leave: { at: 'top' } }]);
		expect(run.error).toBeUndefined();
		expectEveryStayer(run.items, before, after);
	});

	it('one leaves at the top and one joins at the end at once, so total never changes: nobody is lost', async () => {
		const { run, before, after } = await readWhile([{ atRequest: 3, leave: { at: 'top' }, join: { at: 'end' } }]);
		expect(run.error).toBeUndefined();
		expectEveryStayer(run.items, before, after);
	});

	it('two leave, then two join at the top: nobody is lost and page_num is not blamed', async () => {
		const { run, before, after } = await readWhile([
			{ atRequest: 3, leave: { at: 'top', count: 2 } },
			{ atRequest: 5, join: { at: 'top', count: 2 } },
		]);
		expect(run.error?.message ?? '').not.toMatch(/page_num|sent page/);
		expect(run.error).toBeUndefined();
		expectEveryStayer(run.items, before, after);
	});

	it('members at the end leave and total drops: nobody who stayed is lost, and the read succeeds', async () => {
		const { run, before, after } = await readWhile([{ atRequest: 2, leave: { at: 'end', count: 3 } }]);
		expect(run.error).toBeUndefined();
		expectEveryStayer(run.items, before, after);
	});

	it('a group that keeps changing faster than it can be read fails, saying so, with the totals seen', async () => {
		const changes: GroupChange[] = Array.from({ length: 60 }, (_, i) => ({ atRequest: i + 2, leave: { at: 'top', count: 900 } }));
		t.sandbox.addGroup({ ...GROUP, size: 60_000 });
		try {
			const { run } = await readWhile(changes);
			expect(run.error?.message).toMatch(/changed while it was read/);
			expect(run.error?.description).toMatch(/total went from 60000 to \d+/);
			expect(run.error?.description).toMatch(/[Rr]unning (it )?again/);
		} finally {
			t.sandbox.addGroup({ ...GROUP, size: 5000 });
		}
	});
});

describe('a group that keeps changing, read 100 rows a page', () => {
	// at 100 rows a page only some pages overlap within the budget; once the group is seen moving,
	// every page overlaps and the pages read without an overlap are read again
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 3000 }] });
	const group = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));

	it('members near the top leave and others join at the end, at different moments: nobody who stayed is lost', async () => {
		const before = group();
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [
			{ atRequest: 4, leave: { at: 5 } },
			{ atRequest: 9, join: { at: 'end' } },
			{ atRequest: 14, leave: { at: 5 } },
			{ atRequest: 19, join: { at: 'end' } },
		]);
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expectEveryStayer(run.items, before, group());
	});
});

describe('page size from evidence', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 5000 }, { groupObj: 'member', groupId: '3001', size: 80 }] });
	const sizes = () => t.pageRequests().map((r) => Number(r.fields.page_size));
	const small = () => listParams({ groupObj: 'member', groupId: '3001' });
	afterEach(() => t.sandbox.setMaxPageSize(undefined));

	it('one passing refusal (10002) is asked again at the same size and forgotten', async () => {
		t.sandbox.injectFault({ fault: { kind: 'code', code: 10002, msg: '意料之外的参数内容' } });
		const run = await t.engine.runNode({ parameters: small() });
		expect(run.items).toHaveLength(80);
		expect(sizes()).toEqual([1000, 1000, 80]);
		t.sandbox.clearLog();
		await t.engine.runNode({ parameters: small() });
		expect(sizes()).toEqual([1000, 80]);
	});

	it('one passing HTTP 400 is asked again at the same size', async () => {
		t.sandbox.injectFault({ fault: { kind: 'http', status: 400, body: 'Bad Request' } });
		const run = await t.engine.runNode({ parameters: small() });
		expect(run.items).toHaveLength(80);
		expect(sizes()).toEqual([1000, 1000, 80]);
	});

	it('a rate-limit answer is never taken as a refusal of the size', async () => {
		t.sandbox.injectFault({ fault: { kind: 'code', code: 1000, msg: '请求过于频繁' }, times: 2 });
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001', options: { maxRetries: 0 } }) });
		// refused requests are sent again (not counted against Retries), at the same size
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(80);
		expect(sizes()).toEqual([1000, 1000, 1000, 80]);
		t.sandbox.clearLog();
		t.sandbox.clearFaults();
		await t.engine.runNode({ parameters: small() });
		expect(sizes()).toEqual([1000, 80]);
	});

	it('a short first answer (7 rows once) is not taken as the cap: page 1 asked at 8 rows shows more come', async () => {
		t.sandbox.injectFault({ fault: { kind: 'short', rows: 7 }, page: 1 });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.items).toHaveLength(5000);
		expect(sizes().slice(0, 3)).toEqual([1000, 8, 1000]);
		expect(sizes().length).toBeLessThanOrEqual(9);
		expect(Math.min(...sizes().slice(2))).toBeGreaterThanOrEqual(990);
	});

	it('a size refused twice is stepped down and remembered; later a bigger one is tried again, and used once the server allows it', async () => {
		t.sandbox.setMaxPageSize({ limit: 200, code: 10002 });
		await t.engine.runNode({ parameters: small() });
		expect(sizes()).toEqual([1000, 1000, 500, 500, 200, 80]);
		t.sandbox.clearLog();
		for (let read = 0; read < 12; read++) await t.engine.runNode({ parameters: small() });
		// 12 reads start at the size that works; one of them tries 1000 again, refused once
		expect(sizes().filter((size) => size === 200)).toHaveLength(12);
		expect(sizes().filter((size) => size === 1000)).toHaveLength(1);
		t.sandbox.setMaxPageSize(undefined);
		t.sandbox.clearLog();
		for (let read = 0; read < 12; read++) await t.engine.runNode({ parameters: small() });
		expect(sizes().slice(-2)).toEqual([1000, 80]);
	});
});

describe('the tool when total counts fewer members than the server sends', () => {
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: 250 }] });

	it('total 150 with 250 served: a call for 200 says where the next ones start', async () => {
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { totalOffset: -100 });
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID }, [{ groupId: '1001', limit: 200 }]);
		const answer = JSON.parse(run.results[0].text!)[0] as { returned: number; nextStart?: number; note: string };
		expect(answer.returned).toBe(200);
		expect(answer.nextStart).toBe(201);
		expect(answer.note).not.toMatch(/counts no more/);
	});
});

describe('one account, one limiter', () => {
	const sandbox = new BeschannelsSandbox({ pageCap: 10, groups: [{ ...GROUP, size: 300 }] });
	let url = '';
	beforeAll(async () => {
		url = await sandbox.start();
	});
	afterAll(async () => await sandbox.stop());

	it('Base URLs that differ only in letter case, a default port or a trailing slash share the 10 requests a second', async () => {
		const upper = url.replace('http://', 'HTTP://');
		const engines = [`${upper}/`, url].map(
			(baseUrl) => new Engine({ baseUrl, authMode: 'accessToken', accessToken: sandbox.token } as never),
		);
		const runs = await Promise.all(engines.map(async (engine) => await engine.runNode({ parameters: listParams({ options: { pageSize: 10 } }) })));
		for (const run of runs) expect(run.items).toHaveLength(300);
		expect(sandbox.maxInWindow(1000)).toBeLessThanOrEqual(10);
	});
});
