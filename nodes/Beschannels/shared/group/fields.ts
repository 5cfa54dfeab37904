import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { GROUP_USER_LIST_PATH } from '../constants';
import { outputKey } from '../items/shape';
import { BeschannelsClient } from '../transport/client';
import { readPage } from './groupUsers';
import { readGroupQuery, type GroupQuery } from './query';
import type { Page } from '../page';
import { DEFAULT_PAGE_SIZE } from './pageSize';

/** Retries of the one request a dropdown sends: an editor waiting on a failing server gives up sooner than a run. */
const DROPDOWN_RETRIES = 1;

/** The group parameters as the form holds them; the node and the trigger name them alike. */
function formQuery(context: ILoadOptionsFunctions): GroupQuery {
	const options = context.getCurrentNodeParameter('options');
	return readGroupQuery(context.getNode(), {
		userId: context.getCurrentNodeParameter('userId'),
		groupObj: context.getCurrentNodeParameter('groupObj'),
		groupId: context.getCurrentNodeParameter('groupId'),
		options: typeof options === 'object' && options !== null ? (options as IDataObject) : {},
	});
}

/** Reads the group's first page, with the rows of at most one default page. */
async function firstPage(context: ILoadOptionsFunctions, query: GroupQuery): Promise<Page> {
	const client = await BeschannelsClient.open(context);
	return await client.call(
		{
			path: GROUP_USER_LIST_PATH,
			fields: {
				user_id: query.userId,
				group_obj: query.groupObj,
				groupId: query.groupId,
				page_num: 1,
				page_size: Math.min(query.pageSize ?? DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZE),
			},
			page: 1,
			timeoutMs: query.timeoutMs,
			maxRetries: query.maxRetries ?? DROPDOWN_RETRIES,
		},
		readPage,
	);
}

/** The fields a page shows: its `header` with the app's labels, then its members' other keys, scores last. */
function pageFields(page: Page): INodePropertyOptions[] {
	const fields = new Map<string, INodePropertyOptions>();
	for (const { prop, label } of page.header) {
		const value = outputKey(prop);
		const shown = typeof label === 'string' && label.trim() !== '' && label !== value ? ` (${label})` : '';
		if (!fields.has(value)) fields.set(value, { name: `${value}${shown}`, value });
	}
	const scores = new Set<string>();
	for (const row of page.list) {
		for (const key of Object.keys(row)) {
			const value = outputKey(key);
			if (fields.has(value) || scores.has(value)) continue;
			if (value !== key) scores.add(value);
			else fields.set(value, { name: value, value });
		}
	}
	const model = (field: string) => Number(field.slice('score_'.length));
	const byModel = [...scores].sort((a, b) => model(a) - model(b) || a.localeCompare(b));
	for (const value of byModel) fields.set(value, { name: value, value });
	return [...fields.values()];
}

/**
 * The group's fields for a dropdown (`methods.loadOptions.getGroupFields` of the node and the
 * trigger): one page of the group user list, read through the node's one client.
 */
export async function getGroupFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const query = formQuery(this);
	return pageFields(await firstPage(this, query));
}
