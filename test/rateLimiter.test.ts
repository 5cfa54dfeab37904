import { currentRate, GROWTH_EVERY_MS, limited, LONGEST_GROWTH_WAIT_MS, MIN_RATE, recordSend, waitTime, windowSpan, type Verdict } from '../nodes/Beschannels/shared/limiter/limiter';

const ANSWERED: Verdict = { kind: 'answered' };
const REFUSED: Verdict = { kind: 'refused' };

/**
 * The limiter's window in simulated time: each case asserts what waits and until when, in terms of
 * the account's own window (`windowSpan`: a second plus a margin), not of the constants behind it.
 */

/** Round trips of `ms` long ago, so the account knows its fastest round trip. */
function seed(key: string, ms: number) {
	for (let i = 0; i < 3; i++) recordSend(key, 10, -100_000 + i * 1000).settle(ANSWERED, -100_000 + i * 1000 + ms);
}

describe('the per-account window', () => {
	it('lets `rate` requests through per window, a little over a second, and spaces them', () => {
		const key = 'unit-a';
		seed(key, 100);
		const SPAN = windowSpan(key);
		expect(waitTime(key, 3, 1000)).toBe(0);
		recordSend(key, 3, 1000).settle(ANSWERED, 1100);
		// right after one request the next waits its turn at the pace, not a window
		const spacing = waitTime(key, 3, 1010);
		expect(spacing).toBeGreaterThan(0);
		expect(spacing).toBeLessThan(SPAN / 3);
		recordSend(key, 3, 1100).settle(ANSWERED, 1200);
		recordSend(key, 3, 1200).settle(ANSWERED, 1300);
		// three answered, each in the fastest round trip: the fourth waits until the first leaves
		expect(waitTime(key, 3, 1300)).toBe(1000 + SPAN - 1300);
		expect(waitTime(key, 3, 1000 + SPAN)).toBe(0);
		// a higher rate has room in the window sooner
		expect(waitTime(key, 4, 1300)).toBeLessThan(waitTime(key, 3, 1300));
	});

	it('places a request that came back late as arriving late, and holds the next one back by as much', () => {
		const key = 'unit-late';
		seed(key, 100);
		const SPAN = windowSpan(key);
		recordSend(key, 10, 0).settle(ANSWERED, 100);
		// this one left at 100 but its answer took 180 ms longer than the fastest: it may have
		// arrived as late as 280
		recordSend(key, 10, 100).settle(ANSWERED, 380);
		expect(waitTime(key, 1, 400)).toBe(280 + SPAN - 400);
		// with two per window, the one at 0 is the oldest to leave
		expect(waitTime(key, 2, 400)).toBe(0 + SPAN - 400);
	});

	it('keeps a request without an answer in the window until it is answered', () => {
		const key = 'unit-flight';
		seed(key, 100);
		const SPAN = windowSpan(key);
		const slow = recordSend(key, 10, 1000);
		// the fastest round trip is 100 ms: at 2500, a request sent at 1000 and still unanswered may
		// have arrived as late as 2400, so a rate of 1 must wait
		expect(waitTime(key, 1, 2500)).toBe(2400 + SPAN - 2500);
		expect(waitTime(key, 1, 9000)).toBeGreaterThan(0);
		slow.settle(ANSWERED, 9000);
		// answered at 9000: it arrived by 8900
		expect(waitTime(key, 1, 9000)).toBe(8900 + SPAN - 9000);
	});

	it('gives back the place of a request that was not sent after all', () => {
		const key = 'unit-cancel';
		seed(key, 100);
		recordSend(key, 10, 0).settle(ANSWERED, 100);
		recordSend(key, 10, 100).cancel();
		expect(waitTime(key, 2, 110)).toBe(0);
	});

	it('does not count a failure without an answer as a round trip', () => {
		const key = 'unit-failure';
		seed(key, 300);
		const SPAN = windowSpan(key);
		recordSend(key, 10, 400).settle({ kind: 'unanswered' }, 401);
		// the fastest round trip is still 300 ms, so the failed one is placed at its sending time
		expect(waitTime(key, 1, 500)).toBe(400 + SPAN - 500);
	});

	it('counts answers as arrivals until it has seen a few round trips', () => {
		const key = 'unit-first';
		const SPAN = windowSpan(key);
		// a first request slowed by setting up: it may have arrived just before its answer
		recordSend(key, 10, 0).settle(ANSWERED, 800);
		recordSend(key, 10, 810).settle(ANSWERED, 1110);
		expect(waitTime(key, 2, 1120)).toBe(800 + SPAN - 1120);
		recordSend(key, 10, 1120).settle(ANSWERED, 1420);
		// three round trips: the fastest (300 ms) now places the first at 500
		expect(waitTime(key, 3, 1430)).toBe(500 + SPAN - 1430);
	});

	it('widens the margin when even the fastest round trips are unsteady, within a quarter second', () => {
		const spanFor = (key: string, roundTrip: (i: number) => number) => {
			for (let i = 0; i < 20; i++) recordSend(key, 10, i * 1000).settle(ANSWERED, i * 1000 + roundTrip(i));
			return windowSpan(key);
		};
		const steady = spanFor('unit-steady', (i) => 300 + (i % 2));
		const unsteady = spanFor('unit-unsteady', (i) => 300 + i * 10);
		const wild = spanFor('unit-wild', (i) => 100 + i * 100);
		expect(steady).toBeGreaterThan(1000);
		expect(unsteady).toBeGreaterThan(steady);
		expect(wild).toBeGreaterThan(unsteady);
		expect(wild).toBeLessThanOrEqual(1250);
	});

	it('paces requests evenly, a request every window / rate, never in a burst', () => {
		const key = 'unit-pace';
		seed(key, 100);
		const SPAN = windowSpan(key);
		recordSend(key, 4, 1000).settle(ANSWERED, 1100);
		// the next is due a quarter window later; it may leave up to half its spacing early
		expect(waitTime(key, 4, 1000)).toBe(SPAN / 4 - SPAN / 8);
		expect(waitTime(key, 4, 1000 + SPAN / 4)).toBe(0);
		recordSend(key, 4, 1000 + SPAN / 4).settle(ANSWERED, 1100 + SPAN / 4);
		expect(waitTime(key, 4, 1000 + SPAN / 4)).toBeGreaterThan(0);
	});
});

