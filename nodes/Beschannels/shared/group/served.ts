/**
 * What each account's server has shown it serves, for this process: the most rows it sent in one
 * answer, and whether a read showed that is all it sends (a cap: page 1 at a bigger size held no
 * more, or a whole group was read in pages no bigger). Any size up to that sits where it is asked,
 * so reads that know it need not probe page 1 again (the tool's calls, the trigger's polls).
 */

interface Served {
	/** The most rows the server has sent in one answer. */
	rows: number;
	/** Whether it serves no more than that, however many are asked. */
	learned: boolean;
}

const servedByAccount = new Map<string, Served>();

export function servedFor(account: string): Served | undefined {
	return servedByAccount.get(account);
}

/** Remembers that the account's server sent `rows` in one answer (and, `learned`, no more however many are asked). */
export function rememberServed(account: string, rows: number, learned = false): Served {
	const known = servedByAccount.get(account);
	const served = { rows: Math.max(rows, known?.rows ?? 0), learned: learned || (known?.learned ?? false) };
	servedByAccount.set(account, served);
	return served;
}
