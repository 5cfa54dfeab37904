import type { FailureKind } from './errors';

/**
 * Every documented Beschannels answer code, what it means in plain English, what an operator can
 * do about it, and what kind of failure it is (which says whether asking again can help).
 */
interface ApiCodeInfo {
	meaning: string;
	action: string;
	kind: FailureKind;
}

const TOKEN_ACTION =
	'Access tokens live 2 hours. Put a fresh token in the Beschannels credential, or switch the credential to App ID + App Secret so the node renews tokens itself.';

const PERMISSION_ACTION =
	'Ask your Beschannels administrator to grant the OpenAPI user access to this interface (the group user list) and to the data of the User ID you entered.';

const API_CODES: Record<number, ApiCodeInfo> = {
	[-3]: {
		meaning: 'system exception on the Beschannels side',
		action: 'This is usually temporary: run the workflow again later, and contact Beschannels support if it persists.',
		kind: 'passing',
	},
	[-2]: {
		meaning: 'wrong request URL',
		action: 'Check the Base URL in the Beschannels credential: it must be the root of the OpenAPI (https://openapi.beschannels.com, or your private deployment).',
		kind: 'refused',
	},
	[-1]: {
		meaning: 'the request failed (system error)',
		action: 'This is usually temporary: run the workflow again later, and contact Beschannels support if it persists.',
		kind: 'passing',
	},
	1: {
		meaning: 'unknown status',
		action: 'Beschannels did not say what went wrong. Check the parameters, try again, and contact Beschannels support with the time of the failure if it repeats.',
		kind: 'refused',
	},
	2: {
		meaning: 'invalid or expired access token',
		action: TOKEN_ACTION,
		kind: 'tokenRejected',
	},
	3: {
		meaning: 'interface permission check failed',
		action: PERMISSION_ACTION,
		kind: 'refused',
	},
	1000: {
		meaning: 'request error',
		action: 'Beschannels could not process the request. Check User ID, Group Object and Group ID, and the options you set.',
		kind: 'badParameter',
	},
	1001: {
		meaning: 'no permission',
		action: PERMISSION_ACTION,
		kind: 'refused',
	},
	10000: {
		meaning: 'a required parameter is missing',
		action: 'Fill in User ID and Group Object (and Group ID for a specific group).',
		kind: 'refused',
	},
	10001: {
		meaning: 'at least one field must be submitted',
		action: 'Check that the node sends the fields this call needs.',
		kind: 'refused',
	},
	10002: {
		meaning: 'unexpected parameter content',
		action: 'A parameter has a value Beschannels does not accept: check Group Object (e.g. leads_schema_data), Group ID, Page Size and Return Fields.',
		kind: 'badParameter',
	},
	10006: {
		meaning: 'org_id is missing',
		action: 'The account behind the token is not tied to an organisation. Ask your Beschannels administrator to check the OpenAPI application.',
		kind: 'refused',
	},
	10007: {
		meaning: 'user_id is missing',
		action: 'Fill in User ID: in Beschannels open Personal settings and copy your User ID.',
		kind: 'refused',
	},
};

const UNKNOWN_CODE: ApiCodeInfo = {
	meaning: 'an answer code the Beschannels documentation does not list',
	action: 'Check the parameters and try again; contact Beschannels support with the code if it repeats.',
	kind: 'refused',
};

const TOO_MANY: ApiCodeInfo = {
	meaning: 'too many requests',
	action: 'Lower "Max Requests per Second" in the credential if other systems use the same account.',
	kind: 'tooMany',
};

/** Vendor messages that say "slow down" whatever code they come with. */
const RATE_LIMIT_WORDS = /(too many|rate limit|frequen|频繁|限流|超过.*(次|限制)|请求过多|访问过快)/i;

/**
 * What an answer code means. A message that says "slow down" makes any code a refusal as too
 * many: a code that may pass keeps its own words, any other is described as too many requests.
 */
export function describeApiCode(code: number, msg: string): ApiCodeInfo {
	const known = API_CODES[code] ?? UNKNOWN_CODE;
	if (!RATE_LIMIT_WORDS.test(msg)) return known;
	return known.kind === 'passing' ? { ...known, kind: 'tooMany' } : TOO_MANY;
}
