/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { AccountLimiter, type Clock, type SendResult } from '../../nodes/Beschannels/shared/limiter/limiter';
import { GROWTH_EVERY_MS, LONGEST_GROWTH_WAIT_MS, MIN_RATE } from '../../nodes/Beschannels/shared/limiter/share';
import { ExecutionStopped, throwIfStopped } from '../../nodes/Beschannels/shared/wait';

const ANSWERED: SendResult = { kind: 'answered' };
const REFUSED: SendResult = { kind: 'refused' };

/**
 * One account's limiter on a clock the test sets: each case asserts what waits and until when, in
 * terms of the account's own span (a second plus a margin), not of the constants behind it. Nothing
 * waits in real time.
 */

/** Time set by hand; a wait ends only when `advanceTo` passes it (or its signal aborts). */
class FakeClock implements Clock {
	time = 0;

	private waits: Array<{ until: number; wake: () => void }> = [];

	now(): number {
		return this.time;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		throwIfStopped(signal);
		await new Promise<void>((resolve, reject) => {
			this.waits.push({ until: this.time + ms, wake: resolve });
			signal?.addEventListener('abort', () => reject(new ExecutionStopped()), { once: true });
		});
	}

	/** Moves to `to`, ending the waits due by then in order and letting what they start run. */
	async advanceTo(to: number): Promise<void> {
		for (;;) {
			// every promise the last wake settled runs before the next wait is picked
			await new Promise((resolve) => setImmediate(resolve));
			const next = this.waits.filter((w) => w.until <= to).sort((a, b) => a.until - b.until)[0];
			if (!next) break;
			this.waits = this.waits.filter((w) => w !== next);
			this.time = Math.max(this.time, next.until);
			next.wake();
		}
		this.time = to;
	}
}

/** A fresh account's limiter on a fake clock, whose random source draws `random.draw`. */
function account() {
	const clock = new FakeClock();
	const random = { draw: 0.5 };
	const limiter = new AccountLimiter(clock, () => random.draw);
	/** Sets the clock to `at`, then does `then`. */
	const at = <T>(ms: number, then: () => T): T => {
		clock.time = ms;
		return then();
	};
	return {
		clock,
		limiter,
		random,
		/** A request sent at `at`; settle and cancel take the time they happen. */
		send(ceiling: number, sentAt: number) {
			const slot = at(sentAt, () => limiter.recordSend(ceiling));
			return {
				settle: (result: SendResult, answeredAt: number) => at(answeredAt, () => slot.settle(result)),
				cancel: () => slot.cancel(),
			};
		},
		waitAt: (ceiling: number, ms: number) => at(ms, () => limiter.waitTime(ceiling)),
		rateAt: (ceiling: number, ms: number) => at(ms, () => limiter.rate(ceiling)),
	};
}

type Account = ReturnType<typeof account>;

/** Round trips of `ms` long ago, so the account knows its fastest round trip. */
function seeded(ms: number): Account {
	const a = account();
	for (let i = 0; i < 3; i++) a.send(10, -100_000 + i * 1000).settle(ANSWERED, -100_000 + i * 1000 + ms);
	return a;
}

