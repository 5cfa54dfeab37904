import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../Beschannels/shared/constants';
import { unknownFieldsError } from '../Beschannels/shared/group/fieldNames';
import { readGroup } from '../Beschannels/shared/group/groupUsers';
import type { GroupQuery } from '../Beschannels/shared/group/query';
import { judgeRead } from '../Beschannels/shared/group/verdict';
import type { HeaderEntry } from '../Beschannels/shared/page';
import { memberIdentity } from '../Beschannels/shared/page';
import type { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { FieldChanges } from './fieldChanges';
import { decodeMemberSet, encodeMemberSet, identityHash } from './memberSet';
import { groupKey, loadState, saveState, type AnyNewMemberState } from './state';

interface MembershipChange {
	joined: IDataObject[];
	/** Members whose watched fields changed (only when asked for). */
	updated: IDataObject[];
	header: HeaderEntry[];
	/** identity_id of each member that left (only when the state keeps identities). */
	left: string[];
	/** Members read. */
	read: number;
}

export interface AnyNewMemberOptions {
	/** Keep identities in the state, to report members who left. */
	trackLeft: boolean;
	/** Report members whose fields changed: the fields that count (empty: every field). */
	updates?: { watched: string[] };
}

/** The members at the last poll: hash -> identity (the identity only when the state keeps them). */
function membersBefore(state: AnyNewMemberState | undefined): Map<number, string | undefined> {
	const before = new Map<number, string | undefined>();
	if (state?.ids) for (const id of state.ids) before.set(identityHash(id), id);
	else if (state?.members) for (const hash of decodeMemberSet(state.members)) before.set(hash, undefined);
	return before;
}

/** Members of the last poll missing now: newly absent (kept), or absent twice in a row (left). */
interface Departures {
	absent: Map<number, string | undefined>;
	leftCount: number;
	left: string[];
	absentChanged: boolean;
}

function departures(before: Map<number, string | undefined>, now: Map<number, string>, state?: AnyNewMemberState): Departures {
	const wasAbsent = state?.absent ? decodeMemberSet(state.absent) : new Set<number>();
	const absent = new Map<number, string | undefined>();
	const left: string[] = [];
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
	const absentChanged = absent.size !== wasAbsent.size || [...absent.keys()].some((hash) => !wasAbsent.has(hash));
	return { absent, leftCount, left, absentChanged };
}

/**
 * Any new member: reads the whole group every poll and compares it with the members at the last
 * poll, so a lead created long ago and added to the group today is reported too. Only a read that
 * shows it has the whole group is compared: anything less fails the poll, emitting and saving
 * nothing. A member missing from one complete read is not yet taken as gone (a read of a moving
 * group can miss a member who stayed): it is kept, marked absent, and has left only when the next
 * complete read lacks it too. So a member the trigger knows is never reported as joined again, and
 * "left" is reported once the departure is confirmed. With `updates`, a member the trigger knows
 * whose watched fields differ from those it had at the last poll is reported as updated (see
 * fieldChanges.ts). Only the rows of members who joined or changed are kept in memory; the state is
 * written only when it changed.
 */
export async function pollAnyNewMember(
	client: BeschannelsClient,
	query: GroupQuery,
	staticData: IDataObject,
	options: AnyNewMemberOptions,
): Promise<MembershipChange> {
	const group = groupKey(query);
	const state = loadState<AnyNewMemberState>(staticData, 'anyNewMember', group);
	const before = membersBefore(state);
	const fields = options.updates && new FieldChanges(state, options.updates.watched);
	const now = new Map<number, string>();
	const result = await readGroup(client, query, {
		returnAll: true,
		limit: 0,
		concurrency: API_REQUESTS_PER_SECOND,
		onPage: (page) => fields?.names?.learnHeader(page.header),
		keep: (row) => {
			const id = memberIdentity(row);
			const hash = identityHash(id);
			now.set(hash, id);
			const changed = fields?.see(hash, row) === true;
			return state && (!before.has(hash) || changed) ? row : undefined;
		},
	});
	judgeRead(client.node, result, { poll: true });
	throwOnUnknownFields(client, fields);

	const joined: IDataObject[] = [];
	const updated: IDataObject[] = [];
	for (const row of result.members) (before.has(identityHash(memberIdentity(row))) ? updated : joined).push(row);
	const gone = departures(before, now, state);
	if (joined.length > 0 || stateChanged(state, options, gone, fields)) {
		saveState(staticData, nextState(group, now, gone.absent, options.trackLeft, fields));
	}
	return { joined, updated, header: result.header, left: gone.left, read: result.read };
}

/** Fails the poll, emitting and saving nothing, when Fields to Watch names a field the group lacks. */
function throwOnUnknownFields(client: BeschannelsClient, fields: FieldChanges | undefined): void {
	const unknown =
		fields?.names &&
		unknownFieldsError('Fields to Watch', fields.names, (message, description) => new NodeOperationError(client.node, message, { description }), 'Nothing was emitted or saved.');
	if (unknown) throw unknown;
}

/**
 * Whether the state must be written though no member joined: it was kept in another shape (or not
 * at all), a member left, the absent members changed, or the watched fields did.
 */
function stateChanged(state: AnyNewMemberState | undefined, options: AnyNewMemberOptions, gone: Departures, fields: FieldChanges | undefined): boolean {
	const sameShape = state !== undefined && (options.trackLeft ? state.ids !== undefined : state.members !== undefined);
	const fieldsChanged = fields ? fields.changed : state?.fields !== undefined;
	return !sameShape || gone.leftCount > 0 || gone.absentChanged || fieldsChanged;
}

/** The state after a complete read: the members read now and those absent once, in one order. */
function nextState(
	group: string,
	now: Map<number, string>,
	absent: Map<number, string | undefined>,
	trackLeft: boolean,
	fields: FieldChanges | undefined,
): AnyNewMemberState {
	const kept = [...new Map<number, string | undefined>([...now, ...absent])].filter(([, id]) => !trackLeft || id !== undefined);
	const hashes = kept.map(([hash]) => hash);
	return {
		mode: 'anyNewMember',
		group,
		...(trackLeft ? { ids: kept.map(([, id]) => id!) } : { members: encodeMemberSet(hashes) }),
		...(absent.size > 0 && { absent: encodeMemberSet(absent.keys()) }),
		...fields?.saved(hashes),
		count: now.size,
	};
}
