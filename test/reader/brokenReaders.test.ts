/* eslint-disable @n8n/community-nodes/no-restricted-globals -- development code: runs in Node.js, never inside n8n */
import fc from 'fast-check';

import type { Page } from '../../nodes/Beschannels/shared/page';
import * as evidence from '../../nodes/Beschannels/shared/reader/evidence';
import { ReadState } from '../../nodes/Beschannels/shared/reader/state';
import { checkRead } from './readerOracle';
import { caseArb, type ReadSpec, type ServerSpec } from './serverModel';

/**
 * The property can fail: the real reader, broken on purpose in three ways a reader can go wrong,
 * fails the search of readerModel.test.ts in its default run (as many reads, the same behaviours left
 * out).
 */

jest.mock('../../nodes/Beschannels/shared/reader/evidence', () => {
	const actual = jest.requireActual<typeof evidence>('../../nodes/Beschannels/shared/reader/evidence');
	return { ...actual, anchor: jest.fn(actual.anchor) };
});

const actualAnchor = jest.requireActual<typeof evidence>('../../nodes/Beschannels/shared/reader/evidence').anchor;
const runs = Number(process.env.FUZZ_RUNS ?? 500);

/** The reader's protected steps, as the patches below reach them. */
interface Steps {
	window: { pageSize: number };
	end: string | undefined;
	take(page: Page, from: number, lastAt?: unknown): void;
	keepMember(row: unknown): void;
	read: number;
}
const steps = ReadState.prototype as unknown as Steps;

/** The property searched as in the default run: what the oracle found wrong with the smallest failing read, or 'passed'. */
async function search(moving: boolean): Promise<string> {
	const details = await fc.check(
		fc.asyncProperty(caseArb({ moving }), async ([server, read]: [ServerSpec, ReadSpec]) => fc.pre(await checkRead(server, read, moving))),
		{ numRuns: runs },
	);
	if (!details.failed) return 'passed';
	return details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
}

afterEach(() => {
	jest.restoreAllMocks();
	jest.mocked(evidence.anchor).mockImplementation(actualAnchor);
});

describe('readers broken on purpose fail the property', () => {
	it('one that drops the last row of every page it takes (counts it read, never returns it)', async () => {
		const take = steps.take;
		const keepMember = steps.keepMember;
		let last: unknown;
		jest.spyOn(steps, 'take').mockImplementation(function (this: Steps, page, from, lastAt) {
			last = page.list.at(-1);
			take.call(this, page, from, lastAt);
		});
		jest.spyOn(steps, 'keepMember').mockImplementation(function (this: Steps, row) {
			if (row === last) this.read++;
			else keepMember.call(this, row);
		});
		expect(await search(false)).toMatch(/missing|ended at its Limit with/);
	});

	it('one that takes every page as following on from the last (no overlap check)', async () => {
		jest.mocked(evidence.anchor).mockImplementation((rows, ...rest) => (rows.length > 0 ? { kind: 'anchored', index: rows.length - 1 } : actualAnchor(rows, ...rest)));
		expect(await search(true)).toMatch(/succeeded missing/);
	});

	it('one that takes a short page as the end', async () => {
		const take = steps.take;
		jest.spyOn(steps, 'take').mockImplementation(function (this: Steps, page, from, lastAt) {
			const asked = this.window.pageSize;
			take.call(this, page, from, lastAt);
			if (this.end === undefined && page.list.length < asked) this.end = 'total';
		});
		expect(await search(false)).toMatch(/missing/);
	});
});
