import type { IDataObject } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../Beschannels/shared/constants';
import { readGroup, type GroupQuery } from '../Beschannels/shared/group/groupUsers';
import type { HeaderEntry } from '../Beschannels/shared/group/page';
import { memberIdentity } from '../Beschannels/shared/group/page';
import type { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { decodeMemberSet, encodeMemberSet, identityHash } from './memberSet';
import { requireComplete } from './complete';
import { groupKey, loadState, saveState, type AnyNewMemberState } from './state';

export interface MembershipChange {
	joined: IDataObject[];
	header: HeaderEntry[];
	/** identity_id of each member that left (only when the state keeps identities). */
	left: string[];
}

/** The members at the last poll: hash -> identity (the identity only when the state keeps them). */
function membersBefore(state: AnyNewMemberState | undefined): Map<number, string | undefined> {
	const before = new Map<number, string | undefined>();
	if (state?.ids) for (const id of state.ids) before.set(identityHash(id), id);
	else if (state?.members) for (const hash of decodeMemberSet(state.members)) before.set(hash, undefined);
	return before;
}

/**
 * Any new member: reads the whole group every poll and compares it with the members at the last
 * poll, so a lead created long ago and added to the group today is reported too. Only a read that
 * shows it has the whole group is compared: anything less fails the poll, emitting and saving
 * nothing. A member missing from one complete read is not yet taken as gone (a read of a moving
 * group can miss a member who stayed): it is kept, marked absent, and has left only when the next
 * complete read lacks it too. So a member the trigger knows is never reported as joined again, and
 * "left" is reported once the departure is confirmed. Only the rows of members who joined are kept
 * in memory; the state is written only when it changed.
 */
export async function pollAnyNewMember(
	client: BeschannelsClient,
	query: GroupQuery,
	staticData: IDataObject,
	trackLeft: boolean,
): Promise<MembershipChange> {
	const group = groupKey(query);
	const state = loadState<AnyNewMemberState>(staticData, 'anyNewMember', group);
	const before = membersBefore(state);
	const wasAbsent = state?.absent ? decodeMemberSet(state.absent) : new Set<number>();
	const now = new Map<number, string>();
	const result = await readGroup(client, query, {
		returnAll: true,
		limit: 0,
		concurrency: API_REQUESTS_PER_SECOND,
		keep: (row) => {
			const id = memberIdentity(row);
			if (id === undefined) return undefined;
			const hash = identityHash(id);
			now.set(hash, id);
			return state && !before.has(hash) ? row : undefined;
		},
	});
	requireComplete(client.node, result);

	const joined = result.members;
	const left: string[] = [];
	const absent = new Map<number, string | undefined>();
	let leftCount = 0;
	for (const [hash, id] of before) {
		if (now.has(hash)) continue;
		if (!wasAbsent.has(hash)) {
			absent.set(hash, id);
			continue;
		}
		leftCount++;
		if (id !== undefined) left.push(id);
	}
	const sameShape = state !== undefined && (trackLeft ? state.ids !== undefined : state.members !== undefined);
	const absentChanged = absent.size !== wasAbsent.size || [...absent.keys()].some((hash) => !wasAbsent.has(hash));
	if (!sameShape || joined.length > 0 || leftCount > 0 || absentChanged) {
		const kept = new Map<number, string | undefined>([...now, ...absent]);
		saveState(staticData, {
			mode: 'anyNewMember',
			group,
			...(trackLeft
				? { ids: [...kept.values()].filter((id): id is string => id !== undefined) }
				: { members: encodeMemberSet(kept.keys()) }),
			...(absent.size > 0 && { absent: encodeMemberSet(absent.keys()) }),
			count: now.size,
		});
	}
	return { joined, header: result.header, left };
}
