/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { BeschannelsSandbox, DEFAULT_USER_ID, GROUP_USER_LIST_PATH, type SandboxOptions } from '../../sandbox/server';

/** The sandbox's own new behaviours, checked over raw HTTP. */

const running: BeschannelsSandbox[] = [];

async function start(options: SandboxOptions = {}): Promise<BeschannelsSandbox> {
	const sandbox = new BeschannelsSandbox(options);
	running.push(sandbox);
	await sandbox.start();
	return sandbox;
}

afterEach(async () => {
	await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** Posts the multipart form as a Blob: fetch re-encodes a FormData on 307/308 with a boundary its header lacks. */
async function post(base: string, token: string, fields: Record<string, string | number> = {}, init: RequestInit = {}) {
	const form = new FormData();
	const all = { user_id: DEFAULT_USER_ID, group_obj: 'leads_schema_data', groupId: '1001', page_num: 1, page_size: 10, ...fields };
	for (const [k, v] of Object.entries(all)) form.append(k, String(v));
	const url = `${base}${GROUP_USER_LIST_PATH}?access_token=${token}`;
	const encoded = new Request(url, { method: 'POST', body: form });
	const headers = { 'content-type': encoded.headers.get('content-type')! };
	return fetch(url, { method: 'POST', body: await encoded.blob(), headers, ...init });
}

async function page(sandbox: BeschannelsSandbox, fields: Record<string, string | number> = {}) {
	const res = await post(sandbox.url, sandbox.token, fields);
	return (await res.json()) as { code: number; msg: string; data: { total: number; list: Array<Record<string, unknown>> } | null };
}

const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => r.identity_id);

describe('sandbox', () => {
	it("counts offsets by rows served, or by page_size as asked with 'asked'", async () => {
		const sandbox = await start({ pageCap: 37 });
		const all = ids(sandbox.members('leads_schema_data', '1001'));
		const served = await page(sandbox, { page_num: 2, page_size: 100 });
		expect(ids(served.data!.list)).toEqual(all.slice(37, 74));

		sandbox.setOffsets('asked');
		const asked = await page(sandbox, { page_num: 2, page_size: 100 });
		expect(asked.data!.total).toBe(250);
		expect(ids(asked.data!.list)).toEqual(all.slice(100, 137));
		// search: every seeded email is on an example domain
		const search = await page(sandbox, { page_num: 2, page_size: 100, search_str: 'example' });
		expect(ids(search.data!.list)).toEqual(all.slice(100, 137));

		sandbox.setQuirks('leads_schema_data', '1001', { repeatRows: 5 });
		expect(ids((await page(sandbox, { page_num: 2, page_size: 100 })).data!.list)).toEqual(all.slice(95, 137));
		sandbox.setOffsets('served');
		expect(ids((await page(sandbox, { page_num: 2, page_size: 100 })).data!.list)).toEqual(all.slice(32, 74));
	});

	it('takes offsets, page size limits and redirects from the admin API', async () => {
		const sandbox = await start({ pageCap: 37 });
		const admin = (route: string, body: unknown) =>
			fetch(`${sandbox.url}/__sandbox${route}`, { method: 'POST', body: JSON.stringify(body) });
		expect((await admin('/offsets', { mode: 'asked' })).status).toBe(200);
		expect((await admin('/max-page-size', { limit: 50 })).status).toBe(200);
		expect((await admin('/offsets', { mode: 'sideways' })).status).toBe(400);
		expect(sandbox.options.offsets).toBe('asked');
		expect(sandbox.options.maxPageSize).toEqual({ limit: 50 });
		await admin('/redirect', { status: 301, to: 'http://example.invalid' });
		const moved = await post(sandbox.url, sandbox.token, {}, { redirect: 'manual' });
		expect(moved.status).toBe(301);
		await admin('/redirect', {});
		expect((await page(sandbox)).code).toBe(0);
	});

	it('serves a page short once', async () => {
		const sandbox = await start();
		sandbox.injectFault({ fault: { kind: 'short', rows: 3 }, page: 2 });
		expect((await page(sandbox, { page_num: 1 })).data!.list).toHaveLength(10);
		const short = await page(sandbox, { page_num: 2 });
		expect(short.data!.total).toBe(250);
		expect(ids(short.data!.list)).toEqual(ids(sandbox.members('leads_schema_data', '1001')).slice(10, 13));
		expect((await page(sandbox, { page_num: 2 })).data!.list).toHaveLength(10);
	});

	it('picks rows with sandbox/paging.ts: hidden rows leave a page short, total counts them unless totalCountsHidden is false', async () => {
		const sandbox = await start({ pageCap: 10, groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 30 }] });
		const all = ids(sandbox.members('leads_schema_data', '1001'));
		const hidden = [all[2], all[12], all[13]];
		sandbox.setQuirks('leads_schema_data', '1001', { hidden: hidden as string[] });
		const second = await page(sandbox, { page_num: 2, page_size: 10 });
		expect(second.data!.total).toBe(30);
		expect(ids(second.data!.list)).toEqual(all.slice(10, 20).filter((id) => !hidden.includes(id)));
		sandbox.setQuirks('leads_schema_data', '1001', { hidden: hidden as string[], totalCountsHidden: false });
		const counted = await page(sandbox, { page_num: 2, page_size: 10 });
		expect(counted.data!.total).toBe(27);
		expect(ids(counted.data!.list)).toEqual(ids(second.data!.list));
	});

	it('scheduled changes: a join at a position, and a member changing place', async () => {
		const sandbox = await start({ groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 30 }] });
		const before = ids(sandbox.members('leads_schema_data', '1001'));
		sandbox.scheduleChanges('leads_schema_data', '1001', [
			{ atRequest: 2, join: { at: 5, count: 2 } },
			{ atRequest: 3, move: { from: 0, to: 20 } },
		]);
		await page(sandbox);
		expect(ids(sandbox.members('leads_schema_data', '1001'))).toEqual(before);
		await page(sandbox);
		const joined = ids(sandbox.members('leads_schema_data', '1001'));
		expect(joined).toHaveLength(32);
		expect([...joined.slice(0, 5), ...joined.slice(7)]).toEqual(before);
		expect(joined.slice(5, 7).some((id) => before.includes(id))).toBe(false);
		await page(sandbox);
		const moved = ids(sandbox.members('leads_schema_data', '1001'));
		expect(moved[20]).toBe(joined[0]);
		expect(moved.filter((id) => id !== joined[0])).toEqual(joined.slice(1));
	});

	it("changes members' fields and serves fields in reverse order, from the admin API and scheduled", async () => {
		const sandbox = await start({ groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 30 }] });
		const admin = async (route: string, body: unknown) =>
			(await (await fetch(`${sandbox.url}/__sandbox${route}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Record<string, unknown>;
		const group = { groupObj: 'leads_schema_data', groupId: '1001' };
		const [first, second] = (await page(sandbox)).data!.list;
		const id = String(first.identity_id);
		const updated = await admin('/update-members', {
			...group,
			changes: [{ identityId: id, set: { 'Score-20408': 12, Email: 'changed@example.com' }, unset: ['Company'] }, { identityId: 'nobody' }],
		});
		expect(updated).toEqual({ updated: 1 });
		const changed = (await page(sandbox)).data!.list[0];
		expect(changed).toMatchObject({ identity_id: id, 'Score-20408': 12, Email: 'changed@example.com' });
		expect('Company' in changed).toBe(false);
		// a key the member had keeps its place
		expect(Object.keys(changed).indexOf('Email')).toBe(Object.keys(first).indexOf('Email'));

		expect(await admin('/quirks', { ...group, quirks: { fieldOrder: 'reversed' } })).toEqual({ ok: true });
		const reversed = (await page(sandbox)) as unknown as { data: { list: Array<Record<string, unknown>>; header: Array<{ prop: string }> } };
		expect(Object.keys(reversed.data.list[1])).toEqual(Object.keys(second).reverse());
		expect(reversed.data.list[1]).toEqual(second);
		expect(reversed.data.header.map((h) => h.prop)).toEqual(['CreatedTime', 'IsLead', 'Company', 'Email', 'MobilePhone', 'FullName']);

		sandbox.scheduleChanges(group.groupObj, group.groupId, [{ atRequest: 2, update: [{ identityId: id, set: { 'Score-20408': '13' } }] }]);
		expect((await page(sandbox)).data!.list[0]['Score-20408']).toBe(12);
		expect((await page(sandbox)).data!.list[0]['Score-20408']).toBe('13');
		sandbox.resetGroups();
		expect((await page(sandbox)).data!.list[0]).toEqual(first);
	});

	it('trickles a page: headers at once, the body slowly, whole with finish', async () => {
		const sandbox = await start();
		const normal = Buffer.from(await (await post(sandbox.url, sandbox.token, { page_size: 1 })).text());
		const bytes = Math.ceil(normal.length / 8);
		sandbox.injectFault({ fault: { kind: 'trickle', intervalMs: 40, bytes, finish: true } });
		const began = Date.now();
		const res = await post(sandbox.url, sandbox.token, { page_size: 1 });
		const headersAfter = Date.now() - began;
		expect(headersAfter).toBeLessThan(150);
		expect(res.status).toBe(200);
		expect(Number(res.headers.get('content-length'))).toBe(normal.length);
		const text = await res.text();
		const bodyAfter = Date.now() - began;
		expect(bodyAfter).toBeGreaterThanOrEqual(8 * 40 - 30);
		expect(bodyAfter).toBeLessThan(2000);
		expect(JSON.parse(text)).toEqual(JSON.parse(normal.toString()));
		expect(sandbox.log.at(-1)).toMatchObject({ status: 200, code: 0 });
	});

	it('trickles forever without finish, stops when the client leaves, and stop() does not hang', async () => {
		const sandbox = await start();
		sandbox.injectFault({ fault: { kind: 'trickle', intervalMs: 5 }, path: '/elsewhere', times: 2 });
		const abort = new AbortController();
		const res = await fetch(`${sandbox.url}/elsewhere`, { signal: abort.signal });
		const length = Number(res.headers.get('content-length'));
		expect(length).toBeGreaterThan(10);
		const reader = res.body!.getReader();
		let got = 0;
		const until = Date.now() + length * 5 + 300;
		const reading = (async () => {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return 'done';
				got += value.length;
			}
		})().catch(() => 'aborted');
		await new Promise((r) => setTimeout(r, until - Date.now()));
		abort.abort();
		expect(await reading).toBe('aborted');
		expect(got).toBe(length - 1);
		await sandbox.idle();

		const second = await fetch(`${sandbox.url}/elsewhere`);
		expect(second.status).toBe(200);
		const began = Date.now();
		await sandbox.stop();
		expect(Date.now() - began).toBeLessThan(500);
	});

	it('redirects with a Location relative to the sandbox or absolute', async () => {
		const sandbox = await start();
		sandbox.injectFault({ fault: { kind: 'redirect', status: 307, location: '/v2/moved?x=1' } });
		sandbox.injectFault({ fault: { kind: 'redirect', status: 302, location: 'https://login.example.com/?back={url}' } });
		const first = await post(sandbox.url, sandbox.token, {}, { redirect: 'manual' });
		expect(first.status).toBe(307);
		expect(first.headers.get('location')).toBe(`${sandbox.url}/v2/moved?x=1`);
		expect(await first.text()).toBe('');
		const second = await post(sandbox.url, sandbox.token, {}, { redirect: 'manual' });
		expect(second.status).toBe(302);
		expect(second.headers.get('location')).toBe(`https://login.example.com/?back=${sandbox.url}`);
		expect(sandbox.log.map((r) => r.status)).toEqual([307, 302]);
	});

	it('redirects every request of one sandbox to another', async () => {
		const target = await start();
		const front = await start({ tokens: [target.token], redirectAll: { status: 308, to: `${target.url}/` } });
		const manual = await post(front.url, target.token, {}, { redirect: 'manual' });
		expect(manual.status).toBe(308);
		expect(manual.headers.get('location')).toBe(`${target.url}${GROUP_USER_LIST_PATH}?access_token=${target.token}`);
		const followed = await post(front.url, target.token, { page_size: 5 });
		expect(followed.url.startsWith(target.url)).toBe(true);
		const body = (await followed.json()) as { code: number; data: { list: unknown[] } };
		expect(body.code).toBe(0);
		expect(body.data.list).toHaveLength(5);
		expect(front.log.map((r) => r.status)).toEqual([308, 308]);
		expect(target.log).toHaveLength(1);
		expect(target.log[0].fields.page_size).toBe('5');
	});

	it('sends an HTTP error with a JSON body when asked', async () => {
		const sandbox = await start();
		const body = JSON.stringify({ code: -1, msg: '请求过于频繁' });
		sandbox.injectFault({
			fault: { kind: 'http', status: 429, body, contentType: 'application/json', headers: { 'retry-after': '2' } },
		});
		const res = await post(sandbox.url, sandbox.token);
		expect(res.status).toBe(429);
		expect(res.headers.get('content-type')).toBe('application/json');
		expect(res.headers.get('retry-after')).toBe('2');
		expect(await res.json()).toEqual({ code: -1, msg: '请求过于频繁' });
	});

	it('refuses page sizes above maxPageSize', async () => {
		const sandbox = await start({ maxPageSize: { limit: 50 } });
		expect(await page(sandbox, { page_size: 51 })).toEqual({ code: 10002, msg: '意料之外的参数内容', data: null });
		expect((await page(sandbox, { page_size: 50 })).data!.list).toHaveLength(50);
		sandbox.setMaxPageSize({ limit: 20, code: 10001, msg: 'too big' });
		expect(await page(sandbox, { page_size: 21 })).toMatchObject({ code: 10001, msg: 'too big' });
		expect(sandbox.log.at(-1)).toMatchObject({ status: 200, code: 10001 });
		sandbox.setMaxPageSize(undefined);
		expect((await page(sandbox, { page_size: 100 })).code).toBe(0);
	});
});
