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

/** The key that identifies a person across pages (`identity_id`, else `identity_value`). */
export function memberIdentity(row: IDataObject): string | undefined {
	const id = row.identity_id ?? row.identity_value;
	if (typeof id === 'string') return id === '' ? undefined : id;
	if (typeof id === 'number') return String(id);
	return undefined;
}
