import type { IDataObject } from 'n8n-workflow';

import type { HeaderEntry, Page } from '../page';
import type { FetchPage } from './ahead';
import type { Cut } from './cut';
import type { Changes } from './evidence';

export interface PaginateOptions {
	returnAll: boolean;
	limit: number;
	/** Rows asked by the first request (Page Size); later requests ask at most what the server showed it serves. */
	pageSize: number;
	/**
	 * The first request was refused with `error` at `size`: the size to ask it at instead, or
	 * undefined to fail with the error (the page-size policy, shared/group/pageSize.ts).
	 */
	afterRefusal?: (error: unknown, size: number) => number | undefined;
	/**
	 * Whether `error` refuses a page's parameters (a server may refuse a page past its end so): such
	 * a refusal of a page past every member read counts as an empty page.
	 */
	refusedPage?: (error: unknown) => boolean;
	/** Members to skip before the first one read (Start at Page). */
	startOffset?: number;
	/**
	 * Rows the server has served in one answer in earlier reads of the account: pages of at most that
	 * many sit where they are asked, so a short one is rows hidden from the User ID, not a cap.
	 */
	served?: number;
	/** Fetches one page; `signal` aborts once the page is no longer needed, so it is not sent. */
	fetchPage: FetchPage;
	/** Requests in flight at once while the plan lasts; 1 reads strictly one by one. */
	concurrency?: number;
	maxPages?: number;
	/** Called after each answer taken, in order, with its new members; returning true ends the read. */
	until?: (page: Page) => boolean;
	/** Turns each member read into what `members` holds; `undefined` keeps nothing (it still counts). */
	keep?: (member: IDataObject) => IDataObject | undefined;
}

/**
 * How the read ended. Complete: `total` (the members read reach `total` on a short page that reaches
 * it) or `confirmed` (past the members read, nothing more, asked twice). Not complete: `repeat`
 * (pages held only members already read while nothing changed), `moved` (the group kept moving),
 * `maxPages`, `unseen` (no row came at all while `total` counted members). Stopped on purpose: `limit`, `until`.
 */
export type ReadEnd = 'total' | 'confirmed' | 'repeat' | 'moved' | 'maxPages' | 'unseen' | 'limit' | 'until';

export interface PaginateResult {
	members: IDataObject[];
	/** Members read (kept or not), each identity once. */
	read: number;
	/** Requests answered. */
	pagesRead: number;
	/** `total` as the first answer reported it. */
	total?: number;
	/** Every different `total` the answers reported, in order. */
	totals: number[];
	/** How many members the last `total` leaves from the start offset on. */
	expected?: number;
	header: HeaderEntry[];
	duplicates: number;
	end: ReadEnd;
	/** True only when the read showed it has every member from the start offset on. */
	complete: boolean;
	/** The page number of the last request. */
	lastPage: number;
	/** The rows read went past a `total` an answer reported: that total counted too few. */
	pastTotal: boolean;
	/** Parts read again because the group moved. */
	rereads: number;
	/** The group was seen moving while it was read (a changed total, a page out of place, a part read again). */
	moved: boolean;
	/** Members were found where no change `total` showed can have put them (they changed place). */
	misplaced: boolean;
	/** Steps past rows hidden from the User ID that no member read twice could check (`total` checked them). */
	unchecked: number;
	/** A refusal of the first request led to a smaller size. */
	stepped: boolean;
	/** The first size refused, if any. */
	refusedSize?: number;
	/** The page size of the first request answered. */
	firstServedSize?: number;
	/** The most rows one answer held (or `served` as given): the server serves pages of that many. */
	served: number;
	/**
	 * Where the members read end exactly, on a group that holds still: the first `read` members are
	 * every member the User ID may see from the start offset up to position `end` (exclusive). Set
	 * after each page taken whole at a size the server serves, or cut at Limit where no row was hidden.
	 */
	cut?: Cut;
}

/** Where the read stands after the last page taken: the next page should hold its last row. */
export interface Tail {
	/** That member's identity. */
	id?: string;
	/** The lowest and highest position the last member taken may hold. */
	lo: number;
	hi: number;
	/** Where the next page should start, at the latest, to hold that member. */
	from: number;
	/** No member to rest on: the last page came back empty (rows hidden), so the next one is taken by position. */
	bridged: boolean;
	/** The group is read again from the start: the next page is taken by position, and its rows placed afresh. */
	rebase?: boolean;
	/** What `total` had shown of the changes when it was taken. */
	at: Changes;
	/** Reads of the part after it that found nothing to rest on, so far. */
	misses: number;
}
