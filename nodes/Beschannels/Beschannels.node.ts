import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as groupUser from './resources/groupUser';
import { toolDescription } from './resources/groupUser/getAllAsTool';
import { route } from './router';
import { getGroupFields } from './shared/group/fields';

export class Beschannels implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Beschannels',
		name: 'beschannels',
		icon: { light: 'file:beschannels.svg', dark: 'file:beschannels.dark.svg' },
		group: ['input'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Read groups from Beschannels, one item per member',
		defaults: { name: 'Beschannels' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'beschannelsApi', required: true }],
		properties: [
			toolDescription,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Group User', value: 'groupUser' }],
				default: 'groupUser',
			},
			...groupUser.description,
		],
	};

	methods = { loadOptions: { getGroupFields } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
