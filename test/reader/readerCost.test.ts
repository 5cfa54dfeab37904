import { requests } from './readCost';
import { fewestPages, modelRead, modelServer, readOnce } from './serverModel';

/**
 * The request bounds the reader promises, in its model. `npm run reader:cost` prints requests per
 * read over seeded servers (scripts/readerCost.ts; the figures in docs/design/reader.md).
 */

describe('requests stay few', () => {
	// P + 1, plus 5%, plus 1: the short last page is asked twice (an answer cut short in passing
	// where a `total` that counts too few ends the group looks the same as the end)
	it('a still group served 1,000 a page: at most P + 1, plus 5%, plus 1 (P: the fewest pages that each overlap the one before)', async () => {
		for (const size of [999, 1000, 4998, 20000, 50000]) {
			const r = await requests({ name: '', size, cap: 1000 }, 1);
			const most = Math.floor((fewestPages(size, 1000) + 1) * 1.05) + 1;
			expect({ size, requests: r.requests }).toEqual({ size, requests: Math.min(r.requests, most) });
		}
	});

	it('one change costs at most half again the requests of a still read', async () => {
		for (const change of ['join', 'leave'] as const) {
			for (let seed = 1; seed <= 20; seed++) {
				const still = await requests({ name: '', size: 5000, cap: 1000 }, seed);
				const moved = await requests({ name: '', size: 5000, cap: 1000, change }, seed);
				expect(moved.complete).toBe(true);
				expect(moved.requests).toBeLessThanOrEqual(Math.ceil(still.requests * 1.5));
			}
		}
	});

	// the probes of page 1 left the last member's place wide (up to 502); the page after it placed
	// it at 4, and the end is shown by an empty stretch past there, not past 502 (it took 258 requests)
	it('a small group with its first rows hidden: the end is shown past the last member where a later page placed it', async () => {
		for (const size of [5, 40]) {
			const read = await readOnce(modelServer({ size, cap: 1000, hidden: [0, 1] }), modelRead());
			expect({ size, returned: read.returned.length, ok: read.outcome.ok }).toEqual({ size, returned: size - 2, ok: true });
			expect({ size, requests: read.requests.length }).toEqual({ size, requests: Math.min(read.requests.length, 16) });
		}
	});
});
