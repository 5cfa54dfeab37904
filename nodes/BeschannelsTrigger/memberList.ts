import { encodeMemberSet } from './memberSet';
import { ByteList, pack } from '../Beschannels/shared/identityList';
import type { AnyNewMemberState } from './state';

/**
 * The members the next state keeps, added one by one as the read takes them (then those absent
 * once), written straight into the packed form n8n saves: identities packed (members who left are
 * reported, see shared/identityList.ts) or 48-bit hashes, and with "fields changed" a 48-bit hash
 * of each member's watched values, in the same order.
 */
export class MemberList {
	/** Identities packed (see shared/identityList.ts), when members who left are reported. */
	private readonly ids: ByteList | undefined;

	private readonly hashes: ByteList | undefined;

	private readonly fields: ByteList | undefined;

	private readonly absent: number[] = [];

	/** Members read now (the absent ones left out). */
	present = 0;

	constructor(
		private readonly trackLeft: boolean,
		private readonly watched: string[] | undefined,
		/** About how many members the group has (the last poll's count). */
		expected: number,
	) {
		const room = Math.ceil(expected * 1.02);
		// a UUID packs in 17 bytes
		this.ids = trackLeft ? new ByteList(room * 17) : undefined;
		this.hashes = trackLeft ? undefined : new ByteList(room * 6);
		this.fields = watched ? new ByteList(room * 6) : undefined;
	}

	/** A member read now: its hash, identity and the hash of its watched values (0: none). */
	add(hash: number, id: string, fields: number): void {
		this.put(hash, id, fields);
		this.present++;
	}

	/**
	 * A member of the last poll that this read lacked, kept until the next complete read; without
	 * its identity it cannot be kept where identities are.
	 */
	addAbsent(hash: number, id: string | undefined, fields: number): void {
		this.absent.push(hash);
		if (this.trackLeft && id === undefined) return;
		this.put(hash, id, fields);
	}

	private put(hash: number, id: string | undefined, fields: number): void {
		if (this.ids) pack(this.ids, id!);
		else this.hashes!.addUint48(hash);
		this.fields?.addUint48(fields);
	}

	state(group: string): AnyNewMemberState {
		return {
			mode: 'anyNewMember',
			group,
			...(this.ids ? { packed: this.ids.toBase64() } : { members: this.hashes!.toBase64() }),
			...(this.absent.length > 0 && { absent: encodeMemberSet(this.absent) }),
			...(this.fields && { fields: this.fields.toBase64(), watched: this.watched }),
			count: this.present,
		};
	}
}
