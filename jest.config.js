/**
 * Tests run the built package (dist/) inside n8n's engine; `npm test` builds first and runs them in
 * band, so the timing-sensitive rate-limit tests never share the CPU with another test file.
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	testTimeout: 60_000,
};
