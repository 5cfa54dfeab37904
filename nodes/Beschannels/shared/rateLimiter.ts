import { ExecutionStopped, pause, throwIfStopped } from './wait';

/**
 * One request budget per Beschannels account, shared by every node, trigger and execution in this
 * n8n process (module state lives as long as the process).
 *
 * The server counts a request when it arrives, and "arrives" is somewhere between the moment the
 * request leaves and the moment its answer is back. So each request is placed in the window at the
 * latest it can plausibly have arrived: when it went out, pushed later by however much its round
 * trip exceeded the fastest recent one (a request that left late because this process was busy, or
 * that the server took in late, comes back late by as much); until a few round trips are known, at
 * its answer. A request still without an answer counts as arriving "now" minus the fastest round
 * trip, so it holds its place until it is answered. The window is a second plus a small margin for
 * what the estimate cannot see: the fastest round trips themselves varying. Callers queue per
 * account, first come first served.
 */
const WINDOW_MS = 1000;
/** The least margin over a second; the margin grows with how unsteady the fastest round trips are. */
export const WINDOW_MARGIN_MS = 15;
const MAX_MARGIN_MS = 250;
const ROUND_TRIPS_KEPT = 20;
/**
 * Requests leave at least this far apart. A burst that goes out "at once" really goes out one
 * after another as each is prepared, so its last request would leave later than counted.
 */
export const MIN_SPACING_MS = 50;
/** Longest wait between two looks at the window while an answer is outstanding. */
const RECHECK_MS = 250;

interface Sent {
	/** When the request went out. */
	at: number;
	/** When its answer came back; undefined while it is in flight. */
	answeredAt?: number;
}

interface AccountWindow {
	/** Requests that may still count in the window, in the order they went out. */
	sends: Sent[];
	/** The tail of the queue of callers waiting for this account. */
	queue: Promise<void>;
	/** Wakes the caller at the head of the queue when an answer comes back. */
	answered?: () => void;
	pausedUntil: number;
	/** Requests per second allowed right now: lowered when the server refuses, regained slowly. */
	ceiling: number;
	lastSlowDown: number;
	successes: number;
	/** Recent round-trip times (ms), newest last. */
	roundTrips: number[];
}

/** One request's place in its account's window; `done` must be called when it is over. */
export interface Slot {
	/**
	 * The answer came back at `at`; `measured: false` when there was none to time (a network
	 * failure), which then keeps its place without counting as a round trip. Later calls do nothing.
	 */
	done(at?: number, measured?: boolean): void;
	/** The request was not sent after all: it gives its place back. */
	cancel(): void;
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

/** Round trips needed before the fastest of them is trusted (a first request is often much slower). */
const ROUND_TRIPS_TRUSTED = 3;

/** The fastest recent round trip; 0 (every answer counts as the arrival) until there are a few. */
function fastestRoundTrip(account: AccountWindow): number {
	return account.roundTrips.length < ROUND_TRIPS_TRUSTED ? 0 : Math.min(...account.roundTrips);
}

/**
 * The window the account keeps requests in: a second plus a margin, the spread of the fastest
 * quarter of recent round trips, at least 15 ms.
 */
export function windowSpan(accountKey: string): number {
	const sorted = [...windowFor(accountKey).roundTrips].sort((a, b) => a - b);
	const spread = sorted.length < 4 ? 0 : sorted[Math.floor(sorted.length / 4)] - sorted[0];
	return WINDOW_MS + Math.min(MAX_MARGIN_MS, Math.max(WINDOW_MARGIN_MS, spread));
}

/** Records a request as sent at `at` and returns its slot. */
export function recordSend(accountKey: string, at = Date.now()): Slot {
	const account = windowFor(accountKey);
	const sent: Sent = { at };
	account.sends.push(sent);
	return {
		done(answeredAt = Date.now(), measured = true) {
			if (sent.answeredAt !== undefined) return;
			if (measured) {
				account.roundTrips.push(Math.max(0, answeredAt - at));
				if (account.roundTrips.length > ROUND_TRIPS_KEPT) account.roundTrips.shift();
			}
			sent.answeredAt = Math.max(at, answeredAt);
			account.answered?.();
		},
		cancel() {
			account.sends = account.sends.filter((s) => s !== sent);
			account.answered?.();
		},
	};
}

/** How long (ms) the account must wait before it may send one more request at `now`. */
export function waitTime(accountKey: string, rate: number, now = Date.now()): number {
	const account = windowFor(accountKey);
	const span = windowSpan(accountKey);
	const fastest = fastestRoundTrip(account);
	// estimated with the fastest round trip known now; a request is forgotten only once even its
	// answer is older than the window
	const arrival = (s: Sent) => Math.max(s.at, (s.answeredAt ?? now) - fastest);
	account.sends = account.sends.filter((s) => s.answeredAt === undefined || s.answeredAt > now - span);
	const { sends } = account;
	const allowed = Math.max(1, Math.min(rate, account.ceiling));
	let wait = account.pausedUntil - now;
	if (sends.length > 0) wait = Math.max(wait, sends[sends.length - 1].at + MIN_SPACING_MS - now);
	if (sends.length >= allowed) {
		const arrivals = sends.map(arrival).sort((a, b) => a - b);
		wait = Math.max(wait, arrivals[arrivals.length - allowed] + span - now);
	}
	return Math.max(0, wait);
}

async function takeTurn(accountKey: string, rate: number, signal?: AbortSignal): Promise<Slot> {
	const account = windowFor(accountKey);
	for (;;) {
		throwIfStopped(signal);
		const wait = waitTime(accountKey, rate);
		if (wait === 0) return recordSend(accountKey);
		// an answer can move the window (a request in flight counts until then): look again at once
		const answer = new Promise<void>((resolve) => (account.answered = resolve));
		try {
			await Promise.race([pause(Math.min(wait, RECHECK_MS), signal), answer]);
		} finally {
			account.answered = undefined;
		}
	}
}

/**
 * Waits until this account may send one more request and counts it as sent. The caller reports
 * the answer with the slot's `done`; until then the request holds its place in the window. When
 * `signal` aborts, the caller leaves the queue at once (`ExecutionStopped`) and takes no place.
 */
export async function acquireSlot(accountKey: string, rate: number, signal?: AbortSignal): Promise<Slot> {
	const account = windowFor(accountKey);
	const turn = account.queue.then(async () => await takeTurn(accountKey, rate, signal));
	account.queue = turn.then(
		() => undefined,
		() => undefined,
	);
	if (!signal) return await turn;
	// leave the queue when stopped, even while callers ahead still wait their turn
	let leave: () => void = () => undefined;
	const left = new Promise<never>((_resolve, reject) => {
		leave = () => reject(new ExecutionStopped());
		signal.addEventListener('abort', leave, { once: true });
	});
	left.catch(() => undefined);
	const outcome = await Promise.race([turn, left]).then(
		(slot) => ({ slot }),
		() => {
			// a place taken in the same instant as the stop is given back
			turn.then(
				(slot) => slot.cancel(),
				() => undefined,
			);
			return { slot: undefined };
		},
	);
	signal.removeEventListener('abort', leave);
	if (!outcome.slot) throw new ExecutionStopped();
	return outcome.slot;
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
