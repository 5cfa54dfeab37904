import type { IDataObject } from 'n8n-workflow';

import { readGroup } from '../Beschannels/shared/group/groupUsers';
import type { GroupQuery } from '../Beschannels/shared/group/query';
import type { HeaderEntry } from '../Beschannels/shared/group/page';
import { memberIdentity } from '../Beschannels/shared/group/page';
import type { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { requireComplete } from './complete';
import { groupKey, loadState, saveState, type NewLeadsState } from './state';

const CREATED_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/;

/** `CreatedTime` as `YYYY-MM-DD HH:mm:ss` (also read with a `T`), or undefined if unreadable. */
function createdTime(row: IDataObject): string | undefined {
	const value = typeof row.CreatedTime === 'string' ? row.CreatedTime.trim() : '';
	const match = CREATED_TIME.exec(value);
	return match ? `${match[1]} ${match[2]}` : undefined;
}

export interface PollOutcome {
	members: IDataObject[];
	header: HeaderEntry[];
	/** True when the order was not newest first and the whole group was read instead. */
	fellBack: boolean;
	/** Members read whose CreatedTime could not be read (never emitted). */
	undated: number;
	/** Members read. */
	read: number;
}

/**
 * New leads: members created after the newest one seen at the last poll. Reads from the newest
 * and stops at the first page that reaches back past the cursor (on the first poll, past the newest
 * second, so that every member created in it is known), as long as the group really is ordered
 * newest first; when it is not, it reads the whole group rather than miss anyone. Members
 * created in the same second as the cursor are told apart by identity. A row without a readable
 * CreatedTime neither ends the read nor moves the cursor. The state is written only when it moves.
 */
export async function pollNewLeads(
	client: BeschannelsClient,
	query: GroupQuery,
	staticData: IDataObject,
): Promise<PollOutcome> {
	const group = groupKey(query);
	const state = loadState<NewLeadsState>(staticData, 'newLeads', group);
	const cursor = state?.newest ?? '';

	let previous: string | undefined;
	let newestSeen = '';
	let ordered = true;
	const result = await readGroup(client, query, {
		returnAll: true,
		limit: 0,
		concurrency: 1,
		until: (page) => {
			let reachesBack = false;
			for (const row of page.list) {
				const time = createdTime(row);
				if (time === undefined) continue;
				if (previous !== undefined && time > previous) ordered = false;
				previous = time;
				if (time > newestSeen) newestSeen = time;
				// past the cursor; on the first poll, past every member of the newest second (a bulk
				// import can put hundreds in one second, across pages)
				if (state ? time < cursor : time < newestSeen) reachesBack = true;
			}
			return ordered && reachesBack;
		},
	});
	requireComplete(client.node, result);

	const seenAtCursor = new Set(state?.newestIds ?? []);
	let newest = cursor;
	let undated = 0;
	const fresh: IDataObject[] = [];
	for (const row of result.members) {
		const time = createdTime(row);
		if (time === undefined) {
			undated++;
			continue;
		}
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
	const moved = !state || newest !== cursor || newestIds.size !== seenAtCursor.size;
	if (moved) saveState(staticData, { mode: 'newLeads', group, newest, newestIds: [...newestIds] });
	return { members: fresh, header: result.header, fellBack: !ordered, undated, read: result.read };
}
