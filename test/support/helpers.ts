import type { IDataObject } from 'n8n-workflow';

import { Engine } from '../../harness/engine';
import { listParams } from '../../harness/params';
import { BeschannelsSandbox, DEFAULT_USER_ID, GROUP_USER_LIST_PATH, type SandboxOptions } from '../../sandbox/server';

export { DEFAULT_USER_ID, listParams };

export interface Setup {
	sandbox: BeschannelsSandbox;
	engine: Engine;
	/** Requests the sandbox received on the group user list. */
	pageRequests: () => BeschannelsSandbox['log'];
}

/** Starts a sandbox and an engine whose credential points at it; stops the sandbox after the file. */
export function useSandbox(options: SandboxOptions = {}, credential: IDataObject = {}): Setup {
	const setup = {} as Setup;
	beforeAll(async () => {
		setup.sandbox = new BeschannelsSandbox(options);
		const baseUrl = await setup.sandbox.start();
		setup.engine = new Engine({ baseUrl, authMode: 'accessToken', accessToken: setup.sandbox.token, ...credential } as never);
		setup.pageRequests = () => setup.sandbox.log.filter((r) => r.path === GROUP_USER_LIST_PATH);
	});
	beforeEach(async () => {
		await setup.sandbox.idle();
		setup.sandbox.clearLog();
		setup.sandbox.clearFaults();
	});
	afterAll(async () => {
		await setup.sandbox.stop();
	});
	return setup;
}

/** Every string in a value, serialized, for leak checks. */
export function serialize(value: unknown): string {
	const seen = new WeakSet();
	return JSON.stringify(value, (_key, v: unknown) => {
		if (v instanceof Error) {
			return { ...v, name: v.name, message: v.message, stack: v.stack, description: (v as { description?: string }).description, cause: (v as { cause?: unknown }).cause };
		}
		if (v && typeof v === 'object') {
			if (seen.has(v)) return '[circular]';
			seen.add(v);
		}
		return v;
	});
}
