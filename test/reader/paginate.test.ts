import { judgeMade } from './readerOracle';
import { modelRead, modelServer, readOnce, type ReadSpec, type ServerSpec } from './serverModel';

/** More rows than any page asks: a server that serves every row asked. */
const UNCAPPED = 100_000;

/** A still group of `size` members m0, m1, ... that serves every row asked, unless `s` says otherwise. */
const group = (size: number, s: Partial<ServerSpec> = {}) => modelServer({ size, cap: UNCAPPED, ...s });

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

/**
 * Reads `server` once, and what the oracle finds wrong with the read (readerOracle.ts), judged as the
 * property search judges it: the request bounds the reader does not meet yet are left out.
 */
async function read(server: ServerSpec, r: Partial<ReadSpec>) {
	const spec = modelRead(r);
	const m = await readOnce(server, spec);
	return { m, problems: judgeMade(server, spec, m, false, true) };
}

describe('paginate', () => {
	it('reads until a short page agrees with the total, each page repeating rows of the one before', async () => {
		const { m, problems } = await read(group(25), { pageSize: 10 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(25));
		// every page after the first starts before the last one ended: [0,10), [8,16), [14,21), [18,27),
		// the short last page asked again (one cut short in passing would look the same)
		expect(m.requests).toEqual([
			{ pageNum: 1, pageSize: 10 },
			{ pageNum: 2, pageSize: 8 },
			{ pageNum: 3, pageSize: 7 },
			{ pageNum: 3, pageSize: 9 },
			{ pageNum: 3, pageSize: 9 },
		]);
	});

	it('reads past a group that fills its pages exactly until a short page shows the end', async () => {
		const { m, problems } = await read(group(1000), { pageSize: 500 });
		expect(problems).toEqual([]);
		expect(m.returned).toHaveLength(1000);
		// [0,500), [498,996), [996,1494) twice (a short last page is asked again): ceil(1000 / 500) + 2 requests
		expect(m.requests).toHaveLength(4);
	});

	// a server that serves 7 rows a page, with a total that counts too few, sends the same first answer
	it('a group smaller than one page costs two requests: the page after it, at the size that came, shows the end', async () => {
		const { m, problems } = await read(group(7), { pageSize: 100 });
		expect(problems).toEqual([]);
		expect(m.returned).toHaveLength(7);
		expect(m.requests).toEqual([
			{ pageNum: 1, pageSize: 100 },
			{ pageNum: 2, pageSize: 7 },
		]);
	});

	describe.each(['served', 'asked'] as const)('a server that caps pages at 37 and counts offsets by rows %s', (offsets) => {
		const capped = group(1037, { cap: 37, offsets });

		it('Return All reads every member once, in order, asking at most 37 rows after the first page', async () => {
			const { m, problems } = await read(capped, { pageSize: 100, concurrency: 10 });
			expect(problems).toEqual([]);
			expect(m.returned).toEqual(ids(1037));
			// the short first answer is not taken as the cap until page 1 asked at one row more holds the same rows
			expect(m.requests[1]).toEqual({ pageNum: 1, pageSize: 38 });
			expect(m.requests.slice(2).every((r) => r.pageSize <= 37 && r.pageSize >= 18)).toBe(true);
			// every page overlaps the one before: at 37 rows that costs about a quarter more than
			// ceil(1037 / 37) + 1 requests, the least any read that checks every page can ask
			expect(m.requests.length).toBeLessThanOrEqual(Math.ceil((Math.ceil(1037 / 37) + 2) * 1.3));
		});

		it('Limit 45 returns exactly the first 45 members, asking page 1 at one row more and at the rows that came to see they are the cap', async () => {
			const { m, problems } = await read(capped, { pageSize: 100, limit: 45 });
			expect(problems).toEqual([]);
			expect(m.returned).toEqual(ids(45));
			expect(m.requests).toEqual([
				{ pageNum: 1, pageSize: 45 },
				{ pageNum: 1, pageSize: 38 },
				{ pageNum: 1, pageSize: 37 },
				{ pageNum: 2, pageSize: 35 },
			]);
		});

		it('Start at Page 3 of Page Size 100 starts at member 201', async () => {
			const slice = await read(capped, { pageSize: 100, startPage: 3, limit: 100 });
			expect(slice.problems).toEqual([]);
			expect(slice.m.returned).toEqual(ids(1037).slice(200, 300));
			const rest = await read(capped, { pageSize: 100, startPage: 3, concurrency: 10 });
			expect(rest.problems).toEqual([]);
			expect(rest.m.returned).toEqual(ids(1037).slice(200));
		});
	});

	it('Start at Page counts pages of Page Size whatever Limit is', async () => {
		const { m, problems } = await read(group(250), { pageSize: 100, startPage: 3, limit: 10 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(250).slice(200, 210));
		expect(m.requests).toEqual([{ pageNum: 21, pageSize: 10 }]);
	});

	it('asks a page that came back short before the total again, and reads on', async () => {
		const { m, problems } = await read(group(60, { cuts: [{ request: 2, keep: 0, rows: 15 }] }), { pageSize: 20 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(60));
	});

	it('asks an empty page before the total again, and reads on', async () => {
		const { m, problems } = await read(group(60, { cuts: [{ request: 2, keep: 0 }] }), { pageSize: 20 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(60));
		expect(m.requests[1]).toEqual(m.requests[2]);
		// and the short last page asked twice
		expect(m.requests).toHaveLength(6);
	});

	it('a total that lies high: the end is confirmed by an empty page asked twice, and the node says 15 were not sent', async () => {
		const { m, problems } = await read(group(45, { totalOffset: 15 }), { pageSize: 20 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(45));
		const [shortPage, again, empty, emptyAgain] = m.requests.slice(-4);
		expect(again).toEqual(shortPage);
		expect(emptyAgain).toEqual(empty);
		expect(m.outcome).toEqual({ ok: true, note: expect.stringMatching(/announced 60 members .* 45 arrived.* other 15 are counted by Beschannels but not sent/) });
	});

	it('keeps reading past a total that lies low', async () => {
		const { m, problems } = await read(group(45, { totalOffset: -33 }), { pageSize: 10, concurrency: 4 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(45));
	});

	it('fetches ahead within the plan, the page that shows the end included, and returns members in order', async () => {
		const { m, problems } = await read(group(40, { latency: { turns: 5 } }), { pageSize: 10, concurrency: 10 });
		expect(problems).toEqual([]);
		expect(m.returned).toEqual(ids(40));
		// [0,10), [8,16), [14,21), [18,27), [24,32), [30,40), [36,45) twice (the short last page)
		expect(m.requests).toHaveLength(8);
		expect(m.mostInFlight).toBe(6);
	});

	it('ends with "repeat" when a page brings nothing new', async () => {
		// two members, a total of 100, and page 1 whatever page_num asks
		const { m } = await read(group(2, { totalOffset: 98, pageNumbers: 'ignored' }), { pageSize: 2 });
		expect(m.returned).toHaveLength(2);
		// the page with nothing new is asked once more before it counts
		expect(m.result).toMatchObject({ end: 'repeat', complete: false, pagesRead: 3 });
	});

	it('stops at the page bound when pages never end', async () => {
		// no total, and pages of one row, each a new member, for far longer than the bound
		const { m } = await read(group(1000, { totalForm: 'missing' }), { pageSize: 1, maxPages: 7 });
		expect(m.result).toMatchObject({ end: 'maxPages', complete: false, pagesRead: 7 });
	});

	it('a group that never ends stops at the page bound, and the node says so', async () => {
		// a total of 3, and pages of one row, each a new member, for far longer than the bound
		const { m } = await read(group(1000, { totalOffset: -997 }), { pageSize: 1, maxPages: 4 });
		expect(m.result).toMatchObject({ end: 'maxPages', complete: false, pagesRead: 4, read: 4 });
		expect(m.outcome).toEqual({ ok: false, message: expect.stringMatching(/Stopped after 4 pages without reaching the end of the group/) });
	});

	it('tells rows without an identity apart by their fields; a row sent twice is one member', async () => {
		// two rows without an identity, no total, the first sent twice in page 1
		const { m } = await read(group(2, { anonymous: 'all', totalForm: 'missing', doubled: [1] }), { pageSize: 3 });
		expect(m.returned).toEqual(['m0', 'm1']);
		expect(m.result.members).toEqual(ids(2).map((id) => ({ FullName: `Member ${id}`, Email: `${id}@example.com`, member_id: id })));
		expect(m.result.duplicates).toBeGreaterThan(0);
	});

	it('ends when rows without an identity arrive as the same page again', async () => {
		const { m } = await read(group(2, { anonymous: 'all', totalForm: 'missing', pageNumbers: 'ignored' }), { pageSize: 2 });
		expect(m.returned).toHaveLength(2);
		expect(m.outcome).toEqual({ ok: false, message: expect.stringMatching(/^Beschannels sent page \d+ again instead of new members/) });
	});
});
