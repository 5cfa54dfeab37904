import type { IDataObject, Logger } from 'n8n-workflow';

import type { Reading } from './answers';
import { ACCESS_GRANT_PATH, DEFAULT_TIMEOUT_MS } from '../constants';
import { fingerprint, type AppCredentials } from './credentials';
import { isPassing, type Failure } from './errors';
import { withRetries, type Outcome } from './retry';
import { exchange, send, type HttpRequest, type Line, type Outgoing } from './send';
import { ExecutionStopped } from '../wait';

/**
 * Access tokens from App ID + App Secret (`POST /api/get-access-token`). Asking again while the
 * current token has more than 20 minutes left returns the same token, so asking is cheap and
 * idempotent: a token is reused for a while, and renewed once when Beschannels rejects it. A run
 * asks through its `Line` (the account's limiter) with the same retry rules as a page; nothing
 * here calls back into the client.
 */

/** A fetched token is reused for this long without asking again (it had at least 20 minutes left). */
const TOKEN_REUSE_MS = 15 * 60_000;

/** A token request that failed for a passing reason is asked once more. */
const TOKEN_RETRIES = 1;

function tokenCall(app: AppCredentials): Outgoing {
	return {
		request: {
			method: 'POST',
			url: `${app.baseUrl}${ACCESS_GRANT_PATH}`,
			body: { appId: app.appId, appSecret: app.appSecret },
			json: true,
			encoding: 'text',
			skipSslCertificateValidation: app.ignoreSsl,
		},
		target: `POST ${app.baseUrl}${ACCESS_GRANT_PATH}`,
		timeoutMs: DEFAULT_TIMEOUT_MS,
	};
}

function appRefused(target: string, code: number, msg: string): Failure {
	return {
		kind: 'appRefused',
		message:
			code === 0
				? 'Beschannels issued no access token'
				: `Beschannels refused the App ID / App Secret (code ${code}${msg ? `: ${msg}` : ''})`,
		description: `Check App ID and App Secret in the Beschannels credential (they come from the OpenAPI application your Beschannels administrator created). [${target}]`,
		beschannelsCode: code,
		beschannelsMsg: msg,
	};
}

/** What a token answer amounts to: the token, or a failure that says what to do. */
function readToken(reading: Reading, target: string): Outcome<string> {
	if ('failure' in reading) {
		const { failure } = reading;
		// a passing failure (system error, too many requests) is not a verdict on the App Secret
		if (isPassing(failure) || failure.kind === 'tooMany') return reading;
		if (failure.beschannelsCode !== undefined) {
			return { failure: appRefused(target, failure.beschannelsCode, failure.beschannelsMsg ?? '') };
		}
		// a token request has no page size: an HTTP 400 here is not a page size refused
		return failure.kind === 'badParameter' ? { failure: { ...failure, kind: 'refused' } } : reading;
	}
	const token = (reading.data as IDataObject | null)?.access_token;
	if (typeof token === 'string' && token !== '') return { value: token };
	return { failure: appRefused(target, 0, '') };
}

/**
 * Asks Beschannels for an access token once, outside a run (n8n's `preAuthentication`, the Test
 * button). The whole answer must arrive within the default Timeout; `stop` ends the wait at once.
 */
export async function requestAccessToken(
	httpRequest: HttpRequest,
	app: AppCredentials,
	stop?: AbortSignal,
): Promise<Outcome<string>> {
	const call = tokenCall(app);
	return readToken(await exchange(httpRequest, call, stop), call.target);
}

/** An app token Beschannels rejected (code 2) right after the node obtained it. */
export function freshTokenRejected(failure: Failure, target: string): Failure {
	return {
		...failure,
		description: `Beschannels rejected an access token the node had just obtained with the App ID and App Secret. Check that the OpenAPI application is enabled and may use this interface. [${target}]`,
	};
}

interface CachedToken {
	token: string;
	fetchedAt: number;
}

const cache = new Map<string, CachedToken>();
const pending = new Map<string, Promise<Outcome<string>>>();

/** The cached token unless it is old or is `rejected`, else one request shared by concurrent callers. */
async function cachedToken(key: string, fetch: () => Promise<Outcome<string>>, rejected?: string): Promise<Outcome<string>> {
	const cached = cache.get(key);
	if (cached && cached.token !== rejected && Date.now() - cached.fetchedAt < TOKEN_REUSE_MS) {
		return { value: cached.token };
	}
	let request = pending.get(key);
	if (!request) {
		request = fetch()
			.then((outcome) => {
				if ('value' in outcome) cache.set(key, { token: outcome.value, fetchedAt: Date.now() });
				return outcome;
			})
			.finally(() => pending.delete(key));
		pending.set(key, request);
	}
	return await request;
}

/**
 * The app's token for a run: the cached one unless it is old or is the one Beschannels just
 * rejected (`rejected`), else a new one asked through the account's limiter, retried once for a
 * passing reason (refusals as too many are sent again for Timeout x 2). Concurrent runs share one
 * request; if the run that sent it is stopped, the others ask again.
 */
export async function appToken(line: Line, app: AppCredentials, logger: Logger, rejected?: string): Promise<Outcome<string>> {
	const key = `${line.accountKey}#${fingerprint(app.appSecret)}`;
	const call = tokenCall(app);
	const fetch = async () =>
		await withRetries(async () => readToken(await send(line, call), call.target), {
			maxRetries: TOKEN_RETRIES,
			timeoutMs: call.timeoutMs,
			target: `POST ${app.baseUrl}`,
			where: 'while asking for an access token',
			logger,
			line,
		});
	return await cachedToken(key, fetch, rejected).catch(async (error: unknown) => {
		if (!(error instanceof ExecutionStopped) || line.stop?.aborted) throw error;
		return await cachedToken(key, fetch, rejected);
	});
}
