import type { IDataObject } from 'n8n-workflow';

/** One entry of an answer's `header`: a field key and the label the app shows for it. */
export interface HeaderEntry {
	label: string;
	prop: string;
}

/** One page of the group user list as the API sent it. */
export interface Page {
	total?: number;
	list: IDataObject[];
	header: HeaderEntry[];
}

/** What one request asks for: `page_num` and `page_size`. */
export interface PageRequest {
	pageNum: number;
	pageSize: number;
}

/**
 * The key that identifies a person across pages: `identity_id`, else `identity_value`, else (a row
 * without either, as a group object may key its rows otherwise) its fields, in key order, so the
 * same row sent again is known as the same member.
 */
export function memberIdentity(row: IDataObject): string {
	const id = row.identity_id ?? row.identity_value;
	if (typeof id === 'string' && id !== '') return id;
	if (typeof id === 'number') return String(id);
	return `#${JSON.stringify(Object.keys(row).sort().map((key) => [key, row[key]]))}`;
}

/** Adds the entries of `header` that `into` lacks, in order. */
export function mergeHeader(into: HeaderEntry[], header: HeaderEntry[]): void {
	for (const entry of header) if (!into.some((known) => known.prop === entry.prop)) into.push(entry);
}
