import type { IHttpRequestOptions } from 'n8n-workflow';

import { readReply, verdictOf, type HttpAnswer, type Reading } from './answers';
import { RequestAbandoned } from './errors';
import { limiterFor } from '../limiter/limiter';
import { networkFailure } from './network';
import { anySignal, ExecutionStopped, throwIfStopped } from '../wait';

export type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

export type FormFields = Record<string, string | number | undefined>;

/** One request as the pipeline sends it: the HTTP options, where it goes (for messages), its Timeout. */
export interface Outgoing {
	request: IHttpRequestOptions;
	/** `POST <base URL><path>`, with the page when there is one; never the query string. */
	target: string;
	timeoutMs: number;
}

/** What sending needs from the run: n8n's `httpRequest`, the account's limiter, the stop signal. */
export interface Line {
	httpRequest: HttpRequest;
	accountKey: string;
	/** The most requests a second this process sends for the account (Max Requests per Second). */
	ceiling: number;
	/** Aborts when the execution is stopped (or a poll runs out of time). */
	stop?: AbortSignal;
}

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
export async function exchange(httpRequest: HttpRequest, outgoing: Outgoing, stop?: AbortSignal): Promise<Reading> {
	const { request, target, timeoutMs } = outgoing;
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

/**
 * One request through the account's limiter: its turn, the request and its answer read, and what
 * the answer taught handed back to the limiter. `abandon` takes it out of the queue unsent
 * (`RequestAbandoned`); a stop ends any wait at once (`ExecutionStopped`).
 */
export async function send(line: Line, outgoing: Outgoing, abandon?: AbortSignal): Promise<Reading> {
	return await limiterFor(line.accountKey).limited({
		ceiling: line.ceiling,
		signal: anySignal(line.stop, abandon),
		send: async () => await exchange(line.httpRequest, outgoing, line.stop),
		judge: verdictOf,
	}).catch((error: unknown) => {
		if (error instanceof ExecutionStopped && !line.stop?.aborted) throw new RequestAbandoned('no longer needed');
		throw error;
	});
}
