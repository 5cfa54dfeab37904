/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { HEADER, memberRow, seedRecords, type MemberRecord, type Row } from './members';
import { parseForm } from './multipart';
import { pagePositions, servePage, type PagingRules } from './paging';

/**
 * A local Beschannels OpenAPI on 127.0.0.1 that behaves like the documented one, quirks
 * included: HTTP 200 with a `code` for every answer, the token checked first, multipart bodies,
 * a server-side cap on rows per page, and faults that can be switched on to see how clients cope.
 */

export const GROUP_USER_LIST_PATH = '/leads/open-api/group-user-list';
export const ACCESS_GRANT_PATH = '/api/get-access-token';
const ADMIN_PREFIX = '/__sandbox';

interface GroupSpec {
	groupObj: string;
	groupId: string;
	size: number;
}

export type Fault =
	| { kind: 'code'; code: number; msg?: string }
	| { kind: 'http'; status: number; body?: string; headers?: Record<string, string>; contentType?: string }
	| { kind: 'html'; status?: number }
	| { kind: 'notJson' }
	| { kind: 'noCode' }
	| { kind: 'listNotArray' }
	| { kind: 'emptyBody' }
	| { kind: 'reset' }
	| { kind: 'hang' }
	| { kind: 'delay'; ms: number }
	/** The page as usual, but only its first `rows` rows in `list` (total unchanged). */
	| { kind: 'short'; rows: number }
	/** Headers at once, then the body `bytes` (default 1) every `intervalMs`; without `finish` the last byte never comes. */
	| { kind: 'trickle'; intervalMs: number; bytes?: number; finish?: boolean }
	/** `status` with a Location; a leading '/' is relative to the sandbox and `{url}` becomes its URL. */
	| { kind: 'redirect'; status: number; location: string };

type TrickleFault = Extract<Fault, { kind: 'trickle' }>;

interface FaultRule {
	fault: Fault;
	/** How many matching requests get the fault (default 1; Infinity for all). */
	times?: number;
	/** Only for this page_num. */
	page?: number;
	/** Only for this path (default: the group user list). */
	path?: string;
}

export interface GroupQuirks {
	/** Added to the true size in `total` (negative: a total that lies low). */
	totalOffset?: number;
	/** Serve page 1 whatever page_num says. */
	ignorePageNum?: boolean;
	/** Serve rows in this order instead of newest first. */
	order?: 'newest' | 'oldest' | 'shuffled';
	/** Start every page after the first this many rows early, as when members join mid-read. */
	repeatRows?: number;
	/**
	 * Members (by identity_id) the User ID may not see: a page is picked first, then their rows are
	 * left out of it, while `total` still counts them (as data permissions do) unless
	 * `totalCountsHidden` is false.
	 */
	hidden?: string[];
	/**
	 * Whether `total` counts the `hidden` members (default true); false: `total` counts only the
	 * members the User ID may see, while pages are still picked from the whole list (so a page keeps
	 * coming short where hidden rows were left out of it).
	 */
	totalCountsHidden?: boolean;
	/** The `header` sent with every page instead of the default one (field keys and their labels). */
	header?: Array<{ label: string; prop: string }>;
	/** 'reversed': every row's keys and the `header` entries are sent in reverse order. */
	fieldOrder?: 'reversed';
	/**
	 * Blocks of positions (`from` to `to`, exclusive, in the order served) whose rows tie in the sort
	 * order: the database may return them in any order, and does, differently on every request.
	 */
	ties?: Array<{ from: number; to: number }>;
	/** How `total` is sent: left out, as null, or as a string (default: a number). */
	totalAs?: 'missing' | 'null' | 'string';
	/** Rows come without `identity_id` and `identity_value` (a group object that keys its rows otherwise). */
	withoutIdentity?: boolean;
	/**
	 * A page past the end of the group: 'empty' (default), 'last' (the last page again, as web
	 * frameworks that clamp the page number answer), or 'error' (code 10002).
	 */
	pastEnd?: 'empty' | 'last' | 'error';
}

/** A change to one member's fields (see updateMembers). */
interface FieldChange {
	/** The member by identity_id... */
	identityId?: string;
	/** ...or by its position in the group's list (finding a member by identity builds every row). */
	at?: number;
	/** Values to set: a key the member has keeps its place, a new one goes last. */
	set?: Row;
	/** Keys to remove. */
	unset?: string[];
}

