import type { IDataObject } from 'n8n-workflow';

import { readGroup } from '../Beschannels/shared/group/groupUsers';
import type { GroupQuery } from '../Beschannels/shared/group/query';
import { judgeRead } from '../Beschannels/shared/group/verdict';
import type { HeaderEntry } from '../Beschannels/shared/page';
import { memberIdentity } from '../Beschannels/shared/page';
import type { BeschannelsClient } from '../Beschannels/shared/transport/client';
import { groupKey, loadState, saveState, type NewLeadsState } from './state';

const CREATED_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/;

/** `CreatedTime` as `YYYY-MM-DD HH:mm:ss` (also read with a `T`), or undefined if unreadable. */
function createdTime(row: IDataObject): string | undefined {
	const value = typeof row.CreatedTime === 'string' ? row.CreatedTime.trim() : '';
	const match = CREATED_TIME.exec(value);
	return match ? `${match[1]} ${match[2]}` : undefined;
}

interface PollOutcome {
	members: IDataObject[];
	header: HeaderEntry[];
	/** True when the order was not newest first and the whole group was read instead. */
	fellBack: boolean;
	/** Members read whose CreatedTime could not be read (never emitted). */
	undated: number;
	/** Members read. */
	read: number;
}

/** CreatedTime's time zone as far as is known (China time), unless Created Time UTC Offset says otherwise. */
const CHINA_MINUTES = 480;

/** The clock at `offsetMinutes` east of UTC, as `YYYY-MM-DD HH:mm:ss`. */
function clockAt(now: number, offsetMinutes: number): string {
	return new Date(now + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Watches the pages of a read from the newest: whether CreatedTime stayed newest first, the newest
 * time seen that is not past the clock, and (`until`) whether to stop, once a page reaches back past
 * the cursor (on the first poll, past the newest second).
 */
class OrderWatch {
	ordered = true;
	private previous: string | undefined;
	private newestSeen = '';

	constructor(
		private readonly firstPoll: boolean,
		private readonly cursor: string,
		private readonly clock: string,
	) {}

	until(page: { list: IDataObject[] }): boolean {
		let reachesBack = false;
		for (const row of page.list) {
			const time = createdTime(row);
			if (time !== undefined && this.reachesBack(time)) reachesBack = true;
		}
		return this.ordered && reachesBack;
	}

	private reachesBack(time: string): boolean {
		if (this.previous !== undefined && time > this.previous) this.ordered = false;
		this.previous = time;
		if (time > this.newestSeen && time <= this.clock) this.newestSeen = time;
		// past the cursor; on the first poll, past every member of the newest second (a bulk
		// import can put hundreds in one second, across pages)
		if (!this.firstPoll) return time < this.cursor;
		return this.newestSeen !== '' && time < this.newestSeen;
	}
}

/** The leads of a read: those at or past the cursor not emitted yet, the new cursor, and the undated. */
function freshLeads(members: IDataObject[], state: NewLeadsState | undefined, seen: Set<string>, clock: string) {
	const cursor = state?.newest ?? '';
	let newest = cursor;
	let undated = 0;
	const fresh: IDataObject[] = [];
	for (const row of members) {
		const time = createdTime(row);
		if (time === undefined) {
			undated++;
			continue;
		}
		if (time > newest && time <= clock) newest = time;
		if (state && time >= cursor && !seen.has(memberIdentity(row))) fresh.push(row);
	}
	return { fresh, newest, undated };
}

/** The members of the cursor's second and after, by identity: those seen before when the cursor stayed. */
function idsAtCursor(members: IDataObject[], newest: string, cursor: string, seen: Set<string>): Set<string> {
	const newestIds = new Set(newest === cursor ? seen : []);
	for (const row of members) {
		const time = createdTime(row);
		if (time !== undefined && time >= newest) newestIds.add(memberIdentity(row));
	}
	return newestIds;
}

/**
 * New leads: members created after the newest one seen at the last poll. Reads from the newest
 * and stops at the first page that reaches back past the cursor (on the first poll, past the newest
 * second, so that every member created in it is known), as long as the group really is ordered
 * newest first; when it is not, it reads the whole group rather than miss anyone. A row without a
 * readable CreatedTime neither ends the read nor moves the cursor. The state is written only when it
 * moves.
 *
 * The cursor never passes the clock: a lead dated in the future (a bad import) is emitted once and
 * remembered by identity, as are the members created in the cursor's own second, so the leads
 * created after it are still emitted, each once.
 */
export async function pollNewLeads(
	client: BeschannelsClient,
	query: GroupQuery,
	staticData: IDataObject,
	now = Date.now(),
): Promise<PollOutcome> {
	const group = groupKey(query);
	const state = loadState<NewLeadsState>(staticData, 'newLeads', group);
	const cursor = state?.newest ?? '';
	const clock = clockAt(now, query.shape.isoOffsetMinutes ?? CHINA_MINUTES);

	const watch = new OrderWatch(!state, cursor, clock);
	const result = await readGroup(client, query, {
		returnAll: true,
		limit: 0,
		concurrency: 1,
		until: (page) => watch.until(page),
	});
	judgeRead(client.node, result, { poll: true });

	// members at or past the cursor that were emitted (or, on the first poll, seen) already
	const seen = new Set(state?.newestIds ?? []);
	const { fresh, newest, undated } = freshLeads(result.members, state, seen, clock);
	const newestIds = idsAtCursor(result.members, newest, cursor, seen);
	const moved = !state || newest !== cursor || newestIds.size !== seen.size;
	if (moved) saveState(staticData, { mode: 'newLeads', group, newest, newestIds: [...newestIds] });
	return { members: fresh, header: result.header, fellBack: !watch.ordered, undated, read: result.read };
}