describe('the arrivals of one account', () => {
	it('lets `rate` requests through per span, a little over a second, and spaces them', () => {
		const a = seeded(100);
		const SPAN = a.limiter.span();
		expect(a.waitAt(3, 1000)).toBe(0);
		a.send(3, 1000).settle(ANSWERED, 1100);
		// right after one request the next waits its turn at the pace, not a span
		const spacing = a.waitAt(3, 1010);
		expect(spacing).toBeGreaterThan(0);
		expect(spacing).toBeLessThan(SPAN / 3);
		a.send(3, 1100).settle(ANSWERED, 1200);
		a.send(3, 1200).settle(ANSWERED, 1300);
		// three answered, each in the fastest round trip: the fourth waits until the first leaves
		expect(a.waitAt(3, 1300)).toBe(1000 + SPAN - 1300);
		expect(a.waitAt(3, 1000 + SPAN)).toBe(0);
		// a higher rate has room sooner
		expect(a.waitAt(4, 1300)).toBeLessThan(a.waitAt(3, 1300));
	});

	it('places a request that came back late as arriving late, and holds the next one back by as much', () => {
		const a = seeded(100);
		const SPAN = a.limiter.span();
		a.send(10, 0).settle(ANSWERED, 100);
		// this one left at 100 but its answer took 180 ms longer than the fastest: it may have
		// arrived as late as 280
		a.send(10, 100).settle(ANSWERED, 380);
		expect(a.waitAt(1, 400)).toBe(280 + SPAN - 400);
		// with two per span, the one at 0 is the oldest to leave
		expect(a.waitAt(2, 400)).toBe(0 + SPAN - 400);
	});

	it('keeps a request without an answer in the arrivals until it is answered', () => {
		const a = seeded(100);
		const SPAN = a.limiter.span();
		const slow = a.send(10, 1000);
		// the fastest round trip is 100 ms: at 2500, a request sent at 1000 and still unanswered may
		// have arrived as late as 2400, so a rate of 1 must wait
		expect(a.waitAt(1, 2500)).toBe(2400 + SPAN - 2500);
		expect(a.waitAt(1, 9000)).toBeGreaterThan(0);
		slow.settle(ANSWERED, 9000);
		// answered at 9000: it arrived by 8900
		expect(a.waitAt(1, 9000)).toBe(8900 + SPAN - 9000);
	});

	it('gives back the place of a request that was not sent after all', () => {
		const a = seeded(100);
		a.send(10, 0).settle(ANSWERED, 100);
		a.send(10, 100).cancel();
		expect(a.waitAt(2, 110)).toBe(0);
	});

	it('does not count a failure without an answer as a round trip', () => {
		const a = seeded(300);
		const SPAN = a.limiter.span();
		a.send(10, 400).settle({ kind: 'unanswered' }, 401);
		// the fastest round trip is still 300 ms, so the failed one is placed at its sending time
		expect(a.waitAt(1, 500)).toBe(400 + SPAN - 500);
	});

	it('counts answers as arrivals until it has seen a few round trips', () => {
		const a = account();
		const SPAN = a.limiter.span();
		// a first request slowed by setting up: it may have arrived just before its answer
		a.send(10, 0).settle(ANSWERED, 800);
		a.send(10, 810).settle(ANSWERED, 1110);
		expect(a.waitAt(2, 1120)).toBe(800 + SPAN - 1120);
		a.send(10, 1120).settle(ANSWERED, 1420);
		// three round trips: the fastest (300 ms) now places the first at 500
		expect(a.waitAt(3, 1430)).toBe(500 + SPAN - 1430);
	});

	it('widens the margin when even the fastest round trips are unsteady, within a quarter second', () => {
		const spanFor = (roundTrip: (i: number) => number) => {
			const a = account();
			for (let i = 0; i < 20; i++) a.send(10, i * 1000).settle(ANSWERED, i * 1000 + roundTrip(i));
			return a.limiter.span();
		};
		const steady = spanFor((i) => 300 + (i % 2));
		const unsteady = spanFor((i) => 300 + i * 10);
		const wild = spanFor((i) => 100 + i * 100);
		expect(steady).toBeGreaterThan(1000);
		expect(unsteady).toBeGreaterThan(steady);
		expect(wild).toBeGreaterThan(unsteady);
		expect(wild).toBeLessThanOrEqual(1250);
	});

	it('paces requests evenly, a request every span / rate, never in a burst', () => {
		const a = seeded(100);
		const SPAN = a.limiter.span();
		a.send(4, 1000).settle(ANSWERED, 1100);
		// the next is due a quarter span later; it may leave up to half its spacing early
		expect(a.waitAt(4, 1000)).toBe(SPAN / 4 - SPAN / 8);
		expect(a.waitAt(4, 1000 + SPAN / 4)).toBe(0);
		a.send(4, 1000 + SPAN / 4).settle(ANSWERED, 1100 + SPAN / 4);
		expect(a.waitAt(4, 1000 + SPAN / 4)).toBeGreaterThan(0);
	});
});

