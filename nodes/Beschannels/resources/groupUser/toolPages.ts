import type { Page, PageRequest } from '../../shared/page';
import { fetchGroupPage, refusedPage } from '../../shared/group/groupUsers';
import { MAX_PAGE_SIZE } from '../../shared/group/pageSize';
import { rememberServed as remember, servedFor } from '../../shared/group/served';
import type { GroupQuery } from '../../shared/group/query';
import { windowHolding } from '../../shared/reader/windows';
import type { BeschannelsClient } from '../../shared/transport/client';

/**
 * The pages a tool call reads. Its answer must end exactly where the next call starts, and where rows
 * are hidden from the User ID only the end of a page shows where members end: so a call reads pages
 * of a size the server has shown it serves (the page then sits where it is asked), and starts each
 * one where the call starts. What the server serves is learned once per account, for this process
 * (shared/group/served.ts).
 */

/** How a tool call reads: its page size, what the server serves, an answer to its first request already in hand. */
interface ToolPages {
	pageSize: number;
	served?: number;
	fetched?: { request: PageRequest; page: Page };
}

/**
 * The size of the pages from `position` on: one that divides `position`, down to half of `most`, so
 * that a page starts exactly there; otherwise `most`.
 */
function alignedSize(position: number, most: number): number {
	for (let size = most; position > 0 && size >= Math.ceil(most / 2); size--) if (position % size === 0) return size;
	return most;
}

/** A refusal of a page's parameters, as of a size the server does not serve, gives nothing; any other error stands. */
function unlessRefused(error: unknown): undefined {
	if (refusedPage(error)) return undefined;
	throw error;
}

/** Page 1 at the largest size a read asks: how many rows the server sends at most, or 0 if it refuses that size. */
async function largestPage(client: BeschannelsClient, query: GroupQuery): Promise<number> {
	const request = { pageNum: 1, pageSize: query.pageSize ?? MAX_PAGE_SIZE };
	const page = await fetchGroupPage(client, query, request).catch(unlessRefused);
	return page?.list.length ?? 0;
}

/**
 * The pages of a tool call that starts at `position` and returns at most `limit` members. A size the
 * server has not shown it serves is asked once: a full or empty answer is the call's first page; a
 * short one (rows hidden, or a server that serves fewer) is told apart by page 1 at the largest size,
 * once per account.
 */
export async function planToolPages(
	client: BeschannelsClient,
	query: GroupQuery,
	position: number,
	limit: number,
): Promise<ToolPages> {
	const account = client.account.accountKey;
	const size = alignedSize(position, Math.min(limit, query.pageSize ?? limit));
	let served = servedFor(account) ?? { rows: 0, learned: false };
	if (served.rows >= size) return { pageSize: size, served: served.rows };
	if (served.learned) return { pageSize: alignedSize(position, Math.max(1, served.rows)), served: served.rows };
	const window = windowHolding(position, size);
	const request = { pageNum: window.pageNum, pageSize: window.pageSize };
	const page = await fetchGroupPage(client, query, request);
	const rows = page.list.length;
	served = remember(account, rows);
	if (rows > 0 && rows < size) served = remember(account, await largestPage(client, query), true);
	if (rows === 0 || served.rows >= size) return { pageSize: size, served: served.rows || undefined, fetched: { request, page } };
	return { pageSize: alignedSize(position, served.rows), served: served.rows };
}

/** Remembers what a read showed the server serves. */
export function learnServed(client: BeschannelsClient, rows: number): void {
	remember(client.account.accountKey, rows);
}
