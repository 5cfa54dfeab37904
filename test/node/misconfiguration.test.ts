/* eslint-disable no-console -- development code: runs in Node.js, never inside n8n */
import { BeschannelsSandbox } from '../../sandbox/server';
import { listParams, serialize, useSandbox } from '../support/helpers';

/**
 * Every run ends in bounded time, and a misconfiguration is named at once instead of retried:
 * trickling answers, Base URLs without a scheme or that redirect, 429 and 5xx answers with a
 * Beschannels-style body, messages that say only what happened.
 */

describe('Timeout covers the whole answer', () => {
	const t = useSandbox({ pageCap: 100 });

	it.each([
		['a body trickled one byte every 300 ms, never finished', { kind: 'trickle' as const, intervalMs: 300 }],
		['a slow body that would finish after minutes', { kind: 'trickle' as const, intervalMs: 20, finish: true }],
	])('%s fails as a timeout within about Timeout', async (_name, fault) => {
		t.sandbox.injectFault({ fault, times: Infinity });
		const started = Date.now();
		const run = await t.engine.runNode({ parameters: listParams({ options: { timeout: 2000, maxRetries: 0 } }) });
		const seconds = (Date.now() - started) / 1000;
		t.sandbox.clearFaults();
		expect(run.error?.message).toBe('Beschannels did not answer in time: no complete answer within 2000 ms');
		expect(run.error?.description).toMatch(/whole answer must arrive within Timeout \(2000 ms\)/);
		expect(run.error?.description).not.toMatch(/retried|Gave up/);
		expect(seconds).toBeLessThan(6);
		console.log(`trickling answer, Timeout 2 s, Retries 0: failed after ${seconds.toFixed(2)} s`);
	});
});

describe('a Base URL without a scheme is named at once', () => {
	const t = useSandbox();
	afterEach(() => t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token }));

	it.each([
		['openapi.beschannels.com', /does not start with https:\/\/ or http:\/\/[\s\S]*https:\/\/openapi\.beschannels\.com/],
		['ftp://openapi.beschannels.com', /must start with https:\/\/ or http:\/\//],
		['https://openapi.beschannels.com/?access_token=pasted-secret', /must not contain "\?"/],
	])('%s, in the node and in the Test button', async (baseUrl, problem) => {
		t.engine.setCredential({ baseUrl, authMode: 'accessToken', accessToken: t.sandbox.token });
		const started = Date.now();
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(Date.now() - started).toBeLessThan(1000);
		expect(run.error?.message).toBe('The Base URL in the Beschannels credential is not usable');
		expect(run.error?.description).toMatch(problem);
		const test = await t.engine.testCredential();
		expect(test.status).toBe('Error');
		expect(test.message).toMatch(problem);
		expect(serialize([run.error, test])).not.toContain('pasted-secret');
	});
});

describe('a Base URL that redirects', () => {
	const t = useSandbox();
	const redirector = new BeschannelsSandbox();
	beforeAll(async () => {
		await redirector.start();
	});
	afterAll(async () => {
		await redirector.stop();
	});
	afterEach(() => t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token }));

	it.each([301, 302, 303, 307, 308])('HTTP %i: fails at once naming the address to put in the credential', async (status) => {
		redirector.setRedirectAll({ status, to: t.sandbox.url });
		redirector.clearLog();
		t.engine.setCredential({ baseUrl: redirector.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error?.message).toBe(`The Base URL redirects (HTTP ${status}) to ${t.sandbox.url}/leads/open-api/group-user-list`);
		expect(run.error?.description).toMatch(new RegExp(`^Put ${t.sandbox.url} as the Base URL`));
		expect(redirector.log).toHaveLength(1);
		expect(t.sandbox.log).toHaveLength(0);
		const test = await t.engine.testCredential();
		expect(test).toEqual({ status: 'Error', message: expect.stringMatching(new RegExp(`^The Base URL redirects \\(HTTP ${status}\\)`)) });
		expect(t.sandbox.log).toHaveLength(0);
		expect(serialize([run.run, test])).not.toContain(t.sandbox.token);
	});
});

