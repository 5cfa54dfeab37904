import type { IExecuteFunctions, IHttpRequestOptions, ILoadOptionsFunctions, INode, IPollFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Reading } from './answers';
import { CREDENTIAL_TYPE, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from '../constants';
import { baseUrlProblem, pasted, rateProblem, readAccount, type BeschannelsAccount } from './credentials';
import { BeschannelsError, MalformedAnswer, type Failure } from './errors';
import { withRetries, type Outcome, type RetryRules } from './retry';
import { formBody, send, type FormFields, type Line } from './send';
import { appToken, freshTokenRejected } from './tokens';
import { anySignal, ExecutionStopped } from '../wait';

/** Where a request is made from: a run, a poll, or the editor loading a dropdown's options. */
type BeschannelsContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export { BeschannelsError, MalformedAnswer } from './errors';

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

interface ClientOptions {
	itemIndex?: number;
	/** The read must end within this many ms (a poll's budget); it then fails, saying so. */
	deadlineMs?: number;
}

/** Where a request went, for messages: base URL and path, never the query string. */
function describeTarget(account: BeschannelsAccount, path: string, page?: number): string {
	return `POST ${account.baseUrl}${path}${page === undefined ? '' : ` (page ${page})`}`;
}

/** Errors thrown through n8n stay n8n's node errors; anything else is wrapped into one. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/** One call under way: where it goes, and whether it already renewed a rejected app token. */
interface Call<T> {
	options: CallOptions;
	read: (data: unknown) => T;
	target: string;
	renewed: boolean;
}

/**
 * The one place that talks to Beschannels, made once per input item (or poll): it reads the
 * credential once, checks the Base URL before anything is sent, and runs each call down one line:
 * token, the account's limiter, the request, its answer read into an outcome, retries, and at the
 * end a `BeschannelsError` that says what to do. A stopped execution (or a poll out of time) ends
 * every wait at once: the limiter's, a retry's, a `Retry-After` pause and a token request.
 */
export class BeschannelsClient {
	private token?: string;

	private readonly line: Line;

	private constructor(
		private readonly context: BeschannelsContext,
		readonly account: BeschannelsAccount,
		private readonly accessToken: string,
		/** Aborts when the execution is stopped or the deadline passes. */
		readonly stop: AbortSignal | undefined,
		private readonly deadline: AbortSignal | undefined,
		private readonly itemIndex: number | undefined,
	) {
		const { helpers } = context;
		this.line = {
			httpRequest: helpers.httpRequest.bind(helpers),
			accountKey: account.accountKey,
			ceiling: account.requestsPerSecond,
			stop,
		};
	}

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
		const rate = rateProblem(credentials);
		if (rate) {
			throw new NodeOperationError(context.getNode(), 'Max Requests per Second in the Beschannels credential must be from 1 to 10', {
				description: rate,
				itemIndex,
			});
		}
		const cancel = 'getExecutionCancelSignal' in context ? context.getExecutionCancelSignal() : undefined;
		const deadline = deadlineMs === undefined ? undefined : AbortSignal.timeout(deadlineMs);
		const accessToken = pasted(credentials.accessToken);
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
	 * token Beschannels rejects (once), and throws a `BeschannelsError` that says what to do.
	 */
	async call<T = unknown>(options: CallOptions, read: (data: unknown) => T = (data) => data as T): Promise<T> {
		const target = describeTarget(this.account, options.path, options.page);
		const call: Call<T> = { options, read, target, renewed: false };
		const rules: RetryRules = {
			maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
			timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			target,
			where: `at ${target}`,
			logger: this.context.logger,
			line: this.line,
		};
		const outcome = await withRetries(async () => await this.attempt(call, rules.timeoutMs), rules).catch(
			(error: unknown) => {
				throw error instanceof ExecutionStopped ? this.stoppedError() : error;
			},
		);
		if ('value' in outcome) return outcome.value;
		throw this.error(outcome.failure);
	}

	private error(failure: Failure): BeschannelsError {
		return new BeschannelsError(this.node, failure, this.itemIndex);
	}

	/** One attempt: the request with the current token (renewed once if Beschannels rejects it), its answer read. */
	private async attempt<T>(call: Call<T>, timeoutMs: number): Promise<Outcome<T>> {
		const app = this.account.app !== undefined;
		const sent = await this.currentToken();
		let reading = await this.sendWith(call, sent, timeoutMs);
		if (app && rejectsToken(reading) && !call.renewed) {
			call.renewed = true;
			this.context.logger.info(`Beschannels: the access token was rejected at ${call.target}; renewing it`);
			reading = await this.sendWith(call, await this.currentToken(sent), timeoutMs);
		}
		if ('data' in reading) return this.readData(reading.data, call);
		if (app && rejectsToken(reading)) return { failure: freshTokenRejected(reading.failure, call.target) };
		return reading;
	}

	/** The request with its multipart body, through the account's limiter; a call no longer needed is not sent. */
	private async sendWith<T>(call: Call<T>, token: string, timeoutMs: number): Promise<Reading> {
		const request: IHttpRequestOptions = {
			method: 'POST',
			url: `${this.account.baseUrl}${call.options.path}`,
			qs: { access_token: token },
			body: formBody(call.options.fields),
			encoding: 'text',
			json: false,
			skipSslCertificateValidation: this.account.ignoreSsl,
		};
		return await send(this.line, { request, target: call.target, timeoutMs }, call.options.signal);
	}

	/** Applies the caller's `read` to `data`; a `MalformedAnswer` becomes a failure naming the page. */
	private readData<T>(data: unknown, call: Call<T>): Outcome<T> {
		try {
			return { value: call.read(data) };
		} catch (error) {
			if (!(error instanceof MalformedAnswer)) throw asNodeError(this.node, error, this.itemIndex);
			return {
				failure: {
					kind: 'malformed',
					message: `Beschannels sent a malformed answer: ${error.message}`,
					description: `${call.target} answered code 0, but its data does not have the documented shape. Try again; report it to Beschannels support if it repeats.`,
				},
			};
		}
	}

	/**
	 * The access token to send: the credential's own, or for App ID + App Secret a cached one, or
	 * a new one when there is none, it is old, or it is the one Beschannels just rejected.
	 */
	private async currentToken(rejected?: string): Promise<string> {
		const { app } = this.account;
		if (!app) return this.accessToken;
		if (this.token !== undefined && this.token !== rejected) return this.token;
		const outcome = await appToken(this.line, app, this.context.logger, rejected);
		if ('failure' in outcome) throw this.error(outcome.failure);
		this.token = outcome.value;
		return this.token;
	}
}

function rejectsToken(reading: Reading): reading is { failure: Failure } {
	return 'failure' in reading && reading.failure.kind === 'tokenRejected';
}
