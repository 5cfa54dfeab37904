import {
	currentRate,
	MIN_SPACING_MS,
	recordSend,
	recordSuccess,
	slowDown,
	waitTime,
	WINDOW_MARGIN_MS,
} from '../nodes/Beschannels/shared/rateLimiter';

describe('the per-account window', () => {
	it('lets `rate` requests through per window, a little over a second, and spaces them', () => {
		const key = 'unit-a';
		expect(waitTime(key, 3, 1000)).toBe(0);
		recordSend(key, 1000);
		expect(waitTime(key, 3, 1010)).toBe(MIN_SPACING_MS - 10);
		recordSend(key, 1100);
		recordSend(key, 1200);
		// three sent since 1000: the fourth waits until the first leaves the window
		expect(waitTime(key, 3, 1300)).toBe(1000 + 1000 + WINDOW_MARGIN_MS - 1300);
		expect(waitTime(key, 3, 1000 + 1000 + WINDOW_MARGIN_MS)).toBe(0);
		// a higher rate has room now
		expect(waitTime(key, 4, 1300)).toBe(0);
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
