/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';
import type { IDataObject, INode } from 'n8n-workflow';

import { readPage, refusedPage } from '../../nodes/Beschannels/shared/group/groupUsers';
import type { Page, PageRequest } from '../../nodes/Beschannels/shared/page';
import { judgeRead } from '../../nodes/Beschannels/shared/group/verdict';
import { paginate, type PaginateResult } from '../../nodes/Beschannels/shared/reader/read';
import type { ReadEnd } from '../../nodes/Beschannels/shared/reader/types';
import { describeApiCode } from '../../nodes/Beschannels/shared/transport/apiCodes';
import { BeschannelsError } from '../../nodes/Beschannels/shared/transport/errors';
import { pagePositions, type PagingRules } from '../../sandbox/paging';

/**
 * The servers the reader must cope with, written down once: a group whose rows are paged by the
 * sandbox's own rules (`sandbox/paging.ts`), with any set of rows hidden from the User ID (with
 * `total` counting them or not), members joining, leaving and changing place at any position before
 * any request, rows with equal sort keys whose order among themselves changes on every request,
 * answers cut short in passing, rows sent twice, rows without an identity, pages past the end
 * answered empty, with the last page again or with an error code, and totals that lie, go missing,
 * come as text or wobble. Each raw answer goes through the node's own `readPage`. `readOnce` reads
 * one such server in memory and keeps the server's own bookkeeping of what happened.
 */

export type Change =
	| { before: number; kind: 'join'; at: number; count: number; hidden: boolean; pos?: number }
	| { before: number; kind: 'leave'; at: number; count: number; pos?: number }
	| { before: number; kind: 'move'; at: number; to: number; pos?: number; toPos?: number };

/** How `total` comes in an answer: a number, no key, null, text, or a number off by 1 to 5 that changes from answer to answer. */
type TotalForm = 'number' | 'missing' | 'null' | 'string' | 'jitter';

/** How a page past the group's last page is answered: empty, with the last page again (page_num clamped), or an error code. */
type PastEnd = 'empty' | 'last' | 'error';

export interface ServerSpec {
	size: number;
	cap: number;
	offsets: 'served' | 'asked';
	/** Positions (of the group before the read) hidden from the User ID. */
	hidden: number[];
	totalCountsHidden: boolean;
	/** Added to `total`: above 0 counts rows never sent; below 0 a total that lies low. */
	totalOffset: number;
	/**
	 * Changes, each just before the `before`-th request (1 for the first). Where a change has `pos`
	 * (and a move `toPos`), that whole number, modulo the group's length at that moment (plus one
	 * for a join or a move's target), is where it happens; otherwise `at`/`to` are shares of the group.
	 */
	changes: Change[];
	/**
	 * Requests whose answer is cut short, the first time that page is asked (every time where `again`
	 * is set): to `rows` modulo (rows + 1) of its rows where `rows` is given (any length equally
	 * likely), else to the share `keep`.
	 */
	cuts: Array<{ request: number; keep: number; rows?: number; again?: boolean }>;
	/** Requests whose answer holds its first row twice. */
	doubled: number[];
	/**
	 * Blocks of rows with equal sort keys (positions `at` to `at + length - 1` of the group before the
	 * read): every request serves each block in a new order (a permutation seeded by `tieSeed` and the
	 * request). A member that changes place leaves its block. Default: none.
	 */
	ties?: Array<{ at: number; length: number }>;
	tieSeed?: number;
	/** Default 'number'. */
	totalForm?: TotalForm;
	/** Seeds the wobble of a 'jitter' total. */
	totalSeed?: number;
	/** Rows sent without `identity_id`/`identity_value` (positions of the group before the read, or every row). Default: none. */
	anonymous?: number[] | 'all';
	/** Default 'empty'. */
	pastEnd?: PastEnd;
	/**
	 * How the server reads page_num: from 1 as documented (default), from 0 (page_num 1 is the second
	 * page), or not at all (every request gets the first page). The last two break the documented
	 * contract: a read of them may fail, but one that succeeds must be right.
	 */
	pageNumbers?: 'fromOne' | 'fromZero' | 'ignored';
	/**
	 * Answers come back after `turns` turns of the event loop, or with `seed` a seeded number of them
	 * from 0 to `turns` for each request, so answers asked together arrive in any order. Default: at once.
	 */
	latency?: { turns: number; seed?: number };
}

