import type { IDataObject } from 'n8n-workflow';

import type { HeaderEntry } from './paginate';

const SCORE_PREFIX = 'Score-';
const NUMERIC = /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/;
const CHINA_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

export const ISO_FIELD = 'CreatedTimeIso';


/** The key that identifies a person across pages (`identity_id`, else `identity_value`). */
export function memberIdentity(row: IDataObject): string | undefined {
	const id = row.identity_id ?? row.identity_value;
	if (typeof id === 'string') return id === '' ? undefined : id;
	if (typeof id === 'number') return String(id);
	return undefined;
}

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
	const [, y, mo, d, h, mi, s] = match;
	const utc =
		Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) -
		offsetMinutes * 60_000;
	const date = new Date(utc);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface ShapeOptions {
	/** Name fields by the app's column labels from `header`. */
	labels?: HeaderEntry[];
	/** Add `CreatedTimeIso` computed from `CreatedTime` at this offset (minutes east of UTC). */
	isoOffsetMinutes?: number;
}

export type Shaper = (row: IDataObject) => IDataObject;

/**
 * Builds the function that turns one API row into one output item: `Score-<id>` flattened to
 * `score_<id>` numbers, optionally labelled fields and an ISO date. What each key becomes is
 * worked out once per key name and cached, so shaping a member is one pass over its keys.
 */
export function createShaper(options: ShapeOptions = {}): Shaper {
	const labelOf = new Map<string, string>();
	for (const { prop, label } of options.labels ?? []) {
		if (typeof prop === 'string' && typeof label === 'string' && label !== '' && !labelOf.has(prop)) {
			labelOf.set(prop, label);
		}
	}
	const useLabels = labelOf.size > 0;
	const isoOffset = options.isoOffsetMinutes;
	// key -> [output name, is a score]
	const keys = new Map<string, [string, boolean]>();
	const keyInfo = (key: string): [string, boolean] => {
		let info = keys.get(key);
		if (info === undefined) {
			const isScore = key.startsWith(SCORE_PREFIX);
			info = [isScore ? scoreKey(key) : key, isScore];
			keys.set(key, info);
		}
		return info;
	};

	return (row: IDataObject): IDataObject => {
		const out: IDataObject = {};
		for (const key in row) {
			const [plain, isScore] = keyInfo(key);
			let name = plain;
			if (useLabels) {
				const label = labelOf.get(key);
				if (label !== undefined && !(label in out) && !(label in row)) name = label;
			}
			out[name] = isScore ? scoreValue(row[key]) : row[key];
		}
		if (isoOffset !== undefined && 'CreatedTime' in row) {
			out[ISO_FIELD] = toIsoDate(row.CreatedTime, isoOffset);
		}
		return out;
	};
}
