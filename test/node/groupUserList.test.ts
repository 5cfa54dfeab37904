import { DEFAULT_USER_ID, listParams, useSandbox } from '../support/helpers';

describe('Group User List through n8n\'s engine against the sandbox', () => {
	const t = useSandbox({ pageCap: 100 });

	it('returns the whole group with Return All, one item per member, in the API order', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
		expect(run.error).toBeUndefined();
		const expected = t.sandbox.members('leads_schema_data', '1001');
		expect(run.items).toHaveLength(250);
		expect(run.items.map((i) => i.json.identity_id)).toEqual(expected.map((m) => m.identity_id));
		// three requests of at most 100 rows, each starting a few rows before the last one ended, and
		// the short last page asked again (an answer cut short in passing would look the same)
		expect(t.pageRequests().map((r) => [r.fields.page_num, r.fields.page_size])).toEqual([
			['1', '100'],
			['2', '98'],
			['3', '97'],
			['3', '97'],
		]);
	});

	it('reads every member when the server serves fewer rows than the page size asks, then asks what it serves', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 500 } }) });
		expect(run.items).toHaveLength(250);
		// a group of a few pages: page 1 asked at the 100 rows that came places the last of them, then
		// pages of the 100 rows served, each overlapping the one before, the short last one asked twice
		expect(t.pageRequests().map((r) => r.fields.page_size)).toEqual(['500', '100', '98', '97', '97']);
		expect(new Set(run.items.map((i) => i.json.identity_id)).size).toBe(250);
	});

	it('stops at Limit without fetching pages it does not need', async () => {
		const run = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 120, options: { pageSize: 50 } }),
		});
		expect(run.items).toHaveLength(120);
		expect(t.pageRequests()).toHaveLength(3);
		const expected = t.sandbox.members('leads_schema_data', '1001').slice(0, 120);
		expect(run.items.map((i) => i.json.identity_id)).toEqual(expected.map((m) => m.identity_id));
	});

	it('asks for no more rows than a small Limit needs', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 5 }) });
		expect(run.items).toHaveLength(5);
		expect(t.pageRequests()).toHaveLength(1);
		expect(t.pageRequests()[0].fields.page_size).toBe('5');
	});

	it('reads a slice of a large group from Start at Page', async () => {
		const all = t.sandbox.members('leads_schema_data', '1001').map((m) => m.identity_id);
		const slice = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 100, options: { pageSize: 100, startPage: 2 } }),
		});
		expect(slice.items.map((i) => i.json.identity_id)).toEqual(all.slice(100, 200));
		expect(t.pageRequests().map((r) => r.fields.page_num)).toEqual(['2']);
		const rest = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100, startPage: 2 } }) });
		expect(rest.items.map((i) => i.json.identity_id)).toEqual(all.slice(100));
		expect(rest.hints).toHaveLength(0);
	});

	it('uses the default Limit of 50 when Return All is off', async () => {
		const run = await t.engine.runNode({ parameters: listParams({ returnAll: false }) });
		expect(run.items).toHaveLength(50);
	});

	it('runs once per input item, each with its own group, and pairs every member with its input', async () => {
		const run = await t.engine.runNode({
			input: [
				{ obj: 'schema_data', id: '2001' },
				{ obj: 'member', id: '3001' },
			],
			parameters: listParams({ groupObj: '={{ $json.obj }}', groupId: '={{ $json.id }}' }),
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(120 + 80);
		const first = run.items.filter((i) => (i.pairedItem as { item: number }).item === 0);
		const second = run.items.filter((i) => (i.pairedItem as { item: number }).item === 1);
		expect(first.map((i) => i.json.identity_id)).toEqual(
			t.sandbox.members('schema_data', '2001').map((m) => m.identity_id),
		);
		expect(second.map((i) => i.json.identity_id)).toEqual(
			t.sandbox.members('member', '3001').map((m) => m.identity_id),
		);
		const objs = new Set(t.pageRequests().map((r) => r.fields.group_obj));
		expect(objs).toEqual(new Set(['schema_data', 'member']));
	});

	it('flattens Score-<modelId> into score_<modelId> numbers and keeps every other field as sent', async () => {
		const run = await t.engine.runNode({ parameters: listParams() });
		const raw = t.sandbox.members('leads_schema_data', '1001');
		let numericStrings = 0;
		let keptAsSent = 0;
		run.items.forEach((item, index) => {
			const member = raw[index];
			const out = item.json;
			expect(Object.keys(out).filter((k) => k.startsWith('Score-'))).toEqual([]);
			for (const [key, value] of Object.entries(member)) {
				if (key.startsWith('Score-')) {
					const flat = out[`score_${key.slice(6)}`];
					if (typeof value === 'string' && value !== '') {
						numericStrings++;
						expect(flat).toBe(Number(value));
					} else if (value === '') {
						keptAsSent++;
						expect(flat).toBe('');
					} else {
						expect(flat).toBe(value);
					}
				} else {
					expect(out[key]).toEqual(value);
				}
			}
			const scoreKeys = Object.keys(out).filter((k) => k.startsWith('score_'));
			expect(scoreKeys).toHaveLength(Object.keys(member).filter((k) => k.startsWith('Score-')).length);
		});
		// the sandbox's data does exercise both quirks
		expect(numericStrings).toBeGreaterThan(0);
		expect(keptAsSent).toBeGreaterThan(0);
	});

	it('emits a member seen twice while reading (identity_id) only once', async () => {
		// five members join at the top while page 2 is asked: the rows after them come again
		const before = t.sandbox.members('leads_schema_data', '1001').map((m) => String(m.identity_id));
		t.sandbox.scheduleChanges('leads_schema_data', '1001', [{ atRequest: 2, join: { at: 'top', count: 5 } }]);
		try {
			const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
			const ids = run.items.map((i) => String(i.json.identity_id));
			expect(new Set(ids).size).toBe(ids.length);
			expect(before.filter((id) => !ids.includes(id))).toEqual([]);
			// the server did send the repeats: 7 rows of page 2 were read before (and the short last
			// page was asked twice)
			expect(t.pageRequests()).toHaveLength(4);
		} finally {
			t.sandbox.resetGroups();
		}
	});

	it('a server that starts every later page rows early, while its total says nothing changed, fails clearly', async () => {
		t.sandbox.setQuirks('leads_schema_data', '1001', { repeatRows: 5 });
		try {
			const run = await t.engine.runNode({ parameters: listParams({ options: { pageSize: 100 } }) });
			expect(run.items).toHaveLength(0);
			expect(run.error?.message).toMatch(/The group changed while it was read/);
		} finally {
			t.sandbox.setQuirks('leads_schema_data', '1001', {});
		}
	});

	it('names fields by the app\'s column labels when asked', async () => {
		const run = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 3, options: { useLabels: true } }),
		});
		const first = run.items[0].json;
		const raw = t.sandbox.members('leads_schema_data', '1001')[0];
		expect(first['姓名']).toBe(raw.FullName);
		expect(first['手机号']).toBe(raw.MobilePhone);
		expect(first['创建时间']).toBe(raw.CreatedTime);
		expect(first.FullName).toBeUndefined();
		expect(first.identity_id).toBe(raw.identity_id);
		expect(Object.keys(first).some((k) => k.startsWith('score_'))).toBe(true);
	});

	it('adds an ISO 8601 date beside CreatedTime, read as China time', async () => {
		const run = await t.engine.runNode({
			parameters: listParams({ returnAll: false, limit: 2, options: { addIsoDate: true } }),
		});
		for (const item of run.items) {
			const [date, time] = String(item.json.CreatedTime).split(' ');
			expect(item.json.CreatedTimeIso).toBe(new Date(`${date}T${time}+08:00`).toISOString());
		}
		const plain = await t.engine.runNode({ parameters: listParams({ returnAll: false, limit: 1 }) });
		expect(plain.items[0].json.CreatedTimeIso).toBeUndefined();
	});

	it('sends multipart fields and the token in the query, as the API documents', async () => {
		await t.engine.runNode({
			parameters: listParams({
				returnAll: false,
				limit: 10,
				options: { searchStr: '王', returnFieldList: 'FullName,Email' },
			}),
		});
		const [request] = t.pageRequests();
		expect(request.method).toBe('POST');
		expect(request.contentType).toMatch(/^multipart\/form-data; boundary=/);
		expect(request.query).toEqual({ access_token: t.sandbox.token });
		expect(request.fields).toEqual({
			user_id: DEFAULT_USER_ID,
			group_obj: 'leads_schema_data',
			groupId: '1001',
			search_str: '王',
			return_field_list: 'FullName,Email',
			page_num: '1',
			page_size: '10',
		});
	});

	it('sends a Group Object given by expression to the API unchanged', async () => {
		const run = await t.engine.runNode({
			input: [{ obj: 'leads_member' }],
			parameters: listParams({ groupObj: '={{ $json.obj }}', returnAll: false, limit: 1 }),
		});
		expect(t.pageRequests()[0].fields.group_obj).toBe('leads_member');
		// the sandbox does not know that object kind and says so
		expect(run.error?.message).toContain('10002');
	});
});

describe('the credential test', () => {
	const t = useSandbox();

	it('succeeds for a valid token', async () => {
		const result = await t.engine.testCredential({
			baseUrl: t.sandbox.url,
			authMode: 'accessToken',
			accessToken: t.sandbox.token,
		});
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(t.sandbox.log[0].query.access_token).toBe(t.sandbox.token);
	});

	it('fails for a wrong token with a message that says the token was rejected', async () => {
		const result = await t.engine.testCredential({
			baseUrl: t.sandbox.url,
			authMode: 'accessToken',
			accessToken: 'not-a-real-token',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/rejected the access token \(code 2/);
	});

	it('fails for a Base URL that does not answer like Beschannels', async () => {
		t.sandbox.injectFault({ fault: { kind: 'noCode' }, path: '/leads/open-api/group-user-list' });
		const result = await t.engine.testCredential({
			baseUrl: `${t.sandbox.url}/`,
			authMode: 'accessToken',
			accessToken: t.sandbox.token,
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/not like the Beschannels OpenAPI/);
	});
});
