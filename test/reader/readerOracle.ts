import { BeschannelsError } from '../../nodes/Beschannels/shared/transport/errors';
import { behaviours, fewestPages, isGated, leftOut, readOnce, servedRows, type ModelRead, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * What a read owes, judged only by the server (who was visible, who joined, left or moved, which rows
 * tie, as the model's own bookkeeping says) and by what the reader returned (its members, whether it
 * succeeded, the requests the server counted). Never by how the reader says it ended beyond success,
 * nor by which requests it chose.
 */

const AUTO = 1000;

/** A lower bound of `fewestPages` (each page after the first adds at most size - 1 positions), cheap to compute. */
function fewestAtLeast(n: number, size: number): number {
	if (n <= size) return 1;
	return size < 2 ? Infinity : 1 + Math.ceil((n - size) / (size - 1));
}

/** The still groups whose requests must stay within P + 1, plus 5%, plus 1: nothing hidden, no ties, `total` exact. */
function plain(server: ServerSpec): boolean {
	const form = server.totalForm ?? 'number';
	return (
		server.hidden.length === 0 &&
		(server.ties ?? []).length === 0 &&
		(form === 'number' || form === 'string') &&
		server.totalOffset === 0 &&
		server.cuts.length === 0 &&
		server.doubled.length === 0 &&
		(server.anonymous === undefined || (Array.isArray(server.anonymous) && server.anonymous.length === 0))
	);
}

/** All changes at one moment, no member changing place, at most one join and one leave (a batch leaving with an import). */
function oneMoment(server: ServerSpec): boolean {
	const { changes } = server;
	return (
		changes.every((c) => c.before === changes[0]?.before && c.kind !== 'move') &&
		changes.filter((c) => c.kind === 'join').length <= 1 &&
		changes.filter((c) => c.kind === 'leave').length <= 1
	);
}

/** Positions a read of this server must cover: from its start to the group's end, or to the member its Limit stops at. */
function positions(server: ServerSpec, read: ReadSpec, m: ModelRead): number {
	const startOffset = (read.startPage - 1) * (read.pageSize ?? 100);
	let end = m.mostPositions;
	if (read.limit !== undefined && m.before.length >= read.limit) end = m.order.indexOf(m.before[read.limit - 1]) + 1;
	return Math.max(0, end - startOffset);
}

/**
 * The most requests the read may make, and which rule says so: 'bound_still' P + 1, +5%, +1 for a
 * still group with nothing hidden, no ties and `total` exact; 'bound_hidden' 2(P + 1) + 2 with rows
 * hidden or ties; 'bound_oneChange' 1.5(P + 1) + 2 for one change at one moment; each +1 where the
 * server serves fewer rows than asked. Undefined where no bound is promised (several changes, totals
 * that lie or go missing, answers cut short, rows sent twice, rows without identity), or the rule
 * is in NOT_YET.
 */
function requestBound(server: ServerSpec, read: ReadSpec, m: ModelRead, moving: boolean, search: boolean): { most: number; rule: string } | undefined {
	if (breaksContract(server)) return undefined;
	const served = servedRows(server, read);
	const n = positions(server, read, m);
	const asked = Math.min(read.pageSize ?? AUTO, read.limit ?? Infinity);
	const capped = server.cap < asked ? 1 : 0;
	const bound = (p: number) => {
		if (!moving && plain(server)) return { most: Math.floor((p + 1) * 1.05) + 1 + capped, rule: 'bound_still' };
		const form = server.totalForm ?? 'number';
		const exact = (form === 'number' || form === 'string') && server.totalOffset === 0 && server.cuts.length === 0 && server.doubled.length === 0;
		const named = server.anonymous === undefined || (Array.isArray(server.anonymous) && server.anonymous.length === 0);
		if (!moving && exact && named) return { most: 2 * (p + 1) + 2 + capped, rule: 'bound_hidden' };
		if (moving && oneMoment(server) && plain(server)) return { most: Math.floor(1.5 * (p + 1)) + 2 + capped, rule: 'bound_oneChange' };
		return undefined;
	};
	// cheap first: within the bound for the fewest pages' lower bound, it is within the bound for P
	const low = bound(fewestAtLeast(n, served));
	if (low === undefined || (search && isGated(low.rule)) || m.requests.length <= low.most) return undefined;
	const p = fewestPages(n, served);
	return p === Infinity ? undefined : bound(p);
}

/** A server that reads page_num other than as documented (from 0, or not at all): a read of it may fail. */
function breaksContract(server: ServerSpec): boolean {
	return server.pageNumbers !== undefined && server.pageNumbers !== 'fromOne';
}

/** The node succeeded with the read, as its user sees it (the node's own verdict, or no error thrown). */
function succeeded(m: ModelRead): boolean {
	return m.outcome.ok;
}

/** The error the user sees, for a failure message. */
function failedWith(m: ModelRead): string {
	return m.outcome.ok ? '' : m.outcome.message;
}

/**
 * A read may fail where no answer held a row while `total` counted members: nothing shows how many
 * rows a page holds (a server may serve one), so no empty page shows where the group ends, and a
 * read bounded in requests cannot tell a group whose every row is hidden from one whose visible rows
 * lie past the pages it asked. The server's own bookkeeping says whether any answer held a row.
 */
function nothingSent(m: ModelRead): boolean {
	return !m.rowsSent && /sent none of them/.test(failedWith(m));
}

/** What every read owes: no member twice, no one who never was in the group and visible, no error but the server's own. */
function soundness(m: ModelRead): string[] {
	const problems: string[] = [];
	const once = new Set<string>();
	const twice = m.returned.filter((id) => once.has(id) || !once.add(id));
	if (twice.length > 0) problems.push(`returned twice: ${twice.slice(0, 4).join(' ')}`);
	const strangers = m.returned.filter((id) => !m.ever.has(id));
	if (strangers.length > 0) problems.push(`returned, never visible: ${strangers.slice(0, 4).join(' ')}`);
	if (m.error !== undefined && !(m.error instanceof BeschannelsError)) problems.push(`threw ${String(m.error)}`);
	return problems;
}

/**
 * A group that holds still: read whole (or up to its Limit), every visible member once, in the API's
 * order except within a block of ties. It may fail only where the server breaks the documented
 * contract (page_num counted from 0, or ignored), or where a block of ties, in a new order at every
 * request, is longer than the rows a page holds: no page holds it whole, so no answers can show which
 * of its members a read has.
 */
function judgeStill(server: ServerSpec, read: ReadSpec, m: ModelRead, search: boolean): string[] {
	const problems = soundness(m);
	const bound = requestBound(server, read, m, false, search);
	if (bound && m.requests.length > bound.most) problems.push(`${m.requests.length} requests, more than ${bound.most} (${bound.rule})`);
	if (!succeeded(m)) {
		if (m.longestTie <= servedRows(server, read) && !breaksContract(server) && !nothingSent(m)) problems.push(`failed ("${failedWith(m)}") on a group that held still`);
		return problems;
	}
	const startOffset = (read.startPage - 1) * (read.pageSize ?? 100);
	const place = new Map(m.order.map((id, i) => [id, i]));
	const rank = (id: string) => m.rank.get(id) ?? -1;
	const ranks = m.returned.map(rank);
	if (ranks.some((r, i) => i > 0 && r < ranks[i - 1])) problems.push('returned out of the API order');
	// the block of ties the start falls in: which of its members come after the start is not defined
	const straddle = startOffset > 0 && startOffset < m.order.length ? rank(m.order[startOffset]) : -1;
	const inStraddle = (id: string) => straddle >= 0 && straddle < startOffset && rank(id) === straddle;
	const visible = m.order.filter((id) => !m.hiddenAtStart.has(id));
	const returned = new Set(m.returned);
	const early = m.returned.filter((id) => !inStraddle(id) && place.get(id)! < startOffset);
	if (early.length > 0) problems.push(`returned members before the start: ${early.slice(0, 4).join(' ')}`);
	const last = ranks.at(-1) ?? -1;
	// as many members as Limit asks: the read stopped there, and owes only the members up to the last one
	if (read.limit !== undefined && m.returned.length > read.limit) problems.push(`returned ${m.returned.length} members, more than its Limit`);
	const limited = read.limit !== undefined && m.returned.length === read.limit;
	// every member after the start, up to the last one returned when the Limit ended the read
	const owed = visible.filter((id) => !inStraddle(id) && place.get(id)! >= startOffset && (!limited || rank(id) < last));
	const missing = owed.filter((id) => !returned.has(id));
	if (missing.length > 0) problems.push(`missing ${missing.length}: ${missing.slice(0, 4).join(' ')}`);
	if (straddle >= 0 && straddle < startOffset && (!limited || straddle < last)) {
		const block = m.order.filter((id) => rank(id) === straddle);
		const seen = block.filter((id) => !m.hiddenAtStart.has(id)).length;
		const got = block.filter((id) => returned.has(id)).length;
		const least = Math.max(0, seen - (startOffset - straddle));
		const most = Math.min(seen, straddle + block.length - startOffset);
		if (got < least || got > most) problems.push(`${got} members of the block of ties the start falls in, not ${least} to ${most}`);
	}
	// its hint never says the group changed, unless the answers showed what any reader would take for
	// a change: a total that wobbles, or ties in a new order
	const hint = m.outcome.ok ? (m.outcome.note ?? '') : '';
	if (/changed while it was read/.test(hint) && server.totalForm !== 'jitter' && (server.ties ?? []).length === 0) problems.push('its hint says the group changed');
	return problems;
}

/**
 * A group that changes: a read that succeeds holds every member who was visible and in the group
 * for the whole read (moved or not). One change at one moment never fails a read, unless a block of
 * ties is longer than the rows a page holds.
 */
function judgeMoving(server: ServerSpec, read: ReadSpec, m: ModelRead, search: boolean): string[] {
	const problems = soundness(m);
	const bound = requestBound(server, read, m, true, search);
	if (bound && m.requests.length > bound.most) problems.push(`${m.requests.length} requests, more than ${bound.most} (${bound.rule})`);
	if (succeeded(m)) {
		const returned = new Set(m.returned);
		const missing = m.stayers.filter((id) => !returned.has(id));
		if (missing.length > 0) problems.push(`succeeded missing ${missing.length} who stayed: ${missing.slice(0, 4).join(' ')}${missing.some((id) => m.moved.has(id)) ? ' (some moved)' : ''}`);
	} else if (oneMoment(server) && m.longestTie <= servedRows(server, read) && !breaksContract(server) && !nothingSent(m)) {
		problems.push(`failed ("${failedWith(m)}") on ${server.changes.length === 0 ? 'no change' : 'one change at one moment'}`);
	}
	return problems;
}

/** A read in a few words, for a failure message: how it ended, what it returned, what it asked. */
function summary(m: ModelRead) {
	const asked = m.requests.map((r) => `${r.pageNum}x${r.pageSize}`);
	return {
		outcome: m.outcome.ok ? 'success' : m.outcome.message,
		returned: m.returned.length,
		requests: asked.length,
		asked: asked.length > 24 ? [...asked.slice(0, 12), '...', ...asked.slice(-12)] : asked,
	};
}

/**
 * Reads `server` and throws, saying why, unless the read is what the oracle accepts; false for a read
 * the search leaves out (a behaviour in NOT_YET that only the read showed).
 */
export async function checkRead(server: ServerSpec, read: ReadSpec, moving: boolean): Promise<boolean> {
	if (behaviours(server, read, moving).some(isGated)) return false;
	const m = await readOnce(server, read);
	if (leftOut(m)) return false;
	const problems = moving ? judgeMoving(server, read, m, true) : judgeStill(server, read, m, true);
	if (problems.length > 0) throw new Error(JSON.stringify({ problems, ...summary(m) }));
	return true;
}

/**
 * What is wrong with a read of `server`, with every behaviour and bound judged (nothing left out),
 * or with the request bounds the search leaves out left out too (`search`).
 */
export async function judgeRead(server: ServerSpec, read: ReadSpec, moving: boolean, search = false): Promise<string[]> {
	return judgeMade(server, read, await readOnce(server, read), moving, search);
}

/** What is wrong with `m`, a read of `server` already made (`readOnce`), judged as `judgeRead` judges. */
export function judgeMade(server: ServerSpec, read: ReadSpec, m: ModelRead, moving: boolean, search = false): string[] {
	return moving ? judgeMoving(server, read, m, search) : judgeStill(server, read, m, search);
}
