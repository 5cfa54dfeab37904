/** FNV-1a's 32-bit offset basis: the usual start of the hash. */
export const FNV_OFFSET_BASIS = 0x811c9dc5;

/** Read once: a global's property looked up on every code unit is slow in some sandboxes (jest's among them). */
const imul = Math.imul;

/**
 * FNV-1a, 32 bits, over a string's UTF-16 code units: short, stable and fast. Not a secret-keeping
 * hash: it names things (an account for the limiter, a member in the trigger's state) without
 * storing them. `basis` starts it elsewhere, for a second hash of the same text.
 */
export function fnv1a(text: string, basis = FNV_OFFSET_BASIS): number {
	let hash = basis;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}
