import type { IDataObject } from 'n8n-workflow';

import type { HeaderEntry } from '../group/page';

const SCORE_PREFIX = 'Score-';
const NUMERIC = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
const CHINA_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

export const ISO_FIELD = 'CreatedTimeIso';



/** `Score-20408` becomes `score_20408`. */
export function scoreKey(apiKey: string): string {
	return `score_${apiKey.slice(SCORE_PREFIX.length)}`;
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
}

export type Shaper = (row: IDataObject) => IDataObject;

/** How one key layout of a row is shaped: output names in row order, which keys are scores. */
interface Layout {
	/** The row's keys, in order. */
	keys: string[];
	names: string[];
	scores: boolean[];
	/** An object with the output keys in order, copied for each row of this layout. */
	template: IDataObject;
}

const MAX_LAYOUTS = 256;

/**
 * Builds the function that turns one API row into one output item: `Score-<id>` flattened to
 * `score_<id>` numbers, optionally labelled fields and an ISO date.
 *
 * Rows with the same keys share a layout worked out once and copy its template, so V8 gives each
 * item fast properties (built key by key, such items turn into slower and about four times larger
 * dictionaries). When the layouts are too varied to cache (score models differ from member to
 * member), items are built key by key, which is then the fastest way and as compact; with labels,
 * whose names depend on each row's own keys, with Object.fromEntries.
 */
export function createShaper(options: ShapeOptions = {}): Shaper {
	const labelOf = new Map<string, string>();
	for (const { prop, label } of options.labels ?? []) {
		if (typeof prop === 'string' && typeof label === 'string' && label !== '' && !labelOf.has(prop)) {
			labelOf.set(prop, label);
		}
	}
	const isoOffset = options.isoOffsetMinutes;
	const layouts = new Map<string, Layout>();
	let cacheLayouts = true;
	const plainNames = new Map<string, string>();

	/** A key's output name without labels: `Score-<id>` flattened, anything else as it is. */
	const plainName = (key: string): string => {
		let name = plainNames.get(key);
		if (name === undefined) {
			name = key.startsWith(SCORE_PREFIX) ? scoreKey(key) : key;
			plainNames.set(key, name);
		}
		return name;
	};

	/** Output names of a row's keys, in order: scores flattened, labels where they collide with nothing. */
	const namesOf = (keys: string[]): string[] => {
		const names: string[] = [];
		const taken = labelOf.size > 0 ? new Set<string>() : undefined;
		const own = taken ? new Set(keys) : undefined;
		for (const key of keys) {
			let name = plainName(key);
			const label = labelOf.get(key);
			if (label !== undefined && !taken!.has(label) && !own!.has(label)) name = label;
			taken?.add(name);
			names.push(name);
		}
		return names;
	};

	const iso = (row: IDataObject) => toIsoDate(row.CreatedTime, isoOffset ?? 0);
	const wantsIso = (row: IDataObject) => isoOffset !== undefined && 'CreatedTime' in row;

	/** The item for `row` if its keys are exactly the layout's, in order; otherwise undefined. */
	const fromLayout = (row: IDataObject, layout: Layout): IDataObject | undefined => {
		const { keys, names, scores } = layout;
		const out: IDataObject = { ...layout.template };
		let index = 0;
		for (const key in row) {
			if (key !== keys[index]) return undefined;
			const value = row[key];
			out[names[index]] = scores[index] ? scoreValue(value) : value;
			index++;
		}
		if (index !== keys.length) return undefined;
		if (index < names.length) out[ISO_FIELD] = iso(row);
		return out;
	};

	const byAssignment = (row: IDataObject): IDataObject => {
		const out: IDataObject = {};
		for (const key in row) {
			const value = row[key];
			if (key.startsWith(SCORE_PREFIX)) out[plainName(key)] = scoreValue(value);
			else out[key] = value;
		}
		if (wantsIso(row)) out[ISO_FIELD] = iso(row);
		return out;
	};

	const fromEntries = (row: IDataObject): IDataObject => {
		const keys = Object.keys(row);
		const names = namesOf(keys);
		const entries: Array<[string, IDataObject[string]]> = new Array(keys.length);
		for (let index = 0; index < keys.length; index++) {
			const key = keys[index];
			const value = row[key];
			entries[index] = [names[index], key.startsWith(SCORE_PREFIX) ? scoreValue(value) : value];
		}
		if (wantsIso(row)) entries.push([ISO_FIELD, iso(row)]);
		return Object.fromEntries(entries) as IDataObject;
	};

	const uncached = labelOf.size > 0 ? fromEntries : byAssignment;
	let last: Layout | undefined;

	return (row: IDataObject): IDataObject => {
		if (!cacheLayouts) return uncached(row);
		// a member usually has the keys of the member before: checking them costs less than a lookup
		const same = last && fromLayout(row, last);
		if (same) return same;
		let signature = '';
		for (const key in row) signature += `${key}\u0001`;
		let layout = layouts.get(signature);
		if (layout === undefined) {
			if (layouts.size >= MAX_LAYOUTS) {
				cacheLayouts = false;
				return uncached(row);
			}
			const keys = Object.keys(row);
			const names = namesOf(keys);
			if (wantsIso(row)) names.push(ISO_FIELD);
			layout = {
				keys,
				names,
				scores: keys.map((key) => key.startsWith(SCORE_PREFIX)),
				template: Object.fromEntries(names.map((name) => [name, null])) as IDataObject,
			};
			layouts.set(signature, layout);
		}
		last = layout;
		return fromLayout(row, layout)!;
	};
}
