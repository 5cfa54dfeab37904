/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { Engine } from '../harness/engine';
import { listParams } from '../harness/params';
import { BeschannelsSandbox, GROUP_USER_LIST_PATH } from '../sandbox/server';

/**
 * The main job, end to end and without an account: start the bundled Beschannels sandbox, run the
 * built Beschannels node inside n8n's execution engine against it (Return All over a 250-member
 * group), print every item it emits and a summary line.
 */
async function main() {
	const sandbox = new BeschannelsSandbox({ latencyMs: 40, pageCap: 100 });
	const baseUrl = await sandbox.start();
	try {
		const engine = new Engine({ baseUrl, authMode: 'accessToken', accessToken: sandbox.token });
		const started = Date.now();
		const result = await engine.runNode({ parameters: listParams({ options: { addIsoDate: true } }) });
		const seconds = (Date.now() - started) / 1000;
		if (result.error) {
			console.error(`The node failed: ${result.error.message}\n${result.error.description ?? ''}`);
			process.exitCode = 1;
			return;
		}
		for (const item of result.items) console.log(JSON.stringify(item.json));
		const pages = sandbox.log.filter((r) => r.path === GROUP_USER_LIST_PATH).length;
		const scoreFields = new Set(result.items.flatMap((i) => Object.keys(i.json).filter((k) => k.startsWith('score_'))));
		console.log(
			`\nBeschannels demo: ${result.items.length} members, ${pages} pages, ${seconds.toFixed(2)} s ` +
				`(group leads_schema_data/1001 from the sandbox at ${baseUrl}; ${scoreFields.size} distinct score_<modelId> fields)`,
		);
	} finally {
		await sandbox.stop();
	}
}

void main();
