import type { INode, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TOOL_MAX_LIMIT } from '../../shared/items/toolAnswer';
import { asNodeError } from '../../shared/transport/client';
import { BeschannelsError } from '../../shared/transport/errors';

/**
 * What a model must do when the tool fails, in the error's message. n8n's AI Agent hands a model
 * only the message of a tool's error (`{"error": <message>}`), not its description: so as a tool,
 * each message gets one sentence saying whether the model can fix it by calling again (and with
 * what) or must ask the user to change something in n8n. The plain node's messages stay as they are.
 */

/** The `$fromAI` keys the model fills (undefined: the workflow fixes that parameter) and the auth mode. */
interface ToolErrorContext {
	groupObjectKey?: string;
	groupIdKey?: string;
	limitKey?: string;
	startKey?: string;
	/** The credential gets tokens with App ID + App Secret. */
	app: boolean;
}

const NO_USE = 'calling again will not help.';
const IN_CREDENTIAL = 'in the Beschannels credential in n8n';
const IN_TOOL = 'in the Beschannels tool in n8n';

const PASSING = 'A passing fault at Beschannels: call again in a minute; if it keeps failing, tell the user.';
const BUSY = 'The Beschannels account is busy with other systems: call again in a few minutes; if it keeps failing, tell the user.';
const ONCE_MORE = 'Call again once; if the same error comes back, tell the user.';
const BASE_URL = `Ask the user to correct the Base URL ${IN_CREDENTIAL}; ${NO_USE}`;
const NETWORK = `n8n could not reach Beschannels: call again in a minute; if it keeps failing, ask the user to check the Base URL ${IN_CREDENTIAL}.`;
const UNREADABLE = `${ONCE_MORE.slice(0, -1)} that Beschannels sends answers the tool cannot read (the Base URL may be wrong).`;
const PERMISSION = `Ask the user to have their Beschannels administrator grant the OpenAPI user access to the group user list and this group's data; ${NO_USE}`;
const USER_ID = `Ask the user to fill User ID ${IN_TOOL} (in Beschannels: Personal settings); ${NO_USE}`;
const OPTION = `Ask the user to correct this option of the Beschannels tool in n8n; ${NO_USE}`;
const TOKEN = `Ask the user to enter a new access token ${IN_CREDENTIAL} (tokens last 2 hours) or to switch it to App ID + App Secret; ${NO_USE}`;
const APP_TOKEN = `Ask the user to check that the Beschannels OpenAPI application of this App ID is enabled and may use the group user list; ${NO_USE}`;
const APP_REFUSED = `Ask the user to correct App ID and App Secret ${IN_CREDENTIAL}; ${NO_USE}`;

/** Beschannels' answer codes (see shared/transport/apiCodes.ts), as a model can act on them. */
function codeAdvice(code: number, context: ToolErrorContext): string {
	switch (code) {
		case -3:
		case -1:
			return PASSING;
		case -2:
			return BASE_URL;
		case 2:
			return context.app ? APP_TOKEN : TOKEN;
		case 3:
		case 1001:
			return PERMISSION;
		case 1000:
		case 10002:
			return groupAdvice(context);
		case 10000:
			return `${callWith(context)}; if they were given, ask the user to fill User ID ${IN_TOOL}.`;
		case 10001:
			return `Ask the user to check User ID and the options of the Beschannels tool in n8n; ${NO_USE}`;
		case 10006:
			return `Ask the user to have their Beschannels administrator tie the OpenAPI application to an organisation; ${NO_USE}`;
		case 10007:
			return USER_ID;
		default:
			return ONCE_MORE;
	}
}

/** The group arguments the model fills, as it knows them: `groupObject and groupId`. */
function groupKeys(context: ToolErrorContext): string[] {
	return [context.groupObjectKey, context.groupIdKey].filter((key): key is string => key !== undefined);
}

function callWith(context: ToolErrorContext): string {
	const keys = groupKeys(context);
	return keys.length ? `Call again with ${keys.join(' and ')}` : 'Call again';
}

/** Beschannels refused the group asked: the model may have named a group or a kind that does not exist. */
function groupAdvice(context: ToolErrorContext): string {
	const { groupObjectKey, groupIdKey } = context;
	if (!groupObjectKey && !groupIdKey) return `Ask the user to check Group Object and Group ID ${IN_TOOL}; ${NO_USE}`;
	const kind = groupObjectKey ? [`${groupObjectKey} (leads_schema_data, schema_data or member)`] : [];
	const named = [...kind, ...(groupIdKey ? [groupIdKey] : [])].join(' and ');
	return `Check ${named}, and call again with corrected values; if they were right, tell the user.`;
}

function httpAdvice(status: number, context: ToolErrorContext): string {
	if (status === 401) return context.app ? APP_TOKEN : TOKEN;
	if (status === 403) return PERMISSION;
	if (status === 429 || status >= 500) return PASSING;
	if (status >= 300 && status < 400) return BASE_URL;
	if (status === 404) return BASE_URL;
	return `Ask the user to check the Base URL in the Beschannels credential and the options of the Beschannels tool in n8n; ${NO_USE}`;
}

