import fc from 'fast-check';

import type { Page, PageRequest } from '../nodes/Beschannels/shared/group/page';
import { paginate, type PaginateResult } from '../nodes/Beschannels/shared/reader/read';
import { pagePositions, servePage, type PagingRules } from '../sandbox/paging';

/**
 * The servers the reader must cope with, written down once: a group whose rows are paged by the
 * sandbox's own rules (`sandbox/paging.ts`), with any set of rows hidden from the User ID (with
 * `total` counting them or not), members joining, leaving and changing place at any position before
 * any request, answers cut short in passing, rows sent twice, and totals that lie in the ways an
 * answer can show. `readOnce` reads one such server in memory and says what the read owed.
 */

export type Change =
	| { before: number; kind: 'join'; at: number; count: number; hidden: boolean }
	| { before: number; kind: 'leave'; at: number; count: number }
	| { before: number; kind: 'move'; at: number; to: number };

export interface ServerSpec {
	size: number;
	cap: number;
	offsets: 'served' | 'asked';
	/** Positions (of the group before the read) hidden from the User ID. */
	hidden: number[];
	totalCountsHidden: boolean;
	/** Added to `total`: above 0 counts rows never sent; below 0 only with full pages past it. */
	totalOffset: number;
	/** Changes, each just before the `before`-th request (1 for the first); `at`/`to` are shares of the group (0 to 1). */
	changes: Change[];
	/** Requests whose answer is cut to this share of its rows, the first time that page is asked. */
	cuts: Array<{ request: number; keep: number }>;
	/** Requests whose answer holds its first row twice. */
	doubled: number[];
}

export interface ReadSpec {
	/** Page Size as set; undefined: automatic (1,000 rows). */
	pageSize?: number;
	startPage: number;
	limit?: number;
	concurrency: number;
}

export interface ModelRead {
	result: PaginateResult;
	returned: string[];
	/** Visible and in the group from the first request to the last. */
	stayers: string[];
	/** Visible and in the group at some moment of the read. */
	ever: Set<string>;
	/** The visible members from the start, in order, of the group as it was (for a group that held still). */
	before: string[];
	requests: PageRequest[];
	moved: Set<string>;
	/**
	 * No answer held a row while the server caps pages below the first size asked: nothing showed
	 * the reader the server's page size (it takes the size it asked as served).
	 */
	blind: boolean;
	/**
	 * A total that lies low, while no request reached past it: every answer was what a group of
	 * that many members would give, so to the reader the group is that one.
	 */
	lieUnshown: boolean;
	/** Some answer held a row. */
	sawRows: boolean;
}

const AUTO = 1000;

export async function readOnce(
	server: ServerSpec,
	read: ReadSpec,
	onAnswer?: (request: PageRequest, total: number, ids: string[]) => void,
): Promise<ModelRead> {
	const list = Array.from({ length: server.size }, (_, i) => `m${i}`);
	const hidden = new Set(server.hidden.filter((i) => i < server.size).map((i) => `m${i}`));
	const rules: PagingRules = {
		cap: server.cap,
		offsets: server.offsets,
		totalCountsHidden: server.totalCountsHidden,
		totalOffset: server.totalOffset,
	};
	const visible = (id: string) => !hidden.has(id);
	const ever = new Set(list.filter(visible));
	const present = new Map(list.map((id) => [id, true]));
	const moved = new Set<string>();
	const requests: PageRequest[] = [];
	const asked = new Set<string>();
	let joined = 0;
	let sawRows = false;
	let reachedPastTotal = false;

	const apply = (change: Change) => {
		const at = Math.min(list.length, Math.floor(change.at * (list.length + 1)));
		if (change.kind === 'join') {
			const fresh = Array.from({ length: change.count }, () => `j${joined++}`);
			for (const id of fresh) if (change.hidden) hidden.add(id);
			list.splice(at, 0, ...fresh);
			for (const id of fresh) if (visible(id)) ever.add(id);
		} else if (change.kind === 'leave') {
			for (const id of list.splice(Math.min(at, Math.max(0, list.length - 1)), change.count)) present.set(id, false);
		} else if (list.length > 0) {
			const [id] = list.splice(Math.min(at, list.length - 1), 1);
			list.splice(Math.min(list.length, Math.floor(change.to * (list.length + 1))), 0, id);
			moved.add(id);
		}
	};

	const fetchPage = async (request: PageRequest): Promise<Page> => {
		requests.push(request);
		const n = requests.length;
		for (const change of server.changes) if (change.before === n) apply(change);
		const { total, rows } = servePage(list, (id) => hidden.has(id), rules, request.pageNum, request.pageSize);
		if (pagePositions(rules, request.pageNum, request.pageSize).to > total) reachedPastTotal = true;
		let ids = rows;
		const key = `${request.pageNum}:${request.pageSize}`;
		const cut = server.cuts.find((c) => c.request === n);
		if (cut && !asked.has(key)) ids = ids.slice(0, Math.floor(ids.length * cut.keep));
		asked.add(key);
		if (server.doubled.includes(n) && ids.length > 0) ids = [ids[0], ...ids];
		onAnswer?.(request, total, ids);
		if (ids.length > 0) sawRows = true;
		return await Promise.resolve({ total, list: ids.map((identity_id) => ({ identity_id })), header: [] });
	};

	const startOffset = (read.startPage - 1) * (read.pageSize ?? 100);
	const before = list.slice(startOffset).filter(visible);
	const result = await paginate({
		returnAll: read.limit === undefined,
		limit: read.limit ?? 0,
		pageSize: read.pageSize ?? AUTO,
		startOffset,
		fetchPage,
		concurrency: read.concurrency,
	});
	const stayers = [...present.keys()].filter((id) => present.get(id) && visible(id) && list.includes(id));
	const returned = result.members.map((m) => String(m.identity_id));
	const blind = !sawRows && server.cap < Math.min(read.pageSize ?? AUTO, read.limit ?? Infinity);
	const lieUnshown = server.totalOffset < 0 && !reachedPastTotal;
	return { result, returned, stayers, ever, before, requests, moved, blind, lieUnshown, sawRows };
}

