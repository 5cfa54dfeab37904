import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND, DEFAULT_BASE_URL } from '../constants';
import { fnv1a } from '../fnv1a';

/** App ID + App Secret, exchanged for access tokens (tokens.ts). */
export interface AppCredentials {
	baseUrl: string;
	appId: string;
	appSecret: string;
	ignoreSsl: boolean;
}

/** The credential's fields as the node uses them, with defaults applied. */
export interface BeschannelsAccount {
	baseUrl: string;
	authMode: string;
	ignoreSsl: boolean;
	requestsPerSecond: number;
	/** Identifies the account for the shared rate limiter without holding a secret. */
	accountKey: string;
	/** App ID + App Secret, in appCredentials mode. */
	app?: AppCredentials;
}

function normaliseBaseUrl(value: unknown): string {
	const text = typeof value === 'string' ? value.trim() : '';
	return (text || DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/**
 * What is wrong with a Base URL, in words an operator can act on, or undefined when it is a usable
 * http(s) address. Checked before any request, so a typo is named at once instead of retried.
 */
export function baseUrlProblem(baseUrl: string): string | undefined {
	// never echo a query string: a pasted token may be in it
	const shown = `"${baseUrl.split(/[?#]/)[0].slice(0, 120)}"`;
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(baseUrl)) {
		const host = baseUrl.split(/[?#]/)[0].replace(/^\/+/, '');
		return `The Base URL ${shown} does not start with https:// or http://. Write the whole address, for example https://${host || 'openapi.beschannels.com'}.`;
	}
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return `The Base URL ${shown} is not a web address. Write it like https://openapi.beschannels.com.`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return `The Base URL ${shown} must start with https:// or http://, not ${url.protocol}//.`;
	if (url.username || url.password)
		return 'The Base URL must not contain a user name or password. Put only the address in it, for example https://openapi.beschannels.com.';
	if (url.search || url.hash)
		return `The Base URL ${shown} must not contain "?" or "#" (shown here without them). Put only the address in it; the node adds the access token itself.`;
	return undefined;
}

/**
 * The server a Base URL names, written one way: scheme and host in lower case, no default port,
 * no trailing slash. Base URLs that name the same server share one rate limiter.
 */
function serverOf(baseUrl: string): string {
	try {
		const url = new URL(baseUrl);
		return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
	} catch {
		return baseUrl.toLowerCase();
	}
}

/** A short, stable fingerprint (FNV-1a) so the limiter's key never contains the token itself. */
export function fingerprint(text: string): string {
	return fnv1a(text).toString(36);
}

/** A pasted secret or ID without the spaces and line breaks a copy picks up around it. */
export function pasted(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** Max Requests per Second as set (unset: the API's 10), or undefined when it is not from 1 to 10. */
function readRate(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return API_REQUESTS_PER_SECOND;
	const rate = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
	return Number.isFinite(rate) && rate >= 1 && rate <= API_REQUESTS_PER_SECOND ? rate : undefined;
}

/** What is wrong with Max Requests per Second, or undefined when it is from 1 to 10. */
export function rateProblem(credentials: ICredentialDataDecryptedObject): string | undefined {
	if (readRate(credentials.requestsPerSecond) !== undefined) return undefined;
	const value = credentials.requestsPerSecond;
	const shown = typeof value === 'number' || typeof value === 'string' ? `"${String(value).slice(0, 20)}"` : 'not a number';
	return `It is ${shown}. Set it from 1 to ${API_REQUESTS_PER_SECOND}: Beschannels allows ${API_REQUESTS_PER_SECOND} requests a second per account, and n8n processes on one account share them by themselves.`;
}

export function readAccount(credentials: ICredentialDataDecryptedObject): BeschannelsAccount {
	const baseUrl = normaliseBaseUrl(credentials.baseUrl);
	const authMode = typeof credentials.authMode === 'string' ? credentials.authMode : 'accessToken';
	const identity = authMode === 'appCredentials' ? pasted(credentials.appId) : pasted(credentials.accessToken);
	const ignoreSsl = credentials.ignoreSslIssues === true;
	return {
		baseUrl,
		authMode,
		ignoreSsl,
		requestsPerSecond: readRate(credentials.requestsPerSecond) ?? API_REQUESTS_PER_SECOND,
		accountKey: `${serverOf(baseUrl)}#${authMode}#${fingerprint(identity)}`,
		app:
			authMode === 'appCredentials'
				? { baseUrl, appId: pasted(credentials.appId), appSecret: pasted(credentials.appSecret), ignoreSsl }
				: undefined,
	};
}
