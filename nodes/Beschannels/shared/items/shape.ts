import type { IDataObject } from 'n8n-workflow';

import type { HeaderEntry } from '../page';
import { readBoolean } from '../values';

const SCORE_PREFIX = 'Score-';
const NUMERIC = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
const CHINA_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

export const ISO_FIELD = 'CreatedTimeIso';

/** The field every item keeps, whatever Output Fields says. */
const IDENTITY_FIELD = 'identity_id';

/** `Score-20408` becomes `score_20408`. */
function scoreKey(apiKey: string): string {
	return `score_${apiKey.slice(SCORE_PREFIX.length)}`;
}

/** The key an item has for the API's key `apiKey`: `Score-<id>` flattened, anything else as it is. */
export function outputKey(apiKey: string): string {
	return apiKey.startsWith(SCORE_PREFIX) ? scoreKey(apiKey) : apiKey;
}

/** Numbers and numeric strings become numbers; anything else is kept as sent. */
export function scoreValue(value: IDataObject[string]): IDataObject[string] {
	if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
	return value;
}

/** Parses a UTC offset such as `+08:00`; returns minutes east of UTC, or undefined. */
export function parseOffset(offset: string): number | undefined {
	const match = OFFSET.exec(offset.trim());
	if (!match) return undefined;
	const minutes = Number(match[2]) * 60 + Number(match[3]);
	if (minutes > 14 * 60) return undefined;
	return match[1] === '-' ? -minutes : minutes;
}

/** `2023-05-30 14:11:56` at `offsetMinutes` east of UTC, as ISO 8601 in UTC; null if unreadable. */
export function toIsoDate(value: unknown, offsetMinutes: number): string | null {
	if (typeof value !== 'string') return null;
	const match = CHINA_DATE_TIME.exec(value.trim());
	if (!match) return null;
	const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
	const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
	// Date.UTC rolls 2023-02-30 over into March and 25:61:61 into the next day: such a time is none
	const exact =
		local.getUTCFullYear() === year &&
		local.getUTCMonth() === month - 1 &&
		local.getUTCDate() === day &&
		local.getUTCHours() === hour &&
		local.getUTCMinutes() === minute &&
		local.getUTCSeconds() === second;
	return exact ? new Date(local.getTime() - offsetMinutes * 60_000).toISOString() : null;
}

export interface ShapeOptions {
	/** Name fields by the app's column labels from `header`. */
	labels?: HeaderEntry[];
	/** Add `CreatedTimeIso` computed from `CreatedTime` at this offset (minutes east of UTC). */
	isoOffsetMinutes?: number;
	/**
	 * Output Fields: keep only these fields (by output key such as `score_20408`, API key or label)
	 * and `identity_id`; undefined or empty keeps every field.
	 */
	fields?: string[];
}

type Shaper = (row: IDataObject) => IDataObject;

/**
 * Output Fields as chosen in the dropdown (a list) or given by an expression (a list, or keys
 * separated by commas); empty: every field; undefined when it is neither.
 */
function outputFieldList(value: unknown): string[] | undefined {
	if (value === undefined || value === null) return [];
	const list: unknown[] | undefined = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
	if (list === undefined || list.some((entry) => typeof entry !== 'string' && typeof entry !== 'number')) return undefined;
	const fields = list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
	return [...new Set(fields)];
}

/** The shaping options of a node's Options: Add ISO Created Time with its offset, and Output Fields. */
export function readShapeOptions(options: IDataObject, fail: (message: string, description: string) => Error): ShapeOptions {
	const shape: ShapeOptions = {};
	if (readBoolean('Add ISO Created Time', options.addIsoDate, fail)) {
		const offset = parseOffset(String(options.createdTimeOffset ?? '').trim() || '+08:00');
		if (offset === undefined)
			throw fail(
				'Created Time UTC Offset is not an offset',
				`"${String(options.createdTimeOffset ?? '').trim()}" is not a UTC offset; write it like +08:00.`,
			);
		shape.isoOffsetMinutes = offset;
	}
	const fields = outputFieldList(options.outputFields);
	if (fields === undefined)
		throw fail(
			'Output Field Names or IDs must be field keys',
			'Choose fields from the list, or give an expression that returns field keys separated by commas, e.g. FullName,MobilePhone,score_20408.',
		);
	if (fields.length > 0) shape.fields = fields;
	return shape;
}

/** How one key layout of a row is shaped: output names in row order, which keys are scores. */
interface Layout {
	/** The row's keys, in order. */
	keys: string[];
	/** Each key's output name; undefined: left out (Output Fields). */
	names: Array<string | undefined>;
	scores: boolean[];
	/** Whether items of this layout get `CreatedTimeIso`. */
	iso: boolean;
	/** An object with the output keys in order, copied for each row of this layout. */
	template: IDataObject;
}

const MAX_LAYOUTS = 256;

/**
 * Turns API rows into output items: `Score-<id>` flattened to `score_<id>` numbers, optionally
 * labelled fields, an ISO date, and only the fields Output Fields names.
 *
 * Rows with the same keys share a layout worked out once and copy its template, so V8 gives each
 * item fast properties (built key by key, such items turn into slower and about four times larger
 * dictionaries). When the layouts are too varied to cache (score models differ from member to
 * member), items are built key by key, which is then the fastest way and as compact; with labels,
 * whose names depend on each row's own keys, with Object.fromEntries.
 */
class RowShaper {
	private readonly labelOf = new Map<string, string>();

