import type { IDataObject, INode } from 'n8n-workflow';

import { TOOL_TYPE } from '../../harness/engine';
import type { Fault } from '../../sandbox/server';
import { DEFAULT_USER_ID, serialize, useSandbox } from '../support/helpers';

/**
 * What a model reads when the tool fails. n8n's AI Agent (2.x and 1.x, Agent 3) runs the tool as a
 * node of its own and hands the model `{"error": <the error's message>, "errorType": ...}`: the
 * description is dropped, so what to do must be in the message itself. n8n-core's own tool
 * machinery (the MCP Server Trigger) sends the message, then the description after "Details:".
 */

const APP = { appId: 'app_7f3c2e', appSecret: 'example-secret-Q9v2LmX81kTz' };
/** No retries, a short Timeout: each failure comes back at once. */
const FAST = { maxRetries: 0, timeout: 1000, pageSize: 100 };
/** A message a model reads in one line. */
const MAX_MESSAGE = 300;

const TOKEN = /Ask the user to enter a new access token in the Beschannels credential in n8n .*App ID \+ App Secret; calling again will not help\.$/;
const PASSING = /call again in a minute; if it keeps failing, tell the user\.$/;
const BASE_URL = /Ask the user to correct the Base URL in the Beschannels credential in n8n; calling again will not help\.$/;
const PERMISSION = /Ask the user to have their Beschannels administrator grant the OpenAPI user access to the group user list and this group's data; calling again will not help\.$/;
const GROUP = /Check groupObject \(leads_schema_data, schema_data or member\) and groupId, and call again with corrected values; if they were right, tell the user\.$/;
const USER_ID = /Ask the user to fill User ID in the Beschannels tool in n8n \(in Beschannels: Personal settings\); calling again will not help\.$/;
const ONCE_MORE = /Call again once; if the same error comes back, tell the user\.$/;
const NETWORK = /n8n could not reach Beschannels: call again in a minute; if it keeps failing, ask the user to check the Base URL in the Beschannels credential in n8n\.$/;
const UNREADABLE = /Call again once; if the same error comes back, tell the user that Beschannels sends answers the tool cannot read \(the Base URL may be wrong\)\.$/;

