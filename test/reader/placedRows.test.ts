import fc from 'fast-check';

import type { Placed } from '../../nodes/Beschannels/shared/reader/evidence';
import { PlacedRows } from '../../nodes/Beschannels/shared/reader/placedRows';

/** The reader's record of where each member read sat answers exactly as a Map of identities to places would. */
describe('PlacedRows', () => {
	it('answers has and get as a Map does, for identities of any shape and places of any value, whatever total the group is said to hold', () => {
		const identity = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 60 }), fc.constantFrom('m1', 'm2', '"q"', '\ud800', '0'));
		const place: fc.Arbitrary<Placed> = fc.record({
			lo: fc.integer({ min: -5, max: 1e12 }),
			hi: fc.integer({ min: 0, max: 1e12 }),
			joined: fc.integer({ min: 0, max: 3 }),
			left: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(1e15)),
			pass: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
		});
		fc.assert(
			fc.property(fc.array(fc.tuple(identity, place), { maxLength: 2500 }), fc.array(identity, { maxLength: 20 }), fc.array(fc.nat(5000), { maxLength: 3 }), (sets, asked, totals) => {
				const rows = new PlacedRows();
				const told = [...totals];
				let step = 0;
				const map = new Map<string, Placed>();
				for (const [id, placed] of sets) {
					// totals told along the way, true or not
					if (told.length > 0 && step++ % 600 === 0) rows.expect(told.shift()!);
					rows.set(id, placed);
					map.set(id, { ...placed, pass: placed.pass ?? 0 });
				}
				for (const id of [...sets.map(([id]) => id), ...asked]) {
					expect(rows.has(id)).toBe(map.has(id));
					expect(rows.get(id)).toEqual(map.get(id));
				}
			}),
			{ numRuns: 200 },
		);
	});
});
