import * as workflow from 'n8n-workflow';

/**
 * Waiting that a stopped execution ends. The node runs on the `n8n-workflow` of the n8n that hosts
 * it: 2.x's `sleep(ms, signal)` takes a signal, 1.x's `sleep(ms)` does not but 1.x has
 * `sleepWithAbort(ms, signal)`. Both reject with the signal's reason once it is aborted.
 */
type SleepWithAbort = (ms: number, signal: AbortSignal) => Promise<void>;

const sleepWithAbort = (workflow as unknown as { sleepWithAbort?: SleepWithAbort }).sleepWithAbort;

/** Thrown when the execution was stopped while the node waited or was about to send. */
export class ExecutionStopped extends Error {
	constructor() {
		super('The execution was stopped');
	}
}

/** One signal that aborts when any of the given ones does; undefined when none is given. */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
	const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
	return given.length > 1 ? AbortSignal.any(given) : given[0];
}

/** Throws `ExecutionStopped` when `signal` has been aborted. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new ExecutionStopped();
}

/** Waits `ms`; ends at once with `ExecutionStopped` when `signal` aborts first. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	throwIfStopped(signal);
	if (!signal) {
		await workflow.sleep(ms);
		return;
	}
	const waiting = sleepWithAbort ? sleepWithAbort(ms, signal) : workflow.sleep(ms, signal);
	// both reject only when the signal aborts; a 1.x `sleep` without `sleepWithAbort` ignores it
	await waiting.then(
		() => undefined,
		() => undefined,
	);
	throwIfStopped(signal);
}
