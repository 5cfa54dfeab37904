import { fnv1a } from '../Beschannels/shared/fnv1a';

/**
 * A compact set of member identities for the trigger's state, which n8n keeps in the workflow
 * record: each identity becomes a 48-bit hash, stored as 6 bytes (8 base64 characters). Two
 * identities share a hash with a probability of about n / 2^48 per new member (3.6e-10 in a
 * 100,000-member group), in which case that member would not be reported as new.
 */

const BYTES = 6;

/** A 48-bit hash of an identity, as a plain number (exact in a double): two FNV-1a hashes with different bases. */
export function identityHash(identity: string): number {
	const high = fnv1a(identity) & 0xffff;
	const low = fnv1a(identity, 0x050c5d1f);
	return high * 0x1_0000_0000 + low;
}

export function encodeMemberSet(hashes: Iterable<number>): string {
	const list = [...hashes];
	const bytes = Buffer.alloc(list.length * BYTES);
	list.forEach((hash, index) => bytes.writeUIntBE(hash, index * BYTES, BYTES));
	return bytes.toString('base64');
}

export function decodeMemberSet(encoded: string): Set<number> {
	const bytes = Buffer.from(encoded, 'base64');
	const set = new Set<number>();
	for (let offset = 0; offset + BYTES <= bytes.length; offset += BYTES) {
		set.add(bytes.readUIntBE(offset, BYTES));
	}
	return set;
}
