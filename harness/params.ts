import type { INode } from 'n8n-workflow';

import { DEFAULT_USER_ID } from '../sandbox/server';

/** Parameters of a Beschannels node listing a sandbox group (Return All unless overridden). */
export function listParams(overrides: INode['parameters'] = {}): INode['parameters'] {
	return {
		resource: 'groupUser',
		operation: 'getAll',
		userId: DEFAULT_USER_ID,
		groupObj: 'leads_schema_data',
		groupId: '1001',
		returnAll: true,
		...overrides,
	};
}
