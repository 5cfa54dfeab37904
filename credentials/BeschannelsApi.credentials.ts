import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	Icon,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	INodeProperties,
} from 'n8n-workflow';

import { baseUrlProblem, rateProblem, readAccount } from '../nodes/Beschannels/shared/transport/credentials';
import { requestAccessToken } from '../nodes/Beschannels/shared/transport/tokens';

/**
 * Beschannels OpenAPI credential.
 *
 * Every call carries the access token as `?access_token=`: pasted, or obtained from App ID + App
 * Secret. The API answers a wrong token with HTTP 200 and `code: 2`, which is why the test rules
 * look at the body, not the status, and why the node (not n8n's 401 handling) renews app tokens.
 */
export class BeschannelsApi implements ICredentialType {
	name = 'beschannelsApi';

	displayName = 'Beschannels API';

	icon: Icon = {
		light: 'file:../nodes/Beschannels/beschannels.svg',
		dark: 'file:../nodes/Beschannels/beschannels.dark.svg',
	};

	documentationUrl = 'https://github.com/beschannels-community/n8n-nodes-beschannels#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://openapi.beschannels.com',
			placeholder: 'https://openapi.beschannels.com',
			description:
				'Root URL of the Beschannels OpenAPI. Change it only for a private deployment.',
			required: true,
		},
		{
			displayName: 'Authentication',
			name: 'authMode',
			type: 'options',
			options: [
				{
					name: 'App ID + App Secret',
					value: 'appCredentials',
					description: 'Recommended: the node obtains access tokens itself and renews them',
				},
				{
					name: 'Access Token',
					value: 'accessToken',
					description: 'Paste an access token. Beschannels tokens expire after 2 hours.',
				},
			],
			default: 'accessToken',
		},
		{
			displayName:
				'Access tokens expire after 2 hours: a workflow that runs on a schedule stops then. For anything scheduled, choose App ID + App Secret, and the node renews tokens itself.',
			name: 'scheduleNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { authMode: ['accessToken'] } },
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'The App ID of your Beschannels OpenAPI application',
			displayOptions: { show: { authMode: ['appCredentials'] } },
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The App Secret of your Beschannels OpenAPI application',
			displayOptions: { show: { authMode: ['appCredentials'] } },
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The OpenAPI access token. It is sent as the access_token query parameter and lives 2 hours.',
			displayOptions: { show: { authMode: ['accessToken'] } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 10,
			description:
				'Beschannels allows 10 requests per second per account. This is the most this n8n process sends, shared by every node and trigger using the account. Separate n8n processes on the same account (queue-mode workers) share the limit by themselves; lower it only to leave room for other systems.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description:
				'Whether to connect even if SSL certificate validation fails, e.g. for a private deployment with its own certificate',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			qs: {
				access_token:
					'={{$credentials.authMode === "appCredentials" ? $credentials.sessionToken : String($credentials.accessToken || "").trim()}}',
			},
		},
	};

	/**
	 * App ID + App Secret: obtains an access token. n8n runs this when the session token is empty
	 * (and for the Test button); during runs the node obtains and renews tokens itself.
	 */
	async preAuthentication(
		this: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
	): Promise<IDataObject> {
		const account = readAccount(credentials);
		// named here so the Test button says what is wrong instead of an error code
		const problem = baseUrlProblem(account.baseUrl);
		if (problem) throw new Error(problem);
		const rate = rateProblem(credentials);
		if (rate) throw new Error(`Max Requests per Second must be from 1 to 10. ${rate}`);
		const { app } = account;
		if (!app) return {};
		const outcome = await requestAccessToken(
			async (request) => await this.helpers.httpRequest(request),
			app,
		);
		if ('failure' in outcome) {
			throw new Error(`${outcome.failure.message}. ${outcome.failure.description}`);
		}
		return { sessionToken: outcome.value };
	}

	/**
	 * There is no who-am-I endpoint. The group user list is asked without a user_id: the API checks
	 * the token first and answers code 2 for a wrong one; any other answer (10007 "user_id missing"
	 * from a valid token) means the token was accepted.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{String($credentials.baseUrl || "https://openapi.beschannels.com").replace(/\\/+$/, "")}}',
			url: '/leads/open-api/group-user-list',
			method: 'POST',
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
			// as the node: a redirect is named, not followed (see the rules below)
			disableFollowRedirect: true,
		},
		// n8n reads rules of both kinds from one list; its type declares a list of one kind only
		rules: [
			...[301, 302, 303, 307, 308].map((status) => ({
				type: 'responseCode' as const,
				properties: {
					value: status,
					message: `The Base URL redirects (HTTP ${status}). Put the address it redirects to in Base URL, often the https:// form of it: the node does not follow redirects, which would send the access token on to another address.`,
				},
			})),
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 2,
					message:
						'Beschannels rejected the access token (code 2): it is wrong or has expired. Tokens live 2 hours; get a new one from your Beschannels admin.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: -2,
					message:
						'The server answered "wrong request URL" (code -2): check the Base URL of your Beschannels deployment.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: undefined,
					message:
						'The Base URL answered, but not like the Beschannels OpenAPI (no "code" in the answer). Check the Base URL.',
				},
			},
		] as IAuthenticateRuleResponseCode[],
	};
}