export interface ReadSpec {
	/** Page Size as set; undefined: automatic (1,000 rows). */
	pageSize?: number;
	startPage: number;
	limit?: number;
	concurrency: number;
	/** The reader's bound on requests; undefined: its own (10,000). */
	maxPages?: number;
}

/** How a read ended: the reader's end, or 'thrown' when `paginate` threw (`error`). */
type ModelEnd = ReadEnd | 'thrown';

/**
 * What the node makes of a read, as a user sees it: success (with the note its hint shows, if any),
 * or an error and its message. The node's own verdict (group/verdict.ts) on the reader's result, or
 * the error the read threw.
 */
type Outcome = { ok: true; note?: string } | { ok: false; message: string };

export interface ModelRead {
	result: Omit<PaginateResult, 'end'> & { end: ModelEnd };
	/** What `paginate` threw, if it did. */
	error?: unknown;
	outcome: Outcome;
	/** The members returned, by the server's own names for them (`identity_id`, else `member_id`). */
	returned: string[];
	/** Visible and in the group from the first request to the last. */
	stayers: string[];
	/** Visible and in the group at some moment of the read. */
	ever: Set<string>;
	/** The visible members from the start, in order, of the group as it was (for a group that held still). */
	before: string[];
	/** The group before the read, hidden rows included, in the API's order (ties in their listed order). */
	order: string[];
	/** Each member of `order`: the position its block of ties starts at (its own position if it ties with none). */
	rank: Map<string, number>;
	/** The rows of the group before the read that are hidden from the User ID. */
	hiddenAtStart: Set<string>;
	requests: PageRequest[];
	moved: Set<string>;
	joined: Set<string>;
	left: Set<string>;
	/** The longest block of ties (in positions) at any moment of the read. */
	longestTie: number;
	/** The most positions the group held at any moment of the read. */
	mostPositions: number;
	/** Some answer held a row. */
	rowsSent: boolean;
	/** At some moment of the read, the rows of a first page (as many as the server serves at Page Size) were all hidden, while visible rows came after. */
	hiddenFirstPage: boolean;
	/** The most requests the server held unanswered at once. */
	mostInFlight: number;
}

const AUTO = 1000;

/** A server of the model: a still group, nothing hidden, `total` exact, unless `s` says otherwise (for named cases). */
export const modelServer = (s: Partial<ServerSpec> & Pick<ServerSpec, 'size' | 'cap'>): ServerSpec => ({
	offsets: 'served',
	hidden: [],
	totalCountsHidden: true,
	totalOffset: 0,
	changes: [],
	cuts: [],
	doubled: [],
	...s,
});

/** A read of the model: Return All from the start, one request at a time, unless `r` says otherwise. */
export const modelRead = (r: Partial<ReadSpec> = {}): ReadSpec => ({ startPage: 1, concurrency: 1, ...r });

const NODE: INode = { id: 'model', name: 'Beschannels', type: 'beschannels', typeVersion: 1, position: [0, 0], parameters: {} };

/** What the transport throws for a page Beschannels refuses with code 10002, as it would come from `client.call`. */
function refusal(pageNum: number): BeschannelsError {
	const msg = '意料之外的参数内容';
	const info = describeApiCode(10002, msg);
	return new BeschannelsError(NODE, {
		kind: info.kind,
		message: `Beschannels error 10002 (${msg}): ${info.meaning}`,
		description: `${info.action} [page ${pageNum}]`,
		beschannelsCode: 10002,
		beschannelsMsg: msg,
	});
}

/** The node's verdict on a read that returned (group/verdict.ts), as an outcome. */
function verdictOf(result: PaginateResult): Outcome {
	try {
		return { ok: true, note: judgeRead(NODE, result) };
	} catch (error) {
		return { ok: false, message: (error as Error).message };
	}
}

