import type { IDataObject } from 'n8n-workflow';

import type { GroupQuery } from '../Beschannels/shared/group/query';

/** What the trigger keeps between polls, in the workflow's static data. */
export interface NewLeadsState {
	mode: 'newLeads';
	/** Which group the state belongs to: a change of group starts over. */
	group: string;
	/**
	 * The newest CreatedTime seen that is not past the clock (`YYYY-MM-DD HH:mm:ss`), and the members
	 * created in that second or dated after it (emitted already).
	 */
	newest: string;
	newestIds: string[];
}

export interface AnyNewMemberState {
	mode: 'anyNewMember';
	group: string;
	/** The members at the last poll as compact hashes (see memberSet.ts)... */
	members?: string;
	/** ...or as identities, packed (see shared/identityList.ts), when members who left are reported... */
	packed?: string;
	/** ...or, as earlier versions saved them, as a list (read, never written). */
	ids?: string[];
	/**
	 * Members (hashes, as `members`) that the last complete read did not hold, still counted as
	 * members: they have left only once a second complete read in a row lacks them too.
	 */
	absent?: string;
	/**
	 * With "members whose fields changed" only: a 48-bit hash of each member's watched values (see
	 * fieldHash.ts), 6 bytes each in the order of `members` or `packed` (0: none yet), in base64...
	 */
	fields?: string;
	/** ...and the Fields to Watch they were made with (sorted; empty: every field). */
	watched?: string[];
	count: number;
}

type TriggerState = NewLeadsState | AnyNewMemberState;

/** The group a state belongs to. */
export function groupKey(query: GroupQuery): string {
	return JSON.stringify([query.userId, query.groupObj, query.groupId, query.searchStr]);
}

/** The state saved for this mode and group, or undefined when there is none yet (first poll). */
export function loadState<T extends TriggerState>(
	staticData: IDataObject,
	mode: T['mode'],
	group: string,
): T | undefined {
	const state = staticData.state as T | undefined;
	return state && state.mode === mode && state.group === group ? state : undefined;
}

export function saveState(staticData: IDataObject, state: TriggerState): void {
	staticData.state = state as unknown as IDataObject;
}
