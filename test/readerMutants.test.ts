import { sitting, windowAround, windowAt, windowFrom, windowOf } from '../nodes/Beschannels/shared/reader/windows';

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
