/**
 * The tests a mutation run (`npm run mutate`, stryker.config.mjs) runs against each mutant of the
 * reader: the ones that import `nodes/Beschannels/shared/reader/` from source, through ts-jest. The
 * property (readerModel, at the FUZZ_RUNS the Stryker config sets), the named cases the search found
 * (readerCounterexamples), the cases in readerMutants, paginate's cases and the request bounds
 * (readerCost). Engine tests load dist/ and never see a mutant; readerProperties waits on real timers
 * (20 s a run); readerRealServers holds cases the reader does not survive yet (a mutant can only
 * make one pass), and brokenReaders judges the oracle, not the reader.
 */
const base = require('./jest.config');

const SOURCE_LEVEL = ['readerModel', 'readerCounterexamples', 'readerMutants', 'paginate', 'readerCost'];

module.exports = {
	...base,
	testMatch: SOURCE_LEVEL.map((name) => `**/test/reader/${name}.test.ts`),
	setupFiles: ['<rootDir>/test/support/mutateSetup.ts'],
};