/**
 * A change to a group's members that happens while it is read: applied just before the group's
 * `atRequest`-th page request (1 for the first) is answered. Positions are 0-based, in the group's
 * newest-first list (the order pages are served in unless the `order` quirk says otherwise). A
 * change's `leave` is applied first, then its `join`, then its `move`, then its `update`.
 */
export interface GroupChange {
	atRequest: number;
	/** `count` (default 1) members leave: at the top (the newest), at the end, or from a position on. */
	leave?: { at: 'top' | 'end' | number; count?: number };
	/**
	 * `count` (default 1) new members join: at the top (brand-new leads, created now), at the end
	 * (created a second before the oldest), or at a position: they then stand from that position on,
	 * created in the same second as the member they are put before (a second before the oldest at or
	 * past the end), as an import of leads with their old creation time lands there.
	 */
	join?: { at: 'top' | 'end' | number; count?: number };
	/**
	 * A member changes place: the member at position `from` is taken out and put back so that it
	 * stands at position `to` of the list it ends up in (`to` past the end: last). It keeps its
	 * CreatedTime, so from then on the list is no longer in CreatedTime order around it. Nothing
	 * happens when `from` is past the end.
	 */
	move?: { from: number; to: number };
	/** Members' fields change (see updateMembers), after the rest of the change. */
	update?: FieldChange[];
}

export interface SandboxOptions {
	port?: number;
	/** Access tokens accepted as they are (default: one random token). */
	tokens?: string[];
	/** App ID + App Secret pairs that may ask for tokens at /api/get-access-token. */
	apps?: Array<{ appId: string; appSecret: string }>;
	/** Lifetime of issued tokens in seconds (Beschannels: 7200). */
	tokenLifetimeSeconds?: number;
	/** Milliseconds before every answer. */
	latencyMs?: number;
	/** Most rows served per page whatever page_size asks (default 100). */
	pageCap?: number;
	/** Rows per page when page_size is missing (default 10). */
	defaultPageSize?: number;
	/**
	 * Where page k starts: 'served' (default) skips (k-1) x the rows served per page; 'asked' skips
	 * (k-1) x page_size as asked and then caps, so asking for more than the cap skips rows.
	 */
	offsets?: 'served' | 'asked';
	/** Refuse a page_size above `limit` with `{code, msg}` (default 10002 意料之外的参数内容); off when undefined. */
	maxPageSize?: { limit: number; code?: number; msg?: string };
	/** Redirect every non-admin request to `to` + path + query with `status`; off when undefined. */
	redirectAll?: { status: number; to: string };
	/** Refuse requests beyond this many per second (by arrival); off when undefined. */
	rateLimit?: { perSecond: number; answer: 'code' | 'http429' };
	groups?: GroupSpec[];
	/** Seed for the synthetic members. */
	seed?: number;
	/** Creation time of the newest seeded member, epoch seconds (default: a fixed date). */
	newest?: number;
}

type OptionalOption = 'rateLimit' | 'port' | 'maxPageSize' | 'redirectAll';

interface LoggedRequest {
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	contentType: string;
	fields: Record<string, string>;
	status: number;
	code?: number;
}

interface Group {
	spec: GroupSpec;
	records: MemberRecord[];
	quirks: GroupQuirks;
	/** Changes not yet applied, and the group's page requests so far. */
	changes: GroupChange[];
	requests: number;
}

interface IssuedToken {
	token: string;
	appId: string;
	expiresAt: number;
}

export const DEFAULT_USER_ID = 'user0sandbox0000000000000000000001';

export const DEFAULT_GROUPS: GroupSpec[] = [
	{ groupObj: 'leads_schema_data', groupId: '1001', size: 250 },
	{ groupObj: 'schema_data', groupId: '2001', size: 120 },
	{ groupObj: 'member', groupId: '3001', size: 80 },
];

const FIXED_NEWEST = Date.UTC(2026, 9, 30, 2, 0, 0) / 1000;

/** The most arrival times (ms) that fall within any `windowMs`, as a server counting requests would. */
export function maxInWindow(times: number[], windowMs = 1000): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	let start = 0;
	for (let end = 0; end < sorted.length; end++) {
		while (sorted[end] - sorted[start] >= windowMs) start++;
		best = Math.max(best, end - start + 1);
	}
	return best;
}

