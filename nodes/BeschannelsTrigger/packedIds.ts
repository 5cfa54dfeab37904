/**
 * Member identities packed in one base64 string for the trigger's state, which n8n writes as JSON
 * with the workflow: an identity_id that is a UUID in lower case (as Beschannels writes them) is a 0
 * byte and its 16 bytes; any other identity is its length in UTF-8 bytes (7 bits a byte, the last
 * byte without the top bit; never 0) and those bytes. An identity UTF-8 cannot hold (a lone
 * surrogate), or one that starts with a double quote, is kept as its JSON text. So a UUID costs 17
 * bytes, about 23 base64 characters, where a JSON array of strings costs 39.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_BYTES = 16;

/** A buffer that grows as bytes are added. */
export class ByteList {
	private bytes = Buffer.alloc(1 << 12);

	length = 0;

	/** Room for `count` bytes more; returns the buffer to write them in (at `length`). */
	room(count: number): Buffer {
		if (this.length + count > this.bytes.length) {
			const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.length + count));
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

/** Identities added one by one, packed. */
export class PackedIds {
	private readonly bytes = new ByteList();

	count = 0;

	add(identity: string): void {
		const list = this.bytes;
		if (UUID.test(identity)) {
			const buffer = list.room(1 + UUID_BYTES);
			buffer[list.length] = 0;
			buffer.write(identity.replace(/-/g, ''), list.length + 1, UUID_BYTES, 'hex');
			list.length += 1 + UUID_BYTES;
		} else {
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
		this.count++;
	}

	toBase64(): string {
		return this.bytes.toBase64();
	}
}

/** The identities of a packed string, by index; each is decoded only when asked for. */
export class UnpackedIds {
	private readonly bytes: Buffer;

	/** Where each identity starts in `bytes`. */
	private readonly starts: Int32Array;

	constructor(encoded: string) {
		this.bytes = Buffer.from(encoded, 'base64');
		let count = 0;
		this.walk(() => count++);
		this.starts = new Int32Array(count);
		let index = 0;
		this.walk((start) => (this.starts[index++] = start));
	}

	get count(): number {
		return this.starts.length;
	}

	/** Calls `each` with where every whole identity starts. */
	private walk(each: (start: number) => void): void {
		const { bytes } = this;
		for (let at = 0; at < bytes.length; ) {
			const start = at;
			const size = this.sizeAt(start);
			at = size.from + size.length;
			if (at > bytes.length) return;
			each(start);
		}
	}

	/** Where the identity starting at `start` has its bytes, and how many. */
	private sizeAt(start: number): { from: number; length: number } {
		const { bytes } = this;
		if (bytes[start] === 0) return { from: start + 1, length: UUID_BYTES };
		let length = 0;
		let scale = 1;
		let at = start;
		for (; at < bytes.length && bytes[at] >= 0x80; at++, scale *= 0x80) length += (bytes[at] & 0x7f) * scale;
		length += (bytes[at] ?? 0) * scale;
		return { from: at + 1, length };
	}

	at(index: number): string {
		const start = this.starts[index];
		const { from, length } = this.sizeAt(start);
		if (this.bytes[start] !== 0) {
			const text = this.bytes.toString('utf8', from, from + length);
			return text.startsWith('"') ? (JSON.parse(text) as string) : text;
		}
		const hex = this.bytes.toString('hex', from, from + length);
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
	}
}
