/* eslint-disable @n8n/community-nodes/no-restricted-imports, no-console -- development code: runs in Node.js, never inside n8n */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { packageRoot } from '../../harness/engine';
import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

/**
 * Any New Member with "Also Report Members Whose Fields Changed", polled through n8n's engine with
 * the static data kept between polls as n8n keeps it: each member whose watched fields changed is
 * emitted once, shaped like the node's output with event "updated", and nothing that is not a
 * change (field order, a number sent as text, overlapping pages, a group moving, hidden rows) is.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const TRIGGER_TYPE = 'n8n-nodes-beschannels.beschannelsTrigger';
const base = { userId: DEFAULT_USER_ID, ...GROUP, watch: 'anyNewMember', options: { pageSize: 20 } };
const updates = { ...base, includeUpdated: true };
type Poll = INodeExecutionData[][] | null;

/** The events of a poll: `joined:<id>`, `updated:<id>` or `left:<id>`. */
function events(result: Poll): string[] {
	return (result?.[0] ?? []).map((item) => `${String(item.json.event ?? 'joined')}:${String(item.json.identity_id)}`);
}

describe('Any New Member: members whose fields changed', () => {
	const t = useSandbox({ pageCap: 20, groups: [{ ...GROUP, size: 60 }] });
	beforeEach(() => t.sandbox.resetGroups());
	const members = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId);
	const id = (index: number) => String(members()[index].identity_id);
	const update = (identityId: string, set: IDataObject, unset?: string[]) =>
		t.sandbox.updateMembers(GROUP.groupObj, GROUP.groupId, [{ identityId, set, unset }]);
	/** A poller whose first poll has recorded the group. */
	async function started(parameters: IDataObject = updates, saved?: IDataObject) {
		const p = t.engine.createPoller(parameters, saved);
		expect(await p.poll()).toBeNull();
		return p;
	}

	it('a score change: one updated event, shaped exactly like the node\'s output, then nothing', async () => {
		const p = await started();
		const member = id(7);
		update(member, { 'Score-20408': 231 });
		const result = await p.poll();
		expect(events(result)).toEqual([`updated:${member}`]);
		const node = await t.engine.runNode({ parameters: listParams() });
		const output = node.items.find((item) => item.json.identity_id === member)!.json;
		expect(output.score_20408).toBe(231);
		expect(result![0][0].json).toEqual({ ...output, event: 'updated' });
		expect(await p.poll()).toBeNull();
	});

	it('fields served in another order (rows and header) are no change; a real one among them is', async () => {
		const p = await started();
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { fieldOrder: 'reversed' });
		const member = id(30);
		update(member, { Email: 'changed@example.com' });
		expect(events(await p.poll())).toEqual([`updated:${member}`]);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, {});
		expect(await p.poll()).toBeNull();
	});

	it('a score sent as "12" one time and 12 the next is no change; 12 to 13 is', async () => {
		const [a, b] = [id(3), id(4)];
		update(a, { 'Score-20408': '12' });
		update(b, { 'Score-20408': 12 });
		const p = await started();
		// is_del is sent as 1: the same number as text is no change either, in any field
		update(a, { 'Score-20408': 12, is_del: '1' });
		update(b, { 'Score-20408': 13 });
		expect(events(await p.poll())).toEqual([`updated:${b}`]);
		update(b, { 'Score-20408': '13' });
		expect(await p.poll()).toBeNull();
	});

	it('a member who joined is reported joined only, even when it changed before the poll or joined during it', async () => {
		const p = await started();
		const [joined] = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1);
		update(String(joined.identity_id), { 'Score-20408': 99 });
		const changed = id(50);
		update(changed, { 'Score-3765': 1 });
		// another member joins while the poll reads, at a place not read yet
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [{ atRequest: 2, join: { at: 45 } }]);
		const result = events(await p.poll());
		const during = id(45);
		expect(result.sort()).toEqual([`joined:${joined.identity_id}`, `joined:${during}`, `updated:${changed}`].sort());
		expect(await p.poll()).toBeNull();
	});

	it('a watched field that appears or disappears is a change', async () => {
		const with20408 = members().filter((m) => 'Score-20408' in m);
		const without = members().filter((m) => !('Score-20408' in m));
		const p = await started({ ...updates, watchFields: ['score_20408'] });
		update(String(with20408[0].identity_id), {}, ['Score-20408']);
		update(String(without[0].identity_id), { 'Score-20408': 5 });
		expect(events(await p.poll()).sort()).toEqual(
			[`updated:${with20408[0].identity_id}`, `updated:${without[0].identity_id}`].sort(),
		);
	});

	it('Fields to Watch limits which changes count, as a list or as a comma-separated string', async () => {
		const [email, score, company] = [id(10), id(20), id(40)];
		const listed = await started({ ...updates, watchFields: ['score_20408'] });
		const typed = await started({ ...updates, watchFields: ' Score-20408 ,, Email ' });
		update(email, { Email: 'new@example.com' });
		update(score, { 'Score-20408': 240 });
		update(company, { Company: 'Changed Co.' });
		expect(events(await listed.poll())).toEqual([`updated:${score}`]);
		expect(events(await typed.poll()).sort()).toEqual([`updated:${email}`, `updated:${score}`].sort());
	});

	it('changing Fields to Watch records the new fields and reports nothing at that poll', async () => {
		const p = await started({ ...updates, watchFields: ['score_20408'] });
		const member = id(5);
		const edited = t.engine.createPoller({ ...updates, watchFields: ['Email'] }, p.staticData);
		update(member, { Email: 'edited@example.com' });
		expect(await edited.poll()).toBeNull();
		update(member, { Email: 'again@example.com' });
		expect(events(await edited.poll())).toEqual([`updated:${member}`]);
	});

	it('with the option off, no updated events and the state as before', async () => {
		const off = await started(base);
		const on = await started();
		const member = id(12);
		update(member, { 'Score-20408': 201 });
		const [joined] = t.sandbox.addMembers(GROUP.groupObj, GROUP.groupId, 1);
		expect(events(await off.poll())).toEqual([`joined:${joined.identity_id}`]);
		expect(events(await on.poll()).sort()).toEqual([`joined:${joined.identity_id}`, `updated:${member}`].sort());
		expect(Object.keys(off.nodeData.state as IDataObject).sort()).toEqual(['count', 'group', 'members', 'mode']);
	});

	it('state saved by an earlier version, or with the option off, upgrades without an event', async () => {
		const group = JSON.stringify([DEFAULT_USER_ID, GROUP.groupObj, GROUP.groupId, '']);
		const ids = members().map((m) => String(m.identity_id));
		const earlier: IDataObject = { 'node:Beschannels Trigger': { state: { mode: 'anyNewMember', group, ids, count: ids.length } } };
		const off = await started(base);
		update(id(1), { 'Score-20408': 17 });
		for (const [parameters, saved] of [
			[{ ...updates, includeLeft: true }, earlier],
			[updates, off.staticData],
		] as Array<[IDataObject, IDataObject]>) {
			const p = t.engine.createPoller(parameters, saved);
			expect(await p.poll()).toBeNull();
			expect(await p.poll()).toBeNull();
		}
		const p = t.engine.createPoller(updates, off.staticData);
		expect(await p.poll()).toBeNull();
		update(id(2), { 'Score-20408': 18 });
		expect(events(await p.poll())).toEqual([`updated:${id(2)}`]);
	});

	it('a read that is not complete emits and saves nothing; the next complete one reports the change once', async () => {
		const p = await started();
		const member = id(25);
		update(member, { 'Score-20408': 222 });
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { ignorePageNum: true });
		const [record, writes] = [p.record, p.writes];
		await expect(p.poll()).rejects.toThrow(/could not be read completely/);
		expect(p.record).toBe(record);
		expect(p.writes).toBe(writes);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, {});
		expect(events(await p.poll())).toEqual([`updated:${member}`]);
		expect(await p.poll()).toBeNull();
	});

	it('a member hidden from the User ID for a poll is no event; back changed, it is updated', async () => {
		const p = await started();
		const [hidden, other] = [id(33), id(34)];
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: [hidden] });
		update(other, { 'Score-20408': 1 });
		expect(events(await p.poll())).toEqual([`updated:${other}`]);
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, {});
		expect(await p.poll()).toBeNull();
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { hidden: [hidden] });
		expect(await p.poll()).toBeNull();
		update(hidden, { 'Score-20408': 2 });
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, {});
		expect(events(await p.poll())).toEqual([`updated:${hidden}`]);
	});
});

