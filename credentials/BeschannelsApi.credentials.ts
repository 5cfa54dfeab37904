import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Beschannels (致趣百川) OpenAPI credential.
 *
 * Every call carries the access token as `?access_token=`; the API answers a wrong token with
 * HTTP 200 and `code: 2`, which is why the test rules look at the body, not the status.
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
					name: 'Access Token',
					value: 'accessToken',
					description: 'Paste an access token. Beschannels tokens expire after 2 hours.',
				},
			],
			default: 'accessToken',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The OpenAPI access token (访问令牌). It is sent as the access_token query parameter and lives 2 hours.',
			displayOptions: { show: { authMode: ['accessToken'] } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 10,
			description:
				'Beschannels allows 10 requests per second per account. Every node and trigger using this account in one n8n process shares this budget. Lower it when several n8n processes (queue-mode workers) use the same account.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'allowUnauthorizedCerts',
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
				access_token: '={{$credentials.accessToken}}',
			},
		},
	};

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
			skipSslCertificateValidation: '={{$credentials.allowUnauthorizedCerts}}',
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 2,
					message:
						'Beschannels rejected the access token (code 2, 不合法的访问令牌): it is wrong or has expired. Tokens live 2 hours; get a new one from your Beschannels admin.',
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
		],
	};
}