describe('sharing the account with other processes', () => {
	// the random draws (when to grow, whether a refused process gives way) in the middle: factor 1
	/** `count` requests answered at `every` ms from `from` on, then one refused at `at`, answered 100 ms later. */
	function refusedAfter(count: number, from: number, every: number, at: number, ceiling = 10): Account {
		const a = account();
		for (let i = 0; i < count; i++) a.send(ceiling, from + i * every).settle(ANSWERED, from + i * every + 100);
		a.send(ceiling, at).settle(REFUSED, at + 100);
		return a;
	}
	/** One more request, sent at 2200, refused at 2300: the share after it. */
	function refusedAgain(a: Account): number {
		a.send(10, 2200).settle(REFUSED, 2300);
		return a.rateAt(10, 2300);
	}
	/** The wait before a share of `share` (of 10) first grows, with the random factor at 1. */
	const firstGrowth = (share: number) => Math.min(LONGEST_GROWTH_WAIT_MS, (GROWTH_EVERY_MS * 10) / share);

	it('runs at the full rate until a refusal, then keeps what got through of its own in the second before, at most halving', () => {
		expect(account().rateAt(10, 0)).toBe(10);
		// seven of this process's requests got through in the second before the refused one
		expect(refusedAfter(7, 100, 120, 1000).rateAt(10, 1100)).toBe(7);
		// three got through: it halves, no lower (processes that start together halve alike)
		expect(refusedAfter(3, 100, 300, 1000).rateAt(10, 1100)).toBe(5);
		// Max Requests per Second stays the ceiling
		expect(account().rateAt(4, 0)).toBe(4);
	});

	it('halves again when refused again soon after the cut, before it grew', () => {
		const a = refusedAfter(3, 100, 300, 1000);
		expect(a.rateAt(10, 1100)).toBe(5);
		expect(refusedAgain(a)).toBe(2);
	});

	it('beside a light process (over two thirds of its share kept), gives way by one when refused again, not by half', () => {
		// seven of ten got through: the others on the account are light (a trigger that polls)
		const light = refusedAfter(7, 100, 120, 1000);
		expect(light.rateAt(10, 1100)).toBe(7);
		expect(refusedAgain(light)).toBe(6);
		// six of ten: it may only have started before the others of a crowd, and halves like them
		const early = refusedAfter(6, 100, 120, 1000);
		expect(early.rateAt(10, 1100)).toBe(6);
		expect(refusedAgain(early)).toBe(3);
	});

	it("cuts once for a request that left before the cut or while the server's second was still full", () => {
		const a = refusedAfter(3, 0, 300, 1000);
		expect(a.rateAt(10, 1100)).toBe(5);
		// left at 1050, before the cut at 1100; and 900 ms after it, while the server's second still
		// held the requests that led to it
		a.send(10, 1050).settle(REFUSED, 1150);
		a.send(10, 2000).settle(REFUSED, 2100);
		expect(a.rateAt(10, 2100)).toBe(5);
	});

	it('never slows below one request a second, however often it is refused', () => {
		const a = account();
		let at = 0;
		for (let i = 0; i < 10; i++, at += 2000) a.send(10, at).settle(REFUSED, at + 100);
		expect(a.rateAt(10, at)).toBeGreaterThanOrEqual(MIN_RATE);
		expect(a.waitAt(10, at + 10_000)).toBeLessThanOrEqual(a.limiter.span());
	});

	it('holds back after a refusal: a second after the refused request left, or its Retry-After', () => {
		const a = account();
		a.send(10, 0).settle(REFUSED, 100);
		expect(a.waitAt(10, 100)).toBe(900);
		const other = account();
		other.send(10, 0).settle({ kind: 'refused', retryAfterMs: 3000 }, 100);
		expect(other.waitAt(10, 100)).toBe(3000);
	});

	it('grows back one request at a time, each growth sooner than the last, to the whole budget', () => {
		const a = refusedAfter(3, 100, 300, 1000);
		const cutAt = 1100;
		const rate = (ms: number) => a.rateAt(10, cutAt + ms);
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
		const a = refusedAfter(3, 100, 300, 1000);
		const grewAt = 1100 + firstGrowth(5);
		expect(a.rateAt(10, grewAt)).toBe(6);
		a.send(10, grewAt + 200).settle(REFUSED, grewAt + 300);
		expect(a.rateAt(10, grewAt + 300)).toBe(5);
		const longer = Math.min(LONGEST_GROWTH_WAIT_MS, 2 * firstGrowth(5));
		expect(longer).toBeGreaterThan(firstGrowth(5));
		expect(a.rateAt(10, grewAt + 300 + longer - 1)).toBe(5);
		expect(a.rateAt(10, grewAt + 300 + longer)).toBe(6);
	});

	it("gives way to another process's growth by chance, a large share more often than a small one", () => {
		const a = refusedAfter(3, 100, 300, 1000);
		// long after the cut, with no growth of its own to blame: refused because another process grew
		const late = 1100 + firstGrowth(5) / 2;
		a.random.draw = 0.6;
		a.send(10, late).settle(REFUSED, late + 100);
		// a share of 5 in 10 gives way when the draw is under one half: not this time
		expect(a.rateAt(10, late + 100)).toBe(5);
		a.random.draw = 0.4;
		a.send(10, late + 2000).settle(REFUSED, late + 2100);
		expect(a.rateAt(10, late + 2100)).toBe(4);
	});
});

