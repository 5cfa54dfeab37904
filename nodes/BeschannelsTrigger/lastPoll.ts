import { HashIndex } from './hashIndex';
import { decodeMemberSet, identityHash } from './memberSet';
import { IdentityList, identityInBase64 } from '../Beschannels/shared/identityList';
import type { AnyNewMemberState } from './state';

/**
 * The members the last poll saved, decoded compactly: a position for each, its identity hash, and
 * its identity when the state keeps identities (decoded only when asked for). Reads every shape
 * earlier versions saved: identities packed (`packed`), as a list (`ids`), or hashes only (`members`).
 */
export class LastPoll {
	/** Each member's position, by identity hash (the first position when two share a hash). */
	readonly index: HashIndex;

	private readonly hashes: Float64Array;

	private readonly ids: { at: (position: number) => string } | undefined;

	/** Members absent from the last complete read (hashes), still counted as members. */
	readonly absent: Set<number>;

	constructor(state: AnyNewMemberState) {
		const list = state.ids;
		const packed = state.packed === undefined ? undefined : IdentityList.fromBase64(state.packed);
		const ids = packed ?? (list && { at: (position: number) => list[position] });
		const members = ids ? undefined : [...decodeMemberSet(state.members ?? '')];
		const count = packed ? packed.count : (list?.length ?? members!.length);
		this.hashes = new Float64Array(count);
		this.index = new HashIndex(this.hashes);
		for (let position = 0; position < count; position++) {
			this.hashes[position] = members ? members[position] : identityHash(ids!.at(position));
			this.index.add(position);
		}
		// the few identities asked later (members absent, or who left) are decoded from the saved text
		// itself, so the packed bytes need not be kept
		const offsets = packed?.offsets().slice();
		this.ids = offsets ? { at: (position) => identityInBase64(state.packed!, offsets[position], offsets[position + 1]) } : ids;
		this.absent = state.absent ? decodeMemberSet(state.absent) : new Set<number>();
	}

	get count(): number {
		return this.hashes.length;
	}

	hashAt(position: number): number {
		return this.hashes[position];
	}

	/** The member's identity, when the state keeps identities. */
	idAt(position: number): string | undefined {
		return this.ids?.at(position);
	}

	/** The position of the member with this identity hash, or -1 when the last poll did not know it. */
	positionOf(hash: number): number {
		return this.index.get(hash);
	}

	/** Whether `position` is the one the index keeps for its hash (not a second member with the same hash). */
	first(position: number): boolean {
		return this.index.get(this.hashes[position]) === position;
	}
}
