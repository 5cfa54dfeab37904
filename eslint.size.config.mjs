// Size and complexity limits for the product's code (nodes/, credentials/), run by `npm run lint`
// beside n8n's own configuration (eslint.config.mjs, which n8n's strict mode requires unchanged).
import parser from '@typescript-eslint/parser';

export default [
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser },
		rules: {
			'max-lines': ['error', { max: 300 }],
			'max-lines-per-function': ['error', { max: 60 }],
			complexity: ['error', 15],
		},
	},
];
