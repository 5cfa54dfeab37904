import { configs as communityNodes } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

/**
 * n8n's rules for community nodes (recommended: n8n Cloud rules included), plus the older
 * eslint-plugin-n8n-nodes-base rules for node and credential files. Where the two disagree, the
 * community plugin wins and the older rule is switched off below with the reason.
 */
export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
		...communityNodes.recommended,
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// The community plugin requires NodeConnectionTypes.Main (node-connection-type-literal);
			// this older rule asks for the string 'main' instead.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.credentials.rules },
	},
	{
		// package rules (no runtime dependencies, peer dependencies, lifecycle scripts, author, ...)
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		...communityNodes.recommended,
		plugins: { ...communityNodes.recommended.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: { ...communityNodes.recommended.rules, ...n8nNodesBase.configs.community.rules },
	},
);