/** A small seeded generator (an LCG, seeded from several numbers). */
function seeded(...seeds: number[]): () => number {
	let state = 0x9e3779b9;
	for (const seed of seeds) state = (Math.imul(state ^ (seed >>> 0), 2654435761) + 0x6d2b79f5) >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/** The runs of two or more neighbours in `list` with the same tie block: [start, end) each. */
function tieRuns(list: readonly string[], tie: ReadonlyMap<string, number>): Array<[number, number]> {
	const runs: Array<[number, number]> = [];
	let start = 0;
	for (let i = 1; i <= list.length; i++) {
		const block = tie.get(list[start]);
		if (i < list.length && block !== undefined && tie.get(list[i]) === block) continue;
		if (block !== undefined && i - start > 1) runs.push([start, i]);
		start = i;
	}
	return runs;
}

/** Waits `turns` turns of the event loop. */
async function turnsPass(turns: number): Promise<void> {
	for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A whole number `raw` taken modulo `n` (0 when `n` is 0): positions drawn evenly over a group. */
const mod = (raw: number, n: number) => (n <= 0 ? 0 : ((raw % n) + n) % n);

export async function readOnce(
	server: ServerSpec,
	read: ReadSpec,
	onAnswer?: (request: PageRequest, total: number | undefined, ids: string[]) => void,
): Promise<ModelRead> {
	const list = Array.from({ length: server.size }, (_, i) => `m${i}`);
	const order = list.slice();
	const hidden = new Set(server.hidden.filter((i) => i < server.size).map((i) => `m${i}`));
	const hiddenAtStart = new Set(hidden);
	const anonymous = server.anonymous === 'all' ? undefined : new Set((server.anonymous ?? []).map((i) => `m${i}`));
	const tie = new Map<string, number>();
	(server.ties ?? []).forEach((block, b) => {
		for (let i = Math.max(0, block.at); i < Math.min(server.size, block.at + block.length); i++) tie.set(`m${i}`, b);
	});
	const rank = new Map<string, number>(list.map((id, i) => [id, i]));
	for (const [from, to] of tieRuns(list, tie)) for (let i = from; i < to; i++) rank.set(list[i], from);
	const longest = () => tieRuns(list, tie).reduce((most, [from, to]) => Math.max(most, to - from), 0);
	let longestTie = longest();
	let mostPositions = list.length;
	const rules: PagingRules = { cap: server.cap, offsets: server.offsets };
	const visible = (id: string) => !hidden.has(id);
	const ever = new Set(list.filter(visible));
	const present = new Map(list.map((id) => [id, true]));
	const moved = new Set<string>();
	const joinedIds = new Set<string>();
	const leftIds = new Set<string>();
	const requests: PageRequest[] = [];
	const asked = new Set<string>();
	let joined = 0;
	// the rows a first page holds, all hidden, while visible rows come after (before the read, or after a change)
	const served = Math.max(1, Math.min(server.cap, read.pageSize ?? AUTO));
	const headHidden = () => list.slice(0, served).every((id) => hidden.has(id)) && list.slice(served).some(visible);
	let hiddenFirstPage = list.length > 0 && headHidden();

	const apply = (change: Change) => {
		if (change.kind === 'join') {
			const at = change.pos === undefined ? Math.min(list.length, Math.floor(change.at * (list.length + 1))) : mod(change.pos, list.length + 1);
			const fresh = Array.from({ length: change.count }, () => `j${joined++}`);
			for (const id of fresh) if (change.hidden) hidden.add(id);
			list.splice(at, 0, ...fresh);
			for (const id of fresh) {
				joinedIds.add(id);
				if (visible(id)) ever.add(id);
			}
		} else if (change.kind === 'leave') {
			const at = change.pos === undefined ? Math.min(list.length, Math.floor(change.at * (list.length + 1))) : mod(change.pos, list.length);
			for (const id of list.splice(Math.min(at, Math.max(0, list.length - 1)), change.count)) {
				present.set(id, false);
				leftIds.add(id);
			}
		} else if (list.length > 0) {
			const at = change.pos === undefined ? Math.min(list.length - 1, Math.floor(change.at * (list.length + 1))) : mod(change.pos, list.length);
			const [id] = list.splice(at, 1);
			const to = change.toPos === undefined ? Math.min(list.length, Math.floor(change.to * (list.length + 1))) : mod(change.toPos, list.length + 1);
			list.splice(to, 0, id);
			// a member that changes place has a new sort key: it ties with no one
			tie.delete(id);
			moved.add(id);
		}
		longestTie = Math.max(longestTie, longest());
		hiddenFirstPage ||= headHidden();
		mostPositions = Math.max(mostPositions, list.length);
	};

	const row = (id: string): IDataObject =>
		server.anonymous === 'all' || anonymous?.has(id)
			? { FullName: `Member ${id}`, Email: `${id}@example.com`, member_id: id }
			: { identity_id: id, identity_value: id, FullName: `Member ${id}`, Email: `${id}@example.com` };

	let rowsSent = false;
	let inFlight = 0;
	let mostInFlight = 0;
	const fetchPage = async (request: PageRequest): Promise<Page> => {
		requests.push(request);
		const n = requests.length;
		mostInFlight = Math.max(mostInFlight, ++inFlight);
		for (const change of server.changes) if (change.before === n) apply(change);
		const stride = server.offsets === 'asked' ? request.pageSize : Math.min(request.pageSize, server.cap);
		const pages = Math.max(1, Math.ceil(list.length / stride));
		let pageNum = server.pageNumbers === 'ignored' ? 1 : server.pageNumbers === 'fromZero' ? request.pageNum + 1 : request.pageNum;
		if (pageNum > pages && server.pastEnd === 'error') {
			inFlight--;
			throw refusal(pageNum);
		}
		if (pageNum > pages && server.pastEnd === 'last') pageNum = pages;
		const { from, to } = pagePositions(rules, pageNum, request.pageSize);
		// each block of ties the page reaches comes in a new order at every request
		const page = list.slice(from, to);
		const random = seeded(server.tieSeed ?? 0, n);
		for (const [start, end] of tieRuns(list, tie)) {
			if (end <= from || start >= to) continue;
			const block = list.slice(start, end);
			for (let i = block.length - 1; i > 0; i--) {
				const j = Math.floor(random() * (i + 1));
				[block[i], block[j]] = [block[j], block[i]];
			}
			for (let i = Math.max(start, from); i < Math.min(end, to); i++) page[i - from] = block[i - start];
		}
		let ids = page.filter(visible);
		const counted = server.totalCountsHidden ? list.length : list.filter(visible).length;
		let total = Math.max(0, counted + server.totalOffset);
		const key = `${request.pageNum}:${request.pageSize}`;
		const cut = server.cuts.find((c) => c.request === n);
		if (cut && (cut.again === true || !asked.has(key))) ids = ids.slice(0, cut.rows === undefined ? Math.floor(ids.length * cut.keep) : mod(cut.rows, ids.length + 1));
		asked.add(key);
		if (server.doubled.includes(n) && ids.length > 0) ids = [ids[0], ...ids];
		const data: IDataObject = { list: ids.map(row), header: [{ label: '姓名', prop: 'FullName' }] };
		const form = server.totalForm ?? 'number';
		if (form === 'jitter') {
			const wobble = seeded(server.totalSeed ?? 0, n)();
			const off = 1 + Math.floor(wobble * 10);
			total = Math.max(0, total + (off <= 5 ? off : 5 - off));
		}
		if (form === 'number' || form === 'jitter') data.total = total;
		if (form === 'null') data.total = null;
		if (form === 'string') data.total = String(total);
		onAnswer?.(request, form === 'number' || form === 'string' || form === 'jitter' ? total : undefined, ids);
		if (ids.length > 0) rowsSent = true;
		if (server.latency) {
			const { turns, seed } = server.latency;
			await turnsPass(seed === undefined ? turns : Math.floor(seeded(seed, n)() * (turns + 1)));
		}
		inFlight--;
		return await Promise.resolve(readPage(data));
	};

	const startOffset = (read.startPage - 1) * (read.pageSize ?? 100);
	const before = list.slice(startOffset).filter(visible);
	let result: ModelRead['result'];
	let error: unknown;
	try {
		result = await paginate({
			returnAll: read.limit === undefined,
			limit: read.limit ?? 0,
			pageSize: read.pageSize ?? AUTO,
			startOffset,
			fetchPage,
			concurrency: read.concurrency,
			maxPages: read.maxPages,
			refusedPage,
		});
	} catch (thrown) {
		error = thrown;
		result = {
			members: [],
			read: 0,
			served: 0,
			pagesRead: requests.length,
			totals: [],
			header: [],
			duplicates: 0,
			end: 'thrown',
			complete: false,
			lastPage: requests.at(-1)?.pageNum ?? 0,
			pastTotal: false,
			rereads: 0,
			moved: false,
			misplaced: false,
			unchecked: 0,
			stepped: false,
		};
	}
	const outcome = error === undefined ? verdictOf(result as PaginateResult) : { ok: false as const, message: (error as Error).message };
	const inList = new Set(list);
	const stayers = [...present.keys()].filter((id) => present.get(id) && visible(id) && inList.has(id));
	const returned = result.members.map((m) => String(m.identity_id ?? m.member_id));
	return {
		result,
		error,
		outcome,
		returned,
		stayers,
		ever,
		before,
		order,
		rank,
		hiddenAtStart,
		requests,
		moved,
		joined: joinedIds,
		left: leftIds,
		longestTie,
		mostPositions,
		hiddenFirstPage,
		rowsSent,
		mostInFlight,
	};
}

/**
 * Behaviours the reader does not survive yet: the search leaves them out unless `FUZZ_ALL=1`.
 * Remove a name once the reader copes with it (the cases in readerRealServers.test.ts say which).
 */
export const NOT_YET = new Set<string>([
	'ties',
	'total_missing',
	'total_null',
	'total_jitter',
	'pastEnd_last',
	'pastEnd_error',
	'pageNum_fromZero',
	'pageNum_ignored',
	'hiddenPastVisibleTotal',
	'lowTotalHidden',
	'startPageVisibleTotal',
	'noOverlapChange',
	'sameMoment',
	'severalMoments',
	'moveHidden',
	'moveAmongChanges',
	'moveWithCuts',
	'bound_still',
	'bound_hidden',
	'bound_oneChange',
]);

/** Every behaviour the search can leave out (by name, as `behaviours` gives them, and the request bounds of readerOracle.ts). */
const CAN_LEAVE_OUT = [
	'ties',
	'tiesAcrossEdge',
	'tiesLongerThanPage',
	'total_missing',
	'total_null',
	'total_string',
	'total_jitter',
	'anonymousSome',
	'anonymousAll',
	'pastEnd_last',
	'pastEnd_error',
	'pageNum_fromZero',
	'pageNum_ignored',
	'hiddenHead',
	'hiddenPastVisibleTotal',
	'lowTotalHidden',
	'startPageVisibleTotal',
	'noOverlapChange',
	'hiddenRunChange',
	'hiddenJoin',
	'sameMoment',
	'severalMoments',
	'moveHidden',
	'moveVisible',
	'moveAmongChanges',
	'moveWithCuts',
	'cutsPartial',
	'bound_still',
	'bound_hidden',
	'bound_oneChange',
];

/**
 * Whether the search leaves `name` out: it is in NOT_YET, and neither `all` nor `FUZZ_ALL=1` asks for
 * every behaviour. `FUZZ_ONLY=<name>` searches that one behaviour alone (the others that can be left
 * out are), to find which ones the reader fails.
 */
const gate = (all: boolean | undefined) => (name: string) => {
	const only = process.env.FUZZ_ONLY;
	if (only !== undefined && only !== '') return CAN_LEAVE_OUT.includes(name) && name !== only && !(name === 'ties' && only.startsWith('ties'));
	return !(all ?? process.env.FUZZ_ALL === '1') && NOT_YET.has(name);
};

/** Whether the search leaves `name` out (see `gate`). */
export const isGated = (name: string) => gate(undefined)(name);

/** Whether a read of the search is left out for what the server did during it: a first page all hidden (after a hidden import), while 'hiddenHead' is in NOT_YET. */
export function leftOut(m: ModelRead): boolean {
	return gate(undefined)('hiddenHead') && m.hiddenFirstPage;
}

/** A whole number drawn evenly (no bias toward small values), shrinking toward 0: taken modulo a range, a position or moment drawn evenly. */
const whole = fc.noBias(fc.nat());

const rawChange = fc.record({
	kind: fc.constantFrom('join' as const, 'leave' as const, 'move' as const),
	when: whole,
	pos: whole,
	toPos: whole,
	count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 150 })),
	hidden: fc.boolean(),
});

