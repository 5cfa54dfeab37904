/**
 * Import cycles, type-only imports included, in every folder of TypeScript the repository holds; and
 * the one direction the parts of nodes/Beschannels/shared depend in:
 *
 *   shared/*.ts (constants, fnv1a, page, toolMode, values, wait)  <-  limiter  <-  transport
 *   shared/*.ts  <-  reader  <-  items  <-  group  (group also uses transport)
 *   shared/  <-  resources/, Beschannels.node.ts, router.ts, BeschannelsTrigger/
 *
 * A part never imports a part to its right. shared/descriptions.ts, the parameters both nodes show,
 * is the one file of shared/'s top level that uses a part (group/pageSize.ts, for Page Size's bounds).
 */
const SHARED = '^nodes/Beschannels/shared/';

/** A rule that `from` (a folder of shared/) imports none of `to`. */
function oneWay(name, from, to, comment) {
	return {
		name,
		severity: 'error',
		comment,
		from: { path: `${SHARED}${from}/` },
		to: { path: `${SHARED}(${to.join('|')})/` },
	};
}

module.exports = {
	forbidden: [
		{
			name: 'no-circular',
			severity: 'error',
			comment: 'A product file imports itself back through others (type-only imports count).',
			from: {},
			to: { circular: true },
		},
		oneWay('limiter-below-transport', 'limiter', ['transport', 'reader', 'items', 'group'], 'The limiter is used by the transport and knows nothing of requests, pages or groups.'),
		oneWay('transport-below-group', 'transport', ['reader', 'items', 'group'], 'The transport sends requests; what they ask and how a group is read live above it.'),
		oneWay('reader-below-group', 'reader', ['transport', 'limiter', 'items', 'group'], 'The reader works on pages (shared/page.ts) it is handed; it knows neither the group API nor how pages are sent.'),
		oneWay('items-below-group', 'items', ['transport', 'limiter', 'group'], 'Items are made from rows and a read; reading the group is above them.'),
		{
			name: 'shared-root-below-parts',
			severity: 'error',
			comment: "shared/'s top-level modules are what every part may use: they import no folder of shared/ (descriptions.ts, the nodes' parameters, aside).",
			from: { path: `${SHARED}[^/]+\\.ts$`, pathNot: `${SHARED}descriptions\\.ts$` },
			to: { path: `${SHARED}[^/]+/` },
		},
		{
			name: 'shared-below-nodes',
			severity: 'error',
			comment: 'shared/ serves both nodes and the tool; it imports neither node, the resources nor the router.',
			from: { path: SHARED },
			to: { path: '^nodes/(BeschannelsTrigger/|Beschannels/(resources/|[^/]+\\.ts$))' },
		},
	],
	options: {
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.json' },
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '^(dist|node_modules)/' },
	},
};
