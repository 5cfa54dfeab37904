/* eslint-disable @n8n/community-nodes/no-restricted-globals, no-console -- development code: runs in Node.js, never inside n8n */
import { BeschannelsSandbox, DEFAULT_GROUPS, DEFAULT_USER_ID } from './server';

/**
 * Runs the sandbox on its own so a real n8n can be pointed at it:
 *   npm run sandbox -- --port 8787 --latency 50 --cap 100 --token my-token --members 250
 * (--port 0 picks a free port; --token a,b accepts several tokens; --app-id/--app-secret/--token-lifetime enable App ID tokens;
 * --offsets asked skips page_size as asked per page; --max-page-size N refuses larger page sizes.)
 */
function arg(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index === -1 ? undefined : process.argv[index + 1];
}

async function main() {
	const token = arg('token');
	const sandbox = new BeschannelsSandbox({
		port: Number(arg('port') ?? 8787),
		latencyMs: Number(arg('latency') ?? 0),
		pageCap: Number(arg('cap') ?? 100),
		tokens: token ? token.split(',') : undefined,
		apps: arg('app-id') ? [{ appId: arg('app-id')!, appSecret: arg('app-secret') ?? '' }] : undefined,
		tokenLifetimeSeconds: arg('token-lifetime') ? Number(arg('token-lifetime')) : undefined,
		offsets: arg('offsets') === 'asked' ? 'asked' : undefined,
		maxPageSize: arg('max-page-size') ? { limit: Number(arg('max-page-size')) } : undefined,
		rateLimit: arg('rate-limit') ? { perSecond: Number(arg('rate-limit')), answer: 'code' } : undefined,
		groups: arg('members')
			? DEFAULT_GROUPS.map((g, i) => (i === 0 ? { ...g, size: Number(arg('members')) } : g))
			: undefined,
	});
	const url = await sandbox.start();
	const lines = [
		`Beschannels sandbox listening on ${url}`,
		`  Base URL:     ${url}`,
		`  Access token: ${sandbox.token}`,
		`  User ID:      ${DEFAULT_USER_ID}`,
		...sandbox.options.groups.map(
			(g) => `  Group:        group_obj=${g.groupObj} groupId=${g.groupId} (${g.size} members)`,
		),
		`  Admin:        ${url}/__sandbox/state`,
	];
	console.log(lines.join('\n'));
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
