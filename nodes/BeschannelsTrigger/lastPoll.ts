import { HashIndex } from './hashIndex';
import { decodeMemberSet, identityHash } from './memberSet';
import { eachPackedIdentity, grown, identityInBase64 } from '../Beschannels/shared/identityList';
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
		const { hashes, ids } = state.packed === undefined ? fromList(state) : fromPacked(state.packed);
		this.hashes = hashes;
		this.ids = ids;
		this.index = new HashIndex(this.hashes);
		for (let position = 0; position < hashes.length; position++) this.index.add(position);
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

type Decoded = { hashes: Float64Array; ids: { at: (position: number) => string } | undefined };

/**
 * The identities packed in the saved text, hashed as they are decoded a block at a time; the few
 * asked later (members absent, or who left) are decoded again from the text itself, by where their
 * bytes lie, so neither the packed bytes nor the identities are kept.
 */
function fromPacked(encoded: string): Decoded {
	// a UUID packs in 17 bytes, which is what Beschannels' identities are
	let hashes = new Float64Array(Math.ceil((encoded.length * 3) / 4 / 17) + 1);
	let offsets = new Int32Array(hashes.length + 1);
	let count = 0;
	eachPackedIdentity(encoded, (identity, start, end) => {
		if (count + 1 >= hashes.length) {
			hashes = grown(hashes, hashes.length * 2);
			offsets = grown(offsets, hashes.length + 1);
		}
		hashes[count] = identityHash(identity);
		offsets[count] = start;
		offsets[++count] = end;
	});
	return { hashes: hashes.subarray(0, count), ids: { at: (position) => identityInBase64(encoded, offsets[position], offsets[position + 1]) } };
}

/** Identities as earlier versions saved them (a list), or hashes only. */
function fromList(state: AnyNewMemberState): Decoded {
	const list = state.ids;
	const members = list ? undefined : [...decodeMemberSet(state.members ?? '')];
	const hashes = list ? Float64Array.from(list, identityHash) : Float64Array.from(members!);
	return { hashes, ids: list && { at: (position) => list[position] } };
}
