/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- development code: runs in Node.js, never inside n8n */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../../harness/engine';

const root = packageRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the published package', () => {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
	)[0] as { files: Array<{ path: string }> };
	const files = packed.files.map((f) => f.path);

	it('ships every file the n8n section names, with its icons and codex, and nothing else of the repo', () => {
		for (const path of [...pkg.n8n.credentials, ...pkg.n8n.nodes]) {
			expect(files).toContain(path);
			expect(existsSync(join(root, path))).toBe(true);
		}
		for (const node of ['Beschannels', 'BeschannelsTrigger']) {
			expect(files).toContain(`dist/nodes/${node}/${node}.node.json`);
			expect(files).toContain(`dist/nodes/${node}/beschannels.svg`);
			expect(files).toContain(`dist/nodes/${node}/beschannels.dark.svg`);
		}
		const outside = files.filter(
			(f) => !f.startsWith('dist/nodes/') && !f.startsWith('dist/credentials/') && !['package.json', 'README.md', 'LICENSE.md'].includes(f),
		);
		expect(outside).toEqual([]);
		expect(files.filter((f) => /\.(ts|map)$/.test(f) || /sandbox|harness|scripts|test/.test(f))).toEqual([]);
	});

	it('meets n8n\'s rules for community packages', () => {
		expect(pkg.name).toBe('n8n-nodes-beschannels');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.license).toBe('MIT');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.overrides).toBeUndefined();
		for (const forbidden of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'prepack', 'postpack']) {
			expect(pkg.scripts[forbidden]).toBeUndefined();
		}
		expect(pkg.author.email).toMatch(/@/);
		expect(pkg.homepage).toMatch(/^https:\/\//);
		expect(pkg.repository.url).toMatch(/github\.com/);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(existsSync(join(root, 'LICENSE.md'))).toBe(true);
	});

	it('nodes import nothing at run time but n8n-workflow and their own files', () => {
		const imports = files
			.filter((f) => f.endsWith('.js'))
			.flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
		const external = new Set(imports.filter((name) => !name.startsWith('.')));
		expect([...external]).toEqual(['n8n-workflow']);
	});
});
