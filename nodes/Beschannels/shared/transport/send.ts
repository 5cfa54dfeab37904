import type { IHttpRequestOptions } from 'n8n-workflow';

import { networkFailure, readReply, type HttpAnswer, type Reading } from './answers';
import { anySignal, throwIfStopped } from './wait';

export type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export type FormFields = Record<string, string | number | undefined>;

/** A multipart/form-data body; empty values are left out. */
export function formBody(fields: FormFields): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined || value === '') continue;
		form.append(name, String(value));
	}
	return form;
}

/**
 * Sends one request and reads its answer (see `readReply`). The whole answer, to the last byte,
 * must arrive within `timeoutMs`; a stop (`stop` aborts) ends it at once with `ExecutionStopped`.
 * Redirects are not followed (see `httpFailure`); a missing answer is a network failure.
 */
export async function exchange(
	httpRequest: HttpRequest,
	request: IHttpRequestOptions,
	target: string,
	timeoutMs: number,
	stop?: AbortSignal,
): Promise<Reading> {
	throwIfStopped(stop);
	const deadline = AbortSignal.timeout(timeoutMs);
	let answer: unknown;
	try {
		answer = await httpRequest({
			...request,
			// a backstop only: the deadline below ends the request first, with a clearer message
			timeout: timeoutMs + 1000,
			abortSignal: anySignal(stop, deadline),
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		});
	} catch (error) {
		throwIfStopped(stop);
		return { failure: networkFailure(error, target, timeoutMs, deadline.aborted ? 'timedOut' : 'failed') };
	}
	return readReply(answer as HttpAnswer, target);
}
