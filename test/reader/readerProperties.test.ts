/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import type { Page, PageRequest } from '../../nodes/Beschannels/shared/page';
import { paginate } from '../../nodes/Beschannels/shared/reader/read';
import { prng } from '../../sandbox/members';

/**
 * The reader's promise, tried against many servers that move, hide rows and drop rows at random:
 * a read that says it is complete holds every member that was in the group for the whole read and
 * visible to the User ID, each once. Each case runs 40 seeds; answers arrive in random order.
 */

interface Server {
	members: number;
	cap: number;
	offsets: 'served' | 'asked';
	/** Chance, per request, that the group changes just before it is answered. */
	changes: number;
	/** Only leaves (anywhere); otherwise leaves, joins at the top and joins at the end. */
	onlyLeaves: boolean;
	hidden: number;
	/** Chance, per answer, that it comes back with only some of its rows. */
	truncated: number;
}

async function readOnce(seed: number, server: Server, pageSize: number) {
	const next = prng(seed);
	let group = Array.from({ length: server.members }, (_, i) => `m${i}`);
	const before = group.slice();
	const hidden = new Set(Array.from({ length: server.hidden }, () => `m${Math.floor(next() * server.members)}`));
	const left = new Set<string>();
	let joined = 0;
	const fetchPage = async ({ pageNum, pageSize: asked }: PageRequest): Promise<Page> => {
		await new Promise((resolve) => setTimeout(resolve, Math.floor(next() * 3)));
		if (next() < server.changes) {
			const kind = next();
			if (kind < 0.5 || server.onlyLeaves) {
				const [gone] = group.splice(Math.floor(next() * group.length), 1);
				left.add(gone);
			} else if (kind < 0.8) group = [`j${joined++}`, ...group];
			else group.push(`j${joined++}`);
		}
		const served = Math.min(asked, server.cap);
		const from = (pageNum - 1) * (server.offsets === 'asked' ? asked : served);
		let rows = group.slice(from, from + served).filter((id) => !hidden.has(id));
		if (next() < server.truncated) rows = rows.slice(0, Math.floor(next() * rows.length));
		return { total: group.length, list: rows.map((identity_id) => ({ identity_id })), header: [] };
	};
	const result = await paginate({ returnAll: true, limit: 0, pageSize, fetchPage, concurrency: 10 });
	const returned = result.members.map((m) => String(m.identity_id));
	const stayers = before.filter((id) => !left.has(id) && !hidden.has(id));
	return { result, returned, missing: stayers.filter((id) => !returned.includes(id)) };
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
		for (let seed = 1; seed <= 40; seed++) {
			const { result, returned, missing } = await readOnce(seed * 7919, server, pageSize);
			expect(new Set(returned).size).toBe(returned.length);
			if (result.complete) expect({ seed, missing }).toEqual({ seed, missing: [] });
			else expect(result.end).toBe('moved');
		}
	});
});
