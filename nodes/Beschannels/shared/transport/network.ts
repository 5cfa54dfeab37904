import type { Failure, FailureKind } from './errors';

/**
 * Requests that brought no answer: what the network error means, in words an operator can act
 * on, and its kind (a refused or reset connection may pass; an unknown host or an untrusted
 * certificate will not).
 */

const NETWORK_WORDS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused (nothing listens at that address)',
	ECONNRESET: 'the connection was reset before the answer was complete',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved (temporary DNS failure)',
	EPIPE: 'the connection was closed while sending',
	ERR_CANCELED: 'the execution was cancelled',
	CERT_HAS_EXPIRED: 'the server certificate has expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server uses a self-signed certificate',
	SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate is not trusted',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate could not be verified',
};

/** The most telling error code along an error's cause chain (axios wraps the socket's own). */
function errorCode(error: unknown): string {
	const codes: string[] = [];
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
		const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (typeof code === 'string' && code) codes.push(code);
		if (typeof message === 'string') messages.push(message);
		current = cause;
	}
	const known = codes.find((code) => code in NETWORK_WORDS);
	if (known) return known;
	const text = messages.join(' ');
	if (/timeout/i.test(text)) return 'ECONNABORTED';
	if (/aborted|socket hang up|ECONNRESET/i.test(text)) return 'ECONNRESET';
	return codes[0] ?? 'UNKNOWN';
}

/** How a request ended without an answer, as the transport saw it. */
type NetworkOutcome = 'failed' | 'timedOut';

export function networkFailure(error: unknown, target: string, timeoutMs: number, outcome: NetworkOutcome = 'failed'): Failure {
	if (outcome === 'timedOut') {
		return {
			message: `Beschannels did not answer in time: no complete answer within ${timeoutMs} ms`,
			description: `The whole answer must arrive within Timeout (${timeoutMs} ms). Raise the Timeout option if the group's pages are large, or try again later. [${target}]`,
			kind: 'timeout',
		};
	}
	const code = errorCode(error);
	const what = NETWORK_WORDS[code] ?? 'the request could not be completed';
	const certificate = code.includes('CERT') || code.includes('SIGNATURE');
	const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
	let kind: FailureKind = timedOut ? 'timeout' : 'network';
	if (code === 'ERR_CANCELED' || code === 'ENOTFOUND' || certificate) kind = 'unreachable';
	let hint = 'Check that n8n can reach the Base URL, and try again later.';
	if (timedOut) hint = `No answer within ${timeoutMs} ms. Raise the Timeout option or try again later.`;
	if (code === 'ENOTFOUND') hint = 'Check the Base URL in the credential.';
	if (certificate)
		hint = 'For a private deployment with its own certificate, turn on "Ignore SSL Issues" in the credential.';
	// The raw code goes in the description: n8n replaces messages that contain one with its own text.
	return {
		message: `Could not reach Beschannels: ${what}`,
		description: `${hint} (error code ${code}) [${target}]`,
		kind,
		networkCode: code,
	};
}

