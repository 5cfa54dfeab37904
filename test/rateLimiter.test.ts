import { currentRate, recordSend, recordSuccess, slowDown, waitTime, windowSpan } from '../nodes/Beschannels/shared/rateLimiter';

/**
 * The limiter's window in simulated time: each case asserts what waits and until when, in terms of
 * the account's own window (`windowSpan`: a second plus a margin), not of the constants behind it.
 */

/** Round trips of `ms` long ago, so the account knows its fastest round trip. */
function seed(key: string, ms: number) {
	for (let i = 0; i < 3; i++) recordSend(key, -100_000 + i * 1000).done(-100_000 + i * 1000 + ms);
}

describe('the per-account window', () => {
	it('lets `rate` requests through per window, a little over a second, and spaces them', () => {
		const key = 'unit-a';
		seed(key, 100);
		const SPAN = windowSpan(key);
		expect(waitTime(key, 3, 1000)).toBe(0);
		recordSend(key, 1000).done(1100);
		// right after one request the next waits a moment, not a window
		const spacing = waitTime(key, 3, 1010);
		expect(spacing).toBeGreaterThan(0);
		expect(spacing).toBeLessThan(100);
		recordSend(key, 1100).done(1200);
		recordSend(key, 1200).done(1300);
		// three answered, each in the fastest round trip: the fourth waits until the first leaves
		expect(waitTime(key, 3, 1300)).toBe(1000 + SPAN - 1300);
		expect(waitTime(key, 3, 1000 + SPAN)).toBe(0);
		// a higher rate has room now
		expect(waitTime(key, 4, 1300)).toBe(0);
	});

	it('places a request that came back late as arriving late, and holds the next one back by as much', () => {
		const key = 'unit-late';
		seed(key, 100);
		const SPAN = windowSpan(key);
		recordSend(key, 0).done(100);
		// this one left at 100 but its answer took 180 ms longer than the fastest: it may have
		// arrived as late as 280
		recordSend(key, 100).done(380);
		expect(waitTime(key, 1, 400)).toBe(280 + SPAN - 400);
		// with two per window, the one at 0 is the oldest to leave
		expect(waitTime(key, 2, 400)).toBe(0 + SPAN - 400);
	});

	it('keeps a request without an answer in the window until it is answered', () => {
		const key = 'unit-flight';
		seed(key, 100);
		const SPAN = windowSpan(key);
		const slow = recordSend(key, 1000);
		// the fastest round trip is 100 ms: at 2500, a request sent at 1000 and still unanswered may
		// have arrived as late as 2400, so a rate of 1 must wait
		expect(waitTime(key, 1, 2500)).toBe(2400 + SPAN - 2500);
		expect(waitTime(key, 1, 9000)).toBeGreaterThan(0);
		slow.done(9000);
		// answered at 9000: it arrived by 8900
		expect(waitTime(key, 1, 9000)).toBe(8900 + SPAN - 9000);
	});

	it('gives back the place of a request that was not sent after all', () => {
		const key = 'unit-cancel';
		seed(key, 100);
		recordSend(key, 0).done(100);
		recordSend(key, 100).cancel();
		expect(waitTime(key, 2, 110)).toBe(0);
	});

	it('does not count a failure without an answer as a round trip', () => {
		const key = 'unit-failure';
		seed(key, 300);
		const SPAN = windowSpan(key);
		recordSend(key, 400).done(401, false);
		// the fastest round trip is still 300 ms, so the failed one is placed at its sending time
		expect(waitTime(key, 1, 500)).toBe(400 + SPAN - 500);
	});

	it('counts answers as arrivals until it has seen a few round trips', () => {
		const key = 'unit-first';
		const SPAN = windowSpan(key);
		// a first request slowed by setting up: it may have arrived just before its answer
		recordSend(key, 0).done(800);
		recordSend(key, 810).done(1110);
		expect(waitTime(key, 2, 1120)).toBe(800 + SPAN - 1120);
		recordSend(key, 1120).done(1420);
		// three round trips: the fastest (300 ms) now places the first at 500
		expect(waitTime(key, 3, 1430)).toBe(500 + SPAN - 1430);
	});

	it('widens the margin when even the fastest round trips are unsteady, within a quarter second', () => {
		const spanFor = (key: string, roundTrip: (i: number) => number) => {
			for (let i = 0; i < 20; i++) recordSend(key, i * 1000).done(i * 1000 + roundTrip(i));
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

	it('halves the rate when the server refuses, at most once a second, and regains it', () => {
		const key = 'unit-b';
		slowDown(key, 10, 0);
		expect(currentRate(key, 10)).toBe(5);
		slowDown(key, 10, 0);
		expect(currentRate(key, 10)).toBe(5);
		for (let i = 0; i < 5; i++) recordSuccess(key, 10);
		expect(currentRate(key, 10)).toBe(6);
		for (let i = 0; i < 100; i++) recordSuccess(key, 10);
		expect(currentRate(key, 10)).toBe(10);
	});
});
