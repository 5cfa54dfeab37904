const path = require('path');
const { src, dest, task } = require('gulp');

/** Copies node and credential icons (and codex files) next to the compiled files that use them. */
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest(path.resolve('dist')));
}

task('build:icons', buildIcons);