describe('a failing tool call tells the model what to do, in the message itself', () => {
	const t = useSandbox({ pageCap: 100, apps: [APP] });
	const sandboxCredential = () => ({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
	afterEach(() => {
		t.sandbox.clearFaults();
		t.sandbox.setQuirks('leads_schema_data', '1001', {});
		t.engine.setCredential(sandboxCredential());
	});

	/**
	 * Runs the tool as n8n's AI Agent does (a node of its own, the model's arguments as its input)
	 * and returns the error's message, checked to be one line, short, and without the token.
	 */
	async function messageFor(args: IDataObject, parameters: INode['parameters'] = {}, secret = t.sandbox.token): Promise<string> {
		const run = await t.engine.runNode({
			nodeType: TOOL_TYPE,
			parameters: { userId: DEFAULT_USER_ID, options: FAST, ...parameters },
			input: [args],
		});
		expect(run.items).toHaveLength(0);
		const message = run.error?.message ?? '';
		expect(message).not.toContain('\n');
		expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE);
		expect(serialize(run.run)).not.toContain(secret);
		return message;
	}

	const codes: Array<[number, string, RegExp]> = [
		[-3, '系统异常', PASSING],
		[-2, '请求地址错误', BASE_URL],
		[-1, '失败', PASSING],
		[1, '未知状态码', ONCE_MORE],
		[2, '不合法的访问令牌', TOKEN],
		[3, '接口访问权限校验不通过', PERMISSION],
		[1000, '请求出错', GROUP],
		[1001, '无权限', PERMISSION],
		[10000, '缺少关键参数', /Call again with groupObject and groupId; if they were given, ask the user to fill User ID in the Beschannels tool in n8n\.$/],
		[10001, '至少提交一个修改字段', /Ask the user to check User ID and the options of the Beschannels tool in n8n; calling again will not help\.$/],
		[10002, '意料之外的参数内容', GROUP],
		[10006, '缺少org_id', /Ask the user to have their Beschannels administrator tie the OpenAPI application to an organisation; calling again will not help\.$/],
		[10007, '请输入user_id', USER_ID],
		[4242, '新的错误', ONCE_MORE],
	];

	it.each(codes)('Beschannels error %i', async (code, msg, advice) => {
		t.sandbox.injectFault({ fault: { kind: 'code', code, msg }, times: Infinity });
		const message = await messageFor({ groupId: '1001' });
		expect(message.startsWith(`Beschannels error ${code} (${msg}): `)).toBe(true);
		expect(message).toMatch(advice);
	});

	const http: Array<[string, Fault, RegExp, RegExp]> = [
		['HTTP 401', { kind: 'http', status: 401, body: 'Unauthorized' }, /^Beschannels answered HTTP 401\. /, TOKEN],
		['HTTP 403', { kind: 'http', status: 403, body: 'Forbidden' }, /^Beschannels answered HTTP 403\. /, PERMISSION],
		['HTTP 404', { kind: 'http', status: 404, body: 'Not Found' }, /^Beschannels answered HTTP 404\. /, BASE_URL],
		['HTTP 500', { kind: 'http', status: 500 }, /^Beschannels answered HTTP 500: the server or a gateway in front of it failed\. /, PASSING],
		['HTTP 502 with a gateway page', { kind: 'html', status: 502 }, /^Beschannels answered HTTP 502/, PASSING],
		['HTTP 418', { kind: 'http', status: 418 }, /^Beschannels answered HTTP 418\. /, /Ask the user to check the Base URL in the Beschannels credential and the options of the Beschannels tool in n8n; calling again will not help\.$/],
		['a redirect', { kind: 'redirect', status: 301, location: '/elsewhere' }, /^The Base URL redirects \(HTTP 301\) to /, BASE_URL],
	];

	it.each(http)('%s', async (_name, fault, start, advice) => {
		t.sandbox.injectFault({ fault, times: Infinity });
		const message = await messageFor({ groupId: '1001' });
		expect(message).toMatch(start);
		expect(message).toMatch(advice);
	});

	it('HTTP 429 until the tool gives up', async () => {
		t.sandbox.injectFault({ fault: { kind: 'http', status: 429, headers: { 'retry-after': '0' } }, times: Infinity });
		const message = await messageFor({ groupId: '1001' });
		expect(message).toMatch(/^Beschannels kept refusing the request as too many for 1 s\. /);
		expect(message).toMatch(/The Beschannels account is busy with other systems: call again in a few minutes; if it keeps failing, tell the user\.$/);
	});

	it('no answer in time', async () => {
		t.sandbox.injectFault({ fault: { kind: 'hang' }, times: Infinity });
		const message = await messageFor({ groupId: '1001', limit: 50 }, { options: { ...FAST, timeout: 300 } });
		expect(message).toMatch(/^Beschannels did not answer in time: no complete answer within 300 ms\. /);
		expect(message).toMatch(/Call again later or with a smaller limit; the user can raise the Timeout option of the Beschannels tool in n8n\.$/);
	});

	it('a connection reset, and a connection refused', async () => {
		t.sandbox.injectFault({ fault: { kind: 'reset' }, times: Infinity });
		const reset = await messageFor({ groupId: '1001' });
		expect(reset).toMatch(/^Could not reach Beschannels: the connection was reset before the answer was complete\. /);
		expect(reset).toMatch(NETWORK);
		t.engine.setCredential({ baseUrl: 'http://127.0.0.1:9', authMode: 'accessToken', accessToken: t.sandbox.token });
		const refused = await messageFor({ groupId: '1001' });
		expect(refused).toMatch(/^Could not reach Beschannels: the connection was refused \(nothing listens at that address\)\. /);
		expect(refused).toMatch(NETWORK);
	});

	const unreadable: Array<[string, Fault, RegExp]> = [
		['an HTML page with HTTP 200', { kind: 'html', status: 200 }, /^Beschannels answered with an HTML page instead of JSON/],
		['a body that is not JSON', { kind: 'notJson' }, /^Beschannels answered with a body that is not JSON\. /],
		['an empty body', { kind: 'emptyBody' }, /^Beschannels answered with an empty body\. /],
		['JSON without code', { kind: 'noCode' }, /^Beschannels answered without a "code" field\. /],
		['data.list that is not an array', { kind: 'listNotArray' }, /^Beschannels sent a malformed answer: data\.list is not an array\. /],
	];

	it.each(unreadable)('%s', async (_name, fault, start) => {
		t.sandbox.injectFault({ fault, times: Infinity });
		const message = await messageFor({ groupId: '1001' });
		expect(message).toMatch(start);
		expect(message).toMatch(UNREADABLE);
	});

	it('a read that cannot go past the first page', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { ignorePageNum: true });
		const message = await messageFor({ groupId: '1001', limit: 30 }, { options: { ...FAST, pageSize: 10 } });
		expect(message).toMatch(/^Beschannels sent page 2 again instead of new members\. /);
		expect(message).toMatch(/Only the first page can be read: call again with a limit of at most one page; if that is not enough, tell the user\.$/);
	});

	it('a group the model names wrongly, and an empty group kind', async () => {
		const unknown = await messageFor({ groupId: 'no-such-group' });
		expect(unknown).toMatch(/^Beschannels error 10002 \(意料之外的参数内容\): unexpected parameter content\. /);
		expect(unknown).toMatch(GROUP);
		const empty = await messageFor({ groupId: '1001', groupObject: ' ' });
		expect(empty).toBe('Group Object is empty. Call again with groupObject leads_schema_data, schema_data or member.');
	});

	it('limit and start out of range, filled by the model or fixed by the workflow', async () => {
		expect(await messageFor({ groupId: '1001', limit: 0 })).toBe(
			'Members per Call must be a whole number of at least 1. Call again with limit a whole number from 1 to 200.',
		);
		expect(await messageFor({ groupId: '1001', start: 2.5 })).toBe(
			'Start At must be a whole number of at least 1. Call again with start a whole number of at least 1 (1 for the first member).',
		);
		expect(await messageFor({ groupId: '1001' }, { membersPerCall: 0 })).toBe(
			'Members per Call must be a whole number of at least 1. Ask the user to set Members per Call in the Beschannels tool in n8n to 1 to 200.',
		);
	});

	it('settings only the user can correct: User ID, an option, the Base URL', async () => {
		expect(await messageFor({ groupId: '1001' }, { userId: ' ' })).toMatch(/^User ID is empty\. /);
		expect(await messageFor({ groupId: '1001' }, { userId: ' ' })).toMatch(USER_ID);
		expect(await messageFor({ groupId: '1001' }, { options: { pageSize: 5000 } })).toBe(
			'Page Size must be a whole number from 1 to 1000. Ask the user to correct this option of the Beschannels tool in n8n; calling again will not help.',
		);
		t.engine.setCredential({ baseUrl: 'openapi.beschannels.com', authMode: 'accessToken', accessToken: t.sandbox.token });
		const unusable = await messageFor({ groupId: '1001' });
		expect(unusable).toMatch(/^The Base URL in the Beschannels credential is not usable\. /);
		expect(unusable).toMatch(BASE_URL);
	});

	it('a rejected access token: the user must enter a new one', async () => {
		const rejected = `sbx-rejected-${Date.now()}`;
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: rejected });
		const message = await messageFor({ groupId: '1001' }, {}, rejected);
		expect(message).toBe(
			'Beschannels error 2 (不合法的访问令牌): invalid or expired access token. Ask the user to enter a new access token in the Beschannels credential in n8n (tokens last 2 hours) or to switch it to App ID + App Secret; calling again will not help.',
		);
	});

	it('App ID + App Secret: a refused secret, and a token refused right after it was issued', async () => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'appCredentials', appId: APP.appId, appSecret: 'wrong-example-secret-123' });
		const refused = await messageFor({ groupId: '1001' }, {}, 'wrong-example-secret-123');
		expect(refused).toMatch(/^Beschannels refused the App ID \/ App Secret \(code 1001/);
		expect(refused).toMatch(/Ask the user to correct App ID and App Secret in the Beschannels credential in n8n; calling again will not help\.$/);
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'appCredentials', ...APP });
		t.sandbox.injectFault({ fault: { kind: 'code', code: 2, msg: '不合法的访问令牌' }, times: Infinity });
		const rejected = await messageFor({ groupId: '1001' }, {}, APP.appSecret);
		expect(rejected).toMatch(/^Beschannels error 2 /);
		expect(rejected).toMatch(/Ask the user to check that the Beschannels OpenAPI application of this App ID is enabled and may use the group user list; calling again will not help\.$/);
	});

	it("through n8n-core's tool machinery (the MCP Server Trigger), the same message, the details after it", async () => {
		t.sandbox.injectFault({ fault: { kind: 'code', code: 2, msg: '不合法的访问令牌' }, times: Infinity });
		const run = await t.engine.callTool({ userId: DEFAULT_USER_ID, options: FAST }, [{ groupId: '1001' }]);
		const [message, details] = String(run.results[0].error).split('\n\nDetails: ');
		expect(message).toMatch(/^Beschannels error 2 \(不合法的访问令牌\): invalid or expired access token\. /);
		expect(message).toMatch(TOKEN);
		expect(details).toMatch(/^Access tokens live 2 hours\./);
	});

	it("the plain node's messages stay as they were", async () => {
		t.sandbox.injectFault({ fault: { kind: 'code', code: 2, msg: '不合法的访问令牌' }, times: 2 });
		const tool = await messageFor({ groupId: '1001' });
		const plain = await t.engine.runNode({ parameters: { resource: 'groupUser', operation: 'getAll', userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001', returnAll: true } });
		expect(tool).toMatch(TOKEN);
		expect(plain.error?.message).toBe('Beschannels error 2 (不合法的访问令牌): invalid or expired access token');
		expect(plain.error?.description).toMatch(/^Access tokens live 2 hours\./);
	});
});
