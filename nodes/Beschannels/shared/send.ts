import type { IHttpRequestOptions } from 'n8n-workflow';

import { networkFailure, type Failure, type HttpAnswer } from './answers';
import { anySignal, throwIfStopped } from './wait';

export type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export type SendOutcome = { answer: HttpAnswer } | { failure: Failure };

/**
 * Sends one request whose whole answer, to the last byte, must arrive within `timeoutMs`; a stop
 * (`stop` aborts) ends it at once with `ExecutionStopped`. Redirects are not followed (see
 * `httpFailure`). Any HTTP status comes back as an answer; only a missing answer is a failure.
 */
export async function sendWithin(
	httpRequest: HttpRequest,
	request: IHttpRequestOptions,
	target: string,
	timeoutMs: number,
	stop?: AbortSignal,
): Promise<SendOutcome> {
	throwIfStopped(stop);
	const deadline = AbortSignal.timeout(timeoutMs);
	try {
		const answer = (await httpRequest({
			...request,
			// a backstop only: the deadline below ends the request first, with a clearer message
			timeout: timeoutMs + 1000,
			abortSignal: anySignal(stop, deadline),
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as HttpAnswer;
		return { answer };
	} catch (error) {
		throwIfStopped(stop);
		return { failure: networkFailure(error, target, timeoutMs, deadline.aborted ? 'timedOut' : 'failed') };
	}
}
