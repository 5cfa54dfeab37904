/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { ACCESS_GRANT_PATH } from '../../sandbox/server';
import { listParams, serialize, useSandbox } from '../support/helpers';

const APP = { appId: 'app_7f3c2e', appSecret: 'example-secret-Q9v2LmX81kTz' };
const OTHER_APP = { appId: 'app_51ab09', appSecret: 'example-secret-W4n8PzR27cYd' };
/** An app whose token requests a test refuses. */
const THIRD_APP = { appId: 'app_c4d210', appSecret: 'example-secret-K7r1VbN62sQe' };
const appCredential = (baseUrl: string, overrides = {}) => ({
	baseUrl,
	authMode: 'appCredentials',
	appId: APP.appId,
	appSecret: APP.appSecret,
	...overrides,
});

describe('App ID + App Secret credentials', () => {
	const t = useSandbox({
		apps: [APP, OTHER_APP],
		tokenLifetimeSeconds: 3,
		pageCap: 10,
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1001', size: 1000 },
			{ groupObj: 'member', groupId: '3001', size: 30 },
		],
	});
	const tokenRequests = () => t.sandbox.log.filter((r) => r.path === ACCESS_GRANT_PATH);
	const texts: string[] = [];
	beforeEach(() => t.engine.setCredential(appCredential(t.sandbox.url)));

	/** Nothing a test ran, errors and logs included, holds an App Secret or a token issued so far. */
	function expectNoSecrets(all: string) {
		expect(all).not.toContain(APP.appSecret);
		expect(all).not.toContain(OTHER_APP.appSecret);
		expect(all).not.toContain(THIRD_APP.appSecret);
		expect(all).not.toContain('wrong-example-secret-123');
		for (const token of t.sandbox.issuedTokens()) expect(all).not.toContain(token);
	}

	afterEach(() => expectNoSecrets([...texts.splice(0), serialize(t.engine.logger.lines)].join('\n')));

	it('the sandbox issues the same token while more than 1/6 of its life is left', async () => {
		const ask = async () =>
			(await (
				await fetch(`${t.sandbox.url}${ACCESS_GRANT_PATH}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(APP),
				})
			).json()) as { data: { access_token: string } };
		const first = await ask();
		expect((await ask()).data.access_token).toBe(first.data.access_token);
		t.sandbox.ageTokens(2.6);
		expect((await ask()).data.access_token).not.toBe(first.data.access_token);
	});

	it('the Test button passes for a good App ID and App Secret', async () => {
		const result = await t.engine.testCredential(appCredential(t.sandbox.url));
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(tokenRequests()).toHaveLength(1);
	});

	it.each([
		['App Secret', { appSecret: 'wrong-secret' }],
		['App ID', { appId: 'no-such-app' }],
	])('the Test button fails for a wrong %s with a message that says so', async (_name, wrong) => {
		const result = await t.engine.testCredential(appCredential(t.sandbox.url, wrong));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/refused the App ID \/ App Secret \(code 1001: appId或appSecret错误\)/);
		expect(result.message).not.toContain('wrong-secret');
	});

	it('a run longer than the token lifetime renews the token and returns every member', async () => {
		const started = Date.now();
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 10 } }) });
		const seconds = (Date.now() - started) / 1000;
		expect(run.error).toBeUndefined();
		expect(seconds).toBeGreaterThan(6);
		expect(run.items.map((i) => i.json.identity_id)).toEqual(
			t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id),
		);
		const renewals = t.engine.logger.lines.filter((l) => /renewing it/.test(l.message)).length;
		expect(renewals).toBeGreaterThan(0);
		// one token at the start, then about one per lifetime
		expect(tokenRequests().length).toBeGreaterThanOrEqual(2);
		expect(tokenRequests().length).toBeLessThanOrEqual(Math.ceil(seconds / 3) + 3);
		// every rejected request was sent again with a fresh token; none failed for good
		const rejected = t.sandbox.log.filter((r) => r.code === 2).length;
		expect(rejected).toBeLessThanOrEqual(renewals * 10);
		texts.push(serialize(run.run));
		console.log(`app-token run: ${seconds.toFixed(1)} s, ${t.pageRequests().length} pages, ${tokenRequests().length} token requests, ${rejected} requests rejected with code 2 and sent again`);
	}, 90_000);

	it('runs hours apart keep working', async () => {
		const small = listParams({ groupObj: 'member', groupId: '3001' });
		const first = await t.engine.runNode({ parameters: small });
		expect(first.items).toHaveLength(30);
		t.sandbox.ageTokens(3600);
		const later = await t.engine.runNode({ parameters: small });
		expect(later.error).toBeUndefined();
		expect(later.items).toHaveLength(30);
		t.sandbox.ageTokens(3600);
		const evenLater = await t.engine.runNode({ parameters: small });
		expect(evenLater.items).toHaveLength(30);
		expect(tokenRequests().length).toBeLessThanOrEqual(3);
		texts.push(serialize(first.run), serialize(later.run), serialize(evenLater.run));
	});

	it('a wrong App Secret fails once, clearly, without retry loops', async () => {
		t.engine.setCredential(appCredential(t.sandbox.url, { appSecret: 'wrong-example-secret-123' }));
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error?.message).toMatch(/refused the App ID \/ App Secret \(code 1001/);
		expect(run.error?.description).toMatch(/Check App ID and App Secret/);
		expect(tokenRequests()).toHaveLength(1);
		expect(t.pageRequests()).toHaveLength(0);
		texts.push(serialize(run.run), serialize(run.error));
	});

	it('a token endpoint that fails for a passing reason is asked at most twice', async () => {
		t.engine.setCredential(appCredential(t.sandbox.url, OTHER_APP));
		t.sandbox.injectFault({ fault: { kind: 'http', status: 503 }, path: ACCESS_GRANT_PATH, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001' }) });
		t.sandbox.clearFaults();
		expect(run.error?.message).toMatch(/HTTP 503/);
		expect(tokenRequests()).toHaveLength(2);
	});

	const answering = (code: number, msg: string) => ({
		kind: 'http' as const,
		status: 200,
		body: JSON.stringify({ code, msg, data: null }),
		contentType: 'application/json',
	});

	it.each([
		['code 1000', answering(1000, '请求出错'), /refused the App ID \/ App Secret \(code 1000: 请求出错\)/],
		['code 10002', answering(10002, '意料之外的参数内容'), /refused the App ID \/ App Secret \(code 10002/],
		['HTTP 400', { kind: 'http' as const, status: 400, body: 'Bad Request' }, /^Beschannels answered HTTP 400$/],
	])('a token endpoint that answers %s fails at once: no page size is stepped down for it', async (_name, fault, message) => {
		t.engine.setCredential(appCredential(t.sandbox.url, THIRD_APP));
		t.sandbox.injectFault({ fault, path: ACCESS_GRANT_PATH, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001' }) });
		t.sandbox.clearFaults();
		expect(run.error?.message).toMatch(message);
		expect(tokenRequests()).toHaveLength(1);
		expect(t.pageRequests()).toHaveLength(0);
	});

	it('the App Secret and the tokens never appear in output, errors or logs', async () => {
		const small = listParams({ groupObj: 'member', groupId: '3001' });
		const first = await t.engine.runNode({ parameters: small });
		t.sandbox.ageTokens(3600);
		const renewed = await t.engine.runNode({ parameters: small });
		t.engine.setCredential(appCredential(t.sandbox.url, { appSecret: 'wrong-example-secret-123' }));
		const wrong = await t.engine.runNode({ parameters: small });
		expect(first.items).toHaveLength(30);
		expect(renewed.items).toHaveLength(30);
		expect(wrong.error).toBeDefined();
		expect(t.sandbox.issuedTokens().length).toBeGreaterThanOrEqual(2);
		const all = [first, renewed, wrong].map((run) => `${serialize(run.run)}${serialize(run.error)}`).join('\n');
		expectNoSecrets(`${all}\n${serialize(t.engine.logger.lines)}`);
	});
});
