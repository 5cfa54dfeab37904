import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { GROUP_USER_LIST_PATH } from '../constants';
import { scoreKey } from '../items/shape';
import { BeschannelsClient, type BeschannelsContext } from '../transport/client';
import { readGroupQuery, readPage } from './groupUsers';

/** Members read to find the group's fields: one page. */
const SAMPLE_SIZE = 20;

function outputKey(key: string): string {
	return key.startsWith('Score-') ? scoreKey(key) : key;
}

/**
 * The group's fields for a dropdown (`loadOptions`): every `header` entry with the app's label,
 * then the other keys the first page's members carry (scores as `score_<id>`).
 */
export async function getGroupFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const query = readGroupQuery(this.getNode(), {
		userId: this.getCurrentNodeParameter('userId'),
		groupObj: this.getCurrentNodeParameter('groupObj'),
		groupId: this.getCurrentNodeParameter('groupId') ?? '',
		options: {},
	});
	// the client uses only what a load-options context has too (credentials, node, logger, httpRequest)
	const client = await BeschannelsClient.open(this as unknown as BeschannelsContext);
	const page = await client.call(
		{
			path: GROUP_USER_LIST_PATH,
			fields: { user_id: query.userId, group_obj: query.groupObj, groupId: query.groupId, page_num: 1, page_size: SAMPLE_SIZE },
			page: 1,
		},
		readPage,
	);
	const options = new Map<string, INodePropertyOptions>();
	for (const { prop, label } of page.header) {
		const value = outputKey(prop);
		if (!options.has(value)) options.set(value, { name: label ? `${value} (${label})` : value, value });
	}
	for (const row of page.list as IDataObject[]) {
		for (const key of Object.keys(row)) {
			const value = outputKey(key);
			if (!options.has(value)) options.set(value, { name: value, value });
		}
	}
	return [...options.values()];
}