const rawRead = (moving: boolean) =>
	fc.record({
		pageSize: fc.oneof(fc.constant(undefined), fc.constant(undefined), fc.integer({ min: 1, max: 1000 }), fc.constantFrom(100, 500, 37)),
		startPage: moving ? fc.constant(1) : fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 30 })),
		limit: moving ? fc.constant(undefined) : fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 3000 })),
		concurrency: fc.constantFrom(1, 10),
	});

/** The rows a page of this read holds at most: the server's cap, or Page Size if smaller. */
export function servedRows(server: Pick<ServerSpec, 'cap'>, read: Pick<ReadSpec, 'pageSize'>): number {
	return Math.max(1, Math.min(server.cap, read.pageSize ?? AUTO));
}

/** Whether positions `at` to `at + length - 1` cross the edge between two pages of `size` rows. */
const crossesEdge = (at: number, length: number, size: number) => Math.floor(at / size) !== Math.floor((at + length - 1) / size);

/** The runs of neighbouring hidden positions. */
function hiddenRuns(hidden: readonly number[]): Array<{ at: number; length: number }> {
	const runs: Array<{ at: number; length: number }> = [];
	for (const i of hidden) {
		const last = runs.at(-1);
		if (last && last.at + last.length === i) last.length++;
		else runs.push({ at: i, length: 1 });
	}
	return runs;
}

