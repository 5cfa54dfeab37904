import { listParams, useSandbox } from '../support/helpers';

const REFUSED = (r: { code?: number; status: number }) => r.status === 429 || r.code === -1;

describe('the account rate limit, as the server counts it', () => {
	/** Points the credential at another of the sandbox's tokens: another account for the limiter. */
	const useAccount = (accessToken: string) => t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken });
	const t = useSandbox({
		// one token per case that must start on an account the limiter knows nothing of
		tokens: ['sbx-rate-a', 'sbx-rate-code', 'sbx-rate-http429', 'sbx-rate-retries', 'sbx-rate-refusing'],
		pageCap: 50,
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1001', size: 500 },
			{ groupObj: 'member', groupId: '3001', size: 300 },
		],
	});

	it('never sends more than 10 requests in any second across pages, items and concurrent executions', async () => {
		t.sandbox.setRateLimit({ perSecond: 10, answer: 'code' });
		const input = [
			{ obj: 'leads_schema_data', id: '1001' },
			{ obj: 'member', id: '3001' },
		];
		const parameters = listParams({
			groupObj: '={{ $json.obj }}',
			groupId: '={{ $json.id }}',
			options: { pageSize: 50 },
		});
		const runs = await Promise.all([
			t.engine.runNode({ input, parameters }),
			t.engine.runNode({ input, parameters }),
		]);
		t.sandbox.setRateLimit(undefined);
		for (const run of runs) {
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(800);
		}
		const log = t.pageRequests();
		expect(log.length).toBeGreaterThanOrEqual(2 * (11 + 7));
		expect(log.filter(REFUSED)).toHaveLength(0);
		expect(t.sandbox.maxInWindow(1000)).toBeLessThanOrEqual(10);
		// and the budget is used: the whole run is not much slower than the floor
		const span = log[log.length - 1].at - log[0].at;
		expect(span).toBeLessThan(((log.length - 10) / 10) * 1050 + 1500);
	});

	it('honours a lower rate set on the credential', async () => {
		t.engine.setCredential({
			baseUrl: t.sandbox.url,
			authMode: 'accessToken',
			accessToken: t.sandbox.token,
			requestsPerSecond: 4,
		});
		try {
			const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 500, options: { pageSize: 50 } }) });
			expect(run.items).toHaveLength(500);
			// pages of at most 50, each starting two rows before the last one ended
			expect(t.pageRequests()).toHaveLength(12);
			expect(t.sandbox.maxInWindow(1000)).toBeLessThanOrEqual(4);
		} finally {
			t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		}
	});

	it.each([['code' as const], ['http429' as const]])(
		'backs off and completes when the API still refuses (answered as %s)',
		async (answer) => {
			useAccount(`sbx-rate-${answer}`);
			t.sandbox.setRateLimit({ perSecond: 3, answer });
			const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 50 } }) });
			t.sandbox.setRateLimit(undefined);
			expect(run.error).toBeUndefined();
			const ids = run.items.map((i) => i.json.identity_id);
			expect(ids).toEqual(t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id));
			expect(t.pageRequests().filter(REFUSED).length).toBeGreaterThan(0);
			expect(t.engine.logger.lines.some((l) => /too many requests|请求过于频繁/i.test(l.message))).toBe(true);
		},
	);

	it('sends a refused request again without counting it against Retries', async () => {
		useAccount('sbx-rate-retries');
		t.sandbox.setRateLimit({ perSecond: 3, answer: 'code' });
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 50, maxRetries: 0 } }) });
		t.sandbox.setRateLimit(undefined);
		expect(run.error).toBeUndefined();
		const ids = run.items.map((i) => i.json.identity_id);
		expect(ids).toEqual(t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id));
		expect(t.pageRequests().filter(REFUSED).length).toBeGreaterThan(0);
	});

	it('ends within Timeout x (Retries + 1) when the API keeps refusing, saying so', async () => {
		useAccount('sbx-rate-refusing');
		t.sandbox.injectFault({ fault: { kind: 'code', code: -1, msg: '请求过于频繁,请稍后再试' }, times: Infinity });
		const started = Date.now();
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 50, timeout: 1000, maxRetries: 1 } }) });
		const seconds = (Date.now() - started) / 1000;
		t.sandbox.clearFaults();
		expect(run.error?.message).toMatch(/kept refusing the request as too many for 2 s/);
		expect(run.error?.description).toMatch(/Timeout x \(Retries \+ 1\)/);
		// the 2 s allowed, and a last request at no less than one a second
		expect(seconds).toBeGreaterThanOrEqual(2);
		expect(seconds).toBeLessThan(6);
		// refused requests went out at one a second or more, not in a tight loop
		expect(t.pageRequests().length).toBeLessThanOrEqual(12);
		expect(t.pageRequests().length).toBeGreaterThanOrEqual(2);
	});
});
