import { judgeRead } from './readerOracle';
import { modelRead, modelServer, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * Every server the property search in `readerModel.test.ts` ever found to break the reader, shrunk
 * to its smallest form, kept as a named case, judged as the search judges it (`readerOracle.ts`). Each
 * failed on the reader of its day.
 */

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Four rows hidden of every five, from `from` to `to`. */
const fourOfFive = (from: number, to: number) => range(from, to).filter((i) => i % 5 !== 4);

const server = modelServer;
const read = modelRead;

const still: Array<[string, ServerSpec, ReadSpec]> = [
	['a row sent twice in a short first page is not a page repeated', server({ size: 6, cap: 100, offsets: 'asked', hidden: [0, 1, 2], totalCountsHidden: false, doubled: [3] }), read({ pageSize: 413, limit: 5, concurrency: 10 })],
	['a full page of members read before, at places hidden rows leave open, is not a page repeated', server({ size: 3, cap: 1000, hidden: [0], totalCountsHidden: false }), read({ limit: 2 })],
	['an empty first page before a total that counts only visible rows is not the end', server({ size: 3, cap: 2, hidden: [0, 1], totalCountsHidden: false }), read({ limit: 1 })],
	['a short first page covers what it held, not what it asked', server({ size: 154, cap: 1000, hidden: fourOfFive(0, 153), totalCountsHidden: false }), read({ pageSize: 100, limit: 95 })],
	['a server that serves two rows: the next page is planned from the lowest place the last row may hold', server({ size: 3, cap: 2 }), read()],
	['Start at Page on a capped server that lies low: members before the start are never taken', server({ size: 1001, cap: 17, totalCountsHidden: false, totalOffset: -17 }), read({ pageSize: 500, startPage: 3 })],
	['Start at Page: members above the one a page rests on are before the start', server({ size: 201, cap: 1000, hidden: [0], totalCountsHidden: false }), read({ startPage: 3, limit: 26 })],
	['Start at Page: a plain page never reaches before the start', server({ size: 102, cap: 10, hidden: fourOfFive(0, 101), totalCountsHidden: false }), read({ startPage: 2 })],
	['an empty group whose total says 1, read from page 2, ends', server({ size: 0, cap: 1, totalCountsHidden: false, totalOffset: 1 }), read({ startPage: 2, limit: 1 })],
	['an empty group whose total lies 500 high ends without reading 5,000 positions', server({ size: 0, cap: 1000, totalCountsHidden: false, totalOffset: 500 }), read({ pageSize: 100, startPage: 2, limit: 2 })],
	['an empty group ends', server({ size: 0, cap: 1000 }), read({ limit: 2 })],
	['Start at Page at the last member, past a page-1 probe', server({ size: 1101, cap: 1000, totalCountsHidden: false }), read({ startPage: 12 })],
	['Start at Page on a server that serves 36 rows and counts pages by them', server({ size: 2101, cap: 36, totalCountsHidden: false }), read({ startPage: 22 })],
	['1,152 hidden rows between two members, Page Size 1: the end is shown within a page', server({ size: 1154, cap: 20, hidden: range(1, 1153) }), read({ pageSize: 1, limit: 3 })],
	['two probes of page 1 cut short in passing do not raise the size', server({ size: 8, cap: 5, totalCountsHidden: false, totalOffset: 13, cuts: [{ request: 3, keep: 0 }, { request: 2, keep: 0 }] }), read({ limit: 9 })],
	['a probe of page 1 cut short in passing does not raise the size', server({ size: 3, cap: 2, hidden: [0], totalCountsHidden: false, totalOffset: 3, cuts: [{ request: 3, keep: 0 }] }), read()],
	['Start at Page at the last member of a server that serves 24 rows', server({ size: 1401, cap: 24, totalCountsHidden: false }), read({ pageSize: 100, startPage: 15 })],
	['an empty stretch read past counts as rows hidden: a page filling its positions to a total of visible rows is not the end', server({ size: 12, cap: 5, hidden: range(0, 6), totalCountsHidden: false }), read({ limit: 5 })],
	['Start at Page past a hidden head: a last member placed more loosely than a page spans is read on by position', server({ size: 1104, cap: 1000, hidden: [...range(0, 388), ...range(388, 716).filter((i) => i % 5 !== 3)], totalCountsHidden: false, totalOffset: 1 }), read({ pageSize: 37, startPage: 18, limit: 32 })],
	['a first answer cut to one row, found out by the probe: the first page asked again is read on from its last row, not past it', server({ size: 67, cap: 37, hidden: [0, 1], totalCountsHidden: false, cuts: [{ request: 1, keep: 0.02857142857142857 }] }), read({ limit: 69 })],
	['a page cut short twice at the end is asked until two answers agree', server({ size: 5000, cap: 1000, hidden: [17, 999, 2500, 3001, 4000], cuts: [{ request: 12, keep: 0 }] }), read({ concurrency: 10 })],
	['Start at Page: rows the page-1 probes showed hidden keep a page that fills its positions to a total of visible rows from being the end', server({ size: 55, cap: 1000, hidden: fourOfFive(0, 55), totalCountsHidden: false }), read({ pageSize: 5, startPage: 3 })],
	['a total 1,262 high past the members, Start at Page 14 with Limit 1 (pages of one row): the walk while no row came ends within its bound, not after 10,000 pages', server({ size: 1238, cap: 1000, totalCountsHidden: false, totalOffset: 1262 }), read({ startPage: 14, limit: 1 })],
	['a page past the end refused with code 10002, asked to check a short first page that meets total: an empty page', server({ size: 1, cap: 1000, totalCountsHidden: false, pastEnd: 'error' }), read({ pageSize: 100 })],
	['a run of 1,110 hidden rows past a total of visible rows, at 1,000 rows a page: the 800 members after it are read', server({ size: 4900, cap: 1000, hidden: range(2990, 4100), totalCountsHidden: false }), read({ concurrency: 10 })],
	['a page past a total 1 high refused with code 10002, after a last member whose place hidden rows could stretch: an empty page', server({ size: 11, cap: 7, totalCountsHidden: false, totalOffset: 1, pastEnd: 'error' }), read({ pageSize: 7, limit: 12 })],
	['Start at Page past the end on a server that answers with its last page, the check of the page after it cut to nothing in passing: asked again, no member', server({ size: 1, cap: 1000, totalCountsHidden: false, totalOffset: 1, pastEnd: 'last', cuts: [{ request: 2, keep: 0 }] }), read({ pageSize: 100, startPage: 2 })],
	['Start at Page 22 on a server that serves 42 rows and hides 396, a total of visible rows equal to the start: the read walks on to the members past it (it returned none, as a success)', server({ size: 2496, cap: 42, hidden: range(1, 397), totalCountsHidden: false }), read({ startPage: 22 })],
	['11 of 12 rows hidden on a server that serves 2, asked 999 a page: the answer with rows at the guessed size counts where it may sit, not where 999 a page would put it (it walked 10,000 pages)', server({ size: 12, cap: 2, hidden: range(0, 11) }), read({ limit: 999 })],
	['a first answer cut short, a probe of page 1 with a row fewer than the server serves, then the first page asked again: rows are hidden, so a page filling its places up to a total of visible rows is not the end (m38 was missing)', server({ size: 41, cap: 1000, hidden: [14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 29, 30, 31, 32, 34, 35, 36, 37, 39, 40], totalCountsHidden: false, cuts: [{ request: 1, keep: 0, rows: 965847421 }] }), read({ pageSize: 36, limit: 36 })],
	['four rows hidden of every five on a server that serves 37, a total of visible rows, Limit 78: the empty stretch that ends the read is counted from where the last member was placed, not from the start (a reader counting it from the start lost m42)', server({ size: 43, cap: 37, hidden: fourOfFive(0, 42), totalCountsHidden: false }), read({ limit: 78 })],
	['a total of visible rows, four rows hidden of every five past row 119, a first answer cut to one row, Limit 938: a page holding only members read, past as many places as were read, shows rows hidden, so it is not the end where its rows meet total (54 members were missing from a read said whole; the long search found it)', server({ size: 1206, cap: 934, hidden: range(119, 1206).filter((i) => i % 5 !== 3), totalCountsHidden: false, cuts: [{ request: 1, keep: 0, rows: 414469349 }] }), read({ pageSize: 938, limit: 938 })],
];

const moving: Array<[string, ServerSpec, ReadSpec]> = [
	['a second answer holding a member the first lacked is taken, not the longer first one', server({ size: 38, cap: 37, hidden: [...range(0, 17), 18, 19, 20], totalCountsHidden: false, changes: [{ before: 8, kind: 'leave', at: 0, count: 6 }] }), read()],
	['members found out of place are placed afresh when the group is read again from the start', server({ size: 5, cap: 2, hidden: [0], totalCountsHidden: false, totalOffset: 1, changes: [{ before: 9, kind: 'leave', at: 0, count: 1 }] }), read({ pageSize: 37 })],
	['the first rows after a guessed page size start the read again', server({ size: 1008, cap: 17, hidden: range(0, 17), totalCountsHidden: false, changes: [{ before: 3, kind: 'leave', at: 0, count: 1 }] }), read()],
	['the member the next page should hold left: the read starts again from the start', server({ size: 6, cap: 2, hidden: [0], totalCountsHidden: false, changes: [{ before: 11, kind: 'leave', at: 0, count: 2 }] }), read()],
	['probing page 1 stops when the group moves', server({ size: 45, cap: 12, offsets: 'asked', hidden: [0], changes: [{ before: 2, kind: 'join', at: 0, count: 1, hidden: true }, { before: 10, kind: 'leave', at: 0, count: 1 }] }), read()],
	['a first page probed while a member joined is placed where it was when it came', server({ size: 2, cap: 2, hidden: [0], changes: [{ before: 2, kind: 'join', at: 0, count: 1, hidden: false }] }), read({ pageSize: 2 })],
	['a member moving by one into the part read shows: page 1 probed to its exact last row', server({ size: 480, cap: 15, totalCountsHidden: false, changes: [{ before: 3, kind: 'move', at: 0.031185031185031183, to: 0 }, { before: 1, kind: 'move', at: 0, to: 0 }] }), read()],
	['a short page at total, in a group that moved, counts once two answers agree (members read who left can make the count match)', server({ size: 999, cap: 500, totalCountsHidden: false, changes: [{ before: 2, kind: 'leave', at: 0, count: 3 }, { before: 1, kind: 'move', at: 0, to: 0 }], cuts: [{ request: 6, keep: 0.625 }] }), read({ concurrency: 10 })],
	['a page no member read can place, cut short in passing, is asked again before it is taken by position', server({ size: 40, cap: 6, totalCountsHidden: false, changes: [{ before: 1, kind: 'join', at: 0, count: 2, hidden: false }], cuts: [{ request: 14, keep: 0.16666666666666666 }] }), read({ pageSize: 7 })],
	['an empty page after members left is read again from before it', server({ size: 50, cap: 3, hidden: [49], totalCountsHidden: false, totalOffset: 1, changes: [{ before: 28, kind: 'leave', at: 0, count: 1 }, { before: 1, kind: 'move', at: 0, to: 0 }], cuts: [{ request: 3, keep: 0 }] }), read({ concurrency: 10 })],
	['one member joins above the only one while the page after a short first page is asked: read again from the start at the size that came, in a few requests (it walked 2,018)', server({ size: 1, cap: 2, totalCountsHidden: false, changes: [{ before: 2, kind: 'join', at: 0, pos: 0, count: 1, hidden: false }] }), read()],
	['30 rows all hidden on a server that serves 5, one visible member joins at the end: the read ends past it (it walked 10,000 pages)', server({ size: 30, cap: 5, hidden: range(0, 30), totalOffset: 1, changes: [{ before: 1, kind: 'join', at: 0, pos: 81129846, count: 1, hidden: false }] }), read()],
	['a last page cut short, then 4 leave above it and the page asked again comes back empty: the shorter answer follows a change, not a cut, so the part before it is read again (the last member was missing)', server({ size: 103, cap: 1000, totalCountsHidden: false, changes: [{ before: 5, kind: 'leave', at: 0, pos: 0, count: 4 }], cuts: [{ request: 4, keep: 0, rows: 1272402126 }] }), read({ pageSize: 37 })],
	['no total, 6 leave at the top before the last page: the page where the last member read sat comes back empty, so the part before it is read again (the last member, moved up past the page, was missing from a read said whole)', server({ size: 2626, cap: 530, totalCountsHidden: false, totalForm: 'missing', changes: [{ before: 6, kind: 'leave', at: 0, pos: 0, count: 6 }] }), read({ pageSize: 530 })],
	['an empty group, one member joining as the first page is asked again, a server answering a page past the end with its last page: the page after the first, the same member again, is that last page (the read failed "The group changed while it was read")', server({ size: 0, cap: 1, totalCountsHidden: false, changes: [{ before: 2, kind: 'join', at: 0, pos: 0, count: 1, hidden: false }], pastEnd: 'last' }), read({ pageSize: 100 })],
	['a first answer cut to nothing, a hidden member joining at the top, a server that serves 2: the page after the short first page holds its member again because the member sits below the hidden row, not because the server answers past the end (a probe of page 1 came back empty); m1 was missing from a read said whole', server({ size: 2, cap: 2, changes: [{ before: 2, kind: 'join', at: 0, pos: 0, count: 1, hidden: true }], cuts: [{ request: 1, keep: 0, rows: 137042166 }] }), read()],
];

describe('servers the property search found', () => {
	it.each(still)('%s', async (_name, s, r) => {
		expect(await judgeRead(s, r, false, true)).toEqual([]);
	});

	it.each(moving)('%s', async (_name, s, r) => {
		expect(await judgeRead(s, r, true, true)).toEqual([]);
	});
});