describe('sharing the account with other processes', () => {
	/** `count` requests answered at `every` ms from `from` on, then one refused at `at`, answered 100 ms later. */
	function refusedAfter(key: string, count: number, from: number, every: number, at: number, ceiling = 10) {
		for (let i = 0; i < count; i++) recordSend(key, ceiling, from + i * every).settle(ANSWERED, from + i * every + 100);
		recordSend(key, ceiling, at).settle(REFUSED, at + 100);
	}
	/** One more request, sent at 2200, refused at 2300: the share after it. */
	function refusedAgain(key: string): number {
		recordSend(key, 10, 2200).settle(REFUSED, 2300);
		return currentRate(key, 10, 2300);
	}
	/** The wait before a share of `share` (of 10) first grows, with the random factor at 1. */
	const firstGrowth = (share: number) => Math.min(LONGEST_GROWTH_WAIT_MS, (GROWTH_EVERY_MS * 10) / share);

	// the random draws (when to grow, whether a refused process gives way) in the middle: factor 1
	let random: jest.SpyInstance;
	beforeEach(() => (random = jest.spyOn(Math, 'random').mockReturnValue(0.5)));
	afterEach(() => random.mockRestore());

	it('runs at the full rate until a refusal, then keeps what got through of its own in the second before, at most halving', () => {
		expect(currentRate('share-a', 10, 0)).toBe(10);
		// seven of this process's requests got through in the second before the refused one
		refusedAfter('share-a', 7, 100, 120, 1000);
		expect(currentRate('share-a', 10, 1100)).toBe(7);
		// three got through: it halves, no lower (processes that start together halve alike)
		refusedAfter('share-half', 3, 100, 300, 1000);
		expect(currentRate('share-half', 10, 1100)).toBe(5);
		// Max Requests per Second stays the ceiling
		expect(currentRate('share-low', 4, 0)).toBe(4);
	});

	it('halves again when refused again soon after the cut, before it grew', () => {
		const key = 'share-settle';
		refusedAfter(key, 3, 100, 300, 1000);
		expect(currentRate(key, 10, 1100)).toBe(5);
		expect(refusedAgain(key)).toBe(2);
	});

	it('beside a light process (over two thirds of its share kept), gives way by one when refused again, not by half', () => {
		const key = 'share-light';
		// seven of ten got through: the others on the account are light (a trigger that polls)
		refusedAfter(key, 7, 100, 120, 1000);
		expect(currentRate(key, 10, 1100)).toBe(7);
		expect(refusedAgain(key)).toBe(6);
		// six of ten: it may only have started before the others of a crowd, and halves like them
		const early = 'share-early';
		refusedAfter(early, 6, 100, 120, 1000);
		expect(currentRate(early, 10, 1100)).toBe(6);
		expect(refusedAgain(early)).toBe(3);
	});

	it('cuts once for a request that left before the cut or while the window was still full', () => {
		const key = 'share-once';
		refusedAfter(key, 3, 0, 300, 1000);
		expect(currentRate(key, 10, 1100)).toBe(5);
		// left at 1050, before the cut at 1100; and 900 ms after it, while the server's window still
		// held the requests that led to it
		recordSend(key, 10, 1050).settle(REFUSED, 1150);
		recordSend(key, 10, 2000).settle(REFUSED, 2100);
		expect(currentRate(key, 10, 2100)).toBe(5);
	});

	it('never slows below one request a second, however often it is refused', () => {
		const key = 'share-floor';
		let at = 0;
		for (let i = 0; i < 10; i++, at += 2000) recordSend(key, 10, at).settle(REFUSED, at + 100);
		expect(currentRate(key, 10, at)).toBeGreaterThanOrEqual(MIN_RATE);
		expect(waitTime(key, 10, at + 10_000)).toBeLessThanOrEqual(windowSpan(key));
	});

	it('holds back after a refusal: a second after the refused request left, or its Retry-After', () => {
		const key = 'share-pause';
		recordSend(key, 10, 0).settle(REFUSED, 100);
		expect(waitTime(key, 10, 100)).toBe(900);
		const other = 'share-retry-after';
		recordSend(other, 10, 0).settle({ kind: 'refused', retryAfterMs: 3000 }, 100);
		expect(waitTime(other, 10, 100)).toBe(3000);
	});

	it('grows back one request at a time, each growth sooner than the last, to the whole budget', () => {
		const key = 'share-regain';
		refusedAfter(key, 3, 100, 300, 1000);
		const cutAt = 1100;
		const rate = (ms: number) => currentRate(key, 10, cutAt + ms);
		const wait = firstGrowth(5);
		expect(rate(wait - 1)).toBe(5);
		expect(rate(wait)).toBe(6);
		expect(rate(wait + wait / 2 - 1)).toBe(6);
		expect(rate(wait + wait / 2)).toBe(7);
		// no refusal: the whole budget within twice the first wait
		expect(rate(2 * wait)).toBe(10);
		// a small share of a crowded account waits longer than a large one
		expect(firstGrowth(2)).toBeGreaterThan(firstGrowth(5));
	});

	it('takes back a growth that was refused, and waits twice as long before it tries again', () => {
		const key = 'share-blame';
		refusedAfter(key, 3, 100, 300, 1000);
		const grewAt = 1100 + firstGrowth(5);
		expect(currentRate(key, 10, grewAt)).toBe(6);
		recordSend(key, 10, grewAt + 200).settle(REFUSED, grewAt + 300);
		expect(currentRate(key, 10, grewAt + 300)).toBe(5);
		const longer = Math.min(LONGEST_GROWTH_WAIT_MS, 2 * firstGrowth(5));
		expect(longer).toBeGreaterThan(firstGrowth(5));
		expect(currentRate(key, 10, grewAt + 300 + longer - 1)).toBe(5);
		expect(currentRate(key, 10, grewAt + 300 + longer)).toBe(6);
	});

	it("gives way to another process's growth by chance, a large share more often than a small one", () => {
		const key = 'share-victim';
		refusedAfter(key, 3, 100, 300, 1000);
		// long after the cut, with no growth of its own to blame: refused because another process grew
		const late = 1100 + firstGrowth(5) / 2;
		random.mockReturnValue(0.6);
		recordSend(key, 10, late).settle(REFUSED, late + 100);
		// a share of 5 in 10 gives way when the draw is under one half: not this time
		expect(currentRate(key, 10, late + 100)).toBe(5);
		random.mockReturnValue(0.4);
		recordSend(key, 10, late + 2000).settle(REFUSED, late + 2100);
		expect(currentRate(key, 10, late + 2100)).toBe(4);
	});
});

