/**
 * Mutation testing of the reader (`npm run mutate`; docs/design/reader.md, "Mutation testing"):
 * StrykerJS mutates `nodes/Beschannels/shared/reader/` and runs, against each mutant, the tests that
 * import it from source (jest.mutate.config.js). One worker: the machine has 2 cores.
 */

// the property's reads per run against each mutant (each mutant runs every test that reaches it: at
// 30, about 6 s a mutant on 2 cores); `FUZZ_RUNS=500 npm run mutate` searches more
process.env.FUZZ_RUNS ??= '30';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
	mutate: ['nodes/Beschannels/shared/reader/**/*.ts'],
	testRunner: 'jest',
	jest: { configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
	coverageAnalysis: 'perTest',
	concurrency: 1,
	timeoutMS: 5_000,
	timeoutFactor: 1.5,
	reporters: ['clear-text', 'html', 'json', 'progress'],
	htmlReporter: { fileName: 'reports/mutation/index.html' },
	jsonReporter: { fileName: 'reports/mutation/mutation.json' },
	ignorePatterns: ['dist', 'e2e', 'docs', 'examples', 'reports', '.tmp', 'coverage'],
	cleanTempDir: 'always',
};
