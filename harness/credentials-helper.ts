import { Credentials } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

/**
 * The part of n8n's credentials helper the engine calls, done as n8n's server does it: defaults
 * applied to stored data, generic `authenticate` templates resolved with n8n's expression engine,
 * and `preAuthentication` run when the expirable field is empty or the request said "expired",
 * with the result stored back in the credential.
 */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	/** How often each credential type's preAuthentication ran. */
	readonly preAuthenticationRuns: Record<string, number> = {};

	constructor(
		private readonly types: Record<string, ICredentialType>,
		private readonly store: Record<string, ICredentialDataDecryptedObject>,
	) {
		super();
	}

	setData(type: string, data: ICredentialDataDecryptedObject): void {
		this.store[type] = data;
	}

	getData(type: string): ICredentialDataDecryptedObject {
		return this.store[type];
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		return this.types[type]?.properties ?? [];
	}

	private resolve(value: unknown, credentials: ICredentialDataDecryptedObject, workflow?: Workflow, node?: INode) {
		if (typeof value !== 'string' || !value.startsWith('=')) return value;
		if (!workflow || !node) throw new Error('generic authentication needs the workflow and node');
		return workflow.expression.getSimpleParameterValue(
			node,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = this.types[typeName];
		const auth = type?.authenticate;
		if (typeof auth === 'function') {
			return await auth(credentials, requestOptions as IHttpRequestOptions);
		}
		if (auth?.type === 'generic') {
			const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, values] of Object.entries(auth.properties)) {
				options[outerKey] = { ...(options[outerKey] ?? {}) };
				for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
					const name = String(this.resolve(key, credentials, workflow, node));
					options[outerKey][name] = this.resolve(value, credentials, workflow, node);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types[typeName];
		const expirable = type?.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!type?.preAuthentication || !expirable) return undefined;
		const isTest = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined && !credentialsExpired && !isTest) {
			return undefined;
		}
		this.preAuthenticationRuns[typeName] = (this.preAuthenticationRuns[typeName] ?? 0) + 1;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const updated = Object.assign(credentials, output) as ICredentialDataDecryptedObject;
		if (node.credentials) {
			this.store[typeName] = { ...this.store[typeName], ...output } as ICredentialDataDecryptedObject;
		}
		return updated;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.types[typeName];
		if (!type?.preAuthentication) return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getDecrypted(
		_additionalData: unknown,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data: ICredentialDataDecryptedObject = { ...(this.store[type] ?? {}) };
		for (const property of this.types[type]?.properties ?? []) {
			if (data[property.name] === undefined && property.default !== undefined) {
				data[property.name] = property.default as ICredentialDataDecryptedObject[string];
			}
		}
		return data;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		return new Credentials({ id: nodeCredentials.id, name: nodeCredentials.name }, type);
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = { ...data };
	}

	async updateCredentialsOauthTokenData(): Promise<void> {}
}
