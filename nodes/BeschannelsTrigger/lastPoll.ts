import { HashIndex } from './hashIndex';
import { decodeMemberSet, identityHash } from './memberSet';
import { IdentityList } from '../Beschannels/shared/identityList';
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
		this.ids = packed ?? (list && { at: (position: number) => list[position] });
		const members = this.ids ? undefined : [...decodeMemberSet(state.members ?? '')];
		const count = packed ? packed.count : (list?.length ?? members!.length);
		this.hashes = new Float64Array(count);
		this.index = new HashIndex(count);
		for (let position = 0; position < count; position++) {
			const hash = members ? members[position] : identityHash(this.ids!.at(position));
			this.hashes[position] = hash;
			this.index.add(hash, position);
		}
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
