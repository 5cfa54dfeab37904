/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { readOnce } from './serverModel';

// a development aid: TRACE='<counterexample JSON>' npx jest test/traceModel.test.ts prints one read
const trace = process.env.TRACE;
(trace ? it : it.skip)('traces one read', async () => {
	const [server, spec] = JSON.parse(trace!);
	const log: string[] = [];
	const read = await readOnce(server, spec, (request, total, ids) => log.push(`${request.pageNum}x${request.pageSize} total ${total}: ${ids.join(' ')}`));
	console.log([...log, `end ${read.result.end} returned ${read.returned.join(' ')}`].join('\n'));
});
