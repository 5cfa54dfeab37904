import type { INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

/**
 * Fewest requests: with Page Size left out, the node asks the largest page it allows, then what
 * the server serves, and steps down when the server refuses a size. Request counts and exact
 * member sets, never times.
 */

const identities = (items: INodeExecutionData[]) => items.map((i) => i.json.identity_id);
const big = { groupObj: 'leads_schema_data', groupId: '1001', size: 5000 };
const small = { groupObj: 'member', groupId: '3001', size: 80 };

describe('automatic Page Size', () => {
	const t = useSandbox({ pageCap: 500, groups: [big, small] });
	const group = () => t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id);
	const sizes = () => t.pageRequests().map((r) => Number(r.fields.page_size));
	afterEach(() => t.sandbox.setMaxPageSize(undefined));

	it('reads 5,000 members from a server that serves 500 a page in 14 requests', async () => {
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(identities(run.items)).toEqual(group());
		// the short first answer is not taken as the cap until page 1 asked at 501 rows, then at 500,
		// holds the same 500; then pages of at most 500 that overlap by a few rows
		expect(sizes().slice(0, 3)).toEqual([1000, 501, 500]);
		expect(sizes().slice(3).every((size) => size <= 500 && size >= 250)).toBe(true);
		// (and the short last page asked twice)
		expect(sizes()).toHaveLength(14);
	});

	// a server that serves 80 rows a page, with a total that counts too few, sends the same first answer
	it('a group smaller than one page costs two requests: the page after it, at the 80 rows that came, shows the end', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ groupObj: 'member', groupId: '3001' }) });
		expect(run.items).toHaveLength(80);
		expect(sizes()).toEqual([1000, 80]);
	});

	it('Limit asks only what it needs', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 45 }) });
		expect(identities(run.items)).toEqual(group().slice(0, 45));
		expect(sizes()).toEqual([45]);
	});

	it('a Page Size the user sets is the most any request asks', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 300 } }) });
		expect(identities(run.items)).toEqual(group());
		expect(sizes()[0]).toBe(300);
		expect(sizes().every((size) => size <= 300 && size >= 240)).toBe(true);
	});

	it('Start at Page counts pages of 100 members when Page Size is automatic, and reads on in big pages', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { startPage: 3 } }) });
		expect(identities(run.items)).toEqual(group().slice(200));
		// page 1 shows the server serves 500; the read then starts at member 201 exactly
		expect(sizes().slice(0, 4)).toEqual([1000, 501, 500, 200]);
		expect(sizes().length).toBeLessThanOrEqual(15);
	});

	it('a refusal that is not about the page size still ends in the error, after the sizes were tried', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ groupId: 'no-such-group' }) });
		expect(run.error?.message).toMatch(/Beschannels error 10002/);
		// each size refused twice before the next is tried: one refusal can be a passing fault
		expect(sizes()).toEqual([1000, 1000, 500, 500, 200, 200, 100, 100, 50, 50]);
	});

	it('Any New Member reads the whole group in big pages too', async () => {
		const poller = t.engine.createPoller({ userId: DEFAULT_USER_ID, groupObj: 'leads_schema_data', groupId: '1001', watch: 'anyNewMember' });
		expect(await poller.poll()).toBeNull();
		// as Group User List reads it, the short last page asked twice
		expect(t.pageRequests()).toHaveLength(14);
	});

	// last: the size that works is remembered for this account for the life of the process
	it('steps down when the server refuses sizes above 200, and remembers what works', async () => {
		t.sandbox.setMaxPageSize({ limit: 200, code: 10002 });
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(run.error).toBeUndefined();
		expect(identities(run.items)).toEqual(group());
		expect(sizes().slice(0, 5)).toEqual([1000, 1000, 500, 500, 200]);
		expect(sizes().slice(4).every((size) => size <= 200)).toBe(true);
		expect(sizes().length).toBeLessThanOrEqual(4 + Math.ceil((25 + 1) * 1.1));
		t.sandbox.clearLog();
		const again = await t.engine.runNode({ parameters: listParams() });
		expect(again.items).toHaveLength(5000);
		expect(sizes()[0]).toBe(200);
		expect(sizes().length).toBeLessThanOrEqual(Math.ceil((25 + 1) * 1.1));
	});
});
