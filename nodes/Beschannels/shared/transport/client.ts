import type { IExecuteFunctions, IHttpRequestOptions, INode, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { verdictOf, type Failure, type Reading } from './answers';
import { CREDENTIAL_TYPE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../constants';
import { baseUrlProblem, fingerprint, readAccount, type BeschannelsAccount } from './credentials';
import { limiterFor } from '../limiter/limiter';
import { exchange, formBody, type FormFields } from './send';
import { cachedToken, requestAccessToken, type TokenOutcome } from './tokens';
import { anySignal, ExecutionStopped, pause } from './wait';

export type BeschannelsContext = IExecuteFunctions | IPollFunctions;

export type { FormFields };

export interface CallOptions {
	/** Path below the base URL, e.g. `/leads/open-api/group-user-list`. */
	path: string;
	/** Sent as multipart/form-data; empty values are left out. */
	fields: FormFields;
	/** Page number, named in error messages. */
	page?: number;
	timeoutMs?: number;
	maxRetries?: number;
	/** Once aborted, the request is not sent (again): its answer is no longer needed. */
	signal?: AbortSignal;
}

export interface ClientOptions {
	itemIndex?: number;
	/** The read must end within this many ms (a poll's budget); it then fails, saying so. */
	deadlineMs?: number;
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

/**
 * Refusals ("too many requests") are the account's budget speaking, not faults: they do not count
 * against Retries, and the request is sent again once the limiter gives it a turn. A request refused
 * for longer than Timeout x (Retries + 1) (`seconds`) ends with this failure.
 */
function keptRefusing(failure: Failure, seconds: number, target: string): Failure {
	return {
		...failure,
		message: `Beschannels kept refusing the request as too many for ${seconds} s`,
		description: `The account's limit (10 requests a second, shared by every system and n8n process that uses it) refused this request each time it was sent for ${seconds} s, while the node slowed down to as little as one request a second. Something else seems to use the account's whole budget: try again later, or slow down the other systems that use this account. The time allowed is Timeout x (Retries + 1); the last answer: ${failure.message}. [${target}]`,
		retryable: false,
	};
}

/** Errors thrown through n8n stay n8n's node errors; anything else is wrapped into one. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/** Applies the caller's `read` to `data`; a `MalformedAnswer` becomes a failure naming the page. */
function readData<T>(node: INode, data: unknown, read: (data: unknown) => T, target: string, itemIndex?: number): { value: T } | { failure: Failure } {
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
 * The one place that talks to Beschannels, made once per input item (or poll): it reads the
 * credential once, checks the Base URL before anything is sent, owns the app token, and sends
 * each request with the multipart body, the account's rate limit, a timeout over the whole
 * answer, clear errors and bounded retries. A stopped execution (or a poll out of time) ends every
 * wait at once: the limiter's, a retry's, a `Retry-After` pause and a token request.
 */
export class BeschannelsClient {
	private token?: string;

	private constructor(
		private readonly context: BeschannelsContext,
		readonly account: BeschannelsAccount,
		private readonly accessToken: string,
		/** Aborts when the execution is stopped or the deadline passes. */
		readonly stop: AbortSignal | undefined,
		private readonly deadline: AbortSignal | undefined,
		private readonly itemIndex: number | undefined,
	) {}

	static async open(context: BeschannelsContext, options: ClientOptions = {}): Promise<BeschannelsClient> {
		const { itemIndex, deadlineMs } = options;
		const credentials = await context.getCredentials(CREDENTIAL_TYPE, itemIndex);
		const account = readAccount(credentials);
		const problem = baseUrlProblem(account.baseUrl);
		if (problem) {
			throw new NodeOperationError(context.getNode(), 'The Base URL in the Beschannels credential is not usable', {
				description: problem,
				itemIndex,
			});
		}
		const cancel = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
		const deadline = deadlineMs === undefined ? undefined : AbortSignal.timeout(deadlineMs);
		const accessToken = String(credentials.accessToken ?? '');
		return new BeschannelsClient(context, account, accessToken, anySignal(cancel, deadline), deadline, itemIndex);
	}

	get node(): INode {
		return this.context.getNode();
	}

	/** The error for a stop: the execution was stopped, or the poll ran out of the time n8n gives it. */
	stoppedError(): NodeOperationError {
		if (this.deadline?.aborted) {
			return new NodeOperationError(this.node, 'The poll ran out of time before the group was read', {
				description:
					'n8n gives each poll a limited time. Nothing was emitted and nothing was saved; the next poll reads the group again. For a very large group, use a Schedule Trigger with the Beschannels node instead.',
				itemIndex: this.itemIndex,
			});
		}
		return new NodeOperationError(this.node, 'The execution was stopped', {
			description: 'Nothing more was sent to Beschannels after the stop.',
			itemIndex: this.itemIndex,
		});
	}

	/**
	 * Sends one call and returns its `data` read by `read`; retries what may pass, renews an app
	 * token Beschannels rejects (once), and throws a node error that says what to do.
	 */
	async call<T = unknown>(options: CallOptions, read: (data: unknown) => T = (data) => data as T): Promise<T> {
		return await this.callUntilStopped(options, read).catch((error: unknown) => {
			throw error instanceof ExecutionStopped ? this.stoppedError() : error;
		});
	}

	private async callUntilStopped<T>(options: CallOptions, read: (data: unknown) => T): Promise<T> {
		const { account } = this;
		const target = describeTarget(account, options.path, options.page);
		const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
		const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		let token = await this.currentToken();
		let renewed = false;
		let refusedSince: number | undefined;

		for (let attempt = 0; ; attempt++) {
			const reading = await this.sendCall(options, target, timeoutMs, token);
			const parsed = 'data' in reading ? readData(this.node, reading.data, read, target, this.itemIndex) : reading;
			if ('value' in parsed) return parsed.value;
			let failure = parsed.failure;

			if (failure.rateLimited) {
				refusedSince ??= Date.now();
				const allowedMs = timeoutMs * (maxRetries + 1);
				if (Date.now() - refusedSince >= allowedMs) {
					throw toNodeError(this.node, keptRefusing(failure, Math.round(allowedMs / 1000), target), 1, this.itemIndex);
				}
				const rate = limiterFor(account.accountKey).rate(account.requestsPerSecond).toFixed(1);
				const after = failure.retryAfterMs ? ` after its Retry-After of ${failure.retryAfterMs} ms` : '';
				this.context.logger.debug(`Beschannels: ${failure.message} at ${target}; sending it again${after}, at ${rate} requests a second`);
				attempt--;
				continue;
			}
			// An app token that expired (code 2) is renewed once and the request sent again.
			if (account.app && failure.apiCode === 2 && !renewed) {
				renewed = true;
				this.context.logger.info(`Beschannels: the access token was rejected at ${target}; renewing it`);
				token = await this.currentToken(token);
				attempt--;
				continue;
			}
			if (account.app && failure.apiCode === 2) {
				failure = {
					...failure,
					description: `Beschannels rejected an access token the node had just obtained with the App ID and App Secret. Check that the OpenAPI application is enabled and may use this interface. [${target}]`,
				};
			}
			if (!failure.retryable || attempt >= maxRetries) {
				throw toNodeError(this.node, failure, attempt + 1, this.itemIndex);
			}
			const delay = failure.retryAfterMs ?? backoffDelay(attempt);
			this.context.logger.warn(
				`Beschannels: ${failure.message} at ${target}; retry ${attempt + 1} of ${maxRetries} in ${delay} ms`,
			);
			await pause(delay, this.stop);
		}
	}

	/**
	 * One request through the account's limiter: its turn, the request and its answer read, and
	 * what the answer taught handed back to the limiter. `abandon` takes it out of the queue unsent.
	 */
	private async limited<T extends Reading | TokenOutcome>(send: () => Promise<T>, abandon?: AbortSignal): Promise<T> {
		const { account } = this;
		return await limiterFor(account.accountKey).limited({
			ceiling: account.requestsPerSecond,
			signal: anySignal(this.stop, abandon),
			send,
			judge: verdictOf,
		}).catch((error: unknown) => {
			if (error instanceof ExecutionStopped && !this.stop?.aborted) throw new RequestAbandoned('no longer needed');
			throw error;
		});
	}

	private readonly httpRequest = async (request: IHttpRequestOptions) => await this.context.helpers.httpRequest(request);

	/** Sends one call with its multipart body; a page no longer needed (`options.signal`) is not sent. */
	private async sendCall(options: CallOptions, target: string, timeoutMs: number, token: string): Promise<Reading> {
		const { account } = this;
		const request: IHttpRequestOptions = {
			method: 'POST',
			url: `${account.baseUrl}${options.path}`,
			qs: { access_token: token },
			body: formBody(options.fields),
			encoding: 'text',
			json: false,
			skipSslCertificateValidation: account.ignoreSsl,
		};
		return await this.limited(async () => await exchange(this.httpRequest, request, target, timeoutMs, this.stop), options.signal);
	}

	/**
	 * The access token to send: the credential's own, or for App ID + App Secret a cached one, or
	 * a new one when there is none, it is old, or it is the one Beschannels just rejected.
	 */
	private async currentToken(rejected?: string): Promise<string> {
		const { app } = this.account;
		if (!app) return this.accessToken;
		if (this.token !== undefined && this.token !== rejected) return this.token;
		const key = `${this.account.accountKey}#${fingerprint(app.appSecret)}`;
		const fetch = async () => await this.fetchAppToken();
		this.token = await cachedToken(key, fetch, rejected).catch(async (error: unknown) => {
			// another execution's token request, shared with this one, was stopped: ask again
			if (!(error instanceof ExecutionStopped) || this.stop?.aborted) throw error;
			return await cachedToken(key, fetch, rejected);
		});
		return this.token;
	}

	/** Asks for an app token, once more if the first attempt failed for a passing reason. */
	private async fetchAppToken(): Promise<string> {
		const app = this.account.app!;
		let failure: Failure | undefined;
		let attempts = 0;
		let refusedSince: number | undefined;
		while (attempts < 2) {
			if (failure && !failure.rateLimited) {
				this.context.logger.warn(`Beschannels: ${failure.message} while asking for an access token; retrying once`);
				await pause(failure.retryAfterMs ?? backoffDelay(0), this.stop);
			}
			const outcome = await this.limited(async () => await requestAccessToken(this.httpRequest, app, this.stop));
			if ('token' in outcome) return outcome.token;
			failure = outcome.failure;
			if (failure.rateLimited) {
				// not a failed attempt (see `keptRefusing`), within the time two attempts may take
				refusedSince ??= Date.now();
				if (Date.now() - refusedSince < 2 * DEFAULT_TIMEOUT_MS) continue;
				failure = keptRefusing(failure, (2 * DEFAULT_TIMEOUT_MS) / 1000, `POST ${app.baseUrl}`);
			}
			attempts++;
			if (!failure.retryable) break;
		}
		throw toNodeError(this.node, failure!, attempts, this.itemIndex);
	}
}
