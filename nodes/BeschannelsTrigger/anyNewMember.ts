import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { API_REQUESTS_PER_SECOND } from '../Beschannels/shared/constants';
import { unknownFieldsError } from '../Beschannels/shared/group/fieldNames';
import { readGroup } from '../Beschannels/shared/group/groupUsers';
import { MAX_PAGE_SIZE } from '../Beschannels/shared/group/pageSize';
import { rememberServed, servedFor } from '../Beschannels/shared/group/served';
import type { GroupQuery } from '../Beschannels/shared/group/query';
import { judgeRead } from '../Beschannels/shared/group/verdict';
import type { HeaderEntry } from '../Beschannels/shared/page';
import { memberIdentity } from '../Beschannels/shared/page';
import type { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { FieldChanges } from './fieldChanges';
import { LastPoll } from './lastPoll';
import { MemberList } from './memberList';
import { identityHash } from './memberSet';
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

/**
 * What the read keeps of a row while its page waits its turn: its identity, its position at the
 * last poll, the hash of its watched values, and the whole row only when it is to be emitted.
 */
interface Arrived {
	identity_id: string;
	hash: number;
	position: number;
	fields: number;
	whole?: IDataObject;
}

/** Members of the last poll missing now: newly absent (kept), or absent twice in a row (left). */
interface Departures {
	leftCount: number;
	left: string[];
	absentChanged: boolean;
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
 * fieldChanges.ts). Each row is reduced as its page arrives to what the state keeps of it (see
 * `Arrived`): only the rows of members who joined or changed are kept whole, and the next state
 * is written as members are taken (see memberList.ts); it is saved only when it changed.
 */
export async function pollAnyNewMember(
	client: BeschannelsClient,
	query: GroupQuery,
	staticData: IDataObject,
	options: AnyNewMemberOptions,
): Promise<MembershipChange> {
	const group = groupKey(query);
	const state = loadState<AnyNewMemberState>(staticData, 'anyNewMember', group);
	const last = state && new LastPoll(state);
	const count = last ? last.count : 0;
	const fields = options.updates && new FieldChanges(state, options.updates.watched, count);
	const next = new MemberList(options.trackLeft, fields?.watched, count);
	const seen = new Uint8Array(count);
	const result = await readMembers(client, query, { last, fields, next, seen });
	judgeRead(client.node, result, { poll: true });
	throwOnUnknownFields(client, fields);

	const joined: IDataObject[] = [];
	const updated: IDataObject[] = [];
	for (const row of result.members) (last!.positionOf(identityHash(memberIdentity(row))) >= 0 ? updated : joined).push(row);
	const gone = last ? departures(last, seen, next, fields) : { leftCount: 0, left: [], absentChanged: false };
	if (joined.length > 0 || stateChanged(state, options, gone, fields)) saveState(staticData, next.state(group));
	return { joined, updated, header: result.header, left: gone.left, read: result.read };
}

/** Reads the group, each row reduced as it arrives, each member taken added to `next` and marked `seen`. */
async function readMembers(
	client: BeschannelsClient,
	query: GroupQuery,
	{ last, fields, next, seen }: { last?: LastPoll; fields?: FieldChanges; next: MemberList; seen: Uint8Array },
) {
	const result = await readGroup(client, query, {
		returnAll: true,
		limit: 0,
		concurrency: API_REQUESTS_PER_SECOND,
		...knownSize(client, query),
		onPage: (page) => fields?.names?.learnHeader(page.header),
		slim: (row) => arrived(row, last, fields),
		keep: (row) => {
			const member = row as unknown as Arrived;
			if (member.position >= 0) seen[member.position] = 1;
			fields?.see(member.position, member.fields);
			next.add(member.hash, member.identity_id, member.fields);
			return member.whole;
		},
	});
	// a group read in answers smaller than asked: the server serves no more (or hides rows)
	const asked = query.pageSize ?? MAX_PAGE_SIZE;
	rememberServed(client.account.accountKey, result.served, result.served < asked && result.read > result.served);
	return result;
}

/**
 * The page size an earlier poll of this account showed the server serves, asked from the start, so
 * a server that serves fewer rows than asked costs page-1 probes only at the first poll of a process.
 */
function knownSize(client: BeschannelsClient, query: GroupQuery): { pageSize?: number; served?: number } {
	const known = servedFor(client.account.accountKey);
	if (known === undefined) return {};
	return known.learned && query.pageSize === undefined ? { pageSize: known.rows, served: known.rows } : { served: known.rows };
}

/** A row as its page arrives, reduced to what the poll needs of it (see `Arrived`). */
function arrived(row: IDataObject, last: LastPoll | undefined, fields: FieldChanges | undefined): IDataObject {
	const id = memberIdentity(row);
	const hash = identityHash(id);
	const position = last ? last.positionOf(hash) : -1;
	const values = fields ? fields.hash(row) : 0;
	// the first poll records the group: nothing is emitted
	const emitted = last !== undefined && (position < 0 || fields?.differs(position, values) === true);
	const member: Arrived = { identity_id: id, hash, position, fields: values, ...(emitted && { whole: row }) };
	return member as unknown as IDataObject;
}

/** The members of the last poll this read lacked: absent once, they are kept; absent twice, they left. */
function departures(last: LastPoll, seen: Uint8Array, next: MemberList, fields: FieldChanges | undefined): Departures {
	const left: string[] = [];
	let leftCount = 0;
	let absent = 0;
	for (let position = 0; position < last.count; position++) {
		if (seen[position] === 1 || !last.first(position)) continue;
		const hash = last.hashAt(position);
		if (last.absent.has(hash)) {
			leftCount++;
			const id = last.idAt(position);
			if (id !== undefined) left.push(id);
			continue;
		}
		next.addAbsent(hash, last.idAt(position), fields?.last(position) ?? 0);
		absent++;
	}
	// a member absent before is now back or has left, and one newly absent is not in the set before:
	// either way the set changed
	return { leftCount, left, absentChanged: absent > 0 || last.absent.size > 0 };
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
	const sameShape = state !== undefined && (options.trackLeft ? state.packed !== undefined : state.members !== undefined);
	const fieldsChanged = fields ? fields.changed : state?.fields !== undefined;
	return !sameShape || gone.leftCount > 0 || gone.absentChanged || fieldsChanged;
}
