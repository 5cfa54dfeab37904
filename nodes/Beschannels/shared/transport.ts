import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import {
	apiCodeFailure,
	httpFailure,
	networkFailure,
	readEnvelope,
	type Failure,
	type HttpAnswer,
} from './answers';
import { CREDENTIAL_TYPE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from './constants';
import { fingerprint, readAccount, type BeschannelsAccount } from './credentials';
import { acquireSlot, recordSuccess, slowDown } from './rateLimiter';
import { cachedToken, requestAccessToken, type AppCredentials } from './tokens';

export type BeschannelsContext = IExecuteFunctions | IPollFunctions;

export type FormFields = Record<string, string | number | undefined>;

export interface CallOptions {
	/** Path below the base URL, e.g. `/leads/open-api/group-user-list`. */
	path: string;
	/** Sent as multipart/form-data; empty values are left out. */
	fields: FormFields;
	/** Page number, named in error messages. */
	page?: number;
	itemIndex?: number;
	timeoutMs?: number;
	maxRetries?: number;
	/** Once aborted, the request is not sent (again): its answer is no longer needed. */
	signal?: AbortSignal;
}

/** Thrown when a request was given up before it was sent because its answer is no longer needed. */
export class RequestAbandoned extends Error {}

/** Thrown by a caller's `read` when `data` does not have the shape the call documents. */
export class MalformedAnswer extends Error {}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/** Where a request went, for messages: base URL and path, never the query string. */
export function describeTarget(account: BeschannelsAccount, path: string, page?: number): string {
	return `POST ${account.baseUrl}${path}${page === undefined ? '' : ` (page ${page})`}`;
}

function toFormData(fields: FormFields): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined || value === '') continue;
		form.append(name, String(value));
	}
	return form;
}

export function backoffDelay(attempt: number, random = Math.random()): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

function toNodeError(node: INode, failure: Failure, attempts: number, itemIndex?: number): NodeApiError {
	const tried = attempts > 1 ? ` Gave up after ${attempts} attempts.` : '';
	const details: JsonObject = { message: failure.message };
	if (failure.apiCode !== undefined) details.beschannelsCode = failure.apiCode;
	if (failure.apiMsg !== undefined) details.beschannelsMsg = failure.apiMsg;
	return new NodeApiError(node, details, {
		message: failure.message,
		description: `${failure.description}${tried}`,
		httpCode: failure.httpCode,
		itemIndex,
	});
}

/** Whether a request's outcome timed a real round trip (an answer came back, even an error). */
function timed(outcome: object | undefined): boolean {
	return outcome !== undefined && !('failure' in outcome && (outcome.failure as Failure).network);
}

/** Asks for an app token, once more if the first attempt failed for a passing reason. */
async function fetchAppToken(
	this: BeschannelsContext,
	account: BeschannelsAccount,
	app: AppCredentials,
	itemIndex?: number,
): Promise<string> {
	let failure: Failure | undefined;
	let attempts = 0;
	while (attempts < 2) {
		if (failure) {
			this.logger.warn(`Beschannels: ${failure.message} while asking for an access token; retrying once`);
			await sleep(backoffDelay(0));
		}
		const slot = await acquireSlot(account.accountKey, account.requestsPerSecond);
		attempts++;
		let outcome: Awaited<ReturnType<typeof requestAccessToken>> | undefined;
		try {
			outcome = await requestAccessToken(async (request) => await this.helpers.httpRequest(request), app);
		} finally {
			slot.done(undefined, timed(outcome));
		}
		if ('token' in outcome) return outcome.token;
		failure = outcome.failure;
		if (!failure.retryable) break;
	}
	throw toNodeError(this.getNode(), failure!, attempts, itemIndex);
}

/**
 * The access token for App ID + App Secret credentials: a cached one, or a new one when there is
 * none, it is old, or it is the one Beschannels just rejected (`rejected`).
 */
async function appToken(
	this: BeschannelsContext,
	account: BeschannelsAccount,
	app: AppCredentials,
	itemIndex?: number,
	rejected?: string,
): Promise<string> {
	const key = `${account.accountKey}#${fingerprint(app.appSecret)}`;
	return await cachedToken(key, async () => await fetchAppToken.call(this, account, app, itemIndex), rejected);
}

