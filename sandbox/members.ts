/**
 * Deterministic, synthetic group members that look like Beschannels rows: Chinese names, mobile
 * numbers, emails on example domains, and `Score-<modelId>` fields that vary from member to member.
 * Nothing here is a real person.
 */

export type Row = Record<string, unknown>;

const SURNAMES: Array<[string, string]> = [
	['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'],
	['黄', 'huang'], ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'],
	['马', 'ma'], ['朱', 'zhu'], ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['高', 'gao'],
	['林', 'lin'], ['罗', 'luo'], ['郑', 'zheng'], ['梁', 'liang'], ['谢', 'xie'], ['宋', 'song'],
];

const GIVEN: Array<[string, string]> = [
	['伟', 'wei'], ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'],
	['强', 'qiang'], ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['艳', 'yan'],
	['杰', 'jie'], ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['秀', 'xiu'], ['霞', 'xia'],
	['平', 'ping'], ['刚', 'gang'], ['桂', 'gui'], ['文', 'wen'], ['华', 'hua'], ['鑫', 'xin'],
	['宇', 'yu'], ['晨', 'chen'], ['欣', 'xin'], ['怡', 'yi'], ['浩', 'hao'], ['然', 'ran'],
];

const COMPANIES = [
	'', '', '', '示例科技有限公司', '样本信息技术有限公司', '演示数据咨询有限公司', '测试云服务有限公司',
	'Example Trading Co., Ltd.',
];

const EMAIL_DOMAINS = ['example.com', 'example.cn', 'example.net', 'example.org'];

const SCORE_MODELS = [3765, 3771, 3773, 3774, 3775, 3776, 3777, 3778, 3779, 20407, 20408, 20410, 20411, 20412, 20414, 20415, 20416, 20417, 20418];

export const HEADER = [
	{ label: '姓名', prop: 'FullName' },
	{ label: '手机号', prop: 'MobilePhone' },
	{ label: '邮箱', prop: 'Email' },
	{ label: '公司', prop: 'Company' },
	{ label: '是否线索', prop: 'IsLead' },
	{ label: '创建时间', prop: 'CreatedTime' },
];

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function pick<T>(random: () => number, list: T[]): T {
	return list[Math.floor(random() * list.length)];
}

function hex(random: () => number, length: number): string {
	let out = '';
	for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
	return out;
}

/** China time (UTC+8) as Beschannels writes it: `YYYY-MM-DD HH:mm:ss`. */
function chinaTime(epochSeconds: number): string {
	const d = new Date((epochSeconds + 8 * 3600) * 1000);
	const p = (n: number) => String(n).padStart(2, '0');
	return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export interface MemberRecord {
	/** Number of the synthetic person; the same number always gives the same person. */
	n: number;
	/** When the lead was created, epoch seconds. */
	createdAt: number;
	/** CreatedTime as sent instead of the one `createdAt` gives (an empty or odd value). */
	createdTimeText?: string;
	/** Fields changed since the member was created: values set (a new key goes last), keys removed. */
	set?: Row;
	unset?: string[];
}

/** The API row of synthetic person `n` of a sandbox seeded with `seed`. */
export function memberRow(seed: number, record: MemberRecord): Row {
	const random = prng(seed * 1_000_003 + record.n * 7919 + 17);
	const [surname, surnamePinyin] = pick(random, SURNAMES);
	const givenCount = random() < 0.6 ? 2 : 1;
	let given = '';
	let givenPinyin = '';
	for (let i = 0; i < givenCount; i++) {
		const [c, p] = pick(random, GIVEN);
		given += c;
		givenPinyin += p;
	}
	const id = `${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 4)}-${hex(random, 12)}`;
	const phone = `1${pick(random, ['3', '5', '7', '8', '9'])}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
	const row: Row = {
		FullName: surname + given,
		MobilePhone: phone,
		Email: `${givenPinyin}.${surnamePinyin}${record.n}@${pick(random, EMAIL_DOMAINS)}`,
		Company: pick(random, COMPANIES),
		IsLead: random() < 0.85 ? '是' : '否',
		CreatedTime: record.createdTimeText ?? chinaTime(record.createdAt),
		identity_value: id,
		identity_id: id,
		client_type: 'clientsCustomers',
		nextId: '',
		is_del: 1,
	};
	for (const model of SCORE_MODELS) {
		if (random() < 0.55) continue;
		const score = Math.floor(random() * 250);
		const roll = random();
		// A few scores arrive as numeric strings, and a rare one as an empty string.
		row[`Score-${model}`] = roll < 0.05 ? String(score) : roll < 0.06 ? '' : score;
	}
	Object.assign(row, record.set);
	for (const key of record.unset ?? []) delete row[key];
	return row;
}

/**
 * `size` members newest first, created over the months before `newest` (epoch seconds), with a
 * few created in the same second as their neighbour, as happens with bulk imports.
 */
export function seedRecords(size: number, newest: number, firstN = 1, seed = 1): MemberRecord[] {
	const random = prng(seed * 31 + 7);
	const records: MemberRecord[] = [];
	let at = newest;
	for (let i = 0; i < size; i++) {
		records.push({ n: firstN + i, createdAt: at });
		at -= random() < 0.03 ? 0 : 1 + Math.floor(random() * 3600);
	}
	return records;
}
