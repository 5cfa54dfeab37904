import { paginate, type Page } from '../nodes/Beschannels/shared/paginate';

function pagesOf(ids: string[], perPage: number, total = ids.length) {
	const asked: number[] = [];
	const fetchPage = async (n: number): Promise<Page> => {
		asked.push(n);
		return {
			total,
			list: ids.slice((n - 1) * perPage, n * perPage).map((identity_id) => ({ identity_id })),
			header: [],
		};
	};
	return { asked, fetchPage };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

describe('paginate', () => {
	it('reads until a page is shorter than the first one', async () => {
		const source = pagesOf(ids(25), 10);
		const result = await paginate({ returnAll: true, limit: 0, fetchPage: source.fetchPage });
		expect(result.members).toHaveLength(25);
		expect(result.stop).toBe('short');
		expect(source.asked).toEqual([1, 2, 3]);
	});

	it('reads one more page to confirm the end when the group fills its pages exactly', async () => {
		const source = pagesOf(ids(20), 10);
		const result = await paginate({ returnAll: true, limit: 0, fetchPage: source.fetchPage });
		expect(result.members).toHaveLength(20);
		expect(result.stop).toBe('empty');
		expect(source.asked).toEqual([1, 2, 3]);
	});

	it('fetches the page that confirms the end ahead, with the planned ones, only when it will be needed', async () => {
		// a fetcher that answers only once every page fetched ahead has been asked for
		const planned = (count: number, perPage: number) => {
			const source = pagesOf(ids(count), perPage);
			let inFlight = 0;
			let most = 0;
			const fetchPage = async (n: number): Promise<Page> => {
				inFlight++;
				most = Math.max(most, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 5));
				inFlight--;
				return await source.fetchPage(n);
			};
			return { source, fetchPage, most: () => most };
		};
		const exact = planned(40, 10);
		await paginate({ returnAll: true, limit: 0, fetchPage: exact.fetchPage, concurrency: 10 });
		// pages 2-5 went out together: the fifth (empty) one did not wait for the fourth
		expect(exact.source.asked).toEqual([1, 2, 3, 4, 5]);
		expect(exact.most()).toBe(4);

		const partial = planned(35, 10);
		await paginate({ returnAll: true, limit: 0, fetchPage: partial.fetchPage, concurrency: 10 });
		expect(partial.source.asked).toEqual([1, 2, 3, 4]);

		const limited = planned(40, 10);
		await paginate({ returnAll: false, limit: 40, fetchPage: limited.fetchPage, concurrency: 10 });
		expect(limited.source.asked).toEqual([1, 2, 3, 4]);
	});

	it('keeps reading past a total that lies low', async () => {
		const source = pagesOf(ids(45), 10, 12);
		const result = await paginate({ returnAll: true, limit: 0, fetchPage: source.fetchPage, concurrency: 4 });
		expect(result.members.map((m) => m.identity_id)).toEqual(ids(45));
	});

	it('fetches ahead within the plan and still returns members in page order', async () => {
		const source = pagesOf(ids(95), 10);
		const result = await paginate({ returnAll: true, limit: 0, fetchPage: source.fetchPage, concurrency: 5 });
		expect(result.members.map((m) => m.identity_id)).toEqual(ids(95));
		expect(new Set(source.asked).size).toBe(source.asked.length);
	});

	it('ends when a page brings nothing new', async () => {
		const fetchPage = async (): Promise<Page> => ({ total: 100, list: [{ identity_id: 'a' }, { identity_id: 'b' }], header: [] });
		const result = await paginate({ returnAll: true, limit: 0, fetchPage });
		expect(result.members).toHaveLength(2);
		expect(result.stop).toBe('repeat');
		expect(result.pagesRead).toBe(2);
	});

	it('stops at the page bound when pages never end', async () => {
		let n = 0;
		const fetchPage = async (): Promise<Page> => ({ list: [{ identity_id: `x${n++}` }], header: [] });
		const result = await paginate({ returnAll: true, limit: 0, fetchPage, maxPages: 7 });
		expect(result.stop).toBe('maxPages');
		expect(result.pagesRead).toBe(7);
	});

	it('keeps rows without an identity rather than dropping them', async () => {
		const fetchPage = async (n: number): Promise<Page> => ({ list: n === 1 ? [{ a: 1 }, { a: 1 }] : [], header: [] });
		const result = await paginate({ returnAll: true, limit: 0, fetchPage });
		expect(result.members).toHaveLength(2);
	});

	it('ends when rows without an identity arrive as the same page again', async () => {
		const fetchPage = async (): Promise<Page> => ({ list: [{ a: 1 }, { a: 2 }], header: [] });
		const result = await paginate({ returnAll: true, limit: 0, fetchPage });
		expect(result.members).toHaveLength(2);
		expect(result.stop).toBe('repeat');
	});
});