describe('Any New Member: a member changes during a poll in which others move', () => {
	// 400 members, 20 rows a page: pages overlap and are read again where the group moved
	const t = useSandbox({ pageCap: 20, groups: [{ ...GROUP, size: 400 }] });
	beforeEach(() => t.sandbox.resetGroups());
	const ids = () => t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));

	it.each([
		['on a page read before the change', 10],
		['on a page read after the change', 300],
	])('%s: it is updated once, the joiner joined once, the leaver left once, nobody else', async (_where, index) => {
		const p = t.engine.createPoller({ ...updates, includeLeft: true });
		expect(await p.poll()).toBeNull();
		const all = ids();
		const [leaver, changed] = [all[0], all[index]];
		// during the next poll: the newest member leaves, one joins at the end, one moves across pages,
		// and a member's score changes
		t.sandbox.scheduleChanges(GROUP.groupObj, GROUP.groupId, [
			{ atRequest: 6, leave: { at: 'top' }, join: { at: 'end' }, move: { from: 150, to: 20 } },
			{ atRequest: 7, update: [{ identityId: changed, set: { 'Score-20408': 249, 'Score-3765': '7' } }] },
		]);
		const polls = [events(await p.poll()), events(await p.poll()), events(await p.poll())];
		expect(await p.poll()).toBeNull();
		const joiner = ids().at(-1)!;
		expect(polls.flat().sort()).toEqual([`joined:${joiner}`, `left:${leaver}`, `updated:${changed}`].sort());
	});
});

