import type { IDataObject } from 'n8n-workflow';

import type { Failure } from './answers';
import { ACCESS_GRANT_PATH, DEFAULT_TIMEOUT_MS } from '../constants';
import { exchange, type HttpRequest } from './send';

/**
 * Access tokens from App ID + App Secret (`POST /api/get-access-token`). Asking again while the
 * current token has more than 20 minutes left returns the same token, so asking is cheap and
 * idempotent: a token is reused for a while, and renewed once when Beschannels rejects it.
 */

/** A fetched token is reused for this long without asking again (it had at least 20 minutes left). */
export const TOKEN_REUSE_MS = 15 * 60_000;

export interface AppCredentials {
	baseUrl: string;
	appId: string;
	appSecret: string;
	ignoreSsl: boolean;
}

export type TokenOutcome = { token: string } | { failure: Failure };

/**
 * Asks Beschannels for an access token; a failure says what to do and whether to ask again. The
 * whole answer must arrive within `timeoutMs`; `stop` ends the wait at once (`ExecutionStopped`).
 */
export async function requestAccessToken(
	httpRequest: HttpRequest,
	app: AppCredentials,
	stop?: AbortSignal,
	timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<TokenOutcome> {
	const target = `POST ${app.baseUrl}${ACCESS_GRANT_PATH}`;
	const reading = await exchange(
		httpRequest,
		{
			method: 'POST',
			url: `${app.baseUrl}${ACCESS_GRANT_PATH}`,
			body: { appId: app.appId, appSecret: app.appSecret },
			json: true,
			encoding: 'text',
			skipSslCertificateValidation: app.ignoreSsl,
		},
		target,
		timeoutMs,
		stop,
	);
	if ('failure' in reading) {
		const { failure } = reading;
		// a passing failure (system error, too many requests) is not a verdict on the App Secret
		if (failure.apiCode === undefined || failure.retryable) return reading;
		return { failure: appRefused(target, failure.apiCode, failure.apiMsg ?? '') };
	}
	const token = (reading.data as IDataObject | null)?.access_token;
	if (typeof token === 'string' && token !== '') return { token };
	return { failure: appRefused(target, 0, '') };
}

function appRefused(target: string, code: number, msg: string): Failure {
	return {
		message:
			code === 0
				? 'Beschannels issued no access token'
				: `Beschannels refused the App ID / App Secret (code ${code}${msg ? `: ${msg}` : ''})`,
		description: `Check App ID and App Secret in the Beschannels credential (they come from the OpenAPI application your Beschannels administrator created). [${target}]`,
		retryable: false,
		apiCode: code,
		apiMsg: msg,
	};
}

interface CachedToken {
	token: string;
	fetchedAt: number;
}

const cache = new Map<string, CachedToken>();
const pending = new Map<string, Promise<string>>();

/**
 * The token for an app: the cached one unless it is old or is the one Beschannels just rejected
 * (`rejected`), else a new one. Concurrent callers share one token request.
 */
export async function cachedToken(
	key: string,
	fetch: () => Promise<string>,
	rejected?: string,
): Promise<string> {
	const cached = cache.get(key);
	if (cached && cached.token !== rejected && Date.now() - cached.fetchedAt < TOKEN_REUSE_MS) {
		return cached.token;
	}
	let request = pending.get(key);
	if (!request) {
		request = fetch()
			.then((token) => {
				cache.set(key, { token, fetchedAt: Date.now() });
				return token;
			})
			.finally(() => pending.delete(key));
		pending.set(key, request);
	}
	return await request;
}
