import { ExecutionStopped, pause, throwIfStopped } from '../transport/wait';

/**
 * One request budget per Beschannels account, shared by every node, trigger and execution in this
 * n8n process (module state lives as long as the process). Every request goes through `limited`:
 * it takes a place, is sent, and hands its place back with what its answer taught (`Verdict`).
 *
 * Pace. Requests leave evenly spaced, never in bursts, in a whole number of requests per window
 * (the share): processes whose shares add up to the budget never overfill the server's second,
 * however their requests fall in it. Alone, a process has Max Requests per Second. Other processes
 * (queue-mode workers, a main process whose triggers poll) may share the account, and nothing but
 * the API's refusals tells of them. A refusal pauses this process's requests for a second, so the
 * server's window (which counts the refused request too) drains, and may cut the share (`cut`):
 * processes that start together halve until they fit, and a growth that overfilled the account
 * goes back. The share grows again by one after a wait drawn at random, longer for a small share of
 * a crowded account; each growth that overfills nothing halves the wait for the next, so a process
 * left alone regains the whole budget. The share never falls below one request a second.
 *
 * Window. On top of the pace, no more than Max Requests per Second may arrive in any second, as
 * the server counts them. The server counts a request when it arrives, and "arrives" is somewhere
 * between the moment the request leaves and the moment its answer is back. So each request is placed
 * in the window at the latest it can plausibly have arrived: when it went out, pushed later by
 * however much its round trip exceeded the fastest recent one; until a few round trips are known, at
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
/** Longest wait between two looks at the window while an answer is outstanding. */
const RECHECK_MS = 250;
/** The rate never falls below this many requests a second, however often the server refuses. */
export const MIN_RATE = 1;
/** After a refusal no request leaves for this long after the refused one left. */
const REFUSED_PAUSE_MS = 1000;
/** A request may leave this share of its spacing early, to make up for one that left late. */
const PACE_TOLERANCE = 0.5;

interface Sent {
	/** When the request went out. */
	at: number;
	/** When its answer came back; undefined while it is in flight. */
	answeredAt?: number;
	/** The server refused it as too many. */
	refused?: boolean;
}

interface AccountWindow {
	/** Requests that may still count in the window, in the order they went out. */
	sends: Sent[];
	/** When the next request is due at the current pace (it may leave a little early). */
	dueAt: number;
	/** The tail of the queue of callers waiting for this account. */
	queue: Promise<void>;
	/** Wakes the caller at the head of the queue when an answer comes back. */
	answered?: () => void;
	/** No request leaves before this (after a refusal, or its Retry-After). */
	pausedUntil: number;
	/** Whole requests per window (undefined: never refused, so all of them). */
	share?: number;
	/** When the share next grows by one, the wait after that, and when it last grew. */
	growAt: number;
	growGap: number;
	grewAt: number;
	/** When a refusal last cut the share. */
	cutAt: number;
	/** The last settling cut kept more than two thirds of the share: the others on the account are light. */
	keptMost: boolean;
	/** Growths in a row that overfilled the account. */
	backoffs: number;
	/** Recent round-trip times (ms), newest last. */
	roundTrips: number[];
}

/**
 * What an answer taught: `answered` (the server took the request, whatever it answered),
 * `refused` (too many requests; with the `Retry-After` it asked for, if any), or `unanswered`
 * (no answer at all: the request keeps its place but times no round trip).
 */
export type Verdict = { kind: 'answered' } | { kind: 'refused'; retryAfterMs?: number } | { kind: 'unanswered' };

/** One request's place in its account's window (the limiter's own; `limited` settles it). */
export interface Slot {
	/** The answer came back at `at` and taught `verdict`. Later calls do nothing. */
	settle(verdict: Verdict, at?: number): void;
	/** The request was not sent after all: it gives its place back. */
	cancel(): void;
}

const accounts = new Map<string, AccountWindow>();