describe('one request through the limiter', () => {
	it('takes a place, sends, and hands the place back with what the answer taught', async () => {
		const key = 'pipeline-a';
		const outcome = await limited({ accountKey: key, ceiling: 10, send: async () => 'refused', judge: () => REFUSED });
		expect(outcome).toBe('refused');
		// the refusal reached the limiter without the caller reporting it
		expect(waitTime(key, 10)).toBeGreaterThan(300);
	});

	it('keeps the place of a send that failed without an answer, and lets the failure through', async () => {
		const key = 'pipeline-b';
		await expect(
			limited({ accountKey: key, ceiling: 1, send: async () => await Promise.reject(new Error('reset')), judge: () => ANSWERED }),
		).rejects.toThrow('reset');
		expect(waitTime(key, 1)).toBeGreaterThan(500);
	});

	it('leaves the queue unsent when its signal aborts', async () => {
		const key = 'pipeline-c';
		const sent: number[] = [];
		await limited({ accountKey: key, ceiling: 1, send: async () => sent.push(1), judge: () => ANSWERED });
		const stop = new AbortController();
		const waiting = limited({ accountKey: key, ceiling: 1, signal: stop.signal, send: async () => sent.push(2), judge: () => ANSWERED });
		stop.abort();
		await expect(waiting).rejects.toThrow('stopped');
		expect(sent).toEqual([1]);
	});
});
