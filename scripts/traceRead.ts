/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { readOnce } from '../test/reader/serverModel';

/**
 * One read of the reader's model, request by request: `npm run reader:trace -- '<counterexample JSON>'`
 * (the `[server, read]` pair a failed search prints) shows each page asked, the total it announced and
 * the members it held, then how the read ended and what it returned.
 */

async function main(): Promise<void> {
	const given = process.argv[2];
	if (!given) {
		console.error("usage: npm run reader:trace -- '<counterexample JSON: [server, read]>'");
		process.exitCode = 2;
		return;
	}
	const [server, spec] = JSON.parse(given);
	const log: string[] = [];
	const read = await readOnce(server, spec, (request, total, ids) => log.push(`${request.pageNum}x${request.pageSize} total ${total}: ${ids.join(' ')}`));
	console.log([...log, `end ${read.result.end} returned ${read.returned.join(' ')}`].join('\n'));
}

void main();
