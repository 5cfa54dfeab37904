import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

/**
 * What kind of failure a request met, decided once where its answer (or its lack of one) is read;
 * every later step reads the kind, never the words. See docs/design/transport.md.
 */
export type FailureKind =
	/** "Too many requests": HTTP 429, or a message that says so with any code. Sent again, uncounted. */
	| 'tooMany'
	/** Code 2: the access token is invalid or expired. An app token is renewed once. */
	| 'tokenRejected'
	/** The token endpoint refused the App ID / App Secret, or issued no token. */
	| 'appRefused'
	/** Code 10002, code 1000, HTTP 400 or 413: a parameter (a page size, say) was not accepted. */
	| 'badParameter'
	/** Any other code or HTTP status that asking again cannot change (permissions, a missing field). */
	| 'refused'
	/** The Base URL answers with a redirect, which is not followed. */
	| 'redirect'
	/** Code -1 or -3, HTTP 5xx, an empty body: may pass. */
	| 'passing'
	/** An answer that is not the documented envelope, or data without the documented shape. */
	| 'malformed'
	/** No answer: the connection was refused, reset or closed. May pass. */
	| 'network'
	/** No answer, and none will come as configured: a host name unknown, a certificate not trusted. */
	| 'unreachable'
	/** No complete answer within Timeout. May pass. */
	| 'timeout';

/** What went wrong with one attempt, in words an operator can act on. Never holds the token. */
export interface Failure {
	kind: FailureKind;
	message: string;
	description: string;
	/** Beschannels' own answer code and message, when it answered with its envelope. */
	beschannelsCode?: number;
	beschannelsMsg?: string;
	httpCode?: string;
	/** The network error code of a request that got no answer, e.g. ECONNREFUSED. */
	networkCode?: string;
	retryAfterMs?: number;
}

/** Kinds that a later attempt may not meet: retried with backoff, up to Retries. */
const PASSING: ReadonlySet<FailureKind> = new Set<FailureKind>(['passing', 'network', 'timeout']);

export function isPassing(failure: Failure): boolean {
	return PASSING.has(failure.kind);
}

/** Kinds in which no answer arrived at all: they teach the limiter nothing about the account. */
export function isUnanswered(failure: Failure): boolean {
	return failure.kind === 'network' || failure.kind === 'unreachable' || failure.kind === 'timeout';
}

/**
 * The one error the transport throws for a failed request: n8n's `NodeApiError` (its message,
 * description, httpCode and details are what users see), carrying the failure's kind and
 * Beschannels' own code and message for the steps downstream.
 */
export class BeschannelsError extends NodeApiError {
	readonly kind: FailureKind;

	/** Beschannels' own answer code, when it answered with one. */
	readonly beschannelsCode?: number;

	/** Beschannels' own message, in its words (often Chinese). */
	readonly beschannelsMsg?: string;

	/** The network error code of a request that got no answer, e.g. ECONNREFUSED. */
	readonly networkCode?: string;

	constructor(node: INode, failure: Failure, itemIndex?: number) {
		const details: JsonObject = { message: failure.message };
		if (failure.beschannelsCode !== undefined) details.beschannelsCode = failure.beschannelsCode;
		if (failure.beschannelsMsg !== undefined) details.beschannelsMsg = failure.beschannelsMsg;
		super(node, details, {
			message: failure.message,
			description: failure.description,
			httpCode: failure.httpCode,
			itemIndex,
		});
		// n8n names an error by its class, and treats one named NodeApiError as a node's own error
		Object.defineProperty(this, 'name', { value: 'NodeApiError', writable: true, enumerable: true, configurable: true });
		this.kind = failure.kind;
		this.beschannelsCode = failure.beschannelsCode;
		this.beschannelsMsg = failure.beschannelsMsg;
		this.networkCode = failure.networkCode;
	}
}

/** Thrown by a caller's `read` when `data` does not have the shape the call documents. */
export class MalformedAnswer extends Error {}

/** Thrown when a request was given up before it was sent because its answer is no longer needed. */
export class RequestAbandoned extends Error {}