const share = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

function changeArb(maxRequest: number): fc.Arbitrary<Change> {
	const before = fc.integer({ min: 1, max: maxRequest });
	return fc.oneof(
		fc.record({ before, kind: fc.constant('join' as const), at: share, count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 150 })), hidden: fc.boolean() }),
		fc.record({ before, kind: fc.constant('leave' as const), at: share, count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 150 })) }),
		fc.record({ before, kind: fc.constant('move' as const), at: share, to: share }),
	);
}

/** Servers of every kind the model allows; `moving` chooses whether changes may happen. */
export function serverArb(options: { moving: boolean; maxSize?: number }): fc.Arbitrary<ServerSpec> {
	const maxSize = options.maxSize ?? 3000;
	return fc
		.record({
			size: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: maxSize })),
			cap: fc.oneof(fc.constantFrom(1000, 500, 100, 37), fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 2, max: 20 })),
			offsets: fc.constantFrom('served' as const, 'asked' as const),
			hiddenShare: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0, max: 0.95, noNaN: true })),
			hiddenRun: fc.option(fc.record({ at: share, length: fc.integer({ min: 1, max: 1200 }) }), { nil: undefined }),
			hiddenSeed: fc.integer(),
			totalCountsHidden: fc.boolean(),
			lie: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: -2000, max: -1 })),
			changes: options.moving ? fc.array(changeArb(40), { minLength: 1, maxLength: 4 }) : fc.constant([]),
			cuts: fc.array(fc.record({ request: fc.integer({ min: 1, max: 40 }), keep: share }), { maxLength: 3 }),
			doubled: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 2 }),
		})
		.map((s) => {
			const size = Math.min(s.size, s.cap * 60);
			const hiddenSet = new Set<number>();
			let state = s.hiddenSeed >>> 0;
			for (let i = 0; i < size; i++) {
				state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
				if (state / 2 ** 32 < s.hiddenShare) hiddenSet.add(i);
			}
			if (s.hiddenRun) {
				const from = Math.floor(s.hiddenRun.at * size);
				for (let i = from; i < Math.min(size, from + s.hiddenRun.length); i++) hiddenSet.add(i);
			}
			if (!s.totalCountsHidden) {
				// a total counting only the visible rows cannot show where the group ends: past it, rows
				// hidden from the User ID come in runs of at most 4 (the reader asks for an empty stretch
				// ten times the usual gap between members before it takes the end as shown)
				const visibleCount = size - hiddenSet.size;
				let run = 0;
				for (let i = 0; i < size; i++) {
					run = hiddenSet.has(i) ? run + 1 : 0;
					if (run > 4 && i >= visibleCount) {
						hiddenSet.delete(i);
						run = 0;
					}
				}
			}
			const hidden = [...hiddenSet].sort((a, b) => a - b);
			// a total that lies low must be shown by full pages past it: no hidden rows, a page of rows past it
			const lowOk = !options.moving && hidden.length === 0 && -s.lie >= s.cap;
			const totalOffset = s.lie < 0 && !lowOk ? 0 : Math.max(s.lie, -size);
			// while the group moves, a total counting only visible rows cannot show where rows hidden
			// from the User ID went: such servers are searched with nothing hidden
			const blindTotal = options.moving && !s.totalCountsHidden;
			if (blindTotal) hidden.length = 0;
			const changes: Change[] = (s.changes as Change[]).map((c) => (blindTotal && c.kind === 'join' ? { ...c, hidden: false } : c));
			return {
				// at most about 60 pages a read, so that thousands of reads take seconds
				size: Math.min(s.size, s.cap * 60),
				cap: s.cap,
				offsets: s.offsets,
				hidden,
				totalCountsHidden: s.totalCountsHidden,
				totalOffset,
				changes,
				cuts: s.cuts,
				doubled: s.doubled,
			};
		});
}

export const readArb = (options: { moving: boolean }): fc.Arbitrary<ReadSpec> =>
	fc.record({
		pageSize: fc.oneof(fc.constant(undefined), fc.constant(undefined), fc.integer({ min: 1, max: 1000 }), fc.constantFrom(100, 500, 37)),
		startPage: options.moving ? fc.constant(1) : fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 30 })),
		limit: options.moving ? fc.constant(undefined) : fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 3000 })),
		concurrency: fc.constantFrom(1, 10),
	});
