/**
 * The fast loop (`npm run test:fast`): every test file that does not wait on real time. The files
 * below do: they read groups through n8n's engine at the API's 10 requests a second over many pages,
 * wait out retries, token lifetimes or poll budgets, stop executions mid-wait, or run n8n processes
 * side by side. They run in `npm test` (jest.config.js), as does everything here.
 */
const base = require('./jest.config');

/** Paths under test/, without `.test.ts`. */
const REAL_TIME = [
	'node/completeness',
	'node/pageSize',
	'reader/movingGroup',
	'reader/readerChanges',
	'reader/readerFindings',
	'reader/realServers',
	'tool/toolPaging',
	'transport/appCredentials',
	'transport/faults',
	'transport/processes',
	'transport/rateLimit',
	'transport/stop',
	'transport/stop.n8n1',
	'trigger/trigger',
	'trigger/triggerMoving',
	'trigger/triggerUpdates',
];

module.exports = {
	...base,
	testPathIgnorePatterns: ['/node_modules/', ...REAL_TIME.map((name) => `/test/${name.replace('.', '\\.')}\\.test\\.ts$`)],
};
