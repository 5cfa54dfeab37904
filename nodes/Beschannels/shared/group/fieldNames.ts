import type { IDataObject } from 'n8n-workflow';

import type { HeaderEntry } from '../page';
import { ISO_FIELD, outputKey } from '../items/shape';

/**
 * Field names as an operator writes them in Output Fields or Fields to Watch: a field's key as the
 * node outputs it (`Email`, `score_20408`) or as the API sends it (`Score-20408`), the dropdown's
 * text (`Email (邮箱)`), the app's label (`邮箱`), in any case. All name the same field. A name that
 * names no field of the group is reported with the fields closest to it; `score_<id>` is always
 * accepted (a score model no member has yet).
 */

/** A name as compared: trimmed, in lower case, `score-<id>` as `score_<id>`. */
function normal(name: string): string {
	const lower = name.trim().toLowerCase();
	return lower.startsWith('score-') ? `score_${lower.slice('score-'.length)}` : lower;
}

const ANY_SCORE = /^score_\d+$/;

/** The created time as an ISO date, which the node adds: named, it means CreatedTime. */
const ISO = normal(ISO_FIELD);

/** The names of the fields closest to `name` (edit distance on the compared forms), at most three. */
function closest(name: string, fields: Map<string, string[]>): string[] {
	const target = normal(name);
	const ranked = [...fields].map(([key, forms]) => ({ key, distance: Math.min(...forms.map((form) => editDistance(target, form))) }));
	ranked.sort((a, b) => a.distance - b.distance || a.key.localeCompare(b.key));
	return ranked.slice(0, 3).map(({ key }) => key);
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++) {
			row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		previous = row;
	}
	return previous[b.length];
}

/** Which fields a list of names names, learnt from the `header` and the members read. */
export class FieldNames {
	/** Each name as compared, and as given. */
	private readonly wanted = new Map<string, string>();

	/** Every field seen (output key), with the forms a name may take for it. */
	private readonly fields = new Map<string, string[]>();

	private readonly labels = new Map<string, string>();

	private readonly named = new Set<string>();

	private readonly answers = new Map<string, boolean>();

	constructor(names: string[]) {
		for (const name of names) if (name.trim()) this.wanted.set(normal(name) === ISO ? 'createdtime' : normal(name), name.trim());
	}

	/** Learns the labels of a page's `header` (its columns are fields of the group). */
	learnHeader(header: HeaderEntry[]): void {
		for (const { prop, label } of header) {
			const key = outputKey(prop);
			if (typeof label === 'string' && label.trim() && !this.labels.has(key)) {
				this.labels.set(key, label.trim());
				this.fields.delete(key);
				this.answers.delete(key);
			}
			this.has(key);
		}
	}

	/** Whether the field output as `key` is one of the names; remembers the field and which names named it. */
	has(key: string): boolean {
		const known = this.answers.get(key);
		if (known !== undefined) return known;
		const label = this.labels.get(key);
		const forms = label ? [normal(key), normal(label), normal(`${key} (${label})`)] : [normal(key)];
		this.fields.set(key, forms);
		const hits = forms.filter((form) => this.wanted.has(form));
		for (const form of hits) this.named.add(form);
		this.answers.set(key, hits.length > 0);
		return hits.length > 0;
	}

	/** The output keys of the named fields seen, and the `score_<id>` names no member carried. */
	keys(): string[] {
		const keys = [...this.answers].filter(([, named]) => named).map(([key]) => key);
		for (const form of this.wanted.keys()) if (!this.named.has(form) && ANY_SCORE.test(form)) keys.push(form);
		return keys;
	}

	/**
	 * The names that name no field seen, each with the fields closest to it; none when nothing was
	 * seen (a group with no members and no header has nothing to check against).
	 */
	unknown(): Array<{ name: string; closest: string[] }> {
		if (this.fields.size === 0) return [];
		return [...this.wanted]
			.filter(([form]) => !this.named.has(form) && !ANY_SCORE.test(form))
			.map(([, name]) => ({ name, closest: closest(name, this.fields) }));
	}
}

/** The error for names that name no field, as `fail` makes it; undefined when every name names one. */
export function unknownFieldsError(
	parameter: string,
	names: FieldNames,
	fail: (message: string, description: string) => Error,
	after: string,
): Error | undefined {
	const unknown = names.unknown();
	if (unknown.length === 0) return undefined;
	const list = unknown.map(({ name }) => `"${name}"`).join(', ');
	const message = `${parameter} names ${unknown.length === 1 ? 'a field' : 'fields'} this group does not have: ${list}`;
	const each = unknown.map(({ name, closest: near }) => `"${name}": closest ${near.join(', ')}`).join('; ');
	return fail(
		message,
		`No column of the group's header and no member read has ${unknown.length === 1 ? 'this field' : 'these fields'} (names are compared by key, label and the dropdown's text, in any case). ${each}. Choose fields from the list, or give keys such as Email or score_20408. ${after}`,
	);
}

/**
 * The names of `parameter` matched to the fields of a group read: its `header` and its members'
 * fields. A name that names no field fails with `fail`, the description ending with `after`.
 */
export function matchFields(
	parameter: string,
	names: string[],
	read: { header: HeaderEntry[]; members: IDataObject[] },
	fail: (message: string, description: string) => Error,
	after: string,
): FieldNames {
	const fields = new FieldNames(names);
	fields.learnHeader(read.header);
	const seen = new Set<string>();
	for (const member of read.members) {
		for (const key in member) {
			if (seen.has(key)) continue;
			seen.add(key);
			fields.has(outputKey(key));
		}
	}
	const error = unknownFieldsError(parameter, fields, fail, after);
	if (error) throw error;
	return fields;
}