function windowFor(accountKey: string): AccountWindow {
	let account = accounts.get(accountKey);
	if (!account) {
		account = {
			sends: [],
			dueAt: -Infinity,
			queue: Promise.resolve(),
			pausedUntil: 0,
			growAt: Infinity,
			growGap: 0,
			grewAt: -Infinity,
			cutAt: -Infinity,
			keptMost: false,
			backoffs: 0,
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

/**
 * After a cut, a share of S requests per window (of at most M) first grows by one after about
 * M / S x 8 s (at most 24 s): the processes on an account together try to grow about once every
 * 8 s, however many they are, since a try that overfills the account costs each of them a refused
 * request.
 */
export const GROWTH_EVERY_MS = 8000;
/** No wait for a growth is longer than this (before the random factor of 0.5 to 1.5). */
export const LONGEST_GROWTH_WAIT_MS = 24_000;
/** Each growth that overfilled nothing halves the wait for the next one, down to this. */
const FASTEST_GROWTH_MS = 250;
/** A refusal of a request sent this soon after the share grew is blamed on the growth. */
const BLAME_MS = 1500;
/** A second refusal this soon after a cut, with no growth between, shows the account still overfull. */
const REPEAT_MS = 3000;
/** Growths that overfilled the account in a row make the next try wait up to 2^this times longer. */
const MOST_BACKOFFS = 4;

/** The most whole requests per window Max Requests per Second allows. */
function fullShare(ceiling: number): number {
	return Math.max(MIN_RATE, Math.floor(ceiling));
}

/** Applies the growths due by `now` and returns the share: whole requests per window. */
function shareAt(account: AccountWindow, ceiling: number, now: number): number {
	const most = fullShare(ceiling);
	if (account.share === undefined) return most;
	while (account.growAt <= now && account.share < most) {
		// the growth before this one overfilled nothing
		if (account.cutAt < account.grewAt) account.backoffs = 0;
		account.share++;
		account.grewAt = account.growAt;
		account.growGap = Math.max(FASTEST_GROWTH_MS, account.growGap / 2);
		account.growAt += account.growGap;
	}
	return Math.min(most, account.share);
}

/** Cuts the share to `share` at `now` and sets when it next grows. */
function setShare(account: AccountWindow, share: number, ceiling: number, now: number): void {
	account.share = Math.max(MIN_RATE, share);
	account.cutAt = now;
	// drawn at random, so that processes cut by the same refusals do not all grow at one moment
	const wait = Math.min(LONGEST_GROWTH_WAIT_MS, ((GROWTH_EVERY_MS * fullShare(ceiling)) / account.share) * 2 ** account.backoffs) * (0.5 + Math.random());
	account.growGap = wait;
	account.growAt = now + wait;
}

/** The rate (requests a second) the account may use at `now`, under `ceiling`: its share of a window. */
export function currentRate(accountKey: string, ceiling: number, now = Date.now()): number {
	return shareAt(windowFor(accountKey), ceiling, now);
}

/**
 * The server refused a request sent at `sentAt`: the account's requests had overfilled its second.
 * - Settling (the first refusal, at the full share, or another soon after a cut with no growth
 *   between): the share drops to what got through of this process's own requests in the second
 *   before, but by at most half and by at least one. Processes that start together all halve, so
 *   they reach equal shares, and a process beside a light one (a trigger) keeps most of the budget.
 *   A process that kept more than two thirds at its last settling cut sits beside a light one, and
 *   gives way by one when refused again, not by half. One that kept less may have started before
 *   the others of a crowd, and halves like them, so their shares stay near equal.
 * - Soon after the share grew: the growth overfilled the account. The share goes back, and the
 *   next try waits twice as long.
 * - Otherwise another process's growth overfilled it, and every process it sends to is refused in
 *   the same second. Each cuts by one with a chance of its share of the budget, so the account
 *   loses about the one request it gained, and a larger share gives way more often than a small
 *   one: shares drift towards equal.
 * A request that left before the last cut, or while the server's window was still full of the
 * requests that led to it, says nothing new.
 */
function cut(account: AccountWindow, ceiling: number, sentAt: number, now: number): void {
	if (sentAt < account.cutAt + REFUSED_PAUSE_MS) return;
	const share = shareAt(account, ceiling, now);
	const settling = account.share === undefined || (now - account.cutAt < REPEAT_MS && account.grewAt < account.cutAt);
	if (settling) {
		const taken = account.sends.filter((s) => !s.refused && s.at > sentAt - WINDOW_MS && s.at < sentAt).length;
		const half = Math.floor(share / 2);
		const settled = account.keptMost ? share - 1 : Math.max(half, Math.min(share - 1, taken));
		account.keptMost = settled * 3 > share * 2;
		setShare(account, settled, ceiling, now);
	} else if (sentAt - account.grewAt < BLAME_MS) {
		account.backoffs = Math.min(MOST_BACKOFFS, account.backoffs + 1);
		setShare(account, share - 1, ceiling, now);
	} else if (Math.random() < share / fullShare(ceiling)) {
		setShare(account, share - 1, ceiling, now);
	}
}

/** Records a request as sent at `at` under `ceiling` and returns its slot. */
export function recordSend(accountKey: string, ceiling: number, at = Date.now()): Slot {
	const account = windowFor(accountKey);
	const sent: Sent = { at };
	account.sends.push(sent);
	account.dueAt = Math.max(account.dueAt, at) + windowSpan(accountKey) / shareAt(account, ceiling, at);
	return {
		settle(verdict, answeredAt = Date.now()) {
			if (sent.answeredAt !== undefined) return;
			if (verdict.kind !== 'unanswered') {
				account.roundTrips.push(Math.max(0, answeredAt - at));
				if (account.roundTrips.length > ROUND_TRIPS_KEPT) account.roundTrips.shift();
			}
			if (verdict.kind === 'refused') {
				sent.refused = true;
				cut(account, ceiling, at, answeredAt);
				// the refused request counts in the server's window as well: let the window drain
				const until = Math.max(at + REFUSED_PAUSE_MS, answeredAt + (verdict.retryAfterMs ?? 0));
				account.pausedUntil = Math.max(account.pausedUntil, until);
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
export function waitTime(accountKey: string, ceiling: number, now = Date.now()): number {
	const account = windowFor(accountKey);
	const span = windowSpan(accountKey);
	const fastest = fastestRoundTrip(account);
	// estimated with the fastest round trip known now; a request is forgotten only once even its
	// answer is older than the window
	const arrival = (s: Sent) => Math.max(s.at, (s.answeredAt ?? now) - fastest);
	account.sends = account.sends.filter((s) => s.answeredAt === undefined || s.answeredAt > now - span);
	const { sends } = account;
	const allowed = shareAt(account, ceiling, now);
	const early = (PACE_TOLERANCE * span) / allowed;
	let wait = Math.max(account.pausedUntil, account.dueAt - early) - now;
	if (sends.length >= allowed) {
		const arrivals = sends.map(arrival).sort((a, b) => a - b);
		wait = Math.max(wait, arrivals[arrivals.length - allowed] + span - now);
	}
	return Math.max(0, wait);
}

async function takeTurn(accountKey: string, ceiling: number, signal?: AbortSignal): Promise<Slot> {
	const account = windowFor(accountKey);
	for (;;) {
		throwIfStopped(signal);
		const wait = waitTime(accountKey, ceiling);
		if (wait === 0) return recordSend(accountKey, ceiling);
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
 * Waits until this account may send one more request and counts it as sent. When `signal` aborts,
 * the caller leaves the queue at once (`ExecutionStopped`) and takes no place.
 */
async function acquireSlot(accountKey: string, ceiling: number, signal?: AbortSignal): Promise<Slot> {
	throwIfStopped(signal);
	const account = windowFor(accountKey);
	const turn = account.queue.then(async () => await takeTurn(accountKey, ceiling, signal));
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
	if (!outcome.slot || signal.aborted) {
		outcome.slot?.cancel();
		throw new ExecutionStopped();
	}
	return outcome.slot;
}

/** One request through the account's limiter. */
export interface LimitedRequest<T> {
	accountKey: string;
	/** Max Requests per Second: the rate is never higher. */
	ceiling: number;
	/** Once aborted, the request leaves the queue unsent (`ExecutionStopped`). */
	signal?: AbortSignal;
	/** Sends the request and reads its answer. */
	send: () => Promise<T>;
	/** What the answer taught the limiter. */
	judge: (outcome: T) => Verdict;
}

/**
 * The one way a request reaches Beschannels: waits for its turn on the account, sends it, and hands
 * its place back with what the answer taught (a send that throws, as a stop does, counts as
 * unanswered). Returns what `send` returned.
 */
export async function limited<T>(request: LimitedRequest<T>): Promise<T> {
	const slot = await acquireSlot(request.accountKey, request.ceiling, request.signal);
	let verdict: Verdict = { kind: 'unanswered' };
	try {
		const outcome = await request.send();
		verdict = request.judge(outcome);
		return outcome;
	} finally {
		slot.settle(verdict);
	}
}
