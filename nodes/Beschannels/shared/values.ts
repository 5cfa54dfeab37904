/**
 * Parameter values as n8n hands them to a node: typed in the form, or computed by an expression,
 * which may give any JSON value. Each reader accepts what the parameter means and fails, naming the
 * parameter, on anything else, so that a wrong value never runs as a quiet default.
 */

/** Makes the error for a parameter; the caller's error type, item index and node. */
export type Fail = (message: string, description: string) => Error;

/** A value as a message may show it: a short text quoted, or only what kind of value it is. */
function shown(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}..."` : `"${value}"`;
	return String(value);
}

/** A boolean parameter: true or false, or the text "true" or "false" in any case; `fallback` when unset. */
export function readBoolean(name: string, value: unknown, fail: Fail, fallback = false): boolean {
	if (value === undefined || value === null) return fallback;
	if (typeof value === 'boolean') return value;
	const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
	if (text === 'true') return true;
	if (text === 'false') return false;
	throw fail(
		`${name} must be true or false`,
		`${name} is ${shown(value)}. Turn it on or off, or give an expression that returns true or false.`,
	);
}

/** A number parameter: a number, or text that is one (an expression's "50"); `undefined` when unset. */
export function readNumber(name: string, value: unknown, fail: Fail): number | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'number' && !Number.isNaN(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
	throw fail(`${name} must be a number`, `${name} is ${shown(value)}. Give a number, or an expression that returns one.`);
}

/** Group ID: text, or a number sent as its digits. */
export function readGroupId(value: unknown, fail: Fail): string {
	const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
	if (id !== undefined && id !== null && typeof id !== 'string') {
		throw fail(
			'Group ID must be text or a number',
			`Group ID is ${shown(value)}. Give the ID of the group, e.g. 1001, or an expression that returns it, such as {{ $json.groupId }} (not {{ $json }}).`,
		);
	}
	const text = (id ?? '').trim();
	if (!text) {
		throw fail(
			'Group ID is empty',
			'Fill in Group ID: the ID of the Beschannels group to read ("分组ID" in the Beschannels app). Nothing was sent.',
		);
	}
	return text;
}

/** A text parameter: text, or a number as its digits; anything else fails naming it. Trimmed. */
export function readText(name: string, value: unknown, fail: Fail): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw fail(`${name} must be text`, `${name} is ${shown(value)}. Give text, or an expression that returns text.`);
}