const fewestCache = new Map<string, number>();

/**
 * The fewest pages that cover `n` positions from position 0 when each page overlaps the one before by
 * at least a row and page k of size s' (any s' up to `size`) covers (k - 1) x s' to k x s': a
 * dynamic program over the ends reached and every size. Infinity where no such pages reach (pages of
 * at most 10 rows cannot overlap and go on past some position).
 */
export function fewestPages(n: number, size: number): number {
	if (n <= size) return 1;
	const key = `${n}:${size}`;
	const known = fewestCache.get(key);
	if (known !== undefined) return known;
	const none = 0x7fffffff;
	// pages[e]: the fewest pages covering positions 0 to e - 1 with the last one ending at e
	const pages = new Int32Array(n).fill(none);
	for (let s = 1; s <= size; s++) pages[s] = 1;
	let best = none;
	for (let e = 1; e < n; e++) {
		const next = pages[e] + 1;
		if (next >= best) continue;
		for (let s = 2; s <= size; s++) {
			const end = ((((e - 1) / s) | 0) + 1) * s;
			if (end <= e) continue;
			if (end >= n) best = next;
			else if (next < pages[end]) pages[end] = next;
		}
	}
	const fewest = best === none ? Infinity : best;
	fewestCache.set(key, fewest);
	return fewest;
}

