import { sleep } from 'n8n-workflow';

/**
 * One request budget per Beschannels account, shared by every node, trigger and execution in this
 * n8n process (module state lives as long as the process).
 *
 * Callers queue per account, first come first served. The one at the head waits until fewer than
 * `rate` requests were sent in the last window, then records the moment it goes out. The window
 * is a little longer than a second because the server counts requests by arrival, and the time
 * from "goes out" to "arrives" varies: with the network, and with how busy this process is. That
 * variation is at most the spread of recent round trips (a request arrives after it leaves and
 * before its answer comes back), so the margin follows that spread, never below 50 ms. A timer
 * that fires late only ever makes a request later.
 */
const WINDOW_MS = 1000;
export const WINDOW_MARGIN_MS = 50;
const MAX_MARGIN_MS = 250;
const ROUND_TRIPS_KEPT = 20;
/**
 * Requests leave at least this far apart. A burst that goes out "at once" really goes out one
 * after another as each is prepared, so its last request would leave later than counted.
 */
export const MIN_SPACING_MS = 50;

interface AccountWindow {
	/** When the last requests really went out, oldest first. */
	sends: number[];
	/** The tail of the queue of callers waiting for this account. */
	queue: Promise<void>;
	pausedUntil: number;
	/** Requests per second allowed right now: lowered when the server refuses, regained slowly. */
	ceiling: number;
	lastSlowDown: number;
	successes: number;
	/** Recent round-trip times (ms), newest last. */
	roundTrips: number[];
}

const accounts = new Map<string, AccountWindow>();

function windowFor(accountKey: string): AccountWindow {
	let account = accounts.get(accountKey);
	if (!account) {
		account = {
			sends: [],
			queue: Promise.resolve(),
			pausedUntil: 0,
			ceiling: Infinity,
			lastSlowDown: 0,
			successes: 0,
			roundTrips: [],
		};
		accounts.set(accountKey, account);
	}
	return account;
}

/** How long (ms) the account must wait before it may send one more request at `now`. */
/** The window the account keeps requests in: a second plus the margin for arrival jitter. */
export function windowSpan(accountKey: string): number {
	const { roundTrips } = windowFor(accountKey);
	if (roundTrips.length < 2) return WINDOW_MS + WINDOW_MARGIN_MS;
	const spread = Math.max(...roundTrips) - Math.min(...roundTrips);
	return WINDOW_MS + Math.min(MAX_MARGIN_MS, Math.max(WINDOW_MARGIN_MS, spread));
}

/** A request sent at the recorded time got its answer after `ms`. */
export function recordRoundTrip(accountKey: string, ms: number): void {
	const { roundTrips } = windowFor(accountKey);
	roundTrips.push(ms);
	if (roundTrips.length > ROUND_TRIPS_KEPT) roundTrips.shift();
}

export function waitTime(accountKey: string, rate: number, now = Date.now()): number {
	const account = windowFor(accountKey);
	const { sends } = account;
	const SPAN_MS = windowSpan(accountKey);
	let drop = 0;
	while (drop < sends.length && sends[drop] <= now - SPAN_MS) drop++;
	if (drop > 0) sends.splice(0, drop);
	const allowed = Math.max(1, Math.min(rate, account.ceiling));
	let wait = account.pausedUntil - now;
	if (sends.length > 0) wait = Math.max(wait, sends[sends.length - 1] + MIN_SPACING_MS - now);
	if (sends.length >= allowed) wait = Math.max(wait, sends[sends.length - allowed] + SPAN_MS - now);
	return Math.max(0, wait);
}

/** Counts one request of this account as sent at `at`. */
export function recordSend(accountKey: string, at = Date.now()): void {
	windowFor(accountKey).sends.push(at);
}

async function takeTurn(accountKey: string, rate: number): Promise<number> {
	for (;;) {
		const wait = waitTime(accountKey, rate);
		if (wait === 0) {
			const at = Date.now();
			recordSend(accountKey, at);
			return at;
		}
		await sleep(wait);
	}
}

/** Waits until this account may send one more request, counts it as sent, and returns when. */
export async function acquireSlot(accountKey: string, rate: number): Promise<number> {
	const account = windowFor(accountKey);
	const turn = account.queue.then(async () => await takeTurn(accountKey, rate));
	account.queue = turn.then(
		() => undefined,
		() => undefined,
	);
	return await turn;
}

/**
 * The server said "too many requests" (other clients share the account, or it counts differently):
 * hold every request of this account back for `ms`, and halve its rate, at most once a second.
 */
export function slowDown(accountKey: string, rate: number, ms: number): void {
	const account = windowFor(accountKey);
	const now = Date.now();
	account.pausedUntil = Math.max(account.pausedUntil, now + ms);
	if (now - account.lastSlowDown >= WINDOW_MS) {
		account.ceiling = Math.max(1, Math.floor(Math.min(rate, account.ceiling) / 2));
		account.lastSlowDown = now;
		account.successes = 0;
	}
}

/** A request went through: after a second's worth of them, allow one more request per second. */
export function recordSuccess(accountKey: string, rate: number): void {
	const account = accounts.get(accountKey);
	if (!account || account.ceiling >= rate) return;
	account.successes++;
	if (account.successes >= account.ceiling) {
		account.ceiling += 1;
		account.successes = 0;
	}
}

/** The rate this account may use now (for logs and tests). */
export function currentRate(accountKey: string, rate: number): number {
	return Math.min(rate, accounts.get(accountKey)?.ceiling ?? rate);
}
