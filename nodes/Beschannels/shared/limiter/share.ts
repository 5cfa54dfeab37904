/**
 * The share policy: how many whole requests a second this process takes of its account's budget,
 * learnt from nothing but the API's refusals. Pure functions of the state's numbers, the time and a
 * random source; the limiter (limiter.ts) keeps the state and applies them.
 *
 * Alone, a process has Max Requests per Second. Other processes (queue-mode workers, a main process
 * whose triggers poll) may share the account. A refusal may cut the share (`afterRefusal`): processes
 * that start together halve until they fit, and a growth that overfilled the account goes back. The
 * share grows again by one after a wait drawn at random, longer for a small share of a crowded
 * account; each growth that overfills nothing halves the wait for the next, so a process left alone
 * regains the whole budget. The share never falls below one request a second.
 */

/** The rate never falls below this many requests a second, however often the server refuses. */
export const MIN_RATE = 1;
/** After a refusal no request leaves for this long after the refused one left. */
export const REFUSED_PAUSE_MS = 1000;
/**
 * After a cut, a share of S requests a second (of at most M) first grows by one after about
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

/** What the share policy knows of one account. */
export interface ShareState {
	/** Whole requests a second (undefined: never refused, so all of them). */
	readonly share?: number;
	/** When the share next grows by one, the wait after that, and when it last grew. */
	readonly growAt: number;
	readonly growGap: number;
	readonly grewAt: number;
	/** When a refusal last cut the share. */
	readonly cutAt: number;
	/** The last settling cut kept more than two thirds of the share: the others on the account are light. */
	readonly keptMost: boolean;
	/** Growths in a row that overfilled the account. */
	readonly backoffs: number;
}

/** A process that was never refused: the whole budget, no growth planned. */
export const UNCUT: ShareState = {
	growAt: Infinity,
	growGap: 0,
	grewAt: -Infinity,
	cutAt: -Infinity,
	keptMost: false,
	backoffs: 0,
};

/** A refused request as the policy sees it. */
interface Refusal {
	/** When the refused request left. */
	sentAt: number;
	/** When its answer came back. */
	at: number;
	/** This process's requests that got through in the second before it left. */
	taken: number;
}

/** The most whole requests a second Max Requests per Second (`ceiling`) allows. */
function fullShare(ceiling: number): number {
	return Math.max(MIN_RATE, Math.floor(ceiling));
}

/** The state with the growths due by `now` applied. */
export function grown(state: ShareState, ceiling: number, now: number): ShareState {
	const most = fullShare(ceiling);
	if (state.share === undefined) return state;
	let { share, backoffs, grewAt, growGap, growAt } = state;
	while (growAt <= now && share < most) {
		// the growth before this one overfilled nothing
		if (state.cutAt < grewAt) backoffs = 0;
		share++;
		grewAt = growAt;
		growGap = Math.max(FASTEST_GROWTH_MS, growGap / 2);
		growAt += growGap;
	}
	return share === state.share ? state : { ...state, share, backoffs, grewAt, growGap, growAt };
}

/** The share a state allows under `ceiling`: whole requests a second (apply `grown` first). */
export function shareOf(state: ShareState, ceiling: number): number {
	const most = fullShare(ceiling);
	return state.share === undefined ? most : Math.min(most, state.share);
}

/** The state cut to `share` at `now`, with its next growth drawn. */
function cutTo(state: ShareState, share: number, ceiling: number, now: number, random: () => number): ShareState {
	const kept = Math.max(MIN_RATE, share);
	// drawn at random, so that processes cut by the same refusals do not all grow at one moment
	const wait = Math.min(LONGEST_GROWTH_WAIT_MS, ((GROWTH_EVERY_MS * fullShare(ceiling)) / kept) * 2 ** state.backoffs) * (0.5 + random());
	return { ...state, share: kept, cutAt: now, growGap: wait, growAt: now + wait };
}

/**
 * The state after the server refused a request: the account's requests had overfilled its second.
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
 * A request that left before the last cut, or while the server's second was still full of the
 * requests that led to it, says nothing new.
 */
export function afterRefusal(before: ShareState, refusal: Refusal, ceiling: number, random: () => number): ShareState {
	const { sentAt, at, taken } = refusal;
	if (sentAt < before.cutAt + REFUSED_PAUSE_MS) return before;
	const state = grown(before, ceiling, at);
	const share = shareOf(state, ceiling);
	const settling = state.share === undefined || (at - state.cutAt < REPEAT_MS && state.grewAt < state.cutAt);
	if (settling) {
		const half = Math.floor(share / 2);
		const settled = state.keptMost ? share - 1 : Math.max(half, Math.min(share - 1, taken));
		return cutTo({ ...state, keptMost: settled * 3 > share * 2 }, settled, ceiling, at, random);
	}
	if (sentAt - state.grewAt < BLAME_MS) {
		return cutTo({ ...state, backoffs: Math.min(MOST_BACKOFFS, state.backoffs + 1) }, share - 1, ceiling, at, random);
	}
	if (random() < share / fullShare(ceiling)) return cutTo(state, share - 1, ceiling, at, random);
	return state;
}