/** Sends headers at once, then the body `bytes` bytes every `intervalMs` (see the 'trickle' fault). */
function trickle(res: ServerResponse, status: number, text: string, fault: TrickleFault): void {
	const body = Buffer.from(text);
	res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': body.length });
	res.flushHeaders();
	const step = Math.max(1, Math.floor(fault.bytes ?? 1));
	const last = fault.finish ? body.length : Math.max(0, body.length - 1);
	let sent = 0;
	const timer = setInterval(() => {
		const next = Math.min(last, sent + step);
		if (next > sent) res.write(body.subarray(sent, next));
		sent = next;
		if (sent < last) return;
		// Done: either the whole body, or all but the last byte, held until the client goes away.
		clearInterval(timer);
		if (fault.finish) res.end();
	}, fault.intervalMs);
	res.once('close', () => clearInterval(timer));
}

function redirect(res: ServerResponse, status: number, location: string): void {
	res.writeHead(status, { location, 'content-length': 0 });
	res.end();
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json;charset=UTF-8',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

function shuffle<T>(list: T[], seed: number): T[] {
	const out = list.slice();
	let state = seed;
	for (let i = out.length - 1; i > 0; i--) {
		state = (state * 1103515245 + 12345) % 2147483648;
		const j = state % (i + 1);
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

export class BeschannelsSandbox {
	readonly options: Required<Omit<SandboxOptions, OptionalOption>> & Pick<SandboxOptions, OptionalOption>;

	readonly log: LoggedRequest[] = [];

	private server?: Server;

	private readonly sockets = new Set<Socket>();

	private groups = new Map<string, Group>();

	private faults: FaultRule[] = [];

	private arrivals: number[] = [];

	private issued: IssuedToken[] = [];

	private nextN = 1;

	/** identity_id by record number, see identityOf. */
	private readonly identities = new Map<number, string>();

	private inFlight = 0;

	url = '';

	constructor(options: SandboxOptions = {}) {
		this.options = {
			tokens: options.tokens ?? [`sbx_${randomBytes(24).toString('hex')}`],
			apps: options.apps ?? [],
			tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 7200,
			latencyMs: options.latencyMs ?? 0,
			pageCap: options.pageCap ?? 100,
			defaultPageSize: options.defaultPageSize ?? 10,
			offsets: options.offsets ?? 'served',
			maxPageSize: options.maxPageSize,
			redirectAll: options.redirectAll,
			groups: options.groups ?? DEFAULT_GROUPS,
			seed: options.seed ?? 1,
			newest: options.newest ?? FIXED_NEWEST,
			rateLimit: options.rateLimit,
			port: options.port,
		};
		this.resetGroups();
	}

	/** The first configured access token. */
	get token(): string {
		return this.options.tokens[0];
	}

	async start(): Promise<string> {
		this.server = createServer((req, res) => {
			this.inFlight++;
			res.once('close', () => this.inFlight--);
			void this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent) json(res, 500, { code: -3, msg: `sandbox: ${error.message}` });
				else res.destroy();
			});
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve, reject) => {
			this.server!.once('error', reject);
			this.server!.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
		});
		const { port } = this.server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
		return this.url;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	// ---- state the tests and the admin API change ----

	resetGroups(): void {
		this.groups.clear();
		this.nextN = 1;
		for (const spec of this.options.groups) {
			const records = seedRecords(spec.size, this.options.newest, this.nextN, this.options.seed);
			this.nextN += spec.size;
			this.groups.set(this.key(spec.groupObj, spec.groupId), { spec, records, quirks: {}, changes: [], requests: 0 });
		}
	}

	private key(groupObj: string, groupId: string): string {
		return `${groupObj}/${groupId}`;
	}

	private group(groupObj: string, groupId: string): Group {
		const group = this.groups.get(this.key(groupObj, groupId));
		if (!group) throw new Error(`sandbox has no group ${groupObj}/${groupId}`);
		return group;
	}

	/** Adds a group (or replaces one) with `size` fresh members. */
	addGroup(spec: GroupSpec): void {
		const records = seedRecords(spec.size, this.options.newest, this.nextN, this.options.seed);
		this.nextN += spec.size;
		this.groups.set(this.key(spec.groupObj, spec.groupId), { spec, records, quirks: {}, changes: [], requests: 0 });
	}

	setQuirks(groupObj: string, groupId: string, quirks: GroupQuirks): void {
		this.group(groupObj, groupId).quirks = quirks;
	}

	/** Schedules changes during the next read(s); request numbers count from now. */
	scheduleChanges(groupObj: string, groupId: string, changes: GroupChange[]): void {
		const group = this.group(groupObj, groupId);
		group.requests = 0;
		group.changes = changes.map((change) => ({ ...change }));
	}

	/** Applies the scheduled changes due at the group's current request number. */
	private applyChanges(group: Group): void {
		group.requests++;
		const due = group.changes.filter((change) => change.atRequest <= group.requests);
		group.changes = group.changes.filter((change) => change.atRequest > group.requests);
		for (const change of due) {
			if (change.leave) {
				const count = change.leave.count ?? 1;
				const at = change.leave.at;
				const from = at === 'top' ? 0 : at === 'end' ? Math.max(0, group.records.length - count) : at;
				group.records.splice(from, count);
			}
			if (change.join) {
				const count = change.join.count ?? 1;
				const at = change.join.at;
				if (at === 'top') {
					this.addMembers(group.spec.groupObj, group.spec.groupId, count);
				} else if (at === 'end') {
					const oldest = group.records.at(-1)?.createdAt ?? this.options.newest;
					for (let i = 0; i < count; i++) group.records.push({ n: this.nextN++, createdAt: oldest - 1 });
				} else {
					const index = Math.min(Math.max(0, at), group.records.length);
					const createdAt =
						group.records[index]?.createdAt ?? (group.records.at(-1)?.createdAt ?? this.options.newest + 1) - 1;
					const joined: MemberRecord[] = [];
					for (let i = 0; i < count; i++) joined.push({ n: this.nextN++, createdAt });
					// same second: the later-numbered one first, as addMembers orders them
					group.records.splice(index, 0, ...joined.reverse());
				}
			}
			if (change.move && change.move.from >= 0 && change.move.from < group.records.length) {
				const [moved] = group.records.splice(change.move.from, 1);
				group.records.splice(Math.max(0, change.move.to), 0, moved);
			}
			if (change.update) this.updateMembers(group.spec.groupObj, group.spec.groupId, change.update);
		}
	}

	/** A record's identity_id, computed once per record number (the seed never changes). */
	private identityOf(record: MemberRecord): string {
		let id = this.identities.get(record.n);
		if (id === undefined) {
			id = String(memberRow(this.options.seed, record).identity_id);
			this.identities.set(record.n, id);
		}
		return id;
	}

	/**
	 * Adds members to a group. By default they are brand-new leads created now (or at `createdAt`);
	 * `existing` adds leads that already exist (from another group) with their old creation time.
	 */
	addMembers(
		groupObj: string,
		groupId: string,
		count: number,
		options: {
			createdAt?: number;
			existingFrom?: { groupObj: string; groupId: string };
			/** CreatedTime as sent, instead of the one `createdAt` gives (e.g. '' or '2023-02-30 10:00:00'). */
			createdTimeText?: string;
		} = {},
	): Row[] {
		const group = this.group(groupObj, groupId);
		const added: MemberRecord[] = [];
		if (options.existingFrom) {
			const source = this.group(options.existingFrom.groupObj, options.existingFrom.groupId);
			const have = new Set(group.records.map((r) => r.n));
			for (const record of source.records.slice().reverse()) {
				if (added.length >= count) break;
				if (!have.has(record.n)) added.push({ ...record });
			}
		} else {
			const at = options.createdAt ?? Math.max(this.options.newest, Math.floor(Date.now() / 1000));
			for (let i = 0; i < count; i++) {
				added.push({ n: this.nextN++, createdAt: at, createdTimeText: options.createdTimeText });
			}
		}
		for (const record of added) {
			// newest first; same second: the later-numbered one first
			let index = group.records.findIndex(
				(r) => r.createdAt < record.createdAt || (r.createdAt === record.createdAt && r.n < record.n),
			);
			if (index === -1) index = group.records.length;
			group.records.splice(index, 0, record);
		}
		return added.map((record) => memberRow(this.options.seed, record));
	}

	/**
	 * Changes members' fields (a score, an email...), as when Beschannels recomputes a lead score;
	 * the change holds until resetGroups. Returns how many members of the group were changed.
	 */
	updateMembers(groupObj: string, groupId: string, changes: FieldChange[]): number {
		const group = this.group(groupObj, groupId);
		let changed = 0;
		for (const change of changes) {
			const record = change.at !== undefined ? group.records[change.at] : group.records.find((r) => this.identityOf(r) === change.identityId);
			if (!record) continue;
			const set: Row = { ...record.set, ...change.set };
			const unset = new Set(record.unset);
			for (const key of Object.keys(change.set ?? {})) unset.delete(key);
			for (const key of change.unset ?? []) {
				unset.add(key);
				delete set[key];
			}
			record.set = set;
			record.unset = [...unset];
			changed++;
		}
		return changed;
	}

	/** Removes members by identity_id; returns how many were removed. */
	removeMembers(groupObj: string, groupId: string, identityIds: string[]): number {
		const group = this.group(groupObj, groupId);
		const drop = new Set(identityIds);
		const before = group.records.length;
		group.records = group.records.filter((r) => !drop.has(String(memberRow(this.options.seed, r).identity_id)));
		return before - group.records.length;
	}

	/** Every member of a group as the API would send it, in the group's order. */
	members(groupObj: string, groupId: string): Row[] {
		const group = this.group(groupObj, groupId);
		return this.ordered(group).map((r) => memberRow(this.options.seed, r));
	}

	injectFault(rule: FaultRule): void {
		this.faults.push({ times: 1, ...rule });
	}

	clearFaults(): void {
		this.faults = [];
	}

	setLatency(ms: number): void {
		this.options.latencyMs = ms;
	}

	setRateLimit(rateLimit: SandboxOptions['rateLimit']): void {
		this.options.rateLimit = rateLimit;
		this.arrivals = [];
	}

	setPageCap(rows: number): void {
		this.options.pageCap = rows;
	}

	setOffsets(mode: 'served' | 'asked'): void {
		this.options.offsets = mode;
	}

	setMaxPageSize(maxPageSize: SandboxOptions['maxPageSize']): void {
		this.options.maxPageSize = maxPageSize;
	}

	setRedirectAll(redirectAll: SandboxOptions['redirectAll']): void {
		this.options.redirectAll = redirectAll;
	}

	clearLog(): void {
		this.log.length = 0;
	}

	/** Resolves once no request has been in progress for `quietMs`. */
	async idle(quietMs = 30): Promise<void> {
		let quietSince = Date.now();
		while (Date.now() - quietSince < quietMs) {
			await new Promise((r) => setTimeout(r, 5));
			if (this.inFlight > 0) quietSince = Date.now();
		}
	}

	/** The most requests that arrived within any `windowMs` (by arrival time). */
	maxInWindow(windowMs = 1000, path = GROUP_USER_LIST_PATH): number {
		return maxInWindow(
			this.log.filter((r) => r.path === path).map((r) => r.at),
			windowMs,
		);
	}

	/** Every token issued from App ID + App Secret so far. */
	issuedTokens(): string[] {
		return this.issued.map((t) => t.token);
	}

	/** Makes every issued token older by `seconds` (simulates time passing). */
	ageTokens(seconds: number): void {
		for (const issued of this.issued) issued.expiresAt -= seconds * 1000;
	}

	// ---- HTTP ----

	private takeFault(path: string, page: number | undefined): Fault | undefined {
		const index = this.faults.findIndex(
			(rule) =>
				(rule.path ?? GROUP_USER_LIST_PATH) === path &&
				(rule.page === undefined || rule.page === page) &&
				(rule.times ?? 1) > 0,
		);
		if (index === -1) return undefined;
		const rule = this.faults[index];
		rule.times = (rule.times ?? 1) - 1;
		if (rule.times <= 0) this.faults.splice(index, 1);
		return rule.fault;
	}

	private rateLimited(now: number): boolean {
		const limit = this.options.rateLimit;
		if (!limit) return false;
		this.arrivals = this.arrivals.filter((t) => now - t < 1000);
		this.arrivals.push(now);
		return this.arrivals.length > limit.perSecond;
	}

	private validToken(token: string | undefined, now: number): boolean {
		if (!token) return false;
		if (this.options.tokens.includes(token)) return true;
		return this.issued.some((t) => t.token === token && t.expiresAt > now);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const at = Date.now();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const body = await readBody(req);
		if (url.pathname.startsWith(ADMIN_PREFIX)) {
			this.admin(url.pathname.slice(ADMIN_PREFIX.length), body, res);
			return;
		}
		const fields = parseForm(req.headers['content-type'], body);
		const entry: LoggedRequest = {
			at,
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			contentType: String(req.headers['content-type'] ?? ''),
			fields,
			status: 200,
		};
		this.log.push(entry);

		const everything = this.options.redirectAll;
		if (everything) {
			entry.status = everything.status;
			redirect(res, everything.status, `${everything.to.replace(/\/+$/, '')}${url.pathname}${url.search}`);
			return;
		}

		// set once the rate check has passed; answer() reads it
		let fault: Fault | undefined = undefined;
		const answer = (status: number, payload: Record<string, unknown>, headers?: Record<string, string>) => {
			entry.status = status;
			entry.code = typeof payload.code === 'number' ? payload.code : undefined;
			if (fault?.kind === 'trickle') trickle(res, status, JSON.stringify(payload), fault);
			else json(res, status, payload, headers);
		};

		if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));

		if (this.rateLimited(at)) {
			if (this.options.rateLimit?.answer === 'http429') {
				answer(429, { code: -1, msg: 'Too Many Requests' }, { 'retry-after': '1' });
			} else {
				answer(200, { code: -1, msg: '请求过于频繁,请稍后再试', data: null });
			}
			return;
		}

		const page = fields.page_num ? Number(fields.page_num) : undefined;
		fault = this.takeFault(url.pathname, page);
		if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
		if (fault && this.applyFault(fault, res, entry)) return;

		if (url.pathname === ACCESS_GRANT_PATH && req.method === 'POST') {
			this.issueToken(fields, at, answer);
			return;
		}

		if (!this.validToken(url.searchParams.get('access_token') ?? undefined, at)) {
			answer(200, { code: 2, msg: '不合法的访问令牌', data: null });
			return;
		}
		if (url.pathname !== GROUP_USER_LIST_PATH || req.method !== 'POST') {
			answer(200, { code: -2, msg: '请求地址错误', data: null });
			return;
		}
		if (fault?.kind === 'code') {
			answer(200, { code: fault.code, msg: fault.msg ?? '', data: null });
			return;
		}
		if (!fields.user_id) {
			answer(200, { code: 10007, msg: '请输入user_id', data: null });
			return;
		}
		if (!fields.group_obj) {
			answer(200, { code: 10000, msg: '缺少关键参数', data: null });
			return;
		}
		const group = this.findGroup(fields.group_obj, fields.groupId);
		if (!group) {
			answer(200, { code: 10002, msg: '意料之外的参数内容', data: null });
			return;
		}
		const limit = this.options.maxPageSize;
		if (limit && this.askedSize(fields) > limit.limit) {
			answer(200, { code: limit.code ?? 10002, msg: limit.msg ?? '意料之外的参数内容', data: null });
			return;
		}
		if (group.quirks.pastEnd === 'error' && this.pastTheEnd(group, fields)) {
			answer(200, { code: 10002, msg: '意料之外的参数内容', data: null });
			return;
		}
		const data = this.page(group, fields);
		if (fault?.kind === 'listNotArray') data.list = { rows: data.list };
		if (fault?.kind === 'short') data.list = (data.list as Row[]).slice(0, fault.rows);
		answer(200, { code: 0, msg: '成功', data });
	}

	/** Applies a transport-level fault; returns true when it answered (or broke) the request. */
	private applyFault(fault: Fault, res: ServerResponse, entry: LoggedRequest): boolean {
		const raw = (status: number, text: string, type: string, headers: Record<string, string> = {}) => {
			entry.status = status;
			res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
			res.end(text);
			return true;
		};
		switch (fault.kind) {
			case 'http':
				return raw(fault.status, fault.body ?? '', fault.contentType ?? 'text/plain', fault.headers);
			case 'redirect': {
				const location = fault.location.replaceAll('{url}', this.url);
				entry.status = fault.status;
				redirect(res, fault.status, location.startsWith('/') ? `${this.url}${location}` : location);
				return true;
			}
			case 'trickle':
				// The group user list and token answers trickle as built; other paths get a small answer.
				if (entry.path === GROUP_USER_LIST_PATH || entry.path === ACCESS_GRANT_PATH) return false;
				entry.status = 200;
				entry.code = 0;
				trickle(res, 200, JSON.stringify({ code: 0, msg: '成功', data: null }), fault);
				return true;
			case 'html':
				return raw(
					fault.status ?? 502,
					'<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
					'text/html',
				);
			case 'notJson':
				return raw(200, 'code=0&msg=ok', 'text/plain');
			case 'emptyBody':
				return raw(200, '', 'application/json');
			case 'noCode':
				return raw(200, JSON.stringify({ status: 'ok', data: { list: [] } }), 'application/json');
			case 'reset': {
				entry.status = 0;
				const text = JSON.stringify({ code: 0, msg: '成功', data: { total: 1, list: [] } });
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) + 500 });
				res.write(text.slice(0, 20));
				setTimeout(() => res.socket?.destroy(), 10);
				return true;
			}
			case 'hang':
				entry.status = 0;
				return true;
			case 'delay':
				return false;
			default:
				return false;
		}
	}

	private issueToken(
		fields: Record<string, string>,
		now: number,
		answer: (status: number, payload: Record<string, unknown>) => void,
	): void {
		const app = this.options.apps.find((a) => a.appId === fields.appId);
		if (!app || app.appSecret !== fields.appSecret) {
			answer(200, { code: 1001, msg: 'appId或appSecret错误', data: null });
			return;
		}
		const lifetimeMs = this.options.tokenLifetimeSeconds * 1000;
		const current = this.issued
			.filter((t) => t.appId === app.appId && t.expiresAt > now)
			.sort((a, b) => b.expiresAt - a.expiresAt)[0];
		// Beschannels: the same token while more than 20 of its 120 minutes are left (1/6 of its life).
		if (current && current.expiresAt - now > lifetimeMs / 6) {
			answer(200, { code: 0, msg: '成功', data: { access_token: current.token } });
			return;
		}
		const token = `sbx_app_${randomBytes(32).toString('hex')}`;
		this.issued.push({ token, appId: app.appId, expiresAt: now + lifetimeMs });
		answer(200, { code: 0, msg: '成功', data: { access_token: token } });
	}

	private findGroup(groupObj: string, groupId: string | undefined): Group | undefined {
		if (groupId) return this.groups.get(this.key(groupObj, groupId));
		// Without groupId: the first group of that object kind.
		for (const group of this.groups.values()) if (group.spec.groupObj === groupObj) return group;
		return undefined;
	}

	private ordered(group: Group): MemberRecord[] {
		const order = group.quirks.order ?? 'newest';
		let records = group.records;
		if (order === 'oldest') records = records.slice().reverse();
		if (order === 'shuffled') records = shuffle(records, 7);
		if (!group.quirks.ties?.length) return records;
		// rows that tie come in another order on every request
		records = records.slice();
		for (const { from, to } of group.quirks.ties) {
			const block = shuffle(records.slice(from, to), 7919 * group.requests + from);
			records.splice(from, block.length, ...block);
		}
		return records;
	}

	/** Whether the page asked starts past the group's last row. */
	private pastTheEnd(group: Group, fields: Record<string, string>): boolean {
		const pageNum = Math.max(1, Math.floor(Number(fields.page_num)) || 1);
		const rules: PagingRules = { cap: this.options.pageCap, offsets: this.options.offsets };
		return pagePositions(rules, pageNum, this.askedSize(fields)).from >= group.records.length;
	}

	/** page_size as asked, or the default when missing or not a positive integer. */
	private askedSize(fields: Record<string, string>): number {
		const asked = Number(fields.page_size);
		return Number.isInteger(asked) && asked > 0 ? asked : this.options.defaultPageSize;
	}

	private page(group: Group, fields: Record<string, string>): Record<string, unknown> {
		const asked = this.askedSize(fields);
		const askedPage = Number(fields.page_num);
		const pageNum = Number.isInteger(askedPage) && askedPage > 0 ? askedPage : 1;
		const { quirks } = group;
		// rows are picked as sandbox/paging.ts says, the model the reader's property tests share
		const rules: PagingRules = {
			cap: this.options.pageCap,
			offsets: this.options.offsets,
			totalCountsHidden: quirks.totalCountsHidden,
			totalOffset: quirks.totalOffset,
			ignorePageNum: quirks.ignorePageNum,
			repeatRows: quirks.repeatRows,
			clampPastEnd: quirks.pastEnd === 'last',
		};
		this.applyChanges(group);
		const records = this.ordered(group);
		const hidden = new Set(quirks.hidden ?? []);
		const isHidden = (record: MemberRecord) => hidden.size > 0 && hidden.has(this.identityOf(record));
		const search = fields.search_str?.trim();
		let served: { total: number; rows: MemberRecord[] };
		if (search) {
			// the matching members, paged as a list of their own; repeatRows never applied to a search
			const matching = records.filter((r) => {
				const row = memberRow(this.options.seed, r);
				return ['FullName', 'MobilePhone', 'Email'].some((k) => String(row[k]).includes(search));
			});
			served = servePage(matching, isHidden, { ...rules, repeatRows: 0 }, pageNum, asked);
		} else {
			served = servePage(records, isHidden, rules, pageNum, asked);
		}
		let rows: Row[] = served.rows.map((r) => memberRow(this.options.seed, r));
		const wantedFields = fields.return_field_list
			?.split(',')
			.map((f) => f.trim())
			.filter(Boolean);
		if (wantedFields?.length) {
			const keep = new Set([...wantedFields, 'identity_id', 'identity_value']);
			rows = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => keep.has(k))));
		}
		const header = quirks.header ?? HEADER;
		const reversed = quirks.fieldOrder === 'reversed';
		if (reversed) rows = rows.map((row) => Object.fromEntries(Object.entries(row).reverse()));
		if (quirks.withoutIdentity) {
			rows = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'identity_id' && key !== 'identity_value')));
		}
		const data: Record<string, unknown> = { total: served.total, list: rows, header: reversed ? header.slice().reverse() : header };
		if (quirks.totalAs === 'missing') delete data.total;
		if (quirks.totalAs === 'null') data.total = null;
		if (quirks.totalAs === 'string') data.total = String(served.total);
		return data;
	}

	private admin(path: string, body: Buffer, res: ServerResponse): void {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test's JSON body, each route reads its own fields
		type AdminInput = Record<string, any>;
		let input: AdminInput = {};
		try {
			input = body.length ? (JSON.parse(body.toString('utf8')) as AdminInput) : {};
		} catch {
			json(res, 400, { error: 'admin body must be JSON' });
			return;
		}
		try {
			switch (path) {
				case '/state':
					json(res, 200, {
						url: this.url,
						groups: [...this.groups.values()].map((g) => ({ ...g.spec, size: g.records.length })),
						requests: this.log.length,
						maxInWindow: this.maxInWindow(),
					});
					return;
				case '/log':
					json(res, 200, this.log);
					return;
				case '/members':
					json(res, 200, this.members(input.groupObj, input.groupId));
					return;
				case '/clear-log':
					this.clearLog();
					json(res, 200, { ok: true });
					return;
				case '/reset':
					this.resetGroups();
					this.clearFaults();
					this.clearLog();
					json(res, 200, { ok: true });
					return;
				case '/faults':
					this.injectFault(input as FaultRule);
					json(res, 200, { ok: true });
					return;
				case '/add-members':
					json(res, 200, {
						added: this.addMembers(input.groupObj, input.groupId, input.count ?? 1, input).length,
					});
					return;
				case '/schedule':
					this.scheduleChanges(input.groupObj, input.groupId, input.changes ?? []);
					json(res, 200, { ok: true });
					return;
				case '/update-members':
					json(res, 200, { updated: this.updateMembers(input.groupObj, input.groupId, input.changes ?? []) });
					return;
				case '/quirks':
					this.setQuirks(input.groupObj, input.groupId, input.quirks ?? {});
					json(res, 200, { ok: true });
					return;
				case '/remove-members':
					json(res, 200, { removed: this.removeMembers(input.groupObj, input.groupId, input.identityIds ?? []) });
					return;
				case '/latency':
					this.setLatency(Number(input.ms ?? 0));
					json(res, 200, { ok: true });
					return;
				case '/rate-limit':
					this.setRateLimit(input.perSecond ? (input as SandboxOptions['rateLimit']) : undefined);
					json(res, 200, { ok: true });
					return;
				case '/offsets':
					if (input.mode !== 'served' && input.mode !== 'asked') throw new Error("mode must be 'served' or 'asked'");
					this.setOffsets(input.mode);
					json(res, 200, { ok: true });
					return;
				case '/max-page-size':
					this.setMaxPageSize(input.limit ? (input as SandboxOptions['maxPageSize']) : undefined);
					json(res, 200, { ok: true });
					return;
				case '/redirect':
					this.setRedirectAll(input.to ? { status: Number(input.status ?? 302), to: String(input.to) } : undefined);
					json(res, 200, { ok: true });
					return;
				default:
					json(res, 404, { error: `unknown admin route ${path}` });
			}
		} catch (error) {
			json(res, 400, { error: (error as Error).message });
		}
	}
}
