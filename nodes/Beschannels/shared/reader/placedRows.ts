import { fnv1a } from '../fnv1a';
import { ByteList, grown, IdentityList } from '../identityList';
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

	/** How many members the group is said to hold (`total`): the columns grow straight to it. */
	private expected = 0;

	/** The members `total` says the group holds, so the arrays grow to that many at once, not by doubling. */
	expect(total: number): void {
		this.expected = Math.max(this.expected, total);
	}

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
			const length = capacity(this.hashes.length, this.expected);
			this.hashes = grown(this.hashes, length);
			this.at = grown(this.at, length);
			this.columns = grown(this.columns, length * COLUMNS);
			this.identities.reserve(length);
		}
		this.hashes[index] = hash;
		if ((index + 1) * 2 > this.slots.length) this.rehash(index + 1);
		else this.slot(hash, index);
		return index;
	}

	private slot(hash: number, index: number): void {
		const mask = this.slots.length - 1;
		let slot = hash & mask;
		while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
		this.slots[slot] = index + 1;
	}

	private rehash(count: number): void {
		let length = this.slots.length * 2;
		// straight to the size the group's total asks, at most 4 times the last (a total may lie)
		while (length < Math.min(this.slots.length * 4, 2 * Math.max(count, this.expected))) length *= 2;
		this.slots = new Int32Array(length);
		for (let index = 0; index < this.identities.count; index++) this.slot(this.hashes[index], index);
	}
}

/** Room for members after `length`: twice as many, or as many as `total` says, up to 4 times (a total may lie). */
function capacity(length: number, expected: number): number {
	return Math.max(length * 2, Math.min(length * 4, Math.ceil(expected * 1.02)));
}
