import type { IDataObject } from 'n8n-workflow';

import type { FieldNames } from '../Beschannels/shared/group/fieldNames';
import { createShaper, ISO_FIELD, outputKey, scoreValue } from '../Beschannels/shared/items/shape';
import { fnv1a } from '../Beschannels/shared/fnv1a';

/**
 * What "a member's fields changed" compares: a 48-bit hash of the member's watched values, shaped
 * as the node outputs them (`score_<id>` numbers) without labels or ISO dates, so that Use Labels
 * or Add ISO Date never make a change. Keys are sorted and numbers normalised (`"12"` is 12), so
 * the order fields come in, or a number sent as text, is no change; a watched field that appears or
 * disappears is. Two different sets of values share a hash with a probability of about 1 in 2^48.
 */

/** The value as compared: numeric text as a number, objects with their keys sorted. */
function canonical(value: unknown): unknown {
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

/** A 48-bit hash of a text, never 0 (0 stands for "not known yet" in the state). */
function valuesHash(text: string): number {
	const high = fnv1a(text) & 0xffff;
	const low = fnv1a(text, 0x050c5d1f);
	return high * 0x1_0000_0000 + low || 1;
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

/** The hash of a row's watched values (`watched` undefined: every field). */
export function createFieldHasher(watched: FieldNames | undefined): (row: IDataObject) => number {
	const shape = createShaper();
	return (row) => {
		const item = shape(row);
		const keys = Object.keys(item)
			.filter((key) => watched === undefined || watched.has(key))
			.sort();
		return valuesHash(JSON.stringify(keys.map((key) => [key, canonical(item[key])])));
	};
}
