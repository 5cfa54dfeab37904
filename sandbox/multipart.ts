/** Reads form fields from a request body: multipart/form-data, urlencoded, or JSON. */
export function parseForm(contentType: string | undefined, body: Buffer): Record<string, string> {
	const type = (contentType ?? '').toLowerCase();
	if (type.startsWith('multipart/form-data')) return parseMultipart(contentType ?? '', body);
	if (type.startsWith('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
	}
	if (type.startsWith('application/json') && body.length > 0) {
		try {
			const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
				return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
			}
		} catch {
			return {};
		}
	}
	return {};
}

function parseMultipart(contentType: string, body: Buffer): Record<string, string> {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!match) return {};
	const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
	const fields: Record<string, string> = {};
	let start = body.indexOf(delimiter);
	while (start !== -1) {
		const partStart = start + delimiter.length;
		if (body.subarray(partStart, partStart + 2).toString() === '--') break;
		const next = body.indexOf(delimiter, partStart);
		if (next === -1) break;
		const part = body.subarray(partStart + 2, next - 2); // drop CRLF after delimiter and before next
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd !== -1) {
			const headers = part.subarray(0, headerEnd).toString('utf8');
			const name = /name="([^"]*)"/i.exec(headers)?.[1];
			if (name !== undefined) fields[name] = part.subarray(headerEnd + 4).toString('utf8');
		}
		start = next;
	}
	return fields;
}
