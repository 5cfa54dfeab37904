import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['groupUser'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the group user list: the members of a group, one item each',
				action: 'Get many users in a group',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];
