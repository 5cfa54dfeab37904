import type { Fault } from '../../sandbox/server';
import { listParams, serialize, useSandbox } from '../support/helpers';

const FAST = { maxRetries: 1, timeout: 2000 };

describe('every Beschannels answer code becomes a clear error', () => {
	const t = useSandbox({ pageCap: 100 });

	const cases: Array<[number, string, RegExp]> = [
		[-3, '系统异常', /system exception/],
		[-2, '请求地址错误', /Base URL/],
		[-1, '失败', /failed/],
		[1, '未知状态码', /unknown status/],
		[2, '不合法的访问令牌', /2 hours[\s\S]*App ID \+ App Secret/],
		[3, '接口访问权限校验不通过', /administrator[\s\S]*group user list/],
		[1000, '请求出错', /Check User ID, Group Object/],
		[1001, '无权限', /administrator/],
		[10000, '缺少关键参数', /Fill in User ID and Group Object/],
		[10001, '至少提交一个修改字段', /fields this call needs/],
		[10002, '意料之外的参数内容', /Group Object/],
		[10006, '缺少org_id', /organisation/],
		[10007, '请输入user_id', /Personal settings/],
		[4242, '新的错误', /does not list/],
	];

	it.each(cases)('code %i', async (code, msg, advice) => {
		t.sandbox.injectFault({ fault: { kind: 'code', code, msg }, times: Infinity });
		// a Page Size set by the user is sent as set (automatic sizes step down on 1000 and 10002)
		const run = await t.engine.runNode({ parameters: listParams({ options: { ...FAST, pageSize: 100 } }) });
		t.sandbox.clearFaults();
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toContain(`Beschannels error ${code} (${msg})`);
		expect(`${run.error?.message} ${run.error?.description}`).toMatch(advice);
		expect(run.error?.description).toContain(`${t.sandbox.url}/leads/open-api/group-user-list (page 1)`);
		const retryable = code === -1 || code === -3;
		expect(t.pageRequests()).toHaveLength(retryable ? 2 : 1);
	});

	it('retries a passing failure and then returns every member exactly once', async () => {
		t.sandbox.injectFault({ fault: { kind: 'code', code: -1, msg: '失败' }, page: 2 });
		t.sandbox.injectFault({ fault: { kind: 'http', status: 503 }, page: 3 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.error).toBeUndefined();
		const ids = run.items.map((i) => i.json.identity_id);
		expect(ids).toEqual(t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id));
		// each failed page asked again, and the short last page asked twice
		expect(t.pageRequests().map((r) => r.fields.page_num).sort()).toEqual(['1', '2', '2', '3', '3', '3']);
		expect(t.engine.logger.lines.some((l) => /retry 1 of 4/.test(l.message))).toBe(true);
	});
});

