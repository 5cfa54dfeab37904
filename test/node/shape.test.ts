import type { IDataObject } from 'n8n-workflow';

import { memberIdentity } from '../../nodes/Beschannels/shared/page';
import { createShaper, parseOffset, scoreValue, toIsoDate } from '../../nodes/Beschannels/shared/items/shape';

describe('item shaping', () => {
	it('turns numbers and numeric strings into numbers and keeps anything else', () => {
		expect(scoreValue(20)).toBe(20);
		expect(scoreValue('209')).toBe(209);
		expect(scoreValue(' 7.5 ')).toBe(7.5);
		expect(scoreValue('-3')).toBe(-3);
		expect(scoreValue('')).toBe('');
		expect(scoreValue('N/A')).toBe('N/A');
		expect(scoreValue('0x10')).toBe('0x10');
		expect(scoreValue('1e3')).toBe('1e3');
		expect(scoreValue(null)).toBeNull();
	});

	it('flattens Score- keys in place and leaves every other key and value alone', () => {
		const shape = createShaper();
		const row = { FullName: '王伟', 'Score-20408': 20, 'Score-3765': '209', is_del: 1, nested: { a: 1 } };
		expect(shape(row)).toEqual({ FullName: '王伟', score_20408: 20, score_3765: 209, is_del: 1, nested: { a: 1 } });
		expect(Object.keys(shape(row))).toEqual(['FullName', 'score_20408', 'score_3765', 'is_del', 'nested']);
	});

	it('uses column labels without letting two fields share a name', () => {
		const shape = createShaper({
			labels: [
				{ prop: 'FullName', label: '姓名' },
				{ prop: 'Nick', label: '姓名' },
				{ prop: 'Email', label: 'Email2' },
			],
		});
		expect(shape({ FullName: 'a', Nick: 'b', Email: 'c', Email2: 'd' })).toEqual({
			姓名: 'a',
			Nick: 'b',
			Email: 'c',
			Email2: 'd',
		});
	});

	it('reads CreatedTime at the given offset', () => {
		expect(toIsoDate('2023-05-30 14:11:56', 480)).toBe('2023-05-30T06:11:56.000Z');
		expect(toIsoDate('2023-05-30 14:11:56', 0)).toBe('2023-05-30T14:11:56.000Z');
		expect(toIsoDate('30/05/2023', 480)).toBeNull();
		expect(toIsoDate(undefined, 480)).toBeNull();
		expect(parseOffset('+08:00')).toBe(480);
		expect(parseOffset('-0530')).toBe(-330);
		expect(parseOffset('8')).toBeUndefined();
	});

	it('identifies a member by identity_id, else identity_value, else its fields', () => {
		expect(memberIdentity({ identity_id: 'a', identity_value: 'b' })).toBe('a');
		expect(memberIdentity({ identity_value: 'b' })).toBe('b');
		// without either, a row is known by its fields, whatever order they come in
		expect(memberIdentity({ identity_id: '', Email: 'a@example.com' })).toBe(memberIdentity({ Email: 'a@example.com', identity_id: '' }));
		expect(memberIdentity({ Email: 'a@example.com' })).not.toBe(memberIdentity({ Email: 'b@example.com' }));
	});
});

describe('shaping many members', () => {
	it('gives every member the same treatment whatever keys came before', () => {
		const shape = createShaper();
		expect(shape({ 'Score-5': '12', a: 1 })).toEqual({ score_5: 12, a: 1 });
		expect(shape({ a: 2, 'Score-5': 'x', 'Score-6': 3 })).toEqual({ a: 2, score_5: 'x', score_6: 3 });
		expect(shape({ score_5: 1 })).toEqual({ score_5: 1 });
		// members whose keys start like, or go on past, the keys of the member before
		expect(shape({ a: 1, 'Score-1': '2' })).toEqual({ a: 1, score_1: 2 });
		expect(shape({ a: 1, 'Score-1': '2', 'Score-2': '3' })).toEqual({ a: 1, score_1: 2, score_2: 3 });
		expect(shape({ a: 1, 'Score-1': '2' })).toEqual({ a: 1, score_1: 2 });
		expect(shape({ a: 1 })).toEqual({ a: 1 });
		expect(shape({ 'Score-1': '2', a: 1 })).toEqual({ score_1: 2, a: 1 });
	});

	it('shapes members of more key layouts than it caches exactly as it shapes one member alone', () => {
		// 600 members, nearly every one with its own set of score models
		const rows = Array.from({ length: 600 }, (_, n) => {
			const row: IDataObject = { identity_id: `m${n}`, CreatedTime: '2023-05-30 14:11:56' };
			for (let s = 0; s < 10; s++) if ((n >> s) & 1) row[`Score-${s}`] = s % 3 === 0 ? String(n) : n;
			row.tail = n;
			return row;
		});
		const labels = [
			{ prop: 'tail', label: '尾' },
			{ prop: 'Score-1', label: '模型一' },
		];
		for (const options of [{}, { isoOffsetMinutes: 480 }, { labels }]) {
			const shaped = rows.map(createShaper(options));
			const alone = rows.map((row) => createShaper(options)(row));
			expect(shaped).toEqual(alone);
			expect(shaped.map((item) => Object.keys(item))).toEqual(alone.map((item) => Object.keys(item)));
			expect(shaped.some((item) => Object.keys(item).some((key) => key.startsWith('Score-')))).toBe(false);
		}
		expect(rows.map(createShaper({ isoOffsetMinutes: 480 }))[599].CreatedTimeIso).toBe('2023-05-30T06:11:56.000Z');
		expect(rows.map(createShaper())[3]).toEqual({ identity_id: 'm3', CreatedTime: '2023-05-30 14:11:56', score_0: 3, score_1: 3, tail: 3 });
	});

	it('keeps identity_id and the Output Fields, named as without them, through cached and uncached layouts', () => {
		const rows = Array.from({ length: 600 }, (_, n) => {
			const row: IDataObject = { identity_id: `m${n}`, CreatedTime: '2023-05-30 14:11:56' };
			for (let s = 0; s < 10; s++) if ((n >> s) & 1) row[`Score-${s}`] = String(n);
			row.tail = n;
			return row;
		});
		const labels = [{ prop: 'tail', label: '尾' }];
		const expected = (n: number, tail: string) => ({
			identity_id: `m${n}`,
			...(n & 2 ? { score_1: n } : {}),
			[tail]: n,
		});
		// by output key (score_1), API key (Score-1) or label (尾)
		for (const fields of [['score_1', 'tail'], ['Score-1', 'tail']]) {
			expect(rows.map(createShaper({ fields }))).toEqual(rows.map((_, n) => expected(n, 'tail')));
		}
		for (const fields of [['score_1', 'tail'], ['score_1', '尾']]) {
			expect(rows.map(createShaper({ fields, labels }))).toEqual(rows.map((_, n) => expected(n, '尾')));
		}
		const withIso = rows.map(createShaper({ fields: ['nothing-like-it'], isoOffsetMinutes: 480 }));
		expect(withIso[599]).toEqual({ identity_id: 'm599', CreatedTimeIso: '2023-05-30T06:11:56.000Z' });
	});
});
