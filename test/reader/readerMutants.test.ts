import type { IDataObject } from 'n8n-workflow';

import type { Page, PageRequest } from '../../nodes/Beschannels/shared/page';
import { Ahead } from '../../nodes/Beschannels/shared/reader/ahead';
import { Calibration } from '../../nodes/Beschannels/shared/reader/calibration';
import { anchor, cutShort, freshRows, placeRow, type Placed } from '../../nodes/Beschannels/shared/reader/evidence';
import { paginate } from '../../nodes/Beschannels/shared/reader/read';
import { sitting, windowAround, windowAt, windowFrom, windowOf } from '../../nodes/Beschannels/shared/reader/windows';
import { judgeRead } from './readerOracle';
import { isGated, modelRead, modelServer, readOnce, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * Cases that pin what the property search and the named cases leave loose, found by mutation
 * testing the reader (`npm run mutate`, docs/design/reader.md): each fails on some change to the
 * reader that the rest of the reader's tests let pass.
 */

describe('which page to ask (windows.ts)', () => {
	it('a page that starts exactly at a position: any size at 0, else the largest size that divides it, else one row', () => {
		expect(windowAt(0, 100)).toEqual(windowOf(1, 100));
		expect(windowAt(300, 100)).toEqual({ pageNum: 4, pageSize: 100, start: 300, end: 400 });
		// 301 = 7 x 43: the largest size up to 100 that divides it is 43
		expect(windowAt(301, 100)).toEqual({ pageNum: 8, pageSize: 43, start: 301, end: 344 });
		expect(windowAt(7, 5)).toEqual({ pageNum: 8, pageSize: 1, start: 7, end: 8 });
	});

	it('the page that starts at or before a position and reaches furthest: the first page from below 0, the larger size when two reach as far', () => {
		expect(windowFrom(-3, 10)).toEqual(windowOf(1, 10));
		expect(windowFrom(0, 10)).toEqual(windowOf(1, 10));
		// page 1 of 10 and page 2 of 5 both end at 10
		expect(windowFrom(5, 10)).toEqual(windowOf(1, 10));
		// page 3 of 8 (16 to 24) reaches past page 2 of 10 (10 to 20)
		expect(windowFrom(17, 10)).toEqual(windowOf(3, 8));
	});

	it('an answer with more rows than asked ends where its window ends', () => {
		expect(sitting(windowOf(3, 10), 12)).toEqual({ pageNum: 3, pageSize: 10, start: 18, end: 30 });
		expect(sitting(windowOf(3, 10), 10)).toEqual(windowOf(3, 10));
		expect(sitting(windowOf(3, 10), 4)).toEqual(windowOf(3, 10));
	});

	it('the page around a stretch of ties with the most rows on either side, sizes down to a third, or none with the margin', () => {
		// 16 to 24 holds 18 to 21 with 2 rows on either side; no page of 10 or 9 holds them
		expect(windowAround(18, 21, 10, 2)).toEqual(windowOf(3, 8));
		// page 2 of 67 (67 to 134): 28 rows before 95, 29 after 104
		expect(windowAround(95, 104, 100, 2)).toEqual(windowOf(2, 67));
		expect(windowAround(45, 47, 10, 2)).toEqual(windowOf(5, 10));
		expect(windowAround(3, 4, 10, 2)).toEqual(windowOf(1, 10));
		expect(windowAround(48, 52, 100, 2)).toEqual(windowOf(1, 100));
		// no room for 2 rows before position 0; a stretch longer than a page
		expect(windowAround(0, 1, 10, 2)).toBeUndefined();
		expect(windowAround(5, 30, 10, 2)).toBeUndefined();
	});
});

const rows = (...ids: string[]): IDataObject[] => ids.map((identity_id) => ({ identity_id }));
const page = (...ids: string[]): Page => ({ total: 100, list: rows(...ids), header: [] });
/** Members read before, each at one place, with nothing shown of changes then. */
const readAt = (places: Record<string, number>, pass?: number) =>
	new Map<string, Placed>(Object.entries(places).map(([id, at]) => [id, { lo: at, hi: at, joined: 0, left: 0, pass }]));
const none = { joined: 0, left: 0 };

describe('what an answer rests on (evidence.ts)', () => {
	it('a row is placed at its window position, and up to the rows hidden before it further down', () => {
		expect(placeRow(windowOf(3, 10), 4, 2, { joined: 1, left: 2, pass: 1 })).toEqual({ lo: 24, hi: 26, joined: 1, left: 2, pass: 1 });
	});

	it('a member read before fits where it was, one place down per member joined since, one place up per member left since, and no further', () => {
		// page 2 of 10 starts at 10: row i sits at 10 + i
		const at = (i: number, changes = none) => anchor(rows(...Array.from({ length: i }, (_, k) => `new${k}`), 'a'), windowOf(2, 10), 0, changes, readAt({ a: 10 }));
		expect(at(0)).toEqual({ kind: 'anchored', index: 0 });
		expect(at(1, { joined: 1, left: 0 })).toEqual({ kind: 'anchored', index: 1 });
		expect(at(1).kind).toBe('misplaced');
		expect(at(2, { joined: 1, left: 0 }).kind).toBe('misplaced');
		// one place up: page 1 of 10, row 9
		const up = (changes: typeof none) => anchor(rows(...Array.from({ length: 9 }, (_, k) => `new${k}`), 'a'), windowOf(1, 10), 0, changes, readAt({ a: 10 }));
		expect(up({ joined: 0, left: 1 })).toEqual({ kind: 'anchored', index: 9 });
		expect(up(none)).toEqual({ kind: 'misplaced', rows: [{ was: { lo: 10, hi: 10, joined: 0, left: 0 }, now: { lo: 9, hi: 9, joined: 0, left: 0 } }] });
	});

	it('only the changes since a member was read count: those before it are in its place already', () => {
		// read at 10 after 2 joined and 2 left; 3 joined and 3 left since the read began: one each since
		const was = new Map<string, Placed>([['a', { lo: 10, hi: 10, joined: 2, left: 2 }]]);
		const since = { joined: 3, left: 3 };
		expect(anchor(rows('x', 'a'), windowOf(2, 10), 0, since, was)).toEqual({ kind: 'anchored', index: 1 });
		expect(anchor(rows('x', 'y', 'a'), windowOf(2, 10), 0, since, was).kind).toBe('misplaced');
		expect(anchor(rows('1', '2', '3', '4', '5', '6', '7', '8', '9', 'a'), windowOf(1, 10), 0, since, was)).toEqual({ kind: 'anchored', index: 9 });
		expect(anchor(rows('1', '2', '3', '4', '5', '6', '7', '8', 'a'), windowOf(1, 10), 0, since, was).kind).toBe('misplaced');
	});

	it('rows hidden before a member widen where it may sit, both where it was and where it is', () => {
		const wasWide = new Map<string, Placed>([['a', { lo: 8, hi: 10, joined: 0, left: 0 }]]);
		// now at 12 (page 2 of 10, row 2): 2 places below the highest place it was, with 2 joined
		expect(anchor(rows('x', 'y', 'a'), windowOf(2, 10), 0, { joined: 2, left: 0 }, wasWide)).toEqual({ kind: 'anchored', index: 2 });
		expect(anchor(rows('x', 'y', 'a'), windowOf(2, 10), 0, { joined: 1, left: 0 }, wasWide).kind).toBe('misplaced');
		// now at 7 to 9 (row 7 of page 1, 2 hidden): fits where it was without a change
		expect(anchor(rows('1', '2', '3', '4', '5', '6', '7', 'a'), windowOf(1, 10), 2, none, readAt({ a: 9 }))).toEqual({ kind: 'anchored', index: 7 });
		expect(anchor(rows('1', '2', '3', '4', '5', '6', '7', 'a'), windowOf(1, 10), 1, none, readAt({ a: 9 })).kind).toBe('misplaced');
	});

	it('rests on the last member that fits; any misplaced one wins; none read before, or read in an earlier pass, is no evidence', () => {
		expect(anchor(rows('a', 'b', 'c'), windowOf(1, 3), 0, none, readAt({ a: 0, b: 1 }))).toEqual({ kind: 'anchored', index: 1 });
		expect(anchor(rows('a', 'b', 'c'), windowOf(1, 3), 0, none, readAt({ a: 0, c: 5 })).kind).toBe('misplaced');
		expect(anchor(rows('x', 'y'), windowOf(1, 3), 0, none, readAt({ a: 0 }))).toEqual({ kind: 'none' });
		expect(anchor(rows('a', 'b'), windowOf(1, 3), 0, { joined: 0, left: 0, pass: 1 }, readAt({ a: 0, b: 7 }))).toEqual({ kind: 'none' });
		expect(anchor(rows('a', 'b'), windowOf(1, 3), 0, { joined: 0, left: 0, pass: 1 }, readAt({ a: 0, b: 7 }, 1)).kind).toBe('misplaced');
	});

	it('a move wholly within a stretch known to tie is not a member moving; one reaching out of it is', () => {
		// b read at 12, now at 10 (row 0 of page 2 of 10)
		const found = (lo: number, hi: number) => anchor(rows('b'), windowOf(2, 10), 0, none, readAt({ b: 12 }), [{ lo, hi }]);
		expect(found(10, 12)).toEqual({ kind: 'none' });
		expect(found(11, 12).kind).toBe('misplaced');
		expect(found(10, 11).kind).toBe('misplaced');
	});

	it('an answer cut short holds only rows the earlier one held, and fewer', () => {
		expect(cutShort(page('a', 'b'), page('a', 'b', 'c'))).toBe(true);
		expect(cutShort(page('a', 'b', 'c'), page('a', 'b', 'c'))).toBe(false);
		expect(cutShort(page('a', 'x'), page('a', 'b', 'c'))).toBe(false);
		expect(cutShort(page('a', 'b', 'c', 'd'), page('a', 'b', 'c'))).toBe(false);
		expect(freshRows(rows('a', 'x', 'b', 'y'), readAt({ a: 0, b: 1 }))).toEqual(rows('x', 'y'));
	});
});

/**
 * A short first page at position 0, asked at `asked` of a still group whose visible rows sit at
 * `visible`, then page 1 at each size the calibration asks: the sizes asked, and what they showed.
 * `cut` cuts the answer to that request (1 for the first) to `to` rows in passing.
 */
function calibrate(visible: number[], asked: number, options: { small?: boolean; cut?: { request: number; to: number } } = {}) {
	let requests = 0;
	const serve = (size: number): Page => {
		requests++;
		const ids = visible.filter((position) => position < size).map((position) => `m${position}`);
		const list = options.cut?.request === requests ? ids.slice(0, options.cut.to) : ids;
		return { total: visible.length, list: list.map((identity_id) => ({ identity_id })), header: [] };
	};
	const calibration = new Calibration(serve(asked), windowOf(1, asked), none, options.small);
	const sizes: number[] = [];
	for (let size = calibration.next(); size !== undefined && sizes.length < 20; size = calibration.next()) {
		sizes.push(size);
		if (!calibration.judge(serve(size), size)) return { sizes, firstCutShort: true };
	}
	return { sizes, lo: calibration.lo, hi: calibration.hi, served: calibration.served, showedHidden: calibration.showedHidden };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('the page-1 probes (calibration.ts)', () => {
	it('37 rows came: page 1 at one row more holds the same rows, and one more answer places the last row exactly', () => {
		expect(calibrate(range(0, 37), 1000)).toEqual({ sizes: [38, 37], lo: 36, hi: 36, served: 37, showedHidden: false });
	});

	it('rows hidden between position 9 and 60: a binary search on page 1 finds the last row within an eighth, each "fewer" asked twice', () => {
		// the first answer held 15 rows, the last at position 64
		expect(calibrate([...range(0, 10), ...range(60, 65)], 100)).toEqual({ sizes: [16, 58, 79, 69, 64, 64], lo: 64, hi: 68, served: 65, showedHidden: true });
		expect(calibrate([...range(0, 10), ...range(600, 605)], 1000)).toEqual({ sizes: [16, 508, 754, 631, 570, 570], lo: 570, hi: 630, served: 571, showedHidden: true });
	});

	it('the search stops once the last row is placed within an eighth of its place or one place, whichever is more', () => {
		// rows at 0 and 3: after 7 probes the last row sits at 3 or 4, one place apart (an eighth of 3 is less): the one "fewer" (at 3) is confirmed, and the search stops
		expect(calibrate([0, 3], 100)).toEqual({ sizes: [3, 52, 28, 16, 10, 7, 5, 3], lo: 3, hi: 4, served: 4, showedHidden: true });
	});

	it('a small group places its last row in two probes, the second "fewer" confirmed', () => {
		expect(calibrate([...range(0, 10), ...range(60, 65)], 100, { small: true })).toEqual({ sizes: [15, 58, 58], lo: 58, hi: 99, served: 59, showedHidden: true });
	});

	it('a probe cut short in passing is contradicted when asked again: the search goes back to the answer before it, still to be confirmed, and stops after 8 probes', () => {
		expect(calibrate([...range(0, 10), ...range(60, 65)], 100, { cut: { request: 4, to: 3 } })).toEqual({
			sizes: [16, 58, 79, 90, 85, 79, 69, 64, 64],
			lo: 64,
			hi: 68,
			served: 65,
			showedHidden: true,
		});
	});

	it('a probe cut to nothing does not hide the smaller answer before it that showed rows hidden', () => {
		expect(calibrate([...range(0, 20), 24, 29, 34], 1000, { small: true, cut: { request: 3, to: 0 } })).toMatchObject({ sizes: [23, 512, 512, 23], served: 24, showedHidden: true });
	});

	it('a probe that holds a row the first answer lacked shows that answer was cut short', () => {
		expect(calibrate(range(0, 40), 1000, { cut: { request: 1, to: 37 } })).toEqual({ sizes: [38], firstCutShort: true });
	});
});

/**
 * What the oracle finds wrong with a read of a still group, less the request bounds the search leaves
 * out for now (NOT_YET), and the requests it made.
 */
async function judged(s: ServerSpec, r: ReadSpec) {
	const problems = (await judgeRead(s, r, false)).filter((problem) => !isGated(/\((\w+)\)$/.exec(problem)?.[1] ?? ''));
	const { requests, returned } = await readOnce(s, r);
	return { problems, requests: requests.length, returned: returned.length };
}

describe('the first answer (firstPage.ts): judged by the oracle, in no more requests than the reader makes now', () => {
	const server = modelServer;
	const read = modelRead;
	// [name, server, read, members returned, most requests (a short last page is asked twice: see atEnd)]
	const cases: Array<[string, ServerSpec, ReadSpec, number, number]> = [
		['Start at Page past the end of a server that answers it with its last page: nothing lies past the start', server({ size: 10, cap: 1000, pastEnd: 'last' }), read({ pageSize: 5, startPage: 3 }), 0, 2],
		['Start at Page past a total that lies low: the page after it holds other members, so the first answer is taken', server({ size: 30, cap: 1000, totalCountsHidden: false, totalOffset: -20 }), read({ pageSize: 10, startPage: 2 }), 20, 8],
		['Start at Page on a server that serves 37, counting pages by the rows it serves: page 1 shows the size', server({ size: 300, cap: 37 }), read({ pageSize: 100, startPage: 2 }), 200, 16],
		['the same, counting pages by the rows asked', server({ size: 300, cap: 37, offsets: 'asked' }), read({ pageSize: 100, startPage: 2 }), 200, 16],
		['Start at Page after 100 hidden rows', server({ size: 300, cap: 1000, hidden: range(0, 100) }), read({ pageSize: 100, startPage: 2 }), 200, 4],
		['Start at Page with a Limit below Page Size on a server that serves 20: members before the start are skipped', server({ size: 300, cap: 20 }), read({ pageSize: 100, startPage: 2, limit: 30 }), 30, 7],
		['a short first page of a small group (total at most 4 pages of it): two probes', server({ size: 50, cap: 20 }), read(), 50, 5],
		['a short first page of a larger group: the cap placed exactly', server({ size: 100, cap: 20 }), read(), 100, 10],
		['rows hidden on page 1, found by the probes', server({ size: 60, cap: 1000, hidden: range(10, 50) }), read({ pageSize: 30 }), 20, 18],
		['rows hidden on page 1, read from a later start', server({ size: 200, cap: 1000, hidden: range(10, 50) }), read({ pageSize: 30, startPage: 3 }), 140, 7],
		['Start at Page inside 150 hidden rows', server({ size: 300, cap: 1000, hidden: range(0, 150) }), read({ pageSize: 50, startPage: 2 }), 150, 24],
		['Start at Page after 50 hidden rows: the short first answer is asked again, then page 1 (full) shows the size', server({ size: 300, cap: 1000, hidden: range(100, 150) }), read({ pageSize: 100, startPage: 2 }), 150, 14],
		['the same with page 1 all hidden: an empty page 1 leaves the size the rows that came', server({ size: 300, cap: 1000, hidden: range(0, 150) }), read({ pageSize: 100, startPage: 2 }), 150, 17],
		['the same on a server that serves 60', server({ size: 300, cap: 60, hidden: range(0, 100) }), read({ pageSize: 100, startPage: 2 }), 200, 22],
		['Start at Page, the first answer cut short in passing: asked again, it comes back full', server({ size: 300, cap: 1000, cuts: [{ request: 1, keep: 0.5 }] }), read({ pageSize: 100, startPage: 2 }), 200, 5],
		['the same on a server that serves 60: the answer asked again is short too, and page 1 shows the size', server({ size: 300, cap: 60, cuts: [{ request: 1, keep: 0.5 }] }), read({ pageSize: 100, startPage: 2 }), 200, 11],
		['a first page cut short in passing, shown by a probe: asked again, it is taken as it comes', server({ size: 100, cap: 40, cuts: [{ request: 1, keep: 0.5 }] }), read(), 100, 7],
		['Start at Page past the end, nothing there', server({ size: 10, cap: 1000 }), read({ pageSize: 5, startPage: 4 }), 0, 7],
		['a total of 0 with 3 members, read from the start', server({ size: 3, cap: 1000, totalCountsHidden: false, totalOffset: -3 }), read(), 3, 10],
		['a total of 0 with 13 members, read from page 2', server({ size: 13, cap: 1000, totalCountsHidden: false, totalOffset: -13 }), read({ pageSize: 5, startPage: 2 }), 8, 10],
	];

	it.each(cases)('%s', async (_name, s, r, returned, most) => {
		const read = await judged(s, r);
		expect(read.problems).toEqual([]);
		expect(read.returned).toBe(returned);
		expect(read.requests).toBeLessThanOrEqual(most);
	});

	// A total 2 low on a server that answers a page past its end with its last page. Page 3 of 5 holds
	// m10 and m11, past the total of 10. The read used to ask page 4, which the server answers with
	// page 3 itself, and end "confirmed" with nothing, though m10 and m11 are owed. It now asks page 2,
	// which differs, and takes m10 and m11; the page after them, answered with the last 4 rows, then
	// fails the read as a group that changed: a clear error, not yet a success. Both behaviours (a total
	// that lies low, past-end pages answered with the last page) are searched apart, the second not yet.
	it.failing('Start at Page past a total 2 low, on a server that answers past its end with its last page, which is the start page: its members are returned', async () => {
		const read = await judged(server({ size: 12, cap: 1000, totalCountsHidden: false, totalOffset: -2, pastEnd: 'last' }), modelRead({ pageSize: 5, startPage: 3 }));
		expect(read.problems).toEqual([]);
		expect(read.returned).toBe(2);
	});

	it('reports the size of the first request answered', async () => {
		const ids = Array.from({ length: 25 }, (_, i) => ({ identity_id: `m${i}` }));
		const result = await paginate({
			returnAll: true,
			limit: 0,
			pageSize: 10,
			fetchPage: async ({ pageNum, pageSize }) => ({ total: 25, list: ids.slice((pageNum - 1) * pageSize, pageNum * pageSize), header: [] }),
		});
		expect(result.complete).toBe(true);
		expect(result.firstServedSize).toBe(10);
	});
});

describe('pages fetched ahead (ahead.ts)', () => {
	const row = (id: string): IDataObject => ({ identity_id: id, identity_value: id });
	/** A server whose answers hold `rows` rows for each page number asked, recording each request and its signal. */
	function server(rows: (request: PageRequest) => number) {
		const asked: Array<{ request: PageRequest; signal: AbortSignal }> = [];
		const fetchPage = async (request: PageRequest, signal: AbortSignal): Promise<Page> => {
			asked.push({ request, signal });
			const list = Array.from({ length: rows(request) }, (_, i) => row(`p${request.pageNum}r${i}x${asked.length}`));
			return { total: 100, list, header: [] };
		};
		return { asked, ahead: new Ahead(fetchPage) };
	}

	it('a page dropped is stopped, and asked afresh when it is needed again (never answered by the answer from before)', async () => {
		const { asked, ahead } = server(() => 1);
		ahead.fetch(windowOf(2, 10));
		ahead.drop();
		expect(asked[0].signal.aborted).toBe(true);
		const page = await ahead.take(windowOf(2, 10));
		expect(asked).toHaveLength(2);
		expect(asked[1].signal.aborted).toBe(false);
		expect(page.list[0].identity_id).toBe('p2r0x2');
	});

	it('an answer with rows counts only as far as it surely sits: page n at n - 1 times the rows the server surely serves, at most its size', async () => {
		const { ahead } = server((request) => (request.pageNum === 9 ? 0 : request.pageNum === 2 ? 3 : 1));
		expect(ahead.furthestRows(50)).toBe(-1);
		await ahead.take(windowOf(6, 999));
		await ahead.take(windowOf(3, 999));
		// an empty answer shows nothing
		await ahead.take(windowOf(9, 999));
		expect(ahead.furthestRows(1)).toBe(5);
		expect(ahead.furthestRows(2)).toBe(10);
		expect(ahead.furthestRows(5000)).toBe(5 * 999);
		// the rows an answer held show the server serves at least that many
		await ahead.take(windowOf(2, 10));
		expect(ahead.furthestRows(0)).toBe(5);
		await ahead.take(windowOf(4, 10));
		expect(ahead.furthestRows(0)).toBe(9);
	});
});
