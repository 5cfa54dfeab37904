// Every export of the repository's TypeScript (types included) must be used by another file: an
// export used only in its own file is not exported. knip (knip.json) finds exports no file uses, but
// keeps a type that only its own file uses when an export it is part of (a function's parameter, a
// class's method) is used elsewhere; this finds those too. Entry files (knip.json's `entry`) are
// left out, as knip leaves them out: what they export is for n8n, jest or node, not for a file here.
// Run by `npm run lint:shape`; exits 1 and names each such export.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const knip = JSON.parse(readFileSync(join(root, 'knip.json'), 'utf8'));

/** A glob of knip.json (`*`, `**`, `{a,b}`) as a regular expression over a path from the root. */
function globRegExp(glob) {
	const source = glob
		.replace(/[.+^$()|[\]\\]/g, '\\$&')
		.replace(/\{([^}]*)\}/g, (_, list) => `(${list.split(',').join('|')})`)
		.replace(/\*\*\//g, '\u0000')
		.replace(/\*/g, '[^/]*')
		.replace(/\u0000/g, '(.*/)?');
	return new RegExp(`^${source}$`);
}

const entries = knip.entry.map(globRegExp);
const project = knip.project.map(globRegExp);

function walk(dir) {
	return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
		const path = `${dir}/${entry.name}`;
		if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path);
		return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
	});
}

const files = ['nodes', 'credentials', 'sandbox', 'harness', 'scripts', 'test', 'e2e']
	.flatMap(walk)
	.filter((path) => project.some((glob) => glob.test(path)));
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const program = ts.createProgram(
	files.map((path) => join(root, path)),
	{ ...config.options, noEmit: true, incremental: false, types: ['node', 'jest'] },
);
const checker = program.getTypeChecker();
const pathOf = (sourceFile) => relative(root, sourceFile.fileName).split(sep).join('/');
const sources = program.getSourceFiles().filter((sourceFile) => files.includes(pathOf(sourceFile)));

/** The file a symbol is declared in, as a path from the root. */
function home(symbol) {
	const declaration = symbol.declarations?.[0];
	return declaration ? pathOf(declaration.getSourceFile()) : undefined;
}

/** The names the files export: only an identifier spelled as one can refer to an export. */
const names = new Set();
for (const sourceFile of sources) {
	const module = checker.getSymbolAtLocation(sourceFile);
	for (const exported of module ? checker.getExportsOfModule(module) : []) names.add(exported.name);
}

const usedElsewhere = new Set();
for (const sourceFile of sources) {
	const here = pathOf(sourceFile);
	const visit = (node) => {
		if (ts.isIdentifier(node) && names.has(node.text)) {
			let symbol = checker.getSymbolAtLocation(node);
			if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
			if (symbol && home(symbol) !== here) usedElsewhere.add(symbol);
		}
		ts.forEachChild(node, visit);
	};
	visit(sourceFile);
}

const found = [];
for (const sourceFile of sources) {
	const path = pathOf(sourceFile);
	if (entries.some((glob) => glob.test(path))) continue;
	const module = checker.getSymbolAtLocation(sourceFile);
	if (!module) continue;
	for (const exported of checker.getExportsOfModule(module)) {
		const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
		if (home(symbol) !== path || usedElsewhere.has(symbol)) continue;
		const line = sourceFile.getLineAndCharacterOfPosition(symbol.declarations[0].getStart()).line + 1;
		found.push(`${path}:${line}  ${exported.name}`);
	}
}

if (found.length > 0) {
	console.error(`Exports no other file uses (remove \`export\`, or use them from where they are needed):\n  ${found.join('\n  ')}`);
	process.exit(1);
}
