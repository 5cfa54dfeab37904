import type { Logger } from 'n8n-workflow';

import { isPassing, type Failure } from './errors';
import { limiterFor } from '../limiter/limiter';
import type { Line } from './send';
import { pause } from '../wait';

/** What one attempt came to: the value the caller wanted, or the failure it met. */
export type Outcome<T> = { value: T } | { failure: Failure };

/** How one call is retried: the same rules for a page and for an app token, with their own numbers. */
export interface RetryRules {
	/** How many more times a passing failure is tried (the Retries option). */
	maxRetries: number;
	/** The Timeout of one request; it also bounds how long refusals are sent again. */
	timeoutMs: number;
	/** Where the call goes, named when refusals go on too long. */
	target: string;
	/** How the log names the call: `at POST …`, `while asking for an access token`. */
	where: string;
	logger: Logger;
	/** The account and the stop signal: a stop ends a backoff at once. */
	line: Line;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/** Exponential backoff with jitter: half the ceiling plus up to half again (0.25 to 0.5 s first). */
function backoffDelay(attempt: number, random = Math.random()): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** How long a call refused as too many is sent again before it fails: Timeout x (Retries + 1). */
function refusalDeadlineMs(rules: Pick<RetryRules, 'timeoutMs' | 'maxRetries'>): number {
	return rules.timeoutMs * (rules.maxRetries + 1);
}

/** The failure of a call refused as too many until its deadline (`seconds`). */
function keptRefusing(failure: Failure, seconds: number, target: string): Failure {
	return {
		...failure,
		message: `Beschannels kept refusing the request as too many for ${seconds} s`,
		description: `The account's limit (10 requests a second, shared by every system and n8n process that uses it) refused this request each time it was sent for ${seconds} s, while the node slowed down to as little as one request a second. Something else seems to use the account's whole budget: try again later, or slow down the other systems that use this account. The time allowed is Timeout x (Retries + 1); the last answer: ${failure.message}. [${target}]`,
	};
}

function gaveUp(failure: Failure, attempts: number): Failure {
	if (attempts <= 1) return failure;
	return { ...failure, description: `${failure.description} Gave up after ${attempts} attempts.` };
}

function logRefusal(failure: Failure, rules: RetryRules): void {
	const { accountKey, ceiling } = rules.line;
	const rate = limiterFor(accountKey).rate(ceiling).toFixed(1);
	const after = failure.retryAfterMs ? ` after its Retry-After of ${failure.retryAfterMs} ms` : '';
	rules.logger.debug(`Beschannels: ${failure.message} ${rules.where}; sending it again${after}, at ${rate} requests a second`);
}

/**
 * Runs `attempt` until it brings a value or a failure to keep. A refusal as too many is the
 * account's budget speaking, not a fault: it is sent again (the limiter gives it its turn) without
 * counting against Retries, until `refusalDeadlineMs`. A passing failure is tried again after a
 * backoff (or the server's Retry-After), up to Retries times. Any other failure is kept at once.
 */
export async function withRetries<T>(attempt: () => Promise<Outcome<T>>, rules: RetryRules): Promise<Outcome<T>> {
	const refusalMs = refusalDeadlineMs(rules);
	let refusedUntil: number | undefined;
	let retries = 0;
	for (;;) {
		const outcome = await attempt();
		if ('value' in outcome) return outcome;
		const { failure } = outcome;
		if (failure.kind === 'tooMany') {
			refusedUntil ??= Date.now() + refusalMs;
			if (Date.now() >= refusedUntil) {
				return { failure: keptRefusing(failure, Math.round(refusalMs / 1000), rules.target) };
			}
			logRefusal(failure, rules);
			continue;
		}
		if (!isPassing(failure) || retries >= rules.maxRetries) return { failure: gaveUp(failure, retries + 1) };
		const delay = failure.retryAfterMs ?? backoffDelay(retries);
		retries++;
		rules.logger.warn(`Beschannels: ${failure.message} ${rules.where}; retry ${retries} of ${rules.maxRetries} in ${delay} ms`);
		await pause(delay, rules.line.stop);
	}
}