/** Servers and reads of every kind the model allows (less the behaviours in NOT_YET); `moving` chooses whether changes may happen. */
export function caseArb(options: { moving: boolean; maxSize?: number; all?: boolean }): fc.Arbitrary<[ServerSpec, ReadSpec]> {
	const maxSize = options.maxSize ?? 3000;
	const { moving } = options;
	const gated = gate(options.all);
	return fc
		.record({
			size: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: maxSize })),
			cap: fc.oneof(fc.constantFrom(1000, 500, 100, 37), fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 2, max: 20 })),
			offsets: fc.constantFrom('served' as const, 'asked' as const),
			hiddenShare: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0, max: 0.95, noNaN: true })),
			hiddenRun: fc.option(fc.record({ at: whole, length: fc.integer({ min: 1, max: 1200 }) }), { nil: undefined }),
			hiddenHead: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: whole, weight: 1 }),
			hiddenSeed: fc.integer(),
			totalCountsHidden: fc.boolean(),
			lie: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: -2000, max: -1 })),
			totalForm: fc.constantFrom<TotalForm>('number', 'number', 'missing', 'null', 'string', 'jitter'),
			totalSeed: whole,
			anonymous: fc.constantFrom('none' as const, 'none' as const, 'some' as const, 'all' as const),
			anonymousSeed: whole,
			pastEnd: fc.constantFrom<PastEnd>('empty', 'last', 'error'),
			pageNumbers: fc.oneof(
				{ arbitrary: fc.constant('fromOne' as const), weight: 8 },
				{ arbitrary: fc.constant('fromZero' as const), weight: 1 },
				{ arbitrary: fc.constant('ignored' as const), weight: 1 },
			),
			ties: fc.oneof(
				fc.constant([]),
				fc.array(fc.record({ at: whole, short: fc.boolean(), length: whole, onEdge: fc.boolean() }), { minLength: 1, maxLength: 3 }),
			),
			tieSeed: whole,
			changes: fc.array(rawChange, { minLength: moving ? 1 : 0, maxLength: moving ? 4 : 0 }),
			together: fc.boolean(),
			cuts: fc.array(fc.record({ request: whole, rows: whole }), { maxLength: 3 }),
			doubled: fc.array(whole, { maxLength: 2 }),
			read: rawRead(moving),
		})
		.map((s): [ServerSpec, ReadSpec] => {
			const read: ReadSpec = s.read;
			// at most about 60 pages a read, so that thousands of reads take seconds
			const size = Math.min(s.size, s.cap * 60);
			const served = servedRows(s, read);
			// moments are request numbers over the requests a read of this group likely makes
			const likely = Math.ceil(size / served) + 3;
			const hiddenSet = new Set<number>();
			const random = seeded(s.hiddenSeed);
			for (let i = 0; i < size; i++) if (random() < s.hiddenShare) hiddenSet.add(i);
			if (s.hiddenRun) {
				const from = mod(s.hiddenRun.at, size + 1);
				for (let i = from; i < Math.min(size, from + s.hiddenRun.length); i++) hiddenSet.add(i);
			}
			// the first pages all hidden: at least a page of rows from the start, up to three
			if (s.hiddenHead !== undefined && !gated('hiddenHead')) for (let i = 0; i < Math.min(size, served + mod(s.hiddenHead, 2 * served + 1)); i++) hiddenSet.add(i);
			// without a total, nothing tells a run of hidden rows as long as the empty stretch a read takes
			// for the end (ten positions) from the end itself: such servers hide rows in runs of at most 4
			const noTotal = (s.totalForm === 'missing' || s.totalForm === 'null') && !gated(`total_${s.totalForm}`);
			if ((!s.totalCountsHidden && gated('hiddenPastVisibleTotal')) || noTotal) {
				// past a total of visible rows, hidden rows only in runs of at most 4
				const visibleCount = noTotal ? 0 : size - hiddenSet.size;
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
			// a total that lies low, on a still group, by at least the rows a page may hold
			// (and more than a page: a first page that reaches the total looks like a group of that many)
			const lowOk = !moving && -s.lie >= s.cap && size + s.lie > s.cap && (hidden.length === 0 || !gated('lowTotalHidden'));
			const totalOffset = s.lie < 0 && !lowOk ? 0 : Math.max(s.lie, -size);
			// while the group moves, a total counting only visible rows cannot show where rows hidden
			// from the User ID went (no answer tells a hidden row joining from none): such servers hide nothing
			const blindTotal = moving && !s.totalCountsHidden;
			if (blindTotal) hidden.length = 0;

			let befores = s.changes.map((c) => 1 + mod(c.when, likely));
			if (s.together) befores = befores.map(() => befores[0]);
			if (gated('sameMoment')) befores = befores.map((b, i) => (befores.indexOf(b) === i ? b : Math.max(...befores) + i));
			let changes: Change[] = s.changes.map((c, i): Change => {
				const before = befores[i];
				if (c.kind === 'join') return { before, kind: 'join', at: 0, pos: c.pos, count: c.count, hidden: c.hidden && !blindTotal };
				if (c.kind === 'leave') return { before, kind: 'leave', at: 0, pos: c.pos, count: c.count };
				return { before, kind: 'move', at: 0, to: 0, pos: c.pos, toPos: c.toPos };
			});
			if (gated('severalMoments')) changes = changes.filter((c) => c.before === changes[0].before);
			if (gated(hidden.length > 0 ? 'moveHidden' : 'moveVisible')) changes = changes.filter((c) => c.kind !== 'move');

			let ties = (s.ties as Array<{ at: number; short: boolean; length: number; onEdge: boolean }>).map((t) => {
				const length = t.short ? 2 + mod(t.length, 9) : 2 + mod(t.length, 3 * served);
				const edges = Math.max(1, Math.floor(size / served));
				const at = t.onEdge ? Math.max(0, (1 + mod(t.at, edges)) * served - Math.floor(length / 2)) : mod(t.at, size);
				return { at, length };
			});
			if (gated('ties')) ties = [];
			if (gated('tiesLongerThanPage')) ties = ties.filter((t) => t.length <= served);
			if (gated('tiesAcrossEdge')) ties = ties.filter((t) => !crossesEdge(t.at, t.length, served));

			const anonymousRows: number[] = [];
			if (s.anonymous === 'some' && !gated('anonymousSome')) {
				const pick = seeded(s.anonymousSeed);
				const share = 0.05 + pick() * 0.5;
				for (let i = 0; i < size; i++) if (pick() < share) anonymousRows.push(i);
			}
			const anonymous = s.anonymous === 'all' && !gated('anonymousAll') ? ('all' as const) : anonymousRows;
			const totalForm = s.totalForm === 'number' || gated(`total_${s.totalForm}`) ? 'number' : s.totalForm;
			const pastEnd = s.pastEnd === 'empty' || gated(`pastEnd_${s.pastEnd}`) ? 'empty' : s.pastEnd;
			const pageNumbers = s.pageNumbers === 'fromOne' || gated(`pageNum_${s.pageNumbers}`) ? 'fromOne' : s.pageNumbers;
			const server: ServerSpec = {
				size,
				cap: s.cap,
				offsets: s.offsets,
				hidden,
				totalCountsHidden: s.totalCountsHidden,
				totalOffset,
				changes,
				// cut to any length, or (while 'cutsPartial' is left out) to nothing
				cuts: s.cuts.map((c) => ({ request: 1 + mod(c.request, likely), keep: 0, ...(!gated('cutsPartial') && { rows: c.rows }) })),
				doubled: s.doubled.map((d) => 1 + mod(d, likely)),
				ties,
				tieSeed: s.tieSeed,
				totalForm,
				totalSeed: s.totalSeed,
				anonymous,
				pastEnd,
				pageNumbers,
			};
			return [server, read];
		});
}

