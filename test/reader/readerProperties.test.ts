import { prng } from '../../sandbox/members';
import { judgeMade } from './readerOracle';
import { modelRead, modelServer, readOnce, type Change, type ServerSpec } from './serverModel';

/**
 * The reader's promise, tried against many servers of the model (serverModel.ts) that move, hide
 * rows and drop rows at random: a read that says it is complete holds every member that was in the
 * group for the whole read and visible to the User ID, each once, as the oracle judges it
 * (readerOracle.ts); one that fails says the group changed. Each case runs 40 seeds; answers arrive
 * in random order.
 */

interface Server {
	members: number;
	cap: number;
	offsets: 'served' | 'asked';
	/** Chance, per request, that the group changes just before it is answered. */
	changes: number;
	/** Only leaves (anywhere); otherwise leaves, joins at the top and joins at the end. */
	onlyLeaves: boolean;
	/** Members drawn at random (the same one may be drawn twice) hidden from the User ID. */
	hidden: number;
	/** Chance, per answer, that it comes back with only some of its rows. */
	truncated: number;
}

/** The requests changes and cuts are drawn for: more than any read here makes. */
const MOMENTS = 300;

/** The model's server for `server`, drawn from `seed`. */
function drawServer(seed: number, server: Server): ServerSpec {
	const next = prng(seed);
	const hidden = [...new Set(Array.from({ length: server.hidden }, () => Math.floor(next() * server.members)))].sort((a, b) => a - b);
	const changes: Change[] = [];
	const cuts: ServerSpec['cuts'] = [];
	for (let request = 1; request <= MOMENTS; request++) {
		if (next() < server.changes) {
			const kind = next();
			// a leave anywhere (a position drawn evenly), a join at the top (share 0) or at the end (share 1)
			if (kind < 0.5 || server.onlyLeaves) changes.push({ before: request, kind: 'leave', at: 0, pos: Math.floor(next() * 2 ** 30), count: 1 });
			else changes.push({ before: request, kind: 'join', at: kind < 0.8 ? 0 : 1, count: 1, hidden: false });
		}
		if (next() < server.truncated) cuts.push({ request, keep: next(), again: true });
	}
	return modelServer({ size: server.members, cap: server.cap, offsets: server.offsets, hidden, changes, cuts, latency: { turns: 2, seed } });
}

const cases: Array<[string, Server, number]> = [
	['1,000 rows a page, a group that changes on 30% of requests', { members: 5000, cap: 1000, offsets: 'served', changes: 0.3, onlyLeaves: false, hidden: 0, truncated: 0 }, 1000],
	['500 rows a page, offsets counted as asked, the group changing', { members: 5000, cap: 500, offsets: 'asked', changes: 0.3, onlyLeaves: false, hidden: 0, truncated: 0 }, 1000],
	['members hidden from the User ID while the group changes', { members: 5000, cap: 1000, offsets: 'served', changes: 0.2, onlyLeaves: false, hidden: 20, truncated: 0 }, 1000],
	['answers that drop rows now and then, and hidden members', { members: 5000, cap: 1000, offsets: 'served', changes: 0, onlyLeaves: false, hidden: 5, truncated: 0.05 }, 1000],
	['37 rows a page, offsets counted as asked, hidden members', { members: 1037, cap: 37, offsets: 'asked', changes: 0, onlyLeaves: false, hidden: 10, truncated: 0 }, 100],
	// At 100 rows a page most pages cannot overlap within the budget: a change is seen by total (or
	// by a page that does overlap), and from then on every page overlaps and the pages read without an
	// overlap are read again
	['100 rows a page, the group changing', { members: 3000, cap: 100, offsets: 'served', changes: 0.2, onlyLeaves: false, hidden: 0, truncated: 0 }, 1000],
	['100 rows a page, members leaving', { members: 3000, cap: 100, offsets: 'served', changes: 0.2, onlyLeaves: true, hidden: 0, truncated: 0 }, 1000],
];

describe.each(cases)('%s', (_name, server, pageSize) => {
	it('never calls a read complete that misses a member who stayed, nor returns one twice', async () => {
		const read = modelRead({ pageSize, concurrency: 10 });
		for (let seed = 1; seed <= 40; seed++) {
			const spec = drawServer(seed * 7919, server);
			const m = await readOnce(spec, read);
			expect({ seed, problems: judgeMade(spec, read, m, true, true) }).toEqual({ seed, problems: [] });
			if (!m.outcome.ok) expect({ seed, message: m.outcome.message }).toEqual({ seed, message: 'The group changed while it was read' });
			expect(m.requests.length).toBeLessThanOrEqual(MOMENTS);
		}
	});
});