	private readonly keep?: Set<string>;

	private readonly isoOffset?: number;

	private readonly layouts = new Map<string, Layout>();

	private cacheLayouts = true;

	private readonly plainNames = new Map<string, string>();

	private last?: Layout;

	constructor(options: ShapeOptions) {
		for (const { prop, label } of options.labels ?? []) {
			if (typeof prop === 'string' && typeof label === 'string' && label !== '' && !this.labelOf.has(prop)) {
				this.labelOf.set(prop, label);
			}
		}
		this.isoOffset = options.isoOffsetMinutes;
		if (options.fields?.length) this.keep = new Set(options.fields);
	}

	shape(row: IDataObject): IDataObject {
		if (!this.cacheLayouts) return this.uncached(row);
		// a member usually has the keys of the member before: checking them costs less than a lookup
		const same = this.last && this.fromLayout(row, this.last);
		if (same) return same;
		let signature = '';
		for (const key in row) signature += `${key}\u0001`;
		let layout = this.layouts.get(signature);
		if (layout === undefined) {
			if (this.layouts.size >= MAX_LAYOUTS) {
				this.cacheLayouts = false;
				return this.uncached(row);
			}
			layout = this.layoutOf(row);
			this.layouts.set(signature, layout);
		}
		this.last = layout;
		return this.fromLayout(row, layout)!;
	}

	private layoutOf(row: IDataObject): Layout {
		const keys = Object.keys(row);
		const names = this.namesOf(keys);
		const iso = this.wantsIso(row);
		const template: IDataObject = {};
		for (const name of names) if (name !== undefined) template[name] = null;
		if (iso) template[ISO_FIELD] = null;
		return { keys, names, scores: keys.map((key) => key.startsWith(SCORE_PREFIX)), iso, template };
	}

	/** The item for `row` if its keys are exactly the layout's, in order; otherwise undefined. */
	private fromLayout(row: IDataObject, layout: Layout): IDataObject | undefined {
		const { keys, names, scores } = layout;
		const out: IDataObject = { ...layout.template };
		let index = 0;
		for (const key in row) {
			if (key !== keys[index]) return undefined;
			const name = names[index];
			if (name !== undefined) out[name] = scores[index] ? scoreValue(row[key]) : row[key];
			index++;
		}
		if (index !== keys.length) return undefined;
		if (layout.iso) out[ISO_FIELD] = this.iso(row);
		return out;
	}

	private uncached(row: IDataObject): IDataObject {
		return this.labelOf.size > 0 ? this.fromEntries(row) : this.byAssignment(row);
	}

	private byAssignment(row: IDataObject): IDataObject {
		const out: IDataObject = {};
		for (const key in row) {
			const name = this.plainName(key);
			if (this.keep && !this.kept(key, name)) continue;
			out[name] = key.startsWith(SCORE_PREFIX) ? scoreValue(row[key]) : row[key];
		}
		if (this.wantsIso(row)) out[ISO_FIELD] = this.iso(row);
		return out;
	}

	private fromEntries(row: IDataObject): IDataObject {
		const keys = Object.keys(row);
		const names = this.namesOf(keys);
		const entries: Array<[string, IDataObject[string]]> = [];
		for (let index = 0; index < keys.length; index++) {
			const key = keys[index];
			const name = names[index];
			if (name !== undefined) entries.push([name, key.startsWith(SCORE_PREFIX) ? scoreValue(row[key]) : row[key]]);
		}
		if (this.wantsIso(row)) entries.push([ISO_FIELD, this.iso(row)]);
		return Object.fromEntries(entries) as IDataObject;
	}

	/** A key's output name without labels: `Score-<id>` flattened, anything else as it is. */
	private plainName(key: string): string {
		let name = this.plainNames.get(key);
		if (name === undefined) {
			name = outputKey(key);
			this.plainNames.set(key, name);
		}
		return name;
	}

	/**
	 * Output names of a row's keys, in order: scores flattened, labels where they collide with
	 * nothing (whatever Output Fields leaves out, so a field keeps its name), undefined for a field
	 * Output Fields leaves out.
	 */
	private namesOf(keys: string[]): Array<string | undefined> {
		const names: Array<string | undefined> = [];
		const taken = this.labelOf.size > 0 ? new Set<string>() : undefined;
		const own = taken ? new Set(keys) : undefined;
		for (const key of keys) {
			let name = this.plainName(key);
			const label = this.labelOf.get(key);
			if (label !== undefined && !taken!.has(label) && !own!.has(label)) name = label;
			taken?.add(name);
			names.push(!this.keep || this.kept(key, name) ? name : undefined);
		}
		return names;
	}

	/** Whether Output Fields keeps the field `key`, named `name` in the item. */
	private kept(key: string, name: string): boolean {
		const keep = this.keep!;
		return key === IDENTITY_FIELD || keep.has(this.plainName(key)) || keep.has(key) || keep.has(name);
	}

	private iso(row: IDataObject): string | null {
		return toIsoDate(row.CreatedTime, this.isoOffset ?? 0);
	}

	private wantsIso(row: IDataObject): boolean {
		return this.isoOffset !== undefined && 'CreatedTime' in row;
	}
}

/** Builds the function that turns one API row into one output item (see `RowShaper`). */
export function createShaper(options: ShapeOptions = {}): Shaper {
	const shaper = new RowShaper(options);
	return (row: IDataObject): IDataObject => shaper.shape(row);
}
