import type { IExecuteFunctions } from 'n8n-workflow';

import type { PaginateResult } from '../../nodes/Beschannels/shared/reader/read';
import { compactMember, fromAiKey, toolAnswer } from '../../nodes/Beschannels/shared/items/toolAnswer';
import { runsAsTool } from '../../nodes/Beschannels/shared/toolMode';

const members = (from: number, count: number) =>
	Array.from({ length: count }, (_, index) => ({ identity_id: `id-${from + index}` }));

function result(overrides: Partial<PaginateResult>): PaginateResult {
	return {
		members: [],
		read: 0,
		pagesRead: 1,
		header: [],
		duplicates: 0,
		end: 'total',
		complete: true,
		lastPage: 1,
		totals: [],
		pastTotal: false,
		rereads: 0,
		moved: false,
		misplaced: false,
		unchecked: 0,
		stepped: false,
		served: 0,
		...overrides,
		...(overrides.members && overrides.read === undefined && { read: overrides.members.length }),
	};
}

const read = { start: 1, limit: 20, askedLimit: 20, startKey: 'start', limitKey: 'limit' };

describe('tool mode', () => {
	const context = (type: string, isToolExecution?: () => boolean) =>
		({ getNode: () => ({ type }), ...(isToolExecution && { isToolExecution }) }) as unknown as IExecuteFunctions;

	it('is what n8n 2.x says, else what the node type says', () => {
		expect(runsAsTool(context('n8n-nodes-beschannels.beschannels', () => true))).toBe(true);
		expect(runsAsTool(context('n8n-nodes-beschannels.beschannelsTool', () => false))).toBe(true);
		expect(runsAsTool(context('n8n-nodes-beschannels.beschannelsTool'))).toBe(true);
		expect(runsAsTool(context('n8n-nodes-beschannels.beschannels', () => false))).toBe(false);
		expect(runsAsTool(context('n8n-nodes-beschannels.beschannels'))).toBe(false);
	});
});

