/**
 * A map from 48-bit hashes to positions in a list, in two typed arrays (12 bytes a slot, at most
 * half of them used): a million members take 24 MB where a Map of numbers takes about 80.
 */
export class HashIndex {
	private keys: Float64Array;

	private values: Int32Array;

	private mask: number;

	size = 0;

	constructor(expected = 0) {
		let capacity = 16;
		while (capacity < expected * 2) capacity *= 2;
		this.keys = new Float64Array(capacity);
		this.values = new Int32Array(capacity).fill(-1);
		this.mask = capacity - 1;
	}

	/** The slot of `key`, or of the empty slot where it would go. */
	private slot(key: number): number {
		let slot = (key >>> 0) & this.mask;
		while (this.values[slot] !== -1 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
		return slot;
	}

	/** The position kept for `key`, or -1. */
	get(key: number): number {
		return this.values[this.slot(key)];
	}

	/** Keeps `value` (0 or more) for `key`, unless a position is kept for it already. */
	add(key: number, value: number): void {
		if ((this.size + 1) * 2 > this.keys.length) this.grow();
		const slot = this.slot(key);
		if (this.values[slot] !== -1) return;
		this.keys[slot] = key;
		this.values[slot] = value;
		this.size++;
	}

	private grow(): void {
		const { keys, values } = this;
		this.keys = new Float64Array(keys.length * 2);
		this.values = new Int32Array(keys.length * 2).fill(-1);
		this.mask = keys.length * 2 - 1;
		this.size = 0;
		for (let slot = 0; slot < keys.length; slot++) if (values[slot] !== -1) this.add(keys[slot], values[slot]);
	}
}
