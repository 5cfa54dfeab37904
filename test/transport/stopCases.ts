/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import type { IDataObject } from 'n8n-workflow';

import { ACCESS_GRANT_PATH } from '../../sandbox/server';
import { listParams, useSandbox } from '../support/helpers';

/**
 * Stop means stop: for each kind of wait the node can be in, a user stops the execution (n8n
 * cancels `WorkflowExecute`'s promise, which aborts the node's cancel signal), and the sandbox
 * counts what it receives afterwards. Shared by the tests of n8n 2.x's `sleep(ms, signal)` and of
 * n8n 1.x's `sleep(ms)` + `sleepWithAbort`.
 */

const APP = { appId: 'app_stop', appSecret: 'example-secret-stop-Q9v2' };

/** "Promptly": the node returns within this long after the stop (measured: under 20 ms). */
const PROMPT_MS = 250;

/** Requests that may still arrive after the stop because they left just before it. */
const IN_TRANSIT_MS = 30;

interface StopMeasure {
	/** Requests the sandbox received after the stop. */
	afterStop: number;
	/** Milliseconds from the stop to the node's execute returning. */
	returnedMs: number;
}

export function describeStopCases(label: string): void {
	describe(`Stop means stop (${label})`, () => {
		const t = useSandbox({
			apps: [APP],
			pageCap: 10,
			groups: [{ groupObj: 'leads_schema_data', groupId: '1001', size: 400 }],
		});
		const measures: Record<string, StopMeasure> = {};
		afterAll(() => console.log(`stop (${label}): ${JSON.stringify(measures)}`));

		async function stopWhen(name: string, ready: () => boolean, parameters: IDataObject, credential?: IDataObject) {
			t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token, ...credential });
			const run = t.engine.startNode({ parameters: parameters as never });
			const deadline = Date.now() + 20_000;
			while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
			expect(ready()).toBe(true);
			// the answer that arrived is back at the node, which is now waiting (or still sending)
			await new Promise((resolve) => setTimeout(resolve, 200));
			const stoppedAt = Date.now();
			run.stop();
			let giveUp: NodeJS.Timeout | undefined;
			const tooLate = new Promise<number>((resolve) => (giveUp = setTimeout(() => resolve(Infinity), 15_000)));
			const returnedAt = await Promise.race([run.settled, tooLate]);
			clearTimeout(giveUp);
			// long enough for any wait the node could still be in to send something
			await new Promise((resolve) => setTimeout(resolve, 1500));
			const measure = {
				afterStop: t.sandbox.log.filter((r) => r.at > stoppedAt + IN_TRANSIT_MS).length,
				returnedMs: returnedAt - stoppedAt,
			};
			measures[name] = measure;
			t.sandbox.clearFaults();
			return measure;
		}

		const pages = () => t.sandbox.log.filter((r) => r.path !== ACCESS_GRANT_PATH).length;

		it('while the rate limiter holds the next page back', async () => {
			const measure = await stopWhen('rate limiter', () => pages() >= 3, listParams({ options: { pageSize: 10 } }), {
				requestsPerSecond: 1,
			});
			expect(measure).toEqual({ afterStop: 0, returnedMs: expect.any(Number) });
			expect(measure.returnedMs).toBeLessThan(PROMPT_MS);
		});

		it('while waiting to retry a failed page', async () => {
			t.sandbox.injectFault({ fault: { kind: 'code', code: -1, msg: '失败' }, times: Infinity });
			const measure = await stopWhen('retry backoff', () => pages() >= 3, listParams({ options: { maxRetries: 10 } }));
			expect(measure.afterStop).toBe(0);
			expect(measure.returnedMs).toBeLessThan(PROMPT_MS);
		});

		it('while an App ID token request is unanswered', async () => {
			t.sandbox.injectFault({ fault: { kind: 'hang' }, path: ACCESS_GRANT_PATH, times: Infinity });
			const tokenRequests = () => t.sandbox.log.filter((r) => r.path === ACCESS_GRANT_PATH).length;
			const measure = await stopWhen('token request', () => tokenRequests() >= 1, listParams(), {
				authMode: 'appCredentials',
				...APP,
			});
			expect(measure.afterStop).toBe(0);
			expect(measure.returnedMs).toBeLessThan(PROMPT_MS);
		});

		it('while a page is in flight', async () => {
			t.sandbox.injectFault({ fault: { kind: 'hang' }, times: Infinity });
			const measure = await stopWhen('request in flight', () => pages() >= 1, listParams());
			expect(measure.afterStop).toBe(0);
			expect(measure.returnedMs).toBeLessThan(PROMPT_MS);
		});

		// last: a Retry-After holds the whole account back for its 20 s, as it should
		it('while honouring a Retry-After of 20 s', async () => {
			t.sandbox.injectFault({
				fault: { kind: 'http', status: 429, body: 'Too Many Requests', headers: { 'retry-after': '20' } },
				times: Infinity,
			});
			const measure = await stopWhen('Retry-After', () => pages() >= 1, listParams());
			expect(measure.afterStop).toBe(0);
			expect(measure.returnedMs).toBeLessThan(PROMPT_MS);
		});
	});
}
