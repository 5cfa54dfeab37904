/**
 * Member identities packed in one buffer: an identity_id that is a UUID in lower case (as
 * Beschannels writes them) is a 0 byte and its 16 bytes; any other identity is its length in UTF-8
 * bytes (7 bits a byte, the last byte without the top bit; never 0) and those bytes. An identity
 * UTF-8 cannot hold (a lone surrogate), or one that starts with a double quote, is kept as its JSON
 * text. So a UUID costs 17 bytes (about 23 base64 characters in the trigger's state, where a JSON
 * array of strings costs 39, and 21 bytes in memory, where a string in a Map costs about 100).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_BYTES = 16;

/** A buffer that grows as bytes are added (by half, so at most a third of it is unused). */
export class ByteList {
	bytes: Buffer;

	constructor(expected = 0) {
		this.bytes = Buffer.alloc(Math.max(1 << 12, expected));
	}

	length = 0;

	/** Room for `count` bytes more; returns the buffer to write them in (at `length`). */
	room(count: number): Buffer {
		if (this.length + count > this.bytes.length) {
			const grown = Buffer.alloc(Math.max(Math.ceil(this.bytes.length * 1.5), this.length + count));
			this.bytes.copy(grown, 0, 0, this.length);
			this.bytes = grown;
		}
		return this.bytes;
	}

	/** A 48-bit number as 6 bytes. */
	addUint48(value: number): void {
		this.room(6).writeUIntBE(value, this.length, 6);
		this.length += 6;
	}

	toBase64(): string {
		return this.bytes.toString('base64', 0, this.length);
	}
}

/** Writes `identity` packed at the end of `list`. */
export function pack(list: ByteList, identity: string): void {
	if (UUID.test(identity)) {
		const buffer = list.room(1 + UUID_BYTES);
		buffer[list.length] = 0;
		buffer.write(identity.replace(/-/g, ''), list.length + 1, UUID_BYTES, 'hex');
		list.length += 1 + UUID_BYTES;
		return;
	}
	const kept = identity.startsWith('"') || Buffer.from(identity, 'utf8').toString('utf8') !== identity;
	const text = kept ? JSON.stringify(identity) : identity;
	const size = Buffer.byteLength(text);
	const buffer = list.room(5 + size);
	let rest = size;
	while (rest >= 0x80) {
		buffer[list.length++] = 0x80 | (rest & 0x7f);
		rest = Math.floor(rest / 0x80);
	}
	buffer[list.length++] = rest;
	list.length += buffer.write(text, list.length, size, 'utf8');
}

/** Where the identity packed at `start` ends. */
function endOf(bytes: Buffer, start: number): number {
	if (bytes[start] === 0) return start + 1 + UUID_BYTES;
	let length = 0;
	let scale = 1;
	let at = start;
	for (; at < bytes.length && bytes[at] >= 0x80; at++, scale *= 0x80) length += (bytes[at] & 0x7f) * scale;
	length += (bytes[at] ?? 0) * scale;
	return at + 1 + length;
}

/** The identity packed in `bytes` from `start` to `end`. */
function identityAt(bytes: Buffer, start: number, end: number): string {
	if (bytes[start] === 0) {
		const hex = bytes.toString('hex', start + 1, end);
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}
	let at = start;
	while (bytes[at] >= 0x80) at++;
	const text = bytes.toString('utf8', at + 1, end);
	return text.startsWith('"') ? (JSON.parse(text) as string) : text;
}

/** Bytes of packed identities decoded at a time (a multiple of 3, so base64 splits cleanly). */
const BLOCK_BYTES = 3 << 16;

/**
 * Each identity packed in a base64 string (as `toBase64` wrote it), in order, with the bytes it
 * takes (`start` to `end`). The text is decoded a block at a time, so the packed bytes of a large
 * group are never in memory whole; an identity cut short at the end is left out.
 */
export function eachPackedIdentity(encoded: string, each: (identity: string, start: number, end: number) => void): void {
	const chars = (BLOCK_BYTES / 3) * 4;
	let carry = Buffer.alloc(0);
	// where carry starts in the packed bytes
	let base = 0;
	for (let from = 0; from < encoded.length; from += chars) {
		const block = Buffer.from(encoded.slice(from, from + chars), 'base64');
		const bytes = carry.length > 0 ? Buffer.concat([carry, block]) : block;
		let start = 0;
		for (let end = endOf(bytes, start); start < bytes.length && end <= bytes.length; end = endOf(bytes, start)) {
			each(identityAt(bytes, start, end), base + start, base + end);
			start = end;
		}
		carry = bytes.subarray(start);
		base += start;
	}
}

/** The identity packed from byte `start` to `end` of a base64 string, decoding only the bytes around it. */
export function identityInBase64(encoded: string, start: number, end: number): string {
	const from = Math.floor(start / 3) * 3;
	const bytes = Buffer.from(encoded.slice((from / 3) * 4, Math.ceil(end / 3) * 4), 'base64');
	return identityAt(bytes, start - from, end - from);
}

/** A copy of a typed array, `length` long. */
export function grown<T extends Int32Array | Float64Array>(array: T, length: number): T {
	const bigger = new (array.constructor as new (length: number) => T)(length);
	bigger.set(array);
	return bigger;
}

/** Identities added one by one, packed, each compared by its index (the reader's record, see reader/placedRows.ts). */
export class IdentityList {
	private readonly list: ByteList;

	/** Where each identity starts, and (one more) where the last ends. */
	private starts: Int32Array;

	count = 0;

	constructor() {
		this.list = new ByteList();
		this.starts = new Int32Array(1 << 10);
	}

	/** Room for `count` identities (UUIDs) in all, made at once. */
	reserve(count: number): void {
		this.list.room(count * (1 + UUID_BYTES) - this.list.length);
		if (count + 2 > this.starts.length) this.starts = grown(this.starts, count + 2);
	}

	/** Adds an identity; returns its index. */
	add(identity: string): number {
		pack(this.list, identity);
		this.mark(this.list.length);
		return this.count - 1;
	}

	/** One more identity, ending at `end`. */
	private mark(end: number): void {
		if (this.count + 2 > this.starts.length) this.starts = grown(this.starts, Math.ceil(this.starts.length * 1.5));
		this.starts[++this.count] = end;
	}

	/** Whether the identity at `index` is `identity`. */
	equals(index: number, identity: string, scratch: ByteList): boolean {
		scratch.length = 0;
		pack(scratch, identity);
		const start = this.starts[index];
		return scratch.length === this.starts[index + 1] - start && this.list.bytes.compare(scratch.bytes, 0, scratch.length, start, start + scratch.length) === 0;
	}
}
