import fc from 'fast-check';

/**
 * Loaded before each test file of a mutation run (jest.mutate.config.js): a property that fails
 * stops at its first counterexample instead of shrinking it, since a mutation run only needs to know
 * that it failed.
 */
fc.configureGlobal({ endOnFailure: true });