/**
 * The behaviours a drawn server and read show, by name: what `npm run fuzz -- --stats` counts, and
 * what the names in NOT_YET leave out.
 */
export function behaviours(server: ServerSpec, read: ReadSpec, moving: boolean): string[] {
	const served = servedRows(server, read);
	const ties = server.ties ?? [];
	const runs = hiddenRuns(server.hidden);
	const befores = server.changes.map((c) => c.before);
	const moves = server.changes.some((c) => c.kind === 'move');
	const names: Array<[string, boolean]> = [
		['ties', ties.length > 0],
		['tiesAcrossEdge', ties.some((t) => crossesEdge(t.at, t.length, served))],
		['tiesLongerThanPage', ties.some((t) => t.length > served)],
		['total_missing', server.totalForm === 'missing'],
		['total_null', server.totalForm === 'null'],
		['total_string', server.totalForm === 'string'],
		['total_jitter', server.totalForm === 'jitter'],
		['anonymousSome', Array.isArray(server.anonymous) && server.anonymous.length > 0],
		['anonymousAll', server.anonymous === 'all'],
		['pastEnd_last', server.pastEnd === 'last'],
		['pastEnd_error', server.pastEnd === 'error'],
		['pageNum_fromZero', server.pageNumbers === 'fromZero'],
		['pageNum_ignored', server.pageNumbers === 'ignored'],
		['hiddenHead', server.size > 0 && runs.length > 0 && runs[0].at === 0 && runs[0].length >= Math.min(served, server.size)],
		['longHiddenVisibleTotal', !server.totalCountsHidden && runs.some((r) => r.length > served)],
		['hiddenPastVisibleTotal', !server.totalCountsHidden && runs.some((r) => r.length > 4 && r.at + r.length > server.size - server.hidden.length)],
		['cuts', server.cuts.length > 0],
		['cutsPartial', server.cuts.some((c) => c.rows !== undefined)],
		// pages of at most 10 rows: past some position, no page can overlap the one before by a row
		['noOverlap', served <= 10 && fewestPages(server.size, served) === Infinity],
		['hidden', server.hidden.length > 0],
		['lieHigh', server.totalOffset > 0],
		['startPage', read.startPage > 1],
		['startPageVisibleTotal', read.startPage > 1 && !server.totalCountsHidden && server.hidden.length > 0],
		['limit', read.limit !== undefined],
	];
	if (!moving) names.push(['lowTotalHidden', server.totalOffset < 0 && server.hidden.length > 0], ['lieLow', server.totalOffset < 0]);
	if (moving)
		names.push(
			['oneChange', server.changes.length === 1],
			['hiddenJoin', server.changes.some((c) => c.kind === 'join' && c.hidden)],
			['noOverlapChange', served <= 10 && fewestPages(server.size, served) === Infinity],
			// a run of hidden rows as long as the smallest page the reader may ask (half a page) or longer
			['hiddenRunChange', runs.some((r) => r.length >= served / 2)],
			['sameMoment', befores.some((b, i) => befores.indexOf(b) !== i)],
			['severalMoments', new Set(befores).size > 1],
			['moveHidden', moves && server.hidden.length > 0],
			['moveVisible', moves && server.hidden.length === 0],
			['moveAmongChanges', moves && server.changes.length > 1],
			['moveWithCuts', moves && server.cuts.length > 0],
		);
	return names.filter(([, on]) => on).map(([name]) => name);
}