/** Errors thrown through n8n stay n8n's node errors; anything else is wrapped into one. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}

async function sendOnce(
	this: BeschannelsContext,
	account: BeschannelsAccount,
	options: CallOptions,
	target: string,
	timeoutMs: number,
	credentials: ICredentialDataDecryptedObject,
): Promise<{ data: unknown } | { failure: Failure }> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${account.baseUrl}${options.path}`,
		body: toFormData(options.fields),
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
		skipSslCertificateValidation: account.ignoreSsl,
	};
	let answer: HttpAnswer;
	try {
		const reference = this.getNode().credentials?.[CREDENTIAL_TYPE];
		answer = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, request, {
			credentialsDecrypted: {
				id: reference?.id ?? '',
				name: reference?.name ?? '',
				type: CREDENTIAL_TYPE,
				data: credentials,
			},
		})) as HttpAnswer;
	} catch (error) {
		return { failure: networkFailure(error, target, timeoutMs) };
	}
	const read = readEnvelope(answer.body, target);
	if ('envelope' in read) {
		if (Number(read.envelope.code) !== 0) return { failure: apiCodeFailure(read.envelope, target) };
		if (answer.statusCode >= 200 && answer.statusCode < 300) return { data: read.envelope.data };
	}
	if (answer.statusCode < 200 || answer.statusCode >= 300) return { failure: httpFailure(answer, target) };
	return read as { failure: Failure };
}

/** Applies the caller's `read` to `data`; a `MalformedAnswer` becomes a failure naming the page. */
function readData<T>(
	node: INode,
	data: unknown,
	read: (data: unknown) => T,
	target: string,
	itemIndex?: number,
): { value: T } | { failure: Failure } {
	try {
		return { value: read(data) };
	} catch (error) {
		if (!(error instanceof MalformedAnswer)) throw asNodeError(node, error, itemIndex);
		return {
			failure: {
				message: `Beschannels sent a malformed answer: ${error.message}`,
				description: `${target} answered code 0, but its data does not have the documented shape. Try again; report it to Beschannels support if it repeats.`,
				retryable: false,
			},
		};
	}
}

/**
 * The one function that talks to Beschannels: credential, multipart body, the account's rate limit,
 * the answer envelope, clear errors, and bounded retries of what may pass. Returns `data`.
 */
export async function beschannelsRequest<T = unknown>(
	this: BeschannelsContext,
	options: CallOptions,
	read: (data: unknown) => T = (data) => data as T,
): Promise<T> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE, options.itemIndex);
	const account = readAccount(credentials);
	const target = describeTarget(account, options.path, options.page);
	const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

	const { app } = account;
	let token = app ? await appToken.call(this, account, app, options.itemIndex) : undefined;
	let renewed = false;

	for (let attempt = 0; ; attempt++) {
		const slot = await acquireSlot(account.accountKey, account.requestsPerSecond);
		if (options.signal?.aborted) {
			slot.cancel();
			throw new RequestAbandoned('no longer needed');
		}
		const data = token === undefined ? credentials : { ...credentials, sessionToken: token };
		let outcome: Awaited<ReturnType<typeof sendOnce>> | undefined;
		try {
			outcome = await sendOnce.call(this, account, options, target, timeoutMs, data);
		} finally {
			slot.done(undefined, timed(outcome));
		}
		let failure: Failure;
		if ('data' in outcome) {
			recordSuccess(account.accountKey, account.requestsPerSecond);
			const parsed = readData(this.getNode(), outcome.data, read, target, options.itemIndex);
			if ('value' in parsed) return parsed.value;
			failure = parsed.failure;
		} else {
			failure = outcome.failure;
		}

		// An app token that expired (code 2) is renewed once and the request sent again.
		if (app && failure.apiCode === 2 && !renewed) {
			renewed = true;
			this.logger.info(`Beschannels: the access token was rejected at ${target}; renewing it`);
			token = await appToken.call(this, account, app, options.itemIndex, token);
			attempt--;
			continue;
		}

		if (app && failure.apiCode === 2) {
			failure = {
				...failure,
				description: `Beschannels rejected an access token the node had just obtained with the App ID and App Secret. Check that the OpenAPI application is enabled and may use this interface. [${target}]`,
			};
		}
		if (!failure.retryable || attempt >= maxRetries) {
			throw toNodeError(this.getNode(), failure, attempt + 1, options.itemIndex);
		}
		const delay = failure.retryAfterMs ?? backoffDelay(attempt);
		if (failure.rateLimited) slowDown(account.accountKey, account.requestsPerSecond, delay);
		this.logger.warn(
			`Beschannels: ${failure.message} at ${target}; retry ${attempt + 1} of ${maxRetries} in ${delay} ms`,
		);
		await sleep(delay);
	}
}