function networkAdvice(code: string | undefined): string {
	if (code === 'ENOTFOUND') return BASE_URL;
	if (code === 'ERR_CANCELED') return 'The run was stopped: do not call again.';
	if (code && /CERT|SIGNATURE/.test(code)) {
		return `For a private deployment with its own certificate, ask the user to turn on Ignore SSL Issues ${IN_CREDENTIAL}; ${NO_USE}`;
	}
	return NETWORK;
}

function limitAdvice(context: ToolErrorContext): string {
	const { limitKey } = context;
	if (limitKey) return `Call again with ${limitKey} a whole number from 1 to ${TOOL_MAX_LIMIT}.`;
	return `Ask the user to set Members per Call ${IN_TOOL} to 1 to ${TOOL_MAX_LIMIT}.`;
}

function startAdvice(context: ToolErrorContext): string {
	const { startKey } = context;
	if (startKey) return `Call again with ${startKey} a whole number of at least 1 (1 for the first member).`;
	return `Ask the user to set Start At ${IN_TOOL} to 1 or more.`;
}

function timeoutAdvice(context: ToolErrorContext): string {
	const smaller = context.limitKey ? ` or with a smaller ${context.limitKey}` : '';
	return `Call again later${smaller}; the user can raise the Timeout option of the Beschannels tool in n8n.`;
}

/** A failed request, by its kind and, where Beschannels answered, its code or HTTP status. */
function requestAdvice(error: BeschannelsError, context: ToolErrorContext): string {
	switch (error.kind) {
		case 'tooMany':
			return BUSY;
		case 'appRefused':
			return APP_REFUSED;
		case 'timeout':
			return timeoutAdvice(context);
		case 'malformed':
			return UNREADABLE;
		case 'redirect':
			return BASE_URL;
		case 'network':
		case 'unreachable':
			return networkAdvice(error.networkCode);
	}
	if (error.beschannelsCode !== undefined) return codeAdvice(error.beschannelsCode, context);
	const status = Number(error.httpCode);
	if (Number.isInteger(status) && status > 0 && (error.kind !== 'passing' || status >= 500)) {
		return httpAdvice(status, context);
	}
	// An answer with nothing the tool can read (an empty body).
	return error.kind === 'passing' ? UNREADABLE : ONCE_MORE;
}

/** The node's own checks and a read that could not finish, by how their messages begin. */
const BY_MESSAGE: Array<[RegExp, (context: ToolErrorContext) => string]> = [
	[/^The Base URL/, () => BASE_URL],
	[/^User ID is empty/, () => USER_ID],
	[/^Group ID (is empty|must)/, (context) => (context.groupIdKey ? `Call again with ${context.groupIdKey}: the ID of the Beschannels group to read (ask the user for it if you do not know it).` : `Ask the user to fill Group ID ${IN_TOOL}; ${NO_USE}`)],
	[/^Group Object is empty/, (context) => (context.groupObjectKey ? `Call again with ${context.groupObjectKey} leads_schema_data, schema_data or member.` : groupAdvice(context))],
	[/^Members per Call must/, limitAdvice],
	[/^Start At must/, startAdvice],
	[/^(Page Size|Start at Page|Timeout|Retries|Add ISO Created Time) must|^Created Time UTC Offset/, () => OPTION],
	[/^The group changed while it was read/, () => 'The group changed while it was read: call again in a minute.'],
	[/^Beschannels sent page \d+ again/, (context) => `Only the first page can be read: call again with a ${context.limitKey ?? 'limit'} of at most one page; if that is not enough, tell the user.`],
	[/^Stopped after \d+ pages/, (context) => `Call again with a search or a smaller ${context.limitKey ?? 'limit'}; if it repeats, tell the user.`],
	[/^The execution was stopped/, () => 'The run was stopped: do not call again.'],
];

/** What a model can do about an error. */
function toolAdvice(error: NodeApiError | NodeOperationError, context: ToolErrorContext): string {
	if (error instanceof BeschannelsError) return requestAdvice(error, context);
	for (const [pattern, advice] of BY_MESSAGE) {
		if (pattern.test(error.message)) return advice(context);
	}
	return ONCE_MORE;
}

/** The node error for `error`, its message followed by what the model must do: one line. */
export function withToolAdvice(
	node: INode,
	error: unknown,
	itemIndex: number,
	context: ToolErrorContext,
): NodeApiError | NodeOperationError {
	const nodeError = asNodeError(node, error, itemIndex);
	const message = String(nodeError.message ?? '').replace(/\s+/g, ' ').trim();
	nodeError.message = `${message}${/[.!?]$/.test(message) ? '' : '.'} ${toolAdvice(nodeError, context)}`;
	return nodeError;
}