describe('transport failures', () => {
	const t = useSandbox({ pageCap: 100 });

	const cases: Array<[string, Fault, RegExp, number]> = [
		['HTTP 401', { kind: 'http', status: 401, body: 'Unauthorized' }, /HTTP 401[\s\S]*access token/, 1],
		['HTTP 403', { kind: 'http', status: 403, body: 'Forbidden' }, /HTTP 403[\s\S]*forbids/, 1],
		['HTTP 404', { kind: 'http', status: 404, body: 'Not Found' }, /HTTP 404[\s\S]*Base URL/, 1],
		['HTTP 500', { kind: 'http', status: 500 }, /HTTP 500: the server/, 2],
		['HTTP 502 gateway page', { kind: 'html', status: 502 }, /HTTP 502/, 2],
		['an HTML page with HTTP 200', { kind: 'html', status: 200 }, /HTML page instead of JSON \("502 Bad Gateway"\)/, 1],
		['a body that is not JSON', { kind: 'notJson' }, /not JSON/, 1],
		['an empty body', { kind: 'emptyBody' }, /empty body/, 2],
		['JSON without code', { kind: 'noCode' }, /without a "code" field/, 1],
		['data.list that is not an array', { kind: 'listNotArray' }, /data\.list is not an array/, 1],
		['a reset mid-body', { kind: 'reset' }, /reset before the answer was complete[\s\S]*error code ECONNRESET/, 2],
	];

	it.each(cases)('%s', async (_name, fault, message, attempts) => {
		t.sandbox.injectFault({ fault, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: FAST }) });
		t.sandbox.clearFaults();
		expect(run.items).toHaveLength(0);
		expect(`${run.error?.message} ${run.error?.description}`).toMatch(message);
		expect(run.error?.description).toContain(`${t.sandbox.url}/leads/open-api/group-user-list`);
		expect(t.pageRequests()).toHaveLength(attempts);
	});

	it('HTTP 429 every time: sent again at a slower pace, not counted as retries, until Timeout x (Retries + 1)', async () => {
		t.sandbox.injectFault({ fault: { kind: 'http', status: 429, headers: { 'retry-after': '0' } }, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: FAST }) });
		t.sandbox.clearFaults();
		expect(run.items).toHaveLength(0);
		expect(run.error?.message).toBe('Beschannels kept refusing the request as too many for 4 s');
		expect(run.error?.description).toMatch(/last answer: Beschannels answered HTTP 429: too many requests/);
		expect(run.error?.description).toContain(`${t.sandbox.url}/leads/open-api/group-user-list`);
		// more than Retries + 1 attempts, at no more than the pace the limiter falls to
		expect(t.pageRequests().length).toBeGreaterThan(2);
		expect(t.pageRequests().length).toBeLessThanOrEqual(4 * 10);
	});

	it('a timeout', async () => {
		t.sandbox.injectFault({ fault: { kind: 'hang' }, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: { maxRetries: 1, timeout: 300 } }) });
		t.sandbox.clearFaults();
		expect(run.error?.message).toMatch(/did not answer in time: no complete answer within 300 ms/);
		expect(run.error?.description).toMatch(/within Timeout \(300 ms\)[\s\S]*Gave up after 2 attempts/);
		expect(t.pageRequests()).toHaveLength(2);
	});

	it('names the page that failed', async () => {
		t.sandbox.injectFault({ fault: { kind: 'listNotArray' }, page: 2 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.error?.message).toMatch(/data\.list is not an array/);
		expect(run.error?.description).toMatch(/page 2/);
	});

	it('connection refused', async () => {
		const engine = t.engine;
		engine.setCredential({ baseUrl: 'http://127.0.0.1:9', authMode: 'accessToken', accessToken: t.sandbox.token });
		try {
			const run = await engine.runNode({ parameters: listParams({ options: { maxRetries: 0 } }) });
			expect(run.error?.message).toMatch(/connection was refused/);
			expect(run.error?.description).toMatch(/error code ECONNREFUSED/);
			expect(run.error?.description).toContain('http://127.0.0.1:9/leads/open-api/group-user-list');
		} finally {
			engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		}
	});
});

describe('bad parameters are caught before any request', () => {
	const t = useSandbox();

	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		['empty User ID', { userId: '  ' }, /User ID is empty/],
		['empty Group Object (by expression)', { groupObj: "={{ '' }}" }, /Group Object is empty/],
		['Limit below 1', { returnAll: false, limit: 0 }, /Limit must be/],
		['Page Size below 0 (0 is automatic)', { options: { pageSize: -1 } }, /Page Size must be/],
		['Page Size above 1,000', { options: { pageSize: 5000 } }, /Page Size must be a whole number from 1 to 1000/],
		['a UTC offset that is not one', { options: { addIsoDate: true, createdTimeOffset: 'Beijing' } }, /not an offset/],
	];

	it.each(cases)('%s', async (_name, overrides, message) => {
		const run = await t.engine.runNode({ parameters: listParams(overrides as never) });
		expect(run.error?.message).toMatch(message);
		expect(t.sandbox.log).toHaveLength(0);
	});

	it('an empty required Group Object is refused by n8n itself before the node runs', async () => {
		await expect(t.engine.runNode({ parameters: listParams({ groupObj: '' }) })).rejects.toThrow(
			/Parameter "Group Object" is required/,
		);
		expect(t.sandbox.log).toHaveLength(0);
	});
});

