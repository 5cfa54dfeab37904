import type { IDataObject } from 'n8n-workflow';

import { FieldNames } from '../Beschannels/shared/group/fieldNames';
import { createFieldHasher, decodeHashes, encodeHashes } from './fieldHash';
import { decodeMemberSet, identityHash } from './memberSet';
import type { AnyNewMemberState } from './state';

function sameNames(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((name, index) => name === b[index]);
}

/**
 * The hash of each member's watched values at the last poll, by member hash; undefined when the
 * state has none for these Fields to Watch (saved by an earlier version, with the option off, or for
 * other fields).
 */
function hashesBefore(state: AnyNewMemberState | undefined, watched: string[]): Map<number, number> | undefined {
	if (state?.fields === undefined || !sameNames(state.watched ?? [], watched)) return undefined;
	const members = state.ids ? state.ids.map(identityHash) : [...decodeMemberSet(state.members ?? '')];
	const hashes = decodeHashes(state.fields);
	if (hashes.length !== members.length) return undefined;
	return new Map(members.map((member, index) => [member, hashes[index]]));
}

/**
 * Which members' watched fields changed since the last poll. Each member read is hashed (see
 * fieldHash.ts) and compared with the hash saved for it. Without saved hashes for these fields,
 * the poll only records them: turning the option on, or changing Fields to Watch, reports nothing
 * at that poll. A member absent from a read keeps its last hash, so it is compared with what was
 * last seen when it is back.
 */
export class FieldChanges {
	private readonly before: Map<number, number> | undefined;

	private readonly now = new Map<number, number>();

	private readonly hash: (row: IDataObject) => number;

	/** Whether the hashes to save differ from those saved. */
	changed: boolean;

	/** Which fields the names in Fields to Watch name (undefined: every field). */
	readonly names: FieldNames | undefined;

	constructor(
		state: AnyNewMemberState | undefined,
		private readonly watched: string[],
	) {
		this.before = hashesBefore(state, watched);
		this.names = watched.length > 0 ? new FieldNames(watched) : undefined;
		this.hash = createFieldHasher(this.names);
		this.changed = this.before === undefined;
	}

	/** Records a member's values as read; true when they differ from those it had at the last poll. */
	see(member: number, row: IDataObject): boolean {
		const hash = this.hash(row);
		this.now.set(member, hash);
		const last = this.before?.get(member);
		if (last === hash) return false;
		this.changed = true;
		// 0: kept without a hash (absent when hashes were first recorded)
		return last !== undefined && last !== 0;
	}

	/** What the state keeps for `members`, in the order they are saved: the hash read now, else the last one. */
	saved(members: number[]): Pick<AnyNewMemberState, 'fields' | 'watched'> {
		const hashes = members.map((member) => this.now.get(member) ?? this.before?.get(member) ?? 0);
		return { fields: encodeHashes(hashes), watched: this.watched };
	}
}
