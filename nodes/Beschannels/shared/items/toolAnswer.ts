import type { IDataObject } from 'n8n-workflow';

import type { PaginateResult } from '../reader/read';

/**
 * The answer the node gives when an AI agent or an MCP client calls it as a tool: one object with
 * a summary (how many members the group has, which ones this answer holds, how to ask for the next
 * ones) and the members, each with only the fields a model can use and without empty values.
 */

/** Members one tool call returns when the model does not ask for a number. */
export const TOOL_DEFAULT_LIMIT = 20;

/** The most members one tool call returns, whatever the model asks: about 100 KB of answer. */
export const TOOL_MAX_LIMIT = 200;

/** Member fields a tool answer keeps, besides every `score_<modelId>`. */
const TOOL_FIELDS = [
	'FullName',
	'MobilePhone',
	'Email',
	'Company',
	'CreatedTime',
	'CreatedTimeIso',
	'identity_id',
];

const SCORE_FIELD = /^score_/;

function isEmpty(value: unknown): boolean {
	if (value === undefined || value === null) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.length === 0;
	if (typeof value === 'object') return Object.keys(value).length === 0;
	return false;
}

/**
 * Keeps the fields of a shaped member (scores already `score_<id>`) that a tool answer holds: the
 * `TOOL_FIELDS`, every score, and `extra` fields (those the workflow asked for with Return Fields);
 * empty values are left out. A score of 0 is a value and stays.
 */
export function compactMember(member: IDataObject, extra: ReadonlySet<string> = new Set()): IDataObject {
	const out: IDataObject = {};
	for (const key of TOOL_FIELDS) {
		if (key in member && !isEmpty(member[key])) out[key] = member[key];
	}
	for (const key in member) {
		if (key in out || isEmpty(member[key])) continue;
		if (SCORE_FIELD.test(key) || extra.has(key)) out[key] = member[key];
	}
	return out;
}

/** Field keys named in Return Fields (comma-separated, as the node sends them). */
export function returnFieldKeys(returnFieldList: string): Set<string> {
	return new Set(
		returnFieldList
			.split(',')
			.map((key) => key.trim())
			.filter(Boolean),
	);
}

interface ToolRead {
	/** What the reader returned; `members` already compacted. */
	result: PaginateResult;
	/** Position of the first member asked (1 for the first position of the group's list). */
	start: number;
	/** Members asked, after capping at `TOOL_MAX_LIMIT`. */
	limit: number;
	/** The number the model (or the workflow) asked for, before capping. */
	askedLimit: number;
	/** The search the group was narrowed with, if any. */
	search?: string;
	/** The note of `assessRead` when the pages ended below `total`. */
	shortNote?: string;
	/** The `$fromAI` keys the model fills for the start position and the limit, if it fills them. */
	startKey?: string;
	limitKey?: string;
}

export interface ToolAnswer extends IDataObject {
	/** Members Beschannels counts in the group (matching the search), as it announced them. */
	total?: number;
	/** Position of the first member in this answer. */
	start: number;
	returned: number;
	/** The position the next members start at, when more may follow. */
	nextStart?: number;
	note: string;
	members: IDataObject[];
}

/** The members of one call and where the next call starts. */
interface Slice {
	members: IDataObject[];
	nextStart?: number;
	/** No page boundary showed where the members end: `nextStart` counts members, and some may come again. */
	guessed?: boolean;
}

/**
 * The members a call returns and where the next one starts. Positions count the rows of the group's
 * list as Beschannels pages it, hidden rows included, so a read that stopped before the end ends at
 * its last exact cut (`PaginateResult.cut`); without one, `nextStart` counts the members returned,
 * which may give some of them again but skips none.
 */
function sliceOf(result: PaginateResult, start: number): Slice {
	if (result.end !== 'limit' && result.end !== 'until') return { members: result.members };
	const { cut } = result;
	if (cut === undefined || cut.end < start) return { members: result.members, nextStart: start + result.members.length, guessed: true };
	return { members: result.members.slice(0, cut.read), nextStart: cut.end + 1 };
}

/** "Members 1 to 20", or, where rows are hidden, "16 members from positions 1 to 20"; `to` is the last position covered. */
function rangeOf(start: number, returned: number, to: number): string {
	if (returned === 0) return 'No members';
	if (to - start + 1 !== returned) return `${returned} member${returned === 1 ? '' : 's'} from positions ${start} to ${to}`;
	return returned === 1 ? `Member ${start}` : `Members ${start} to ${to}`;
}