describe('HTTP 429 and 5xx with a Beschannels-style body are HTTP failures', () => {
	const t = useSandbox({ pageCap: 100 });
	const json = (status: number, retryAfter?: string) => ({
		kind: 'http' as const,
		status,
		body: JSON.stringify({ code: -1, msg: 'Too Many Requests' }),
		contentType: 'application/json',
		headers: retryAfter === undefined ? undefined : { 'retry-after': retryAfter },
	});

	it('a 429 with {code, msg} and Retry-After: 1 is retried after the second it asks for', async () => {
		t.sandbox.injectFault({ fault: json(429, '1'), page: 2 });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(250);
		const page2 = t.pageRequests().filter((r) => r.fields.page_num === '2');
		expect(page2.map((r) => r.status)).toEqual([429, 200]);
		expect(page2[1].at - page2[0].at).toBeGreaterThanOrEqual(950);
		// a refusal, not a failed attempt: sent again after the Retry-After, not counted as a retry
		expect(t.engine.logger.lines.some((l) => /HTTP 429: too many requests .*sending it again after its Retry-After of 1000 ms/.test(l.message))).toBe(true);
	});

	it('a 503 with {code, msg} is reported as HTTP 503', async () => {
		t.sandbox.injectFault({ fault: json(503), times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: { maxRetries: 1 } }) });
		t.sandbox.clearFaults();
		expect(run.error?.message).toMatch(/^Beschannels answered HTTP 503/);
		expect(run.error?.description).toMatch(/Gave up after 2 attempts\.$/);
		expect(t.pageRequests()).toHaveLength(2);
	});
});

describe('messages say what happened', () => {
	const t = useSandbox({ pageCap: 100 });

	it.each([
		['HTTP 503', { kind: 'http' as const, status: 503 }],
		['code -1', { kind: 'code' as const, code: -1, msg: '失败' }],
		['code -3', { kind: 'code' as const, code: -3, msg: '系统异常' }],
	])('with Retries 0, %s does not claim a retry', async (_name, fault) => {
		t.sandbox.injectFault({ fault, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: { maxRetries: 0 } }) });
		t.sandbox.clearFaults();
		expect(t.pageRequests()).toHaveLength(1);
		expect(`${run.error?.message} ${run.error?.description}`).not.toMatch(/retried|retry|Gave up/i);
	});

	it('with Retries 0, HTTP 429 every time is sent again (a refusal is not a retry) and then says it kept refusing', async () => {
		t.sandbox.injectFault({ fault: { kind: 'http', status: 429 }, times: Infinity });
		const run = await t.engine.runNode({ parameters: listParams({ options: { maxRetries: 0, timeout: 2000 } }) });
		t.sandbox.clearFaults();
		expect(t.pageRequests().length).toBeGreaterThan(1);
		expect(run.error?.message).toBe('Beschannels kept refusing the request as too many for 2 s');
		expect(`${run.error?.message} ${run.error?.description}`).not.toMatch(/retried|retry|Gave up/i);
	});

	it('an impossible CreatedTime gives CreatedTimeIso null, not a rolled-over date', async () => {
		t.sandbox.addMembers('leads_schema_data', '1001', 1, { createdTimeText: '2023-02-30 10:00:00' });
		t.sandbox.addMembers('leads_schema_data', '1001', 1, { createdTimeText: '2023-05-30 25:61:61' });
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 3, options: { addIsoDate: true } }) });
		const byTime = Object.fromEntries(run.items.map((i) => [i.json.CreatedTime, i.json.CreatedTimeIso]));
		expect(byTime['2023-02-30 10:00:00']).toBeNull();
		expect(byTime['2023-05-30 25:61:61']).toBeNull();
		expect(Object.values(byTime).filter((iso) => typeof iso === 'string')).toHaveLength(1);
	});
});
