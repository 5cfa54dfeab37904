import fc from 'fast-check';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { HashIndex } from '../../nodes/BeschannelsTrigger/hashIndex';
import { ByteList, eachPackedIdentity, identityInBase64, pack } from '../../nodes/Beschannels/shared/identityList';
import { DEFAULT_USER_ID, useSandbox } from '../support/helpers';

/**
 * What Any New Member keeps between polls, as n8n writes it (the UTF-8 bytes of the static data's
 * JSON): its size a member with each option, identities of any shape kept exactly, and the state
 * earlier versions saved read back.
 */

const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
const base = { userId: DEFAULT_USER_ID, ...GROUP, watch: 'anyNewMember', options: { pageSize: 1000 } };
type Poll = INodeExecutionData[][] | null;

function events(result: Poll): string[] {
	return (result?.[0] ?? []).map((item) => `${String(item.json.event)}:${String(item.json.identity_id)}`);
}

describe('Any New Member state, 5,000 members', () => {
	const SIZE = 5000;
	const t = useSandbox({ pageCap: 1000, groups: [{ ...GROUP, size: SIZE }] });
	beforeEach(() => t.sandbox.resetGroups());

	it.each([
		['neither option', 8, {}],
		['members who left', 24, { includeLeft: true }],
		['fields changed', 16, { includeUpdated: true }],
		['both options', 32, { includeLeft: true, includeUpdated: true }],
	])('%s: at most %i bytes a member as n8n writes the static data, and a few hundred for the group', async (_name, most, set) => {
		const p = t.engine.createPoller({ ...base, ...set });
		expect(await p.poll()).toBeNull();
		expect(Buffer.byteLength(p.record)).toBeLessThanOrEqual(most * SIZE + 400);
	});

	it('identities that are not UUIDs in lower case are kept exactly: members who left are reported by them', async () => {
		const odd = ['12345', 'LEAD-线索-0001', '77ABA23E-1C2D-4E5F-8A9B-0C1D2E3F4A5B', 'x'.repeat(300)];
		const members = t.sandbox.members(GROUP.groupObj, GROUP.groupId);
		const changes = odd.map((identity, i) => ({ identityId: String(members[i * 7].identity_id), set: { identity_id: i === 0 ? 12345 : identity, identity_value: identity } }));
		t.sandbox.updateMembers(GROUP.groupObj, GROUP.groupId, changes);
		const p = t.engine.createPoller({ ...base, includeLeft: true });
		expect(await p.poll()).toBeNull();
		t.sandbox.removeMembers(GROUP.groupObj, GROUP.groupId, odd);
		t.sandbox.removeMembers(GROUP.groupObj, GROUP.groupId, ['12345']);
		// absent from one complete read: kept; from the next too: left
		expect(await p.poll()).toBeNull();
		expect(events(await p.poll()).sort()).toEqual(odd.map((identity) => `left:${identity}`).sort());
	});

	it('identities saved as a list by an earlier version are read back, reported when they leave, and saved packed', async () => {
		const ids = t.sandbox.members(GROUP.groupObj, GROUP.groupId).map((m) => String(m.identity_id));
		const group = JSON.stringify([DEFAULT_USER_ID, GROUP.groupObj, GROUP.groupId, '']);
		const saved: IDataObject = { 'node:Beschannels Trigger': { state: { mode: 'anyNewMember', group, ids, count: ids.length } } };
		const p = t.engine.createPoller({ ...base, includeLeft: true }, saved);
		t.sandbox.removeMembers(GROUP.groupObj, GROUP.groupId, [ids[10]]);
		expect(await p.poll()).toBeNull();
		const state = p.nodeData.state as IDataObject;
		expect(state.ids).toBeUndefined();
		expect(typeof state.packed).toBe('string');
		expect(events(await p.poll())).toEqual([`left:${ids[10]}`]);
	});
});

describe('packed identities', () => {
	it('any identities come back as they went in, in order', () => {
		const odd = fc.constantFrom('\ud800', 'a\udc00b', '"quoted"', '"', '#[["Email","a@example.com"]]', '0');
		const identity = fc.oneof(odd, fc.uuid(), fc.string({ minLength: 1, maxLength: 400 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), fc.nat().map(String));
		fc.assert(
			fc.property(fc.array(identity, { maxLength: 60 }), (ids) => {
				const packed = new ByteList();
				for (const id of ids) pack(packed, id);
				const encoded = packed.toBase64();
				const back: string[] = [];
				const offsets: number[] = [0];
				eachPackedIdentity(encoded, (id, start, end) => {
					expect(start).toBe(offsets.at(-1));
					back.push(id);
					offsets.push(end);
				});
				expect(back).toEqual(ids);
				// each one alone, from the text
				expect(ids.map((_, i) => identityInBase64(encoded, offsets[i], offsets[i + 1]))).toEqual(ids);
			}),
			{ numRuns: 500 },
		);
	});

	it('identities across the blocks the saved text is decoded in come back whole', () => {
		// a block is 196,608 bytes: a few thousand identities cross one, at any byte of an identity
		const identity = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 300 }), fc.string({ unit: 'binary', minLength: 120, maxLength: 200 }));
		fc.assert(
			fc.property(fc.array(identity, { minLength: 4000, maxLength: 6000 }), (ids) => {
				const packed = new ByteList();
				for (const id of ids) pack(packed, id);
				const back: string[] = [];
				eachPackedIdentity(packed.toBase64(), (id) => back.push(id));
				expect(back).toEqual(ids);
			}),
			{ numRuns: 15, endOnFailure: true },
		);
	});

	it('a UUID in lower case costs 17 bytes', () => {
		const packed = new ByteList();
		pack(packed, '77aba23e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
		expect(Buffer.from(packed.toBase64(), 'base64')).toHaveLength(17);
	});
});

describe('the hash index', () => {
	it('answers as a Map of the first position of each hash', () => {
		const hash = fc.oneof(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 40 }));
		fc.assert(
			fc.property(fc.array(hash, { maxLength: 300 }), fc.array(hash, { maxLength: 50 }), (added, asked) => {
				const index = new HashIndex(Float64Array.from(added));
				const map = new Map<number, number>();
				added.forEach((key, position) => {
					index.add(position);
					if (!map.has(key)) map.set(key, position);
				});
				for (const key of [...added, ...asked]) expect(index.get(key)).toBe(map.get(key) ?? -1);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('Any New Member on a server that serves fewer rows than asked', () => {
	const t = useSandbox({ pageCap: 500, groups: [{ ...GROUP, size: 5000 }] });

	it('what the server serves is learned once: later polls ask page 1 once and read in as few requests as the first read needed', async () => {
		const p = t.engine.createPoller({ userId: DEFAULT_USER_ID, ...GROUP, watch: 'anyNewMember', includeLeft: true });
		const pageOnes: number[] = [];
		const requests: number[] = [];
		for (let poll = 0; poll < 3; poll++) {
			t.sandbox.clearLog();
			expect(await p.poll()).toBeNull();
			const asked = t.pageRequests();
			requests.push(asked.length);
			pageOnes.push(asked.filter((r) => r.fields.page_num === '1').length);
		}
		expect(pageOnes.slice(1)).toEqual([1, 1]);
		// P + 1 at 500 rows: 11 pages that each overlap the one before by a row, and the empty page after
		expect(Math.max(...requests.slice(1))).toBeLessThanOrEqual(12);
	});
});