describe('tool answer', () => {
	it('keeps the useful fields, every score and the Return Fields, and drops empty values', () => {
		const member = {
			FullName: '王伟',
			MobilePhone: '13800000000',
			Email: '',
			Company: null,
			IsLead: '是',
			CreatedTime: '2026-10-30 10:00:00',
			identity_id: 'id-1',
			identity_value: 'id-1',
			client_type: 'clientsCustomers',
			nextId: '',
			is_del: 1,
			score_20408: 0,
			score_3765: 12,
			City: 'Shanghai',
		};
		expect(compactMember(member)).toEqual({
			FullName: '王伟',
			MobilePhone: '13800000000',
			CreatedTime: '2026-10-30 10:00:00',
			identity_id: 'id-1',
			score_20408: 0,
			score_3765: 12,
		});
		expect(compactMember(member, new Set(['City', 'Email']))).toMatchObject({ City: 'Shanghai' });
		expect(compactMember(member, new Set(['City', 'Email']))).not.toHaveProperty('Email');
	});

	it('says where the next members start when the read stopped at the limit', () => {
		const answer = toolAnswer({ ...read, result: result({ end: 'limit', complete: false, total: 250, members: members(1, 20), cut: { end: 20, read: 20 } }) });
		expect(answer).toMatchObject({ total: 250, start: 1, returned: 20, nextStart: 21 });
		expect(answer.note).toBe('Members 1 to 20 of 250. More follow: call again with start 21 for the next ones; limit (at most 200) sets how many come at once.');
	});

	it('gives a next start when Beschannels sent no total, without claiming a count', () => {
		const answer = toolAnswer({ ...read, result: result({ end: 'limit', complete: false, members: members(1, 20), cut: { end: 20, read: 20 } }) });
		expect(answer.total).toBeUndefined();
		expect(answer.nextStart).toBe(21);
		expect(answer.note).toMatch(/^Members 1 to 20\. More follow/);
	});

	it('counts positions, hidden rows included: the next start follows the last page read whole, and members past it wait for the next call', () => {
		const answer = toolAnswer({
			...read,
			result: result({ end: 'limit', complete: false, total: 250, members: members(1, 20), cut: { end: 20, read: 16 } }),
		});
		expect(answer).toMatchObject({ total: 250, start: 1, returned: 16, nextStart: 21 });
		expect(answer.members).toEqual(members(1, 16));
		expect(answer.note).toBe(
			'16 members from positions 1 to 20 of 250. More follow: call again with start 21 for the next ones; limit (at most 200) sets how many come at once.',
		);
		const later = toolAnswer({ ...read, start: 41, result: result({ end: 'until', complete: false, total: 250, members: members(33, 1), cut: { end: 60, read: 1 } }) });
		expect(later).toMatchObject({ start: 41, returned: 1, nextStart: 61 });
		expect(later.note).toMatch(/^1 member from positions 41 to 60 of 250\. More follow/);
	});

	it('without a page end to go by, counts the members returned and says some may come again', () => {
		const answer = toolAnswer({ ...read, result: result({ end: 'limit', complete: false, total: 250, members: members(1, 20) }) });
		expect(answer).toMatchObject({ returned: 20, nextStart: 21 });
		expect(answer.note).toBe(
			'Members 1 to 20 of 250. More follow: call again with start 21 for the next ones; limit (at most 200) sets how many come at once. Some of these members may come again: where they end in the group is not known exactly.',
		);
	});

	it('still gives a next start when the positions reach total, which may leave out hidden members', () => {
		const answer = toolAnswer({ ...read, result: result({ end: 'limit', complete: false, total: 40, members: members(21, 20), cut: { end: 40, read: 20 } }), start: 21 });
		expect(answer.nextStart).toBe(41);
		expect(answer.note).toBe(
			'Members 21 to 40 of 40. Beschannels counts no more, but its count may leave out members hidden from this User ID: to be sure, call again with start 41 for the next ones; limit (at most 200) sets how many come at once.',
		);
	});

	it('passes on the shortfall when the pages ended below total', () => {
		const answer = toolAnswer({
			...read,
			result: result({ end: 'confirmed', total: 130, totals: [130], members: members(1, 100), expected: 130 }),
			limit: 200,
			askedLimit: 200,
			shortNote: 'Beschannels announced 130 members in this group but 100 arrived.',
		});
		expect(answer.nextStart).toBeUndefined();
		expect(answer.note).toBe(
			'Members 1 to 100: the last ones Beschannels returned. Beschannels announced 130 members in this group but 100 arrived.',
		);
	});

	it('says the whole group only when the reader saw its end', () => {
		expect(toolAnswer({ ...read, result: result({ end: 'confirmed', members: members(1, 7) }) }).note).toBe(
			'Members 1 to 7: the whole group (Beschannels sent no count).',
		);
		expect(toolAnswer({ ...read, result: result({ end: 'total', total: 1, members: members(1, 1) }) }).note).toBe(
			'Member 1 of 1: the whole group.',
		);
		expect(toolAnswer({ ...read, result: result({ end: 'total', total: 0, members: [] }) }).note).toBe(
			'No members from position 1 on; Beschannels counts 0.',
		);
	});

	it('tells the model it cannot read further when the workflow fixes where the tool starts', () => {
		const stopped = result({ end: 'limit', complete: false, total: 250, members: members(1, 20), cut: { end: 20, read: 20 } });
		expect(toolAnswer({ ...read, result: stopped, startKey: undefined }).note).toBe(
			'Members 1 to 20 of 250. More follow: call again with a larger limit (at most 200) for more of them.',
		);
		expect(toolAnswer({ ...read, result: stopped, startKey: undefined, limitKey: undefined }).note).toBe(
			'Members 1 to 20 of 250. More follow, but this tool cannot read further: the workflow fixes where it starts.',
		);
	});

	it('finds the key of a parameter the model fills', () => {
		expect(fromAiKey("={{ /*n8n-auto-generated-fromAI-override*/ $fromAI('limit', `How many`, 'number', 20) }}")).toBe('limit');
		expect(fromAiKey('={{ $fromAI("Group_ID") }}')).toBe('Group_ID');
		expect(fromAiKey(20)).toBeUndefined();
		expect(fromAiKey('$fromAI(\'limit\')')).toBeUndefined();
	});
});
