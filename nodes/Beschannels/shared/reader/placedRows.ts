import { fnv1a } from '../fnv1a';
import { ByteList, IdentityList } from '../identityList';
import type { Changes, Placed, PlacedLookup } from './evidence';

/** Columns a member takes: `lo`, `hi`, and which of `changes` it was placed at. */
const COLUMNS = 2;

/**
 * Where each member read may sit, as a Map of identities to `Placed` would keep it, in typed arrays:
 * identities packed (see identityList.ts) in an open-addressing table on their 32-bit FNV-1a hash,
 * compared byte for byte, and each place in columns (the changes `total` had shown, which change
 * seldom, once for each value they took). About 50 bytes a member where a Map holds about 180, which
 * is what lets a poll of a million members stay within a few hundred MB (docs/trigger.md).
 */
export class PlacedRows implements PlacedLookup {
	private readonly identities = new IdentityList();

	private readonly scratch = new ByteList();

	/** Index + 1 of the identity in each slot (0: empty). */
	private slots = new Int32Array(1 << 10);

	private hashes = new Int32Array(1 << 9);

	private columns = new Float64Array(COLUMNS << 9);

	/** Which of `changes` each member was placed at. */
	private at = new Int32Array(1 << 9);

	/** Each value the changes took, in turn. */
	private readonly changes: Changes[] = [];

	/** The index of `identity`, or -1. */
	private find(identity: string, hash: number): number {
		const mask = this.slots.length - 1;
		for (let slot = hash & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
			const index = this.slots[slot] - 1;
			if (this.hashes[index] === hash && this.identities.equals(index, identity, this.scratch)) return index;
		}
		return -1;
	}

	has(identity: string): boolean {
		return this.find(identity, fnv1a(identity) | 0) !== -1;
	}

	get(identity: string): Placed | undefined {
		const index = this.find(identity, fnv1a(identity) | 0);
		if (index === -1) return undefined;
		const { joined, left, pass } = this.changes[this.at[index]];
		return { lo: this.columns[index * COLUMNS], hi: this.columns[index * COLUMNS + 1], joined, left, pass };
	}

	set(identity: string, placed: Placed): void {
		const hash = fnv1a(identity) | 0;
		let index = this.find(identity, hash);
		if (index === -1) index = this.add(identity, hash);
		this.columns[index * COLUMNS] = placed.lo;
		this.columns[index * COLUMNS + 1] = placed.hi;
		this.at[index] = this.changesAt(placed);
	}

	/** The index of the changes `placed` was placed at, added when they differ from the last ones. */
	private changesAt({ joined, left, pass = 0 }: Placed): number {
		const last = this.changes[this.changes.length - 1];
		if (last === undefined || last.joined !== joined || last.left !== left || last.pass !== pass) this.changes.push({ joined, left, pass });
		return this.changes.length - 1;
	}

	private add(identity: string, hash: number): number {
		const index = this.identities.add(identity);
		if (index >= this.hashes.length) {
			this.hashes = grown(this.hashes, this.hashes.length * 2);
			this.at = grown(this.at, this.at.length * 2);
			this.columns = grown(this.columns, this.columns.length * 2);
		}
		this.hashes[index] = hash;
		if ((index + 1) * 2 > this.slots.length) this.rehash();
		else this.slot(hash, index);
		return index;
	}

	private slot(hash: number, index: number): void {
		const mask = this.slots.length - 1;
		let slot = hash & mask;
		while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
		this.slots[slot] = index + 1;
	}

	private rehash(): void {
		this.slots = new Int32Array(this.slots.length * 2);
		for (let index = 0; index < this.identities.count; index++) this.slot(this.hashes[index], index);
	}
}

function grown<T extends Int32Array | Float64Array>(array: T, length: number): T {
	const bigger = new (array.constructor as new (length: number) => T)(length);
	bigger.set(array);
	return bigger;
}
