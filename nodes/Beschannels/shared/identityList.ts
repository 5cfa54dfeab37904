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
function pack(list: ByteList, identity: string): void {
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

/** The identity packed from byte `start` to `end` of a base64 string, decoding only the bytes around it. */
export function identityInBase64(encoded: string, start: number, end: number): string {
	const from = Math.floor(start / 3) * 3;
	const bytes = Buffer.from(encoded.slice((from / 3) * 4, Math.ceil(end / 3) * 4), 'base64');
	return identityAt(bytes, start - from, end - from);
}

/** Identities added one by one, packed, each readable by its index. */
export class IdentityList {
	private readonly list: ByteList;

	/** Where each identity starts, and (one more) where the last ends. */
	private starts: Int32Array;

	count = 0;

	/** `expected`: about how many identities will be added (UUIDs: 17 bytes each). */
	constructor(expected = 0) {
		this.list = new ByteList(Math.ceil(expected * 1.02) * (1 + UUID_BYTES));
		this.starts = new Int32Array(Math.max(1 << 10, Math.ceil(expected * 1.02) + 2));
	}

	/** The identities of a packed string, as `toBase64` wrote it (an identity cut short at the end is left out). */
	static fromBase64(encoded: string): IdentityList {
		const identities = new IdentityList();
		const bytes = Buffer.from(encoded, 'base64');
		identities.list.bytes = bytes;
		identities.starts = new Int32Array(Math.ceil(bytes.length / (1 + UUID_BYTES)) + 2);
		for (let at = 0; at < bytes.length; ) {
			const end = endOf(bytes, at);
			if (end > bytes.length) break;
			identities.mark(end);
			at = end;
		}
		identities.list.length = identities.starts[identities.count];
		return identities;
	}

	/** Adds an identity; returns its index. */
	add(identity: string): number {
		pack(this.list, identity);
		this.mark(this.list.length);
		return this.count - 1;
	}

	/** One more identity, ending at `end`. */
	private mark(end: number): void {
		if (this.count + 2 > this.starts.length) {
			const grown = new Int32Array(Math.ceil(this.starts.length * 1.5));
			grown.set(this.starts);
			this.starts = grown;
		}
		this.starts[++this.count] = end;
	}

	at(index: number): string {
		return identityAt(this.list.bytes, this.starts[index], this.starts[index + 1]);
	}

	/** Where each identity starts in the packed bytes, and (one more) where the last ends. */
	offsets(): Int32Array {
		return this.starts.subarray(0, this.count + 1);
	}

	/** Whether the identity at `index` is `identity`. */
	equals(index: number, identity: string, scratch: ByteList): boolean {
		scratch.length = 0;
		pack(scratch, identity);
		const start = this.starts[index];
		return scratch.length === this.starts[index + 1] - start && this.list.bytes.compare(scratch.bytes, 0, scratch.length, start, start + scratch.length) === 0;
	}

	toBase64(): string {
		return this.list.toBase64();
	}
}