describe('the saved state with and without "fields changed"', () => {
	const t = useSandbox({
		pageCap: 1000,
		groups: [
			{ groupObj: 'leads_schema_data', groupId: '1001', size: 1000 },
			{ groupObj: 'schema_data', groupId: '2001', size: 50_000 },
		],
	});

	const parameters = (groupObj: string, groupId: string): Record<string, IDataObject> => {
		const group = { ...base, groupObj, groupId, options: { pageSize: 1000 } };
		return { off: group, on: { ...group, includeUpdated: true }, 'on, with members who left': { ...group, includeUpdated: true, includeLeft: true } };
	};

	it.each([
		['leads_schema_data', '1001', 1000],
		['schema_data', '2001', 50_000],
	])('%s/%s, %i members: 8 bytes of state more per member with the option on', async (groupObj, groupId, size) => {
		const bytes: Record<string, number> = {};
		for (const [name, set] of Object.entries(parameters(groupObj, groupId))) {
			// the third, only at 1,000 members: the hashes are the same 8 bytes a member, and a poll of
			// 50,000 members takes seconds
			if (size > 1000 && name.includes('left')) continue;
			const p = t.engine.createPoller(set);
			expect(await p.poll()).toBeNull();
			bytes[name] = Buffer.byteLength(p.record);
			// with the option: one 48-bit hash (8 base64 characters) per member
			const { fields } = p.nodeData.state as IDataObject;
			expect(fields === undefined ? 0 : String(fields).length).toBe(name === 'off' ? 0 : 8 * size);
			if (size > 1000) continue;
			// a poll with nothing changed reads the group again and writes nothing
			expect(await p.poll()).toBeNull();
			expect(p.writes).toBe(1);
		}
		expect((bytes.on - bytes.off) / size).toBeLessThanOrEqual(24);
		console.log(
			`trigger state, ${size} members: ` +
				Object.entries(bytes)
					.map(([name, count]) => `${name} ${count} bytes (${(count / size).toFixed(2)} per member)`)
					.join('; '),
		);
	}, 120_000);
});

describe('examples/lead-score-changed.json', () => {
	const t = useSandbox({ pageCap: 100, groups: [{ ...GROUP, size: 120 }] });
	const workflow = JSON.parse(readFileSync(join(packageRoot(), 'examples', 'lead-score-changed.json'), 'utf8')) as {
		nodes: INode[];
		connections: IDataObject;
	};
	const trigger = workflow.nodes.find((node) => node.type === TRIGGER_TYPE)!;
	const crm = workflow.nodes.find((node) => node.name === 'Update CRM contact')!;

	it('sets only parameters the trigger has, Fields to Watch loaded from the group', () => {
		const node = t.engine.nodeTypes.getByNameAndVersion(TRIGGER_TYPE, 1);
		const names = new Set(node.description.properties.map((property) => property.name));
		expect(Object.keys(trigger.parameters).filter((name) => name !== 'pollTimes' && !names.has(name))).toEqual([]);
		const watchFields = node.description.properties.find((property) => property.name === 'watchFields')!;
		expect(watchFields.typeOptions?.loadOptionsMethod).toBe('getGroupFields');
		expect(typeof node.methods?.loadOptions?.getGroupFields).toBe('function');
		expect(trigger.parameters).toMatchObject({ watch: 'anyNewMember', includeUpdated: true, watchFields: ['score_20408'] });
		// one Switch routes on event: joined members are created in the CRM, updated ones updated
		const route = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.switch')!;
		const create = workflow.nodes.find((node) => node.name === 'Create CRM contact')!;
		const update = workflow.nodes.find((node) => node.name === 'Update CRM contact')!;
		expect(workflow.connections).toEqual({
			[trigger.name]: { main: [[{ node: route.name, type: 'main', index: 0 }]] },
			[route.name]: { main: [[{ node: create.name, type: 'main', index: 0 }], [{ node: update.name, type: 'main', index: 0 }]] },
		});
		expect(JSON.stringify(route.parameters)).toContain('$json.event');
	});

	it('its trigger reports a lead whose score changed, with what the CRM update reads', async () => {
		const p = t.engine.createPoller(trigger.parameters);
		expect(await p.poll()).toBeNull();
		const [lead, other] = t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
		t.sandbox.updateMembers(GROUP.groupObj, GROUP.groupId, [
			{ identityId: lead, set: { 'Score-20408': 77 } },
			{ identityId: other, set: { Email: 'not.watched@example.com' } },
		]);
		const result = await p.poll();
		expect(events(result)).toEqual([`updated:${lead}`]);
		const item = result![0][0].json;
		// what the CRM node's expressions read
		const expressions = String(crm.parameters.url) + String(crm.parameters.jsonBody);
		for (const field of ['identity_id', 'score_20408', 'Email', 'FullName']) expect(expressions).toContain(`$json.${field}`);
		expect(item).toMatchObject({ identity_id: lead, score_20408: 77, event: 'updated' });
		expect(typeof item.Email).toBe('string');
		expect(typeof item.FullName).toBe('string');
	});
});
