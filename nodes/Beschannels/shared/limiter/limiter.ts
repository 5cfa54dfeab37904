import { Arrivals } from './arrivals';
import { afterRefusal, grown, REFUSED_PAUSE_MS, shareOf, UNCUT, type ShareState } from './share';
import { ExecutionStopped, pause, throwIfStopped } from '../wait';

/**
 * One request budget per Beschannels account, shared by every node, trigger and execution in this
 * n8n process (`limiterFor` keeps one limiter per account for as long as the process lives). Every
 * request goes through `limited`: it takes a place, is sent, and hands its place back with what its
 * answer taught (`SendResult`).
 *
 * Pace. Requests leave evenly spaced, never in bursts, a whole number of them per span (the share,
 * share.ts): processes whose shares add up to the budget never overfill the server's second, however
 * their requests fall in it. A refusal pauses this process's requests for a second, so the server's
 * second (which counts the refused request too) drains, and may cut the share.
 *
 * Arrivals. On top of the pace, no more than the share may arrive in any span, as the server counts
 * them (arrivals.ts). Callers queue per account, first come first served.
 */

/** Longest wait between two looks at the arrivals (an answer or a place given back wakes the caller sooner). */
const RECHECK_MS = 250;
/** A request may leave this share of its spacing early, to make up for one that left late. */
const PACE_TOLERANCE = 0.5;

/** The time as the limiter reads it, and its waits (which end at once with `ExecutionStopped` on a stop). */
export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real time, and the node's waits that a stopped execution ends. */
const realClock: Clock = { now: () => Date.now(), sleep: pause };

/**
 * What an answer taught the limiter: `answered` (the server took the request, whatever it
 * answered), `refused` (too many requests; with the `Retry-After` it asked for, if any), or
 * `unanswered` (no answer at all: the request keeps its place but times no round trip).
 */
export type SendResult = { kind: 'answered' } | { kind: 'refused'; retryAfterMs?: number } | { kind: 'unanswered' };

/** One request's place in its account's arrivals (the limiter's own; `limited` settles it). */
interface Slot {
	/** The answer came back now and taught `result`. Later calls do nothing. */
	settle(result: SendResult): void;
	/** The request was not sent after all: it gives its place back. */
	cancel(): void;
}

/** One request through an account's limiter. */
interface LimitedRequest<T> {
	/** Max Requests per Second: the rate is never higher. */
	ceiling: number;
	/** Once aborted, the request leaves the queue unsent (`ExecutionStopped`). */
	signal?: AbortSignal;
	/** Sends the request and reads its answer. */
	send: () => Promise<T>;
	/** What the answer taught the limiter. */
	judge: (outcome: T) => SendResult;
}

/** The request budget of one account in this process, on a given clock and random source. */
export class AccountLimiter {
	private readonly arrivals = new Arrivals();

	private shares: ShareState = UNCUT;

	/** When the next request is due at the current pace (it may leave a little early). */
	private dueAt = -Infinity;

	/** No request leaves before this (after a refusal, or its Retry-After). */
	private pausedUntil = 0;

	/** The tail of the queue of callers waiting for this account. */
	private queue: Promise<void> = Promise.resolve();

	/** Wakes the caller at the head of the queue when an answer comes back. */
	private answered?: () => void;

	constructor(
		private readonly clock: Clock = realClock,
		private readonly random: () => number = () => Math.random(),
	) {}

	/** The rate (whole requests a second) the account may use now, under `ceiling`. */
	rate(ceiling: number): number {
		return this.shareAt(ceiling, this.clock.now());
	}

	/** The span requests are counted in: a second plus a margin (arrivals.ts). */
	span(): number {
		return this.arrivals.span();
	}

	/** How long (ms) the account must wait now before it may send one more request. */
	waitTime(ceiling: number): number {
		const now = this.clock.now();
		const span = this.arrivals.span();
		const allowed = this.shareAt(ceiling, now);
		const roomAt = this.arrivals.roomAt(allowed, now);
		const early = (PACE_TOLERANCE * span) / allowed;
		const wait = Math.max(this.pausedUntil, this.dueAt - early) - now;
		return Math.max(0, wait, roomAt - now);
	}

	/** Records a request as sent now under `ceiling` and returns its slot. */
	recordSend(ceiling: number): Slot {
		const at = this.clock.now();
		const sent = this.arrivals.add(at);
		this.dueAt = Math.max(this.dueAt, at) + this.arrivals.span() / this.shareAt(ceiling, at);
		return {
			settle: (result) => {
				if (sent.answeredAt !== undefined) return;
				const answeredAt = this.clock.now();
				const refused = result.kind === 'refused';
				if (refused) {
					const refusal = { sentAt: at, at: answeredAt, taken: this.arrivals.takenBefore(at) };
					this.shares = afterRefusal(this.shares, refusal, ceiling, this.random);
					// the refused request counts in the server's second as well: let it drain
					const until = Math.max(at + REFUSED_PAUSE_MS, answeredAt + (result.retryAfterMs ?? 0));
					this.pausedUntil = Math.max(this.pausedUntil, until);
				}
				this.arrivals.answer(sent, answeredAt, { timed: result.kind !== 'unanswered', refused });
				this.answered?.();
			},
			cancel: () => {
				this.arrivals.remove(sent);
				this.answered?.();
			},
		};
	}

	/**
	 * The one way a request reaches Beschannels: waits for its turn on the account, sends it, and
	 * hands its place back with what the answer taught (a send that throws, as a stop does, counts as
	 * unanswered). Returns what `send` returned.
	 */
	async limited<T>(request: LimitedRequest<T>): Promise<T> {
		const slot = await this.acquire(request.ceiling, request.signal);
		let result: SendResult = { kind: 'unanswered' };
		try {
			const outcome = await request.send();
			result = request.judge(outcome);
			return outcome;
		} finally {
			slot.settle(result);
		}
	}

	/** Applies the growths due by `now` and returns the share: whole requests a second. */
	private shareAt(ceiling: number, now: number): number {
		this.shares = grown(this.shares, ceiling, now);
		return shareOf(this.shares, ceiling);
	}

	private async takeTurn(ceiling: number, signal?: AbortSignal): Promise<Slot> {
		for (;;) {
			throwIfStopped(signal);
			const wait = this.waitTime(ceiling);
			if (wait === 0) return this.recordSend(ceiling);
			// an answer can free a place (a request in flight counts until then): look again at once
			const answer = new Promise<void>((resolve) => (this.answered = resolve));
			try {
				await Promise.race([this.clock.sleep(Math.min(wait, RECHECK_MS), signal), answer]);
			} finally {
				this.answered = undefined;
			}
		}
	}

	/**
	 * Waits until this account may send one more request and counts it as sent. When `signal` aborts,
	 * the caller leaves the queue at once (`ExecutionStopped`) and takes no place.
	 */
	private async acquire(ceiling: number, signal?: AbortSignal): Promise<Slot> {
		throwIfStopped(signal);
		const turn = this.queue.then(async () => await this.takeTurn(ceiling, signal));
		this.queue = turn.then(
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
}

const limiters = new Map<string, AccountLimiter>();

/** The limiter of an account in this process (one per account key, on the real clock). */
export function limiterFor(accountKey: string): AccountLimiter {
	let limiter = limiters.get(accountKey);
	if (!limiter) {
		limiter = new AccountLimiter();
		limiters.set(accountKey, limiter);
	}
	return limiter;
}
