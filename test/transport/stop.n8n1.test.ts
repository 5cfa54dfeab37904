/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { describeStopCases } from './stopCases';

/**
 * n8n 1.x's n8n-workflow (1.120 in n8n 1.123): `sleep(ms)` takes no signal, and
 * `sleepWithAbort(ms, signal)` exists. The node runs on the n8n-workflow of its host, so the same
 * stops are checked with that contract in place.
 */
jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	const sleep = async (ms: number) => await new Promise<void>((resolve) => setTimeout(resolve, ms));
	const sleepWithAbort = async (ms: number, signal: AbortSignal) =>
		await new Promise<void>((resolve, reject) => {
			if (signal.aborted) return reject(new Error('aborted'));
			const timer = setTimeout(resolve, ms);
			signal.addEventListener('abort', () => {
				clearTimeout(timer);
				reject(new Error('aborted'));
			}, { once: true });
		});
	return { ...actual, sleep, sleepWithAbort };
});

describeStopCases("n8n 1.x's sleep(ms) and sleepWithAbort(ms, signal)");
