import { sleep } from 'n8n-workflow';

/**
 * One request budget per Beschannels account, shared by every node, trigger and execution in this
 * n8n process (module state lives as long as the process).
 *
 * A sliding window of reserved send times: a caller reserves the earliest moment at which fewer
 * than `rate` sends fall in the window, then sleeps until then. Reservations are handed out in
 * order, so concurrent callers queue fairly. The window is a little longer than a second because
 * the server counts requests by arrival, and arrival jitters with the network.
 */
const WINDOW_MS = 1000;
export const WINDOW_MARGIN_MS = 50;
const SPAN_MS = WINDOW_MS + WINDOW_MARGIN_MS;

interface AccountWindow {
	sends: number[];
	pausedUntil: number;
}

const accounts = new Map<string, AccountWindow>();

function windowFor(accountKey: string): AccountWindow {
	let account = accounts.get(accountKey);
	if (!account) {
		account = { sends: [], pausedUntil: 0 };
		accounts.set(accountKey, account);
	}
	return account;
}

/** Reserves a send time for one request and returns how long to wait for it (ms). */
export function reserveSlot(accountKey: string, rate: number, now = Date.now()): number {
	const account = windowFor(accountKey);
	const { sends } = account;
	let drop = 0;
	while (drop < sends.length && sends[drop] <= now - SPAN_MS) drop++;
	if (drop > 0) sends.splice(0, drop);

	let at = Math.max(now, account.pausedUntil);
	if (sends.length >= rate) at = Math.max(at, sends[sends.length - rate] + SPAN_MS);
	if (sends.length > 0) at = Math.max(at, sends[sends.length - 1]);
	sends.push(at);
	return at - now;
}

/** Waits until this account may send one more request. */
export async function acquireSlot(accountKey: string, rate: number): Promise<void> {
	const wait = reserveSlot(accountKey, rate);
	if (wait > 0) await sleep(wait);
}

/** Holds every request of this account back, e.g. after the server said "too many requests". */
export function pauseAccount(accountKey: string, ms: number): void {
	const account = windowFor(accountKey);
	account.pausedUntil = Math.max(account.pausedUntil, Date.now() + ms);
}
