import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ACCESS_GRANT_PATH } from '../../sandbox/server';
import { listParams, serialize, useSandbox } from '../support/helpers';

const APP = { appId: 'app_5d2e71', appSecret: 'example-secret-Fq8Lw3Zp61Rx' };
const GROUP = { groupObj: 'leads_schema_data', groupId: '1001' };
/** A header as Beschannels may send it: labels in Chinese, a score model among the columns. */
const HEADER = [
	{ label: '姓名', prop: 'FullName' },
	{ label: '手机号', prop: 'MobilePhone' },
	{ label: '邮箱', prop: 'Email' },
	{ label: '创建时间', prop: 'CreatedTime' },
	{ label: '线索评分', prop: 'Score-20408' },
];

/** The form of a Beschannels node as the editor sends it when a dropdown opens. */
const form = (overrides: INodeParameters = {}) => listParams({ returnAll: false, ...overrides });

describe('Output Fields dropdown: the group\'s fields, loaded as n8n\'s editor loads them', () => {
	const t = useSandbox({ pageCap: 100, apps: [APP] });
	const open = async (parameters: INodeParameters = form()) =>
		await t.engine.loadOptions({ method: 'getGroupFields', parameters });

	beforeEach(() => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: t.sandbox.token });
		t.sandbox.setQuirks(GROUP.groupObj, GROUP.groupId, { header: HEADER });
	});

	it('offers every header field by its output key with the app\'s label, the score fields of the first page, and the other keys members carry', async () => {
		const options = await open();
		const byValue = new Map(options.map((option) => [option.value, option.name]));
		expect(options).toHaveLength(byValue.size);
		// header entries first, in the header's order, named "key (label)"
		expect(options.slice(0, 5)).toEqual([
			{ name: 'FullName (姓名)', value: 'FullName' },
			{ name: 'MobilePhone (手机号)', value: 'MobilePhone' },
			{ name: 'Email (邮箱)', value: 'Email' },
			{ name: 'CreatedTime (创建时间)', value: 'CreatedTime' },
			{ name: 'score_20408 (线索评分)', value: 'score_20408' },
		]);
		// every key a member of the page read carries, as the item names it
		const [request] = t.pageRequests();
		const page = t.sandbox.members(GROUP.groupObj, GROUP.groupId).slice(0, Number(request.fields.page_size));
		const keys = new Set(page.flatMap((row) => Object.keys(row)).map((key) => key.replace(/^Score-/, 'score_')));
		expect(new Set(byValue.keys())).toEqual(keys);
		for (const key of ['Company', 'IsLead', 'identity_id', 'identity_value', 'client_type', 'score_3765', 'score_20418'])
			expect(byValue.get(key)).toBe(key);
		expect([...byValue.keys()].some((value) => String(value).startsWith('Score-'))).toBe(false);
	});

	it('reads one page of the group with one request, whatever Return Fields and Search say', async () => {
		await open(form({ options: { returnFieldList: 'FullName', searchStr: '王' } }));
		expect(t.sandbox.log).toHaveLength(1);
		const [request] = t.pageRequests();
		expect(request.fields).toMatchObject({ user_id: listParams().userId, group_obj: GROUP.groupObj, groupId: GROUP.groupId, page_num: '1' });
		expect(Number(request.fields.page_size)).toBeLessThanOrEqual(100);
		expect(request.fields.return_field_list).toBeUndefined();
		expect(request.fields.search_str).toBeUndefined();
	});

	it('with App ID + App Secret, sends at most two requests: the token and the page', async () => {
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'appCredentials', ...APP });
		const options = await open();
		expect(options.map((option) => option.value)).toContain('FullName');
		expect(t.sandbox.log.map((r) => r.path).sort()).toEqual([ACCESS_GRANT_PATH, '/leads/open-api/group-user-list'].sort());
	});

	it.each([
		['User ID', { userId: '' }, 'Fill in User ID'],
		['Group Object', { groupObj: '' }, 'Choose a Group Object'],
		['Group ID', { groupId: '' }, 'Fill in Group ID'],
	])('without %s, says what to fill and sends nothing', async (name, overrides, what) => {
		const error = await open(form(overrides)).catch((caught: unknown) => caught as Error & { description?: string });
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).constructor.name).toBe('NodeOperationError');
		expect((error as Error).message).toBe(`${name} is empty`);
		expect((error as { description?: string }).description).toContain(what);
		expect(t.sandbox.log).toHaveLength(0);
	});

	it('with a rejected access token, fails with the error a run gives, without the token', async () => {
		const rejected = 'tok_rejected_6Yh2Kq9Wm4Xb';
		t.engine.setCredential({ baseUrl: t.sandbox.url, authMode: 'accessToken', accessToken: rejected });
		const error = (await open().catch((caught: unknown) => caught)) as Error & { description?: string };
		const run = await t.engine.runNode({ parameters: listParams() });
		expect(error.name).toBe('NodeApiError');
		expect(run.error?.message).toBeDefined();
		expect(error.message).toBe(run.error!.message);
		expect(error.description).toBe(run.error!.description);
		expect(error.message).toMatch(/^Beschannels error 2 /);
		expect(error.description).toMatch(/token/i);
		expect(serialize(error)).not.toContain(rejected);
		expect(serialize(t.engine.logger.lines)).not.toContain(rejected);
	});
});

