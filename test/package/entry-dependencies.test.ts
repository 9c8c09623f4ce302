/**
 * The package entry (`lib/index`, i.e. `require('n8n-nodes-smart-id')`) and the n8n node and credential files must
 * not load the simulator's certificate toolkit: @peculiar/x509 and the reflect-metadata polyfill it needs (plus
 * tsyringe, which it brings) load only with `lib/simulator`. Each entry is loaded in a fresh Node process, from the
 * TypeScript sources (transpiled on the fly) and from dist/ when it has been built; the child then lists which of
 * those packages ended up in require.cache.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SIMULATOR_ONLY = ['reflect-metadata', '@peculiar/x509', 'tsyringe'];

// Runs in the child: a require hook that transpiles .ts with the project's TypeScript, then loads the entry.
const CHILD = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
	const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		fileName: filename,
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
	});
	module._compile(outputText, filename);
};
require(process.argv[1]);
const names = JSON.parse(process.argv[2]);
const loaded = names.filter((name) =>
	Object.keys(require.cache).some((file) => file.split(require('node:path').sep).join('/').includes('/node_modules/' + name + '/')),
);
process.stdout.write(JSON.stringify(loaded));
`;

function loadedBy(entry: string): string[] {
	const out = execFileSync(process.execPath, ['-e', CHILD, entry, JSON.stringify(SIMULATOR_ONLY)], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, NODE_OPTIONS: '' },
		timeout: 120_000,
	});
	return JSON.parse(out) as string[];
}

const sourceEntries = [
	'lib/index.ts',
	'lib/cli/verify.ts',
	'nodes/SmartId/SmartId.node.ts',
	'nodes/SmartIdTrigger/SmartIdTrigger.node.ts',
	'credentials/SmartIdApi.credentials.ts',
];
const distEntries = ['dist/lib/index.js', 'dist/nodes/SmartId/SmartId.node.js', 'dist/nodes/SmartIdTrigger/SmartIdTrigger.node.js'].filter(
	(f) => fs.existsSync(path.join(ROOT, f)),
);

describe('what the package entry loads', () => {
	it.each([...sourceEntries, ...distEntries])('%s loads neither reflect-metadata nor @peculiar/x509', (entry) => {
		expect(loadedBy(path.join(ROOT, entry))).toEqual([]);
	}, 120_000);

	it('lib/simulator does load them (so the check above can see them)', () => {
		expect(loadedBy(path.join(ROOT, 'lib/simulator/index.ts'))).toEqual(expect.arrayContaining(['reflect-metadata', '@peculiar/x509']));
	}, 120_000);

	it('the package keeps the simulator-only packages as runtime dependencies and jszip as a dev dependency', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
			dependencies: Record<string, string>;
			devDependencies: Record<string, string>;
		};
		expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['reflect-metadata', '@peculiar/x509']));
		expect(pkg.dependencies.jszip).toBeUndefined();
		expect(pkg.devDependencies.jszip).toBeDefined();
	});
});
