/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import type { INode } from 'n8n-workflow';

import { judgeRead } from '../../nodes/Beschannels/shared/group/verdict';
import type { Page, PageRequest } from '../../nodes/Beschannels/shared/page';
import { paginate } from '../../nodes/Beschannels/shared/reader/read';

interface ServerOptions {
	/** Most rows served per page, whatever page_size asks. */
	cap?: number;
	/** How page k's first row is found: (k - 1) x rows served, or x rows asked. */
	offsets?: 'served' | 'asked';
	total?: number;
	/** Answers that come back short once: request number (1-based) -> rows served. */
	shortOnce?: Record<number, number>;
}

/** A fake group user list over `ids`, recording each request. */
function server(ids: string[], options: ServerOptions = {}) {
	const asked: PageRequest[] = [];
	const fetchPage = async (request: PageRequest): Promise<Page> => {
		asked.push(request);
		const served = Math.min(request.pageSize, options.cap ?? Infinity);
		const step = options.offsets === 'asked' ? request.pageSize : served;
		const from = (request.pageNum - 1) * step;
		const short = options.shortOnce?.[asked.length];
		const rows = ids.slice(from, from + (short ?? served));
		return { total: options.total ?? ids.length, list: rows.map((identity_id) => ({ identity_id })), header: [] };
	};
	return { asked, fetchPage };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
const memberIds = (result: { members: Array<{ identity_id?: unknown }> }) => result.members.map((m) => m.identity_id);
const all = { returnAll: true, limit: 0 };

describe('paginate', () => {
	it('reads until a short page agrees with the total, each page repeating rows of the one before', async () => {
		const source = server(ids(25));
		const result = await paginate({ ...all, pageSize: 10, fetchPage: source.fetchPage });
		expect(memberIds(result)).toEqual(ids(25));
		expect(result).toMatchObject({ end: 'total', complete: true });
		// every page after the first starts before the last one ended: [0,10), [8,16), [14,21), [18,27)
		expect(source.asked).toEqual([
			{ pageNum: 1, pageSize: 10 },
			{ pageNum: 2, pageSize: 8 },
			{ pageNum: 3, pageSize: 7 },
			{ pageNum: 3, pageSize: 9 },
		]);
	});

	it('reads past a group that fills its pages exactly until a short page shows the end', async () => {
		const source = server(ids(1000));
		const result = await paginate({ ...all, pageSize: 500, fetchPage: source.fetchPage });
		expect(result.members).toHaveLength(1000);
		expect(result).toMatchObject({ end: 'total', complete: true });
		// [0,500), [498,996), [996,1494): ceil(1000 / 500) + 1 requests
		expect(source.asked).toHaveLength(3);
	});

	// a server that serves 7 rows a page, with a total that counts too few, sends the same first answer
	it('a group smaller than one page costs two requests: the page after it, at the size that came, shows the end', async () => {
		const source = server(ids(7));
		const result = await paginate({ ...all, pageSize: 100, fetchPage: source.fetchPage });
		expect(result.members).toHaveLength(7);
		expect(source.asked).toEqual([
			{ pageNum: 1, pageSize: 100 },
			{ pageNum: 2, pageSize: 7 },
		]);
	});

	describe.each(['served', 'asked'] as const)('a server that caps pages at 37 and counts offsets by rows %s', (offsets) => {
		const group = ids(1037);

		it('Return All reads every member once, in order, asking at most 37 rows after the first page', async () => {
			const source = server(group, { cap: 37, offsets });
			const result = await paginate({ ...all, pageSize: 100, fetchPage: source.fetchPage, concurrency: 10 });
			expect(memberIds(result)).toEqual(group);
			expect(result.complete).toBe(true);
			// the short first answer is not taken as the cap until page 1 asked at one row more holds the same rows
			expect(source.asked[1]).toEqual({ pageNum: 1, pageSize: 38 });
			expect(source.asked.slice(2).every((r) => r.pageSize <= 37 && r.pageSize >= 18)).toBe(true);
			// every page overlaps the one before: at 37 rows that costs about a quarter more than
			// ceil(1037 / 37) + 1 requests, the least any read that checks every page can ask
			expect(source.asked.length).toBeLessThanOrEqual(Math.ceil((Math.ceil(1037 / 37) + 2) * 1.3));
		});

		it('Limit 45 returns exactly the first 45 members, asking page 1 at one row more and at the rows that came to see they are the cap', async () => {
			const source = server(group, { cap: 37, offsets });
			const result = await paginate({ returnAll: false, limit: 45, pageSize: 100, fetchPage: source.fetchPage });
			expect(memberIds(result)).toEqual(group.slice(0, 45));
			expect(source.asked).toEqual([
				{ pageNum: 1, pageSize: 45 },
				{ pageNum: 1, pageSize: 38 },
				{ pageNum: 1, pageSize: 37 },
				{ pageNum: 2, pageSize: 35 },
			]);
		});

		it('Start at Page 3 of Page Size 100 starts at member 201', async () => {
			const source = server(group, { cap: 37, offsets });
			const slice = await paginate({ returnAll: false, limit: 100, pageSize: 100, startOffset: 200, fetchPage: source.fetchPage });
			expect(memberIds(slice)).toEqual(group.slice(200, 300));
			const rest = await paginate({ ...all, pageSize: 100, startOffset: 200, fetchPage: server(group, { cap: 37, offsets }).fetchPage, concurrency: 10 });
			expect(memberIds(rest)).toEqual(group.slice(200));
			expect(rest.complete).toBe(true);
		});
	});

	it('Start at Page counts pages of Page Size whatever Limit is', async () => {
		const source = server(ids(250));
		const result = await paginate({ returnAll: false, limit: 10, pageSize: 100, startOffset: 200, fetchPage: source.fetchPage });
		expect(memberIds(result)).toEqual(ids(250).slice(200, 210));
		expect(source.asked).toEqual([{ pageNum: 21, pageSize: 10 }]);
	});

	it('asks a page that came back short before the total again, and reads on', async () => {
		const source = server(ids(60), { shortOnce: { 2: 15 } });
		const result = await paginate({ ...all, pageSize: 20, fetchPage: source.fetchPage });
		expect(memberIds(result)).toEqual(ids(60));
		expect(result.complete).toBe(true);
	});

	it('asks an empty page before the total again, and reads on', async () => {
		const source = server(ids(60), { shortOnce: { 2: 0 } });
		const result = await paginate({ ...all, pageSize: 20, fetchPage: source.fetchPage });
		expect(memberIds(result)).toEqual(ids(60));
		expect(source.asked[1]).toEqual(source.asked[2]);
		expect(source.asked).toHaveLength(5);
	});

	it('a total that lies high: the end is confirmed by an empty page asked twice, and the node says 15 were not sent', async () => {
		const source = server(ids(45), { total: 60 });
		const result = await paginate({ ...all, pageSize: 20, fetchPage: source.fetchPage });
		expect(memberIds(result)).toEqual(ids(45));
		expect(result).toMatchObject({ end: 'confirmed', complete: true, expected: 60, read: 45 });
		const [shortPage, again, empty, emptyAgain] = source.asked.slice(-4);
		expect(again).toEqual(shortPage);
		expect(emptyAgain).toEqual(empty);
		const node = { id: 'n', name: 'Beschannels', type: 'beschannels', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
		expect(judgeRead(node, result)).toMatch(/announced 60 members .* 45 arrived.* other 15 are counted by Beschannels but not sent/);
	});

	it('keeps reading past a total that lies low', async () => {
		const source = server(ids(45), { total: 12 });
		const result = await paginate({ ...all, pageSize: 10, fetchPage: source.fetchPage, concurrency: 4 });
		expect(memberIds(result)).toEqual(ids(45));
		expect(result.complete).toBe(true);
	});

	it('fetches ahead within the plan, the page that shows the end included, and returns members in order', async () => {
		const source = server(ids(40));
		let inFlight = 0;
		let most = 0;
		const fetchPage = async (request: PageRequest): Promise<Page> => {
			inFlight++;
			most = Math.max(most, inFlight);
			await new Promise((resolve) => setTimeout(resolve, 5));
			inFlight--;
			return await source.fetchPage(request);
		};
		const result = await paginate({ ...all, pageSize: 10, fetchPage, concurrency: 10 });
		expect(memberIds(result)).toEqual(ids(40));
		// [0,10), [8,16), [14,21), [18,27), [24,32), [30,40), [36,45)
		expect(source.asked).toHaveLength(7);
		expect(most).toBe(6);
		expect(result.end).toBe('total');
	});

	it('ends with "repeat" when a page brings nothing new', async () => {
		const fetchPage = async (): Promise<Page> => ({ total: 100, list: [{ identity_id: 'a' }, { identity_id: 'b' }], header: [] });
		const result = await paginate({ ...all, pageSize: 2, fetchPage });
		expect(result.members).toHaveLength(2);
		// the page with nothing new is asked once more before it counts
		expect(result).toMatchObject({ end: 'repeat', complete: false, pagesRead: 3 });
	});

	it('stops at the page bound when pages never end', async () => {
		let n = 0;
		const fetchPage = async (): Promise<Page> => ({ list: [{ identity_id: `x${n++}` }], header: [] });
		const result = await paginate({ ...all, pageSize: 1, fetchPage, maxPages: 7 });
		expect(result).toMatchObject({ end: 'maxPages', complete: false, pagesRead: 7 });
	});

	it('a group that never ends stops at the page bound, and the node says so', async () => {
		let n = 0;
		const fetchPage = async (): Promise<Page> => ({ total: 3, list: [{ identity_id: `x${n++}` }], header: [] });
		const result = await paginate({ ...all, pageSize: 1, fetchPage, maxPages: 4 });
		expect(result).toMatchObject({ end: 'maxPages', complete: false, pagesRead: 4, read: 4 });
		const node = { id: 'n', name: 'Beschannels', type: 'beschannels', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
		expect(() => judgeRead(node, result)).toThrow(/Stopped after 4 pages without reaching the end of the group/);
	});

	it('tells rows without an identity apart by their fields; a row sent twice is one member', async () => {
		const fetchPage = async (request: PageRequest): Promise<Page> => ({ list: request.pageNum === 1 ? [{ a: 1 }, { a: 2 }, { a: 1 }] : [], header: [] });
		const result = await paginate({ ...all, pageSize: 3, fetchPage });
		expect(result.members).toEqual([{ a: 1 }, { a: 2 }]);
		expect(result.duplicates).toBeGreaterThan(0);
	});

	it('ends when rows without an identity arrive as the same page again', async () => {
		const fetchPage = async (): Promise<Page> => ({ list: [{ a: 1 }, { a: 2 }], header: [] });
		const result = await paginate({ ...all, pageSize: 2, fetchPage });
		expect(result.members).toHaveLength(2);
		expect(result.end).toBe('repeat');
	});
});