describe('Output Fields in a run', () => {
	const t = useSandbox({ pageCap: 100 });
	const run = async (options: IDataObject, overrides: INodeParameters = {}) => {
		const result = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 60, options, ...overrides }) });
		expect(result.error).toBeUndefined();
		return result.items.map((item) => item.json);
	};

	it('keeps identity_id and only the chosen fields each member has', async () => {
		const all = await run({});
		const chosen = await run({ outputFields: ['FullName', 'score_20408', 'Email'] });
		expect(chosen).toHaveLength(all.length);
		expect(chosen).toEqual(
			all.map((item) => {
				const kept: IDataObject = {};
				for (const key of ['FullName', 'Email', 'identity_id', 'score_20408']) if (key in item) kept[key] = item[key];
				return kept;
			}),
		);
		// the keys in the order the API sends them; a member without that score has no score_20408
		expect(Object.keys(chosen[0]).slice(0, 2)).toEqual(['FullName', 'Email']);
		expect(chosen.some((item) => !('score_20408' in item))).toBe(true);
		expect(chosen.some((item) => typeof item.score_20408 === 'number')).toBe(true);
	});

	it('keeps every field when none is chosen', async () => {
		const all = await run({});
		expect(Object.keys(all[0])).toEqual(expect.arrayContaining(['FullName', 'MobilePhone', 'CreatedTime', 'client_type']));
		expect(await run({ outputFields: [] })).toEqual(all);
		expect(await run({ outputFields: '' })).toEqual(all);
	});

	it('takes field keys separated by commas from an expression', async () => {
		const items = await run({ outputFields: '={{ "FullName, " + "MobilePhone" }}' });
		expect(items.length).toBe(60);
		for (const item of items) expect(Object.keys(item)).toEqual(['FullName', 'MobilePhone', 'identity_id']);
	});

	it('names a chosen field by its label with Use Column Labels, and keeps the ISO Created Time asked for', async () => {
		const items = await run({ outputFields: ['FullName'], useLabels: true, addIsoDate: true });
		expect(Object.keys(items[0])).toEqual(['姓名', 'identity_id', 'CreatedTimeIso']);
		expect(items[0].CreatedTimeIso).toMatch(/^\d{4}-\d{2}-\d{2}T/);
	});

	it('says what it takes when an expression gives something else', async () => {
		const result = await t.engine.runNode({ parameters: listParams({ options: { outputFields: '={{ { a: 1 } }}' } }) });
		expect(result.error?.message).toBe('Output Field Names or IDs must be field keys');
		expect(t.pageRequests()).toHaveLength(0);
	});
});
