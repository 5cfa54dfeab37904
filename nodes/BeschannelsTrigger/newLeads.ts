import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { readGroup, type GroupQuery } from '../Beschannels/shared/groupUsers';
import type { HeaderEntry } from '../Beschannels/shared/paginate';
import { memberIdentity } from '../Beschannels/shared/shape';
import { groupKey, loadState, saveState, type NewLeadsState } from './state';

const CREATED_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function createdTime(row: IDataObject): string | undefined {
	const value = typeof row.CreatedTime === 'string' ? row.CreatedTime.trim() : '';
	return CREATED_TIME.test(value) ? value : undefined;
}

export interface PollOutcome {
	members: IDataObject[];
	header: HeaderEntry[];
	pagesRead: number;
	/** True when the order was not newest first and the whole group was read instead. */
	fellBack: boolean;
}

/**
 * New leads: members created after the newest one seen at the last poll. Reads from the newest
 * and stops at the first page that reaches back past the cursor, as long as the group really is
 * ordered newest first; when it is not, it reads the whole group rather than miss anyone. Members
 * created in the same second as the cursor are told apart by identity.
 */
export async function pollNewLeads(
	this: IPollFunctions,
	query: GroupQuery,
	staticData: IDataObject,
): Promise<PollOutcome> {
	const group = groupKey(query);
	const state = loadState<NewLeadsState>(staticData, 'newLeads', group);
	const cursor = state?.newest ?? '';

	let previous: string | undefined;
	let ordered = true;
	const result = await readGroup.call(this, query, {
		returnAll: true,
		limit: 0,
		concurrency: 1,
		until: (page) => {
			for (const row of page.list) {
				const time = createdTime(row);
				if (time === undefined) continue;
				if (previous !== undefined && time > previous) ordered = false;
				previous = time;
			}
			// On the first poll one page is enough to find the newest, if the order holds.
			if (!state) return ordered;
			return ordered && page.list.some((row) => (createdTime(row) ?? '') < cursor);
		},
	});

	const seenAtCursor = new Set(state?.newestIds ?? []);
	let newest = cursor;
	const fresh: IDataObject[] = [];
	for (const row of result.members) {
		const time = createdTime(row);
		if (time === undefined) continue;
		if (time > newest) newest = time;
		if (!state) continue;
		const id = memberIdentity(row);
		if (time > cursor || (time === cursor && id !== undefined && !seenAtCursor.has(id))) fresh.push(row);
	}
	const newestIds = new Set(newest === cursor ? seenAtCursor : []);
	for (const row of result.members) {
		const id = memberIdentity(row);
		if (id !== undefined && createdTime(row) === newest) newestIds.add(id);
	}
	saveState(staticData, { mode: 'newLeads', group, newest, newestIds: [...newestIds] });
	if (!ordered) {
		this.logger.warn(
			'Beschannels Trigger: the group is not ordered newest first; read the whole group so no new lead is missed',
		);
	}
	return { members: fresh, header: result.header, pagesRead: result.pagesRead, fellBack: !ordered };
}
