/**
 * The arrival record: this process's requests that may still count in the server's second, and
 * when each can have arrived. No more than the share may arrive in any span (a second plus a small
 * margin), as the server counts them.
 *
 * The server counts a request when it arrives, and "arrives" is somewhere between the moment the
 * request leaves and the moment its answer is back. So each request is placed at the latest it can
 * plausibly have arrived: when it went out, pushed later by however much its round trip exceeded the
 * fastest recent one; until a few round trips are known, at its answer. A request still without an
 * answer counts as arriving "now" minus the fastest round trip, so it holds its place until it is
 * answered. The span is a second plus a margin for what the estimate cannot see: the fastest round
 * trips themselves varying.
 */

/** The server counts requests per second. */
const SECOND_MS = 1000;
/** The least margin over a second; the margin grows with how unsteady the fastest round trips are. */
const SPAN_MARGIN_MS = 15;
const MAX_MARGIN_MS = 250;
const ROUND_TRIPS_KEPT = 20;
/** Round trips needed before the fastest of them is trusted (a first request is often much slower). */
const ROUND_TRIPS_TRUSTED = 3;

/** One request in the record. */
interface Sent {
	/** When the request went out. */
	readonly at: number;
	/** When its answer came back; undefined while it is in flight. */
	answeredAt?: number;
	/** The server refused it as too many. */
	refused?: boolean;
}

export class Arrivals {
	/** Requests that may still count, in the order they went out. */
	private sends: Sent[] = [];

	/** Recent round-trip times (ms), newest last. */
	private readonly roundTrips: number[] = [];

	/** Records a request sent at `at`. */
	add(at: number): Sent {
		const sent: Sent = { at };
		this.sends.push(sent);
		return sent;
	}

	/**
	 * The request's answer came back at `at`: it times a round trip unless there was no answer
	 * (`timed` false), and counts as refused when the server refused it.
	 */
	answer(sent: Sent, at: number, outcome: { timed: boolean; refused: boolean }): void {
		if (outcome.timed) {
			this.roundTrips.push(Math.max(0, at - sent.at));
			if (this.roundTrips.length > ROUND_TRIPS_KEPT) this.roundTrips.shift();
		}
		if (outcome.refused) sent.refused = true;
		sent.answeredAt = Math.max(sent.at, at);
	}

	/** The request was not sent after all: it leaves the record. */
	remove(sent: Sent): void {
		this.sends = this.sends.filter((s) => s !== sent);
	}

	/**
	 * The span requests are counted in: a second plus a margin, the spread of the fastest quarter of
	 * recent round trips, at least 15 ms and at most 250 ms.
	 */
	span(): number {
		const sorted = [...this.roundTrips].sort((a, b) => a - b);
		const spread = sorted.length < 4 ? 0 : sorted[Math.floor(sorted.length / 4)] - sorted[0];
		return SECOND_MS + Math.min(MAX_MARGIN_MS, Math.max(SPAN_MARGIN_MS, spread));
	}

	/** This process's requests that got through and left in the second before `sentAt`. */
	takenBefore(sentAt: number): number {
		return this.sends.filter((s) => !s.refused && s.at > sentAt - SECOND_MS && s.at < sentAt).length;
	}

	/**
	 * When, at the earliest, one more request may arrive with no more than `allowed` in any span
	 * (-Infinity: there is room now). A request is forgotten once even its answer is older than a span.
	 */
	roomAt(allowed: number, now: number): number {
		const span = this.span();
		const fastest = this.fastestRoundTrip();
		this.sends = this.sends.filter((s) => s.answeredAt === undefined || s.answeredAt > now - span);
		if (this.sends.length < allowed) return -Infinity;
		// estimated with the fastest round trip known now
		const arrivals = this.sends.map((s) => Math.max(s.at, (s.answeredAt ?? now) - fastest)).sort((a, b) => a - b);
		return arrivals[arrivals.length - allowed] + span;
	}

	/** The fastest recent round trip; 0 (every answer counts as the arrival) until there are a few. */
	private fastestRoundTrip(): number {
		return this.roundTrips.length < ROUND_TRIPS_TRUSTED ? 0 : Math.min(...this.roundTrips);
	}
}