describe('one request through the limiter', () => {
	it('takes a place, sends, and hands the place back with what the answer taught', async () => {
		const { limiter } = account();
		const outcome = await limiter.limited({ ceiling: 10, send: async () => 'refused', judge: () => REFUSED });
		expect(outcome).toBe('refused');
		// the refusal reached the limiter without the caller reporting it: a second's pause
		expect(limiter.waitTime(10)).toBeGreaterThan(300);
		expect(limiter.waitTime(10)).toBe(1000);
	});

	it('keeps the place of a send that failed without an answer, and lets the failure through', async () => {
		const { limiter } = account();
		await expect(
			limiter.limited({ ceiling: 1, send: async () => await Promise.reject(new Error('reset')), judge: () => ANSWERED }),
		).rejects.toThrow('reset');
		expect(limiter.waitTime(1)).toBeGreaterThan(500);
		expect(limiter.waitTime(1)).toBe(limiter.span());
	});

	it('leaves the queue unsent when its signal aborts', async () => {
		const { limiter } = account();
		const sent: number[] = [];
		await limiter.limited({ ceiling: 1, send: async () => sent.push(1), judge: () => ANSWERED });
		const stop = new AbortController();
		const waiting = limiter.limited({ ceiling: 1, signal: stop.signal, send: async () => sent.push(2), judge: () => ANSWERED });
		stop.abort();
		await expect(waiting).rejects.toThrow('stopped');
		expect(sent).toEqual([1]);
	});

	it('waits its turn on the clock: the next request leaves as soon as the last one has left the span', async () => {
		const { clock, limiter } = account();
		const sentAt: number[] = [];
		const send = async () => {
			sentAt.push(clock.now());
			await clock.sleep(100);
		};
		const requests = [1, 2, 3].map(async () => await limiter.limited({ ceiling: 1, send, judge: () => ANSWERED }));
		await clock.advanceTo(10_000);
		// a rate of 1: each waits until the one before, answered after 100 ms, can have arrived a
		// span ago
		const span = limiter.span();
		expect(sentAt).toEqual([0, 100 + span, 2 * (100 + span)]);
		await Promise.all(requests);
	});
});
