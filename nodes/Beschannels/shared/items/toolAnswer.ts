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
	/** Position of the first member asked (1 for the first member of the group). */
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
	/** Where the next members start, when more may follow. */
	nextStart?: number;
	note: string;
	members: IDataObject[];
}

/**
 * The summary and members of one tool call. It says only what the read showed: `nextStart` when the
 * read stopped at the limit and a `total` the rows never went past does not say the group ends there; the end of the group
 * only when the reader saw it (or `total` counts no more), and the shortfall when the pages ended
 * below `total`.
 */
export function toolAnswer(read: ToolRead): ToolAnswer {
	const { result, start, limit, askedLimit, startKey, limitKey } = read;
	const members = result.members;
	const returned = members.length;
	const { total } = result;
	const last = start + returned - 1;
	const range = returned === 0 ? 'No members' : returned === 1 ? `Member ${start}` : `Members ${start} to ${last}`;
	const ofTotal = total === undefined ? '' : ` of ${total}`;
	const capped =
		askedLimit > limit ? ` (${askedLimit} were asked; one call returns at most ${TOOL_MAX_LIMIT})` : '';
	let nextStart: number | undefined;
	let note: string;

	if (result.end === 'limit') {
		// a total the rows already went past counts too few: it vouches for nothing
		const counted = total !== undefined && !result.pastTotal && start - 1 + result.read >= total;
		if (counted) {
			note = `${range}${ofTotal}${capped}; Beschannels counts no more.`;
		} else {
			nextStart = last + 1;
			let more: string;
			if (startKey) {
				const size = limitKey ? `; ${limitKey} (at most ${TOOL_MAX_LIMIT}) sets how many come at once` : '';
				more = ` More follow: call again with ${startKey} ${nextStart} for the next ones${size}.`;
			} else if (limitKey && limit < TOOL_MAX_LIMIT) {
				more = ` More follow: call again with a larger ${limitKey} (at most ${TOOL_MAX_LIMIT}) for more of them.`;
			} else {
				more = ' More follow, but this tool cannot read further: the workflow fixes where it starts.';
			}
			note = `${range}${ofTotal}${capped}.${more}`;
		}
	} else if (read.shortNote) {
		note = `${range}${returned > 0 ? ': the last ones Beschannels returned' : ''}. ${read.shortNote}`;
	} else if (returned === 0) {
		note =
			total === undefined
				? `No members from position ${start} on.`
				: `No members from position ${start} on; Beschannels counts ${total}${total === 0 ? '' : ' in all'}.`;
	} else {
		const all = read.search ? 'every member matching the search' : 'the whole group';
		const whole = start === 1 ? all : `the last ${read.search ? 'matching members' : 'members of the group'}`;
		note = `${range}${ofTotal}: ${whole}${total === undefined ? ' (Beschannels sent no count)' : ''}.`;
	}

	// summary first, members last: a model reads the counts before the list
	return {
		...(total !== undefined && { total }),
		start,
		returned,
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