/** The range of a read that ran to the end: positions are known only where the count agrees. */
function rangeToEnd(start: number, returned: number, total: number | undefined): string {
	if (start === 1 || (total !== undefined && start - 1 + returned === total)) return rangeOf(start, returned, start + returned - 1);
	return `${returned} member${returned === 1 ? '' : 's'} from position ${start} on`;
}

/** How the model gets the members after these, in the keys it fills. */
function howToGoOn(read: ToolRead, slice: Slice & { nextStart: number }): string {
	const { startKey, limitKey, limit } = read;
	if (startKey) {
		const size = limitKey ? `; ${limitKey} (at most ${TOOL_MAX_LIMIT}) sets how many come at once` : '';
		const again = slice.guessed ? ' Some of these members may come again: where they end in the group is not known exactly.' : '';
		return `call again with ${startKey} ${slice.nextStart} for the next ones${size}.${again}`;
	}
	if (limitKey && limit < TOOL_MAX_LIMIT) return `call again with a larger ${limitKey} (at most ${TOOL_MAX_LIMIT}) for more of them.`;
	return '';
}

/** The note of a read that stopped before the end of the group. */
function stoppedNote(read: ToolRead, slice: Slice & { nextStart: number }): string {
	// a total the members read went past counts too few: it says nothing of where the group ends
	const total = read.result.pastTotal ? undefined : read.result.total;
	const returned = slice.members.length;
	const range = slice.guessed ? rangeToEnd(read.start, returned, undefined) : rangeOf(read.start, returned, slice.nextStart - 1);
	const capped = read.askedLimit > read.limit ? ` (${read.askedLimit} were asked; one call returns at most ${TOOL_MAX_LIMIT})` : '';
	const summary = `${range}${total === undefined ? '' : ` of ${total}`}${capped}.`;
	const how = howToGoOn(read, slice);
	if (!how) return `${summary} More follow, but this tool cannot read further: the workflow fixes where it starts.`;
	// a total the positions reach may still leave out rows hidden from the User ID
	const lead = total !== undefined && slice.nextStart > total ? 'Beschannels counts no more, but its count may leave out members hidden from this User ID: to be sure,' : 'More follow:';
	return `${summary} ${lead} ${how}`;
}

/** The note of a read that ran to the end of the group (or found nothing from its start). */
function endNote(read: ToolRead, returned: number): string {
	const { start, search } = read;
	const { total } = read.result;
	const range = rangeToEnd(start, returned, total);
	if (read.shortNote) return `${range}${returned > 0 ? ': the last ones Beschannels returned' : ''}. ${read.shortNote}`;
	if (returned === 0) {
		const counted = total === undefined ? '' : `; Beschannels counts ${total}${total === 0 ? '' : ' in all'}`;
		return `No members from position ${start} on${counted}.`;
	}
	const all = search ? 'every member matching the search' : 'the whole group';
	const whole = start === 1 ? all : `the last ${search ? 'matching members' : 'members of the group'}`;
	return `${range}${total === undefined ? '' : ` of ${total}`}: ${whole}${total === undefined ? ' (Beschannels sent no count)' : ''}.`;
}

/**
 * The summary and members of one tool call. It says only what the read showed: `nextStart` when the
 * read stopped before the end of the group, the end of the group only when the reader saw it, and
 * the shortfall when the pages ended below `total`.
 */
export function toolAnswer(read: ToolRead): ToolAnswer {
	const { start } = read;
	const { total } = read.result;
	const slice = sliceOf(read.result, start);
	const { members, nextStart } = slice;
	const note = nextStart === undefined ? endNote(read, members.length) : stoppedNote(read, { ...slice, nextStart });
	// summary first, members last: a model reads the counts before the list
	return {
		...(total !== undefined && { total }),
		start,
		returned: members.length,
		...(nextStart !== undefined && { nextStart }),
		note,
		members,
	};
}

/** The key of a parameter the model fills: `={{ $fromAI('limit', ...) }}` gives `limit`. */
export function fromAiKey(raw: unknown): string | undefined {
	if (typeof raw !== 'string' || !raw.startsWith('=')) return undefined;
	const match = /\$fromAI\(\s*(['"`])([A-Za-z0-9_-]{1,64})\1/.exec(raw);
	return match?.[2];
}
