import type { IDataObject } from 'n8n-workflow';

import { describeApiCode } from './apiCodes';
import { isUnanswered, type Failure } from './errors';
import type { Verdict } from '../limiter/limiter';

/**
 * Reading what Beschannels answered: the `{ code, msg, data }` envelope and HTTP statuses, each
 * failure turned into a `Failure` of its kind that says what happened and what to do (network
 * errors: network.ts). Nothing here ever holds the token or member data.
 */

export interface HttpAnswer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

const RETRY_AFTER_CAP_MS = 60_000;

function header(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers?.[name] ?? headers?.[name.toLowerCase()];
	if (Array.isArray(value)) return String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const seconds = Number(value);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
	if (!Number.isFinite(ms)) return undefined;
	return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body === undefined || body === null) return '';
	return JSON.stringify(body);
}

function htmlTitle(text: string): string {
	const match = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(text);
	return match ? match[1].trim().slice(0, 80) : '';
}

/** Reads the `{ code, msg, data }` envelope out of an answer, or says why it is not one. */
function readEnvelope(
	body: unknown,
	target: string,
): { envelope: IDataObject } | { failure: Failure } {
	let parsed: unknown = body;
	if (typeof body === 'string' || Buffer.isBuffer(body)) {
		const text = bodyText(body).trim();
		if (text.startsWith('<')) {
			const title = htmlTitle(text);
			return {
				failure: {
					message: `Beschannels answered with an HTML page instead of JSON${title ? ` ("${title}")` : ''}`,
					description: `${target} returned a web page, typically a gateway, proxy or login page. Check the Base URL in the credential; if it is right, the service may be down.`,
					kind: 'malformed',
				},
			};
		}
		if (text === '') {
			return {
				failure: {
					message: 'Beschannels answered with an empty body',
					description: `${target} returned nothing where a JSON answer was expected.`,
					kind: 'passing',
				},
			};
		}
		try {
			parsed = JSON.parse(text);
		} catch {
			return {
				failure: {
					message: 'Beschannels answered with a body that is not JSON',
					description: `${target} returned ${text.length} characters that are not valid JSON (the answer may have been cut off). Check the Base URL; if it is right, try again later.`,
					kind: 'malformed',
				},
			};
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		return {
			failure: {
				message: 'Beschannels answered with JSON that is not an object',
				description: `${target} returned JSON of an unexpected shape; the Base URL may not point at the Beschannels OpenAPI.`,
				kind: 'malformed',
			},
		};
	}
	const envelope = parsed as IDataObject;
	if (envelope.code === undefined || envelope.code === null || !Number.isFinite(Number(envelope.code))) {
		return {
			failure: {
				message: 'Beschannels answered without a "code" field',
				description: `${target} returned JSON that is not the Beschannels { code, msg, data } envelope; the Base URL may not point at the Beschannels OpenAPI.`,
				kind: 'malformed',
			},
		};
	}
	return { envelope };
}

/**
 * Reads one answer: a redirect, an HTTP 429 or a 5xx is that, whatever its body says (a gateway's
 * `{code, msg}` included), so its `Retry-After` is honoured; otherwise the envelope's `code`
 * decides, and an answer that is neither a success status nor an envelope is an HTTP failure.
 */
function readAnswer(answer: HttpAnswer, target: string): { envelope: IDataObject } | { failure: Failure } {
	const status = answer.statusCode;
	if (status === 429 || status >= 500 || (status >= 300 && status < 400)) {
		return { failure: httpFailure(answer, target) };
	}
	const read = readEnvelope(answer.body, target);
	// outside 2xx, only an error code of the envelope says more than the status
	const apiError = 'envelope' in read && Number(read.envelope.code) !== 0;
	if ((status < 200 || status >= 300) && !apiError) return { failure: httpFailure(answer, target) };
	return read;
}

/** What one request brought back: the `data` of a code 0 answer, or what went wrong. */
export type Reading = { data: unknown } | { failure: Failure };

/** Reads one answer to the end: the `data` of a code 0 envelope, or the failure it amounts to. */
export function readReply(answer: HttpAnswer, target: string): Reading {
	const read = readAnswer(answer, target);
	if ('failure' in read) return read;
	if (Number(read.envelope.code) === 0) return { data: read.envelope.data };
	return { failure: apiCodeFailure(read.envelope, target) };
}

/**
 * What a reading teaches the account's limiter: a refusal as too many (with its Retry-After) is
 * a refusal; no answer at all times nothing; any other answer, success or not, shows the server
 * took the request.
 */
export function verdictOf(reading: Reading): Verdict {
	if (!('failure' in reading)) return { kind: 'answered' };
	const { failure } = reading;
	if (isUnanswered(failure)) return { kind: 'unanswered' };
	if (failure.kind === 'tooMany') return { kind: 'refused', retryAfterMs: failure.retryAfterMs };
	return { kind: 'answered' };
}

function apiCodeFailure(envelope: IDataObject, target: string): Failure {
	const code = Number(envelope.code);
	const msg = typeof envelope.msg === 'string' ? envelope.msg : String(envelope.msg ?? '');
	const info = describeApiCode(code, msg);
	return {
		kind: info.kind,
		message: `Beschannels error ${code}${msg ? ` (${msg})` : ''}: ${info.meaning}`,
		description: `${info.action} [${target}]`,
		beschannelsCode: code,
		beschannelsMsg: msg,
	};
}

function httpFailure(answer: HttpAnswer, target: string): Failure {
	const status = answer.statusCode;
	const retryAfterMs = parseRetryAfter(header(answer.headers, 'retry-after'));
	const httpCode = String(status);
	if (status === 429) {
		return {
			message: 'Beschannels answered HTTP 429: too many requests',
			description: `${target} refused the request because the account's rate limit was exceeded. Lower "Max Requests per Second" in the credential if other systems use the same account.`,
			kind: 'tooMany',
			retryAfterMs,
			httpCode,
		};
	}
	if (status >= 500) {
		return {
			message: `Beschannels answered HTTP ${status}: the server or a gateway in front of it failed`,
			description: `${target} failed on the server side. Try again later, and contact Beschannels support if it persists.`,
			kind: 'passing',
			retryAfterMs,
			httpCode,
		};
	}
	if (status >= 300 && status < 400) return redirectFailure(answer, target);
	const advice: Record<number, string> = {
		401: 'The server refused the credentials. Check the access token (tokens live 2 hours) or switch the credential to App ID + App Secret.',
		403: 'The server forbids this request. Ask your Beschannels administrator for OpenAPI access, and check that n8n may reach this host.',
		404: 'Nothing answers at this address. Check the Base URL in the credential.',
	};
	return {
		message: `Beschannels answered HTTP ${status}`,
		description: `${advice[status] ?? 'The request was refused. Check the Base URL and the parameters.'} [${target}]`,
		// a 400 or 413 is how a server commonly refuses a page size it does not serve
		kind: status === 400 || status === 413 ? 'badParameter' : 'refused',
		httpCode,
	};
}

/**
 * A redirect is not followed: the request carries the access token, and a POST that a 301, 302 or
 * 303 turns into a GET loses its body. The message names the address to put in the credential.
 */
function redirectFailure(answer: HttpAnswer, target: string): Failure {
	const status = answer.statusCode;
	const location = header(answer.headers, 'location');
	const [, requestUrl = ''] = /^POST (\S+)/.exec(target) ?? [];
	let moved = '';
	let baseUrl = '';
	try {
		const next = new URL(location ?? '', requestUrl);
		moved = `${next.origin}${next.pathname}`;
		const path = new URL(requestUrl).pathname;
		baseUrl = next.pathname.endsWith(path) ? `${next.origin}${next.pathname.slice(0, -path.length)}` : next.origin;
	} catch {
		// no usable Location: say what is known
	}
	return {
		message: `The Base URL redirects (HTTP ${status})${moved ? ` to ${moved}` : ''}`,
		description: `${baseUrl ? `Put ${baseUrl} as the Base URL in the Beschannels credential.` : 'Check the Base URL in the Beschannels credential.'} The node does not follow redirects: they would send the access token on to another address, and most turn the POST into a GET without its fields. [${target}]`,
		kind: 'redirect',
		httpCode: String(status),
	};
}