describe('pagination that cannot be fooled', () => {
	const t = useSandbox({ pageCap: 100 });
	afterEach(() => t.sandbox.setQuirks('leads_schema_data', '1001', {}));

	it('a total that lies high: returns what exists and says how many of how many arrived', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { totalOffset: 50 });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(250);
		expect(run.hints.map((h) => h.message)).toEqual([expect.stringMatching(/announced 300 members .* 250 arrived/)]);
		expect(t.engine.logger.lines.some((l) => l.level === 'warn' && /but 250 arrived/.test(l.message))).toBe(true);
		expect(Object.keys(run.items[0].json)).not.toContain('total');
	});

	it('a total that lies low does not cut the group short', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { totalOffset: -200 });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.items).toHaveLength(250);
		expect(run.hints).toHaveLength(0);
	});

	it('a server that ignores page_num neither loops nor passes for a complete group', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { ignorePageNum: true });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.error?.message).toMatch(/sent page 2 again/);
		expect(run.error?.description).toMatch(/Read 100 members of the 250/);
		expect(t.pageRequests().length).toBeLessThanOrEqual(3);
	});
});

describe('Continue On Fail', () => {
	const t = useSandbox();
	const input = [
		{ obj: 'leads_schema_data', id: 'no-such-group' },
		{ obj: 'member', id: '3001' },
	];
	const parameters = listParams({ groupObj: '={{ $json.obj }}', groupId: '={{ $json.id }}' });

	it('turns the failing item into an error item and runs the others', async () => {
		const run = await t.engine.runNode({ input, parameters, onError: 'continueRegularOutput' });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.error).toMatch(/Beschannels error 10002/);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(run.items.slice(1)).toHaveLength(80);
		expect(run.items.slice(1).every((i) => (i.pairedItem as { item: number }).item === 1)).toBe(true);
	});

	it('sends the failing item to the error output', async () => {
		const run = await t.engine.runNode({ input, parameters, onError: 'continueErrorOutput' });
		expect(run.errorItems).toHaveLength(1);
		expect(run.errorItems[0].json.error).toMatch(/10002/);
		expect(run.errorItems[0].json.details).toMatchObject({ beschannelsCode: 10002, beschannelsMsg: '意料之外的参数内容' });
		expect(run.errorItems[0].pairedItem).toEqual({ item: 0 });
		expect(run.items).toHaveLength(80);
	});

	it('without it, the run stops at the failing item', async () => {
		const run = await t.engine.runNode({ input, parameters });
		expect(run.error?.message).toMatch(/10002/);
		expect(run.items).toHaveLength(0);
	});
});

describe('secrets and personal data stay out of errors, logs and output', () => {
	const t = useSandbox({ pageCap: 100 });

	const faults: Fault[] = [
		{ kind: 'code', code: 2 },
		{ kind: 'code', code: -1 },
		{ kind: 'http', status: 401 },
		{ kind: 'http', status: 500 },
		{ kind: 'html', status: 502 },
		{ kind: 'notJson' },
		{ kind: 'noCode' },
		{ kind: 'listNotArray' },
		{ kind: 'reset' },
		{ kind: 'emptyBody' },
	];

	it('never shows the token, and names no member', async () => {
		const members = t.sandbox.members('leads_schema_data', '1001');
		const personal = members.slice(0, 100).flatMap((m) => [m.FullName, m.MobilePhone, m.Email]) as string[];
		const texts: string[] = [];
		for (const fault of faults) {
			t.sandbox.injectFault({ fault, page: 2, times: Infinity });
			const run = await t.engine.runNode({ parameters: listParams({ options: FAST }) });
			expect(run.error).toBeDefined();
			texts.push(serialize(run.run), serialize(run.error), run.error!.stack ?? '');
			const failed = await t.engine.runNode({
				parameters: listParams({ options: FAST }),
				onError: 'continueRegularOutput',
			});
			t.sandbox.clearFaults();
			expect(failed.items).toHaveLength(1);
			expect(failed.items[0].json.error).toBeDefined();
			texts.push(serialize(failed.items), serialize(failed.run));
		}
		// a timeout and a refused connection too
		t.sandbox.injectFault({ fault: { kind: 'hang' }, times: Infinity });
		const timedOut = await t.engine.runNode({ parameters: listParams({ options: { maxRetries: 0, timeout: 200 } }) });
		t.sandbox.clearFaults();
		texts.push(serialize(timedOut.run), serialize(timedOut.error));
		texts.push(serialize(t.engine.logger.lines));

		const all = texts.join('\n');
		expect(all).not.toContain(t.sandbox.token);
		expect(all).not.toContain('access_token=');
		for (const value of personal) expect(all).not.toContain(value);
		// the scan did see the errors
		expect(all).toContain('Beschannels error 2');
		expect(all).toContain('HTTP 500');
	});
});
