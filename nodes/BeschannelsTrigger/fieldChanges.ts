import type { IDataObject } from 'n8n-workflow';

import { FieldNames } from '../Beschannels/shared/group/fieldNames';
import { createFieldHasher } from './fieldHash';
import type { AnyNewMemberState } from './state';

const BYTES = 6;

function sameNames(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((name, index) => name === b[index]);
}

/**
 * Which members' watched fields changed since the last poll. Each member read is hashed (see
 * fieldHash.ts) and compared with the hash saved for it, 6 bytes a member in the order of the last
 * poll's members. Without saved hashes for these Fields to Watch (saved by an earlier version, with
 * the option off, or for other fields), the poll only records them: turning the option on, or
 * changing Fields to Watch, reports nothing at that poll. A member absent from a read keeps its last
 * hash, so it is compared with what was last seen when it is back.
 */
export class FieldChanges {
	private readonly before: Buffer | undefined;

	/** The hash of a row's watched values. */
	readonly hash: (row: IDataObject) => number;

	/** Whether the hashes to save differ from those saved. */
	changed: boolean;

	/** Which fields the names in Fields to Watch name (undefined: every field). */
	readonly names: FieldNames | undefined;

	constructor(
		state: AnyNewMemberState | undefined,
		readonly watched: string[],
		/** How many members the last poll saved. */
		count: number,
	) {
		const saved = state?.fields !== undefined && sameNames(state.watched ?? [], watched) ? Buffer.from(state.fields, 'base64') : undefined;
		this.before = saved?.length === count * BYTES ? saved : undefined;
		this.names = watched.length > 0 ? new FieldNames(watched) : undefined;
		this.hash = createFieldHasher(this.names);
		this.changed = this.before === undefined;
	}

	/** The hash saved for the member at `position` of the last poll (0: none yet; undefined: none at all). */
	last(position: number): number | undefined {
		return this.before && position >= 0 ? this.before.readUIntBE(position * BYTES, BYTES) : undefined;
	}

	/** Whether a member whose values hash to `now` changed since the last poll (a member without a saved hash did not). */
	differs(position: number, now: number): boolean {
		const last = this.last(position);
		return last !== undefined && last !== 0 && last !== now;
	}

	/** Records the hash read now for the member at `position` (-1: not known at the last poll). */
	see(position: number, now: number): void {
		if (this.last(position) !== now) this.changed = true;
	}
}
