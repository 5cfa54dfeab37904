import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { PaginateResult } from '../reader/read';

/** Where a read is judged: a run of the node (or the tool), or a poll of the trigger. */
interface Judging {
	itemIndex?: number;
	/** A poll: it emits and saves nothing when the read fails. */
	poll?: boolean;
}

const POLL_NOTE =
	' This poll emitted nothing and saved nothing, so no member is reported as joined or left on a partial read; the next poll tries again.';

/** Why a read that could not show it has the whole group ends, for its error. */
function failure(result: PaginateResult, ofTotal: string): { message: string; description: string } {
	const { read, total, totals } = result;
	const partial = `Read ${read} members${ofTotal}; stopping rather than returning part of the group as if it were whole.`;
	if (result.end === 'maxPages') {
		return {
			message: `Stopped after ${result.pagesRead} pages without reaching the end of the group`,
			description: `Read ${read} members${ofTotal}. The server kept sending pages with new members past the safety bound; narrow the read with Search or a smaller group, or contact Beschannels support.`,
		};
	}
	if (result.end === 'moved') {
		const seen = totals.length > 1 ? `Beschannels' total went from ${totals.join(' to ')}` : `Beschannels' total stayed ${total}`;
		const how = result.misplaced
			? `${seen} while members were found at other places than where they had been read (a member changed place, or members joined and left at the same moment), even after the group was read again from the start`
			: `${seen} during the read, and members moved between pages even after ${result.rereads} parts were read again`;
		return {
			message: 'The group changed while it was read',
			description: `${how}. ${partial} Running it again helps once the group holds still (for example after an import or a rule update has finished).`,
		};
	}
	if (result.end === 'unseen') {
		return {
			message: `Beschannels counts ${total} members in this group but sent none of them`,
			description: `${result.pagesRead} requests brought no member at all, so nothing shows how many rows a page holds or where the group ends. Check that the User ID may see this group's members (its data permissions in Beschannels), or set Page Size to the number of rows your Beschannels server sends per page.`,
		};
	}
	return {
		message: `Beschannels sent page ${result.lastPage} again instead of new members`,
		description: `Page ${result.lastPage} held only members already read, twice, while total did not change, so the server seems to ignore page_num. ${partial} Try again later or contact Beschannels support.`,
	};
}

/** The note for a whole read that ended with fewer members than `total` counts, if any. */
function shortNote(result: PaginateResult): string | undefined {
	const { read, expected, totals } = result;
	if (expected === undefined || read >= expected) return undefined;
	const from = totals.at(-1) === expected ? '' : ` (${expected} from the start page on)`;
	const missing = expected - read;
	if (result.moved) {
		const how = totals.length > 1 ? `Beschannels' total went from ${totals.join(' to ')}` : 'members moved between pages';
		return `The group changed while it was read (${how}) and ${read} members arrived. Every member who was in the group for the whole read is here, once; members who joined after their part of the group was read are not, and the next run will have them.`;
	}
	return `Beschannels announced ${totals.at(-1)} members in this group${from} but ${read} arrived. The end of the group was seen (nothing came past the last member, asked twice), so these are all the members the API sends to this User ID now; the other ${missing} ${missing === 1 ? 'is' : 'are'} counted by Beschannels but not sent (hidden from this User ID by its data permissions, or deleted).`;
}

/**
 * The one verdict on a finished read, for the node, the tool and the trigger alike: a read that
 * showed it has every member (or stopped on purpose, at Limit) passes, with a note when fewer
 * members came than `total` counts; any other read is an error that says how far it got and why.
 */
export function judgeRead(node: INode, result: PaginateResult, judging: Judging = {}): string | undefined {
	if (result.end === 'limit' || result.end === 'until') return undefined;
	if (result.complete) return shortNote(result);
	const ofTotal = result.expected === undefined ? '' : ` of the ${result.expected} that total announced`;
	const why = failure(result, ofTotal);
	// a poll keeps the words its errors have always begun with, so that alerts keyed on them still match
	const message = judging.poll ? `The group could not be read completely: ${why.message.replace(/^(The|Stopped) /, (word) => word.toLowerCase())}` : why.message;
	const description = judging.poll ? why.description + POLL_NOTE : why.description;
	throw new NodeApiError(node, { message }, { message, description, itemIndex: judging.itemIndex });
}
