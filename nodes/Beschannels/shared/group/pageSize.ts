import type { PaginateResult } from '../reader/read';
import { BeschannelsError } from '../transport/errors';

/**
 * The page-size policy, in one place: what a read asks first, when it steps down, what an account
 * remembers and when it tries the biggest size again. The reader asks what this plan says; the
 * API documents no maximum for `page_size` (docs/design/transport.md).
 */

/** The most rows a request may ask (Page Size's upper bound), and what automatic Page Size asks first. */
export const MAX_PAGE_SIZE = 1000;

/** Sizes APIs commonly cap at, tried in turn when a server refuses a page size as a bad parameter. */
const FALLBACK_PAGE_SIZES = [500, 200, 100, 50];

/** A page for Start at Page when Page Size is automatic, and the most rows a dropdown's one request asks. */
export const DEFAULT_PAGE_SIZE = 100;

/** Every this many reads of an account, a remembered size is probed upward with one request. */
const PROBE_EVERY_READS = 10;

/**
 * Page sizes that work after the server refused bigger ones twice, per account (Base URL and
 * credential), for this process; `reads` counts the reads since, so the biggest size is tried
 * again now and then (a server may lift its cap).
 */
const sizeThatWorks = new Map<string, { size: number; reads: number }>();

/** The size Start at Page counts pages in: Page Size, or `DEFAULT_PAGE_SIZE` when it is automatic. */
export function startPageSize(pageSize: number | undefined): number {
	return pageSize ?? DEFAULT_PAGE_SIZE;
}

/**
 * Whether a request was refused as a bad parameter, as a too-large page size is refused (code
 * 10002, code 1000 that does not speak of rate limiting, HTTP 400 or 413). Refusals as too many,
 * a 5xx or a timeout never count.
 */
function refusedAsBadParameter(error: unknown): boolean {
	return error instanceof BeschannelsError && error.kind === 'badParameter';
}

/**
 * The sizes of one read of an account. A Page Size the user set is asked as set, and a refusal of
 * it is the read's error. Automatic: the first request asks `MAX_PAGE_SIZE`, or the size that
 * works for the account (every `PROBE_EVERY_READS` reads, `MAX_PAGE_SIZE` once more, falling back
 * at its first refusal). A first request refused as a bad parameter is asked again once at the same
 * size (one refusal can be a passing fault), then at the next smaller of `FALLBACK_PAGE_SIZES`.
 */
export class PageSizePlan {
	/** The size of the first request. */
	readonly first: number;

	private readonly fallback?: number;

	private refusedOnce?: number;

	constructor(
		private readonly account: string,
		private readonly pageSize: number | undefined,
	) {
		const known = pageSize === undefined ? sizeThatWorks.get(account) : undefined;
		if (known) known.reads++;
		const probe = known !== undefined && known.reads % PROBE_EVERY_READS === 0;
		this.first = pageSize ?? (known && !probe ? known.size : MAX_PAGE_SIZE);
		this.fallback = probe ? known.size : undefined;
	}

	/** After the first request was refused at `size`: the size to ask instead, or undefined to fail with `error`. */
	readonly afterRefusal = (error: unknown, size: number): number | undefined => {
		if (this.pageSize !== undefined || !refusedAsBadParameter(error)) return undefined;
		if (this.fallback !== undefined && this.fallback < size) return this.fallback;
		if (this.refusedOnce !== size) {
			this.refusedOnce = size;
			return size;
		}
		return FALLBACK_PAGE_SIZES.find((candidate) => candidate < size);
	};

	/** Remembers what an automatic read showed about the sizes the account accepts. */
	learn(result: PaginateResult): void {
		if (this.pageSize !== undefined) return;
		if (result.stepped && result.firstServedSize !== undefined) {
			sizeThatWorks.set(this.account, { size: result.firstServedSize, reads: 0 });
		} else if (this.fallback !== undefined && result.refusedSize === undefined) {
			// the probe was accepted: the server takes the biggest size again
			sizeThatWorks.delete(this.account);
		}
	}
}
