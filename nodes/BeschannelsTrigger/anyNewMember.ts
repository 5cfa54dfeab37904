import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../Beschannels/shared/constants';
import { assessRead, readGroup, type GroupQuery } from '../Beschannels/shared/groupUsers';
import type { HeaderEntry } from '../Beschannels/shared/paginate';
import { memberIdentity } from '../Beschannels/shared/shape';
import { decodeMemberSet, encodeMemberSet, identityHash } from './memberSet';
import { groupKey, loadState, saveState, type AnyNewMemberState } from './state';

export interface MembershipChange {
	joined: IDataObject[];
	header: HeaderEntry[];
	/** identity_id of each member that left (only when the state keeps identities). */
	left: string[];
	pagesRead: number;
	/** Size of the saved state, in bytes of JSON. */
	stateBytes: number;
}

/**
 * Any new member: reads the whole group every poll and compares it with the members at the last
 * poll, so a lead created long ago and added to the group today is reported too.
 */
export async function pollAnyNewMember(
	this: IPollFunctions,
	query: GroupQuery,
	staticData: IDataObject,
	trackLeft: boolean,
): Promise<MembershipChange> {
	const group = groupKey(query);
	const state = loadState<AnyNewMemberState>(staticData, 'anyNewMember', group);
	const result = await readGroup.call(this, query, {
		returnAll: true,
		limit: 0,
		concurrency: API_REQUESTS_PER_SECOND,
	});
	// A read that could not cover the group must not count absent members as having left.
	assessRead(this.getNode(), result);

	// hash -> identity (the identity is kept only when members who left are reported)
	const before = new Map<number, string | undefined>();
	if (state?.ids) for (const id of state.ids) before.set(identityHash(id), id);
	else if (state?.members) for (const hash of decodeMemberSet(state.members)) before.set(hash, undefined);

	const now = new Map<number, string>();
	const joined: IDataObject[] = [];
	for (const row of result.members) {
		const id = memberIdentity(row);
		if (id === undefined) continue;
		const hash = identityHash(id);
		now.set(hash, id);
		if (state && !before.has(hash)) joined.push(row);
	}
	const left: string[] = [];
	if (state) {
		for (const [hash, id] of before) if (!now.has(hash) && id !== undefined) left.push(id);
	}

	const next: AnyNewMemberState = trackLeft
		? { mode: 'anyNewMember', group, ids: [...now.values()], count: now.size }
		: { mode: 'anyNewMember', group, members: encodeMemberSet(now.keys()), count: now.size };
	saveState(staticData, next);
	return { joined, header: result.header, left, pagesRead: result.pagesRead, stateBytes: JSON.stringify(next).length };
}
