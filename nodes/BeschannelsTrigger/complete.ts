import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { PaginateResult } from '../Beschannels/shared/reader/read';

const WHY: Record<string, string> = {
	repeat: 'a page brought only members already read (the server seems to ignore page_num)',
	moved: 'the group kept changing while it was read',
	maxPages: 'the group did not end within the safety bound on pages',
};

/**
 * A poll may emit and save only what a read that shows it is complete allows; anything else fails
 * the poll with a clear error. n8n polls again at the next interval, from the same saved state.
 */
export function requireComplete(node: INode, result: PaginateResult): void {
	// complete with fewer than total: the end was seen, the rest are hidden from this User ID
	if (result.complete || result.end === 'until') return;
	const of = result.expected === undefined ? '' : ` of the ${result.expected} announced`;
	const message = `The group could not be read completely: ${WHY[result.end] ?? result.end}`;
	throw new NodeApiError(node, { message }, {
		message,
		description: `Read ${result.read} members${of}. This poll emitted nothing and saved nothing, so no member is reported as joined or left on a partial read; the next poll tries again. If it repeats, contact Beschannels support.`,
	});
}
