import type { IDataObject } from 'n8n-workflow';

import type { FieldNames } from '../Beschannels/shared/group/fieldNames';
import { ISO_FIELD, outputKey, scoreValue } from '../Beschannels/shared/items/shape';
import { fnv1a, FNV_OFFSET_BASIS } from '../Beschannels/shared/fnv1a';

/**
 * What "a member's fields changed" compares: a 48-bit hash of the member's watched values, shaped
 * as the node outputs them (`score_<id>` numbers) without labels or ISO dates, so that Use Labels
 * or Add ISO Date never make a change. Keys are sorted and numbers normalised (`"12"` is 12), so
 * the order fields come in, or a number sent as text, is no change; a watched field that appears or
 * disappears is. Two different sets of values share a hash with a probability of about 1 in 2^48.
 */

/** The value as compared: numeric text as a number, objects with their keys sorted. */
export function canonical(value: unknown): unknown {
	if (typeof value === 'string') return scoreValue(value);
	if (Array.isArray(value)) return value.map(canonical);
	if (value !== null && typeof value === 'object') {
		const object = value as Record<string, unknown>;
		return Object.fromEntries(
			Object.keys(object)
				.sort()
				.map((key) => [key, canonical(object[key])]),
		);
	}
	return value;
}

/**
 * A 48-bit hash of a text given piece by piece, never 0 (0 stands for "not known yet" in the state):
 * FNV-1a of the whole text with two bases, each piece hashed on from where the text before it left
 * the hash, as `fnv1a` would hash the pieces joined, without joining them.
 */
class ValuesHash {
	private high = FNV_OFFSET_BASIS;

	private low = 0x050c5d1f;

	add(piece: string): void {
		this.high = fnv1a(piece, this.high);
		this.low = fnv1a(piece, this.low);
	}

	value(): number {
		return (this.high & 0xffff) * 0x1_0000_0000 + this.low || 1;
	}
}

/**
 * Fields to Watch as set: a list of names, or names separated by commas (typed, or from an
 * expression). Blanks are dropped; `Score-<id>` is read as `score_<id>`, and `CreatedTimeIso` as
 * the `CreatedTime` it is made from. Sorted, without repeats. Anything that is not a name or a list
 * of names fails: it never widens the watch to every field.
 */
export function readWatchFields(value: unknown, fail: (message: string, description: string) => Error): string[] {
	if (value === undefined || value === null) return [];
	const parts = Array.isArray(value) ? value : [value];
	if (parts.some((part) => typeof part !== 'string' && typeof part !== 'number')) {
		throw fail(
			'Fields to Watch must be field names',
			'Choose fields from the list, or give an expression that returns names separated by commas (e.g. Email,score_20408) or a list of names. Nothing was read or saved.',
		);
	}
	const names = new Set<string>();
	for (const part of parts) {
		for (const raw of String(part).split(',')) {
			const name = raw.trim();
			if (name) names.add(name === ISO_FIELD ? 'CreatedTime' : outputKey(name));
		}
	}
	return [...names].sort();
}

/**
 * The hash of a row's watched values (`watched` undefined: every field): of the JSON text of its
 * `[name, value]` pairs as the node outputs them (`Score-<id>` as `score_<id>`; a name two keys
 * share takes the later value, as in an item), sorted by name, fed to the hash pair by pair. Neither
 * the item nor the text is built, so hashing a million members costs little and leaves little for
 * the heap to collect.
 */
export function createFieldHasher(watched: FieldNames | undefined): (row: IDataObject) => number {
	return (row) => {
		const pairs: Array<[string, unknown]> = [];
		for (const key in row) {
			const name = outputKey(key);
			// an item never holds `__proto__` as a field of its own
			if (name !== '__proto__' && (watched === undefined || watched.has(name))) pairs.push([name, row[key]]);
		}
		// a stable sort: of pairs that share a name, the last in the row's order is the item's
		pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
		const hash = new ValuesHash();
		hash.add('[');
		let first = true;
		for (let index = 0; index < pairs.length; index++) {
			const [name, value] = pairs[index];
			if (index + 1 < pairs.length && pairs[index + 1][0] === name) continue;
			hash.add(first ? '[' : ',[');
			first = false;
			hash.add(JSON.stringify(name));
			hash.add(',');
			// as JSON.stringify writes a value inside an array: undefined as null (numeric text is a number either way)
			hash.add((JSON.stringify(canonical(value)) as string | undefined) ?? 'null');
			hash.add(']');
		}
		hash.add(']');
		return hash.value();
	};
}
