import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { fnv1a } from '../../nodes/Beschannels/shared/fnv1a';
import { FieldNames } from '../../nodes/Beschannels/shared/group/fieldNames';
import { createShaper } from '../../nodes/Beschannels/shared/items/shape';
import { canonical, createFieldHasher } from '../../nodes/BeschannelsTrigger/fieldHash';

/**
 * The hash of a member's watched values is what earlier versions saved: the hash of the whole JSON
 * text of its sorted `[key, value]` pairs, joined, as they computed it (below). Were it to differ, every
 * member would be reported as updated once after an upgrade.
 */

/** The hash as saved by earlier versions. */
function savedHash(row: IDataObject, watched?: FieldNames): number {
	const item = createShaper()(row);
	const keys = Object.keys(item)
		.filter((key) => watched === undefined || watched.has(key))
		.sort();
	const text = JSON.stringify(keys.map((key) => [key, canonical(item[key])]));
	return (fnv1a(text) & 0xffff) * 0x1_0000_0000 + fnv1a(text, 0x050c5d1f) || 1;
}

describe('the hash of watched values', () => {
	const key = fc.oneof(fc.constantFrom('Email', 'FullName', 'Score-20408', 'score_20408', 'Score-3765', 'CreatedTime', 'identity_id', '邮箱', 'a"b', '', '__proto__', 'Score-__proto__', '10', '2'), fc.string({ maxLength: 12 }));
	const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('12', '', ' 7 ', '1e3', '线索', '"'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
	const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), leaf, { maxKeys: 3 }));
	const row = fc.dictionary(key, value, { maxKeys: 12 });

	// keys two of which name one field (Score-20408 and score_20408), numeric keys, `__proto__`
	it('is the hash earlier versions saved, for every field and for some', () => {
		fc.assert(
			fc.property(row, fc.subarray(['Email', 'score_20408', 'FullName', 'nothing']), (r, names) => {
				expect(createFieldHasher(undefined)(r)).toBe(savedHash(r));
				const watched = new FieldNames(names);
				expect(createFieldHasher(new FieldNames(names))(r)).toBe(savedHash(r, watched));
			}),
			{ numRuns: 1000 },
		);
	});
});
