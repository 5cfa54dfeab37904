import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../../shared/constants';
import { groupFields, readOptions } from '../../shared/descriptions';
import { readGroup, reportRead } from '../../shared/group/groupUsers';
import { emptyReadNote, readItemGroupQuery } from '../../shared/group/query';
import { matchFields } from '../../shared/group/fieldNames';
import { readBoolean, readNumber } from '../../shared/values';
import { createShaper } from '../../shared/items/shape';
import { runsAsTool } from '../../shared/toolMode';
import { BeschannelsClient } from '../../shared/transport/client';
import { executeAsTool, notForTool, toolGroupId, toolGroupObj, toolProperties } from './getAllAsTool';

/** The plain node's parameters; as a tool (`'@tool'`) the node shows its own in place of some of them. */
const plainProperties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: readOptions,
	},
];

const field = (name: string) => groupFields.find((property) => property.name === name)!;
const [userId, groupObj, groupId] = ['userId', 'groupObj', 'groupId'].map(field);

const properties: INodeProperties[] = [
	userId,
	notForTool(groupObj),
	toolGroupObj,
	notForTool(groupId),
	toolGroupId,
	...plainProperties.map(notForTool),
	...toolProperties,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['groupUser'], operation: ['getAll'] } },
	properties,
);

/** Group user list: one output item per member of the group named by input item `i`. */
export async function execute(this: IExecuteFunctions, i: number): Promise<INodeExecutionData[]> {
	if (runsAsTool(this)) return await executeAsTool.call(this, i);
	const fail = (message: string, description: string) =>
		new NodeOperationError(this.getNode(), message, { description, itemIndex: i });
	const query = readItemGroupQuery(this, i);
	const returnAll = readBoolean('Return All', this.getNodeParameter('returnAll', i), fail);
	const limit = returnAll ? 0 : (readNumber('Limit', this.getNodeParameter('limit', i), fail) ?? 50);
	if (!returnAll && (!Number.isInteger(limit) || limit < 1)) {
		throw fail('Limit must be a whole number of at least 1', `Limit is ${String(limit)}. Set it to 1 or more, or turn on Return All.`);
	}

	// Members are shaped as their pages arrive; with labels or Output Fields, once every page's header
	// and every member's fields are known (Output Fields names them by key, label or dropdown text).
	const later = query.useLabels || query.shape.fields !== undefined;
	const shapeNow = later ? undefined : createShaper(query.shape);
	const client = await BeschannelsClient.open(this, { itemIndex: i });
	const result = await readGroup(client, query, {
		returnAll,
		limit,
		concurrency: API_REQUESTS_PER_SECOND,
		keep: shapeNow,
	});
	const fields = query.shape.fields && matchFields('Output Fields', query.shape.fields, result, fail, 'Nothing was output.').keys();
	reportRead(this, result, i, emptyReadNote(query));

	const members = shapeNow
		? result.members
		: result.members.map(
				createShaper({ ...query.shape, fields, labels: query.useLabels ? result.header : undefined }),
			);
	return this.helpers.constructExecutionMetaData(
		members.map((json) => ({ json })),
		{ itemData: { item: i } },
	);
}
