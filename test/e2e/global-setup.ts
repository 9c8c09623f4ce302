/**
 * Jest globalSetup of the e2e project. Jest runs it once, before the first e2e suite, and only when e2e tests are
 * selected (`npm test`, `npm run test:e2e`; not `--selectProjects unit`). It makes `npm ci && npm test` on a fresh
 * clone run the e2e suites the way .ci/run does:
 *
 * 1. installs the real n8n runtime (Node 24 + n8n 2.40.7, about 3 GB, 3-10 minutes) with scripts/n8n-runtime.sh
 *    when it is missing. The script's progress goes straight to our stderr, including a line every 15 s with the
 *    elapsed time and the MB installed so far, so the wait never looks like a hang;
 * 2. builds the package (`npm run build`) when dist/ is missing or older than the sources, because the e2e suites
 *    install the BUILT package into n8n.
 *
 * SMARTID_E2E_INSTALL=0 skips the install: the suites then skip with a message (or fail with E2E_REQUIRED=1, as in
 * CI). A failed install fails the run when E2E_REQUIRED is set and otherwise leaves the suites to skip.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtFilesMissing, findRuntime, REPO_ROOT } from './harness';

const say = (text: string): void => void process.stderr.write(`[e2e setup] ${text}\n`);

function isOn(name: string): boolean {
	const value = process.env[name] ?? '';
	return value !== '' && value !== '0';
}

/** Runs a command with stdout and stderr passed through (so its progress is seen live); resolves with the exit code. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
	return new Promise((resolve, reject) => {
		// stdout of the install script is its KEY=VALUE summary: shown too, it is short.
		const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', reject);
		child.on('close', (code) => resolve(code ?? 1));
	});
}

/** Newest modification time (ms) of the files under the given paths (folders walked, node_modules skipped). */
function newestMtime(paths: string[]): number {
	let newest = 0;
	const visit = (p: string): void => {
		let stat: fs.Stats;
		try {
			stat = fs.statSync(p);
		} catch {
			return;
		}
		if (stat.isDirectory()) {
			for (const entry of fs.readdirSync(p)) if (entry !== 'node_modules') visit(path.join(p, entry));
		} else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
	};
	for (const p of paths) visit(path.join(REPO_ROOT, p));
	return newest;
}

/** Why dist/ must be (re)built, or null when it is complete and newer than every source. */
function buildReason(): string | null {
	const missing = builtFilesMissing();
	const entry = path.join(REPO_ROOT, 'dist', 'lib', 'index.js');
	if (missing.length > 0 || !fs.existsSync(entry)) return 'dist/ is missing';
	const sources = ['lib', 'nodes', 'credentials', 'icons', 'package.json', 'tsconfig.json', 'gulpfile.js', 'scripts/copy-assets.js'];
	if (newestMtime(sources) > fs.statSync(entry).mtimeMs) return 'the sources are newer than dist/';
	return null;
}

async function ensureRuntime(): Promise<void> {
	if (findRuntime()) return;
	if (process.env.SMARTID_E2E_INSTALL === '0') {
		say('the real n8n runtime is missing and SMARTID_E2E_INSTALL=0: not installing it');
		return;
	}
	say('the real n8n runtime (Node 24 + n8n 2.40.7) is missing: installing it with scripts/n8n-runtime.sh, as CI does');
	say('about 3 GB from the npm registry, usually 3-10 minutes; a progress line follows every 15 s');
	const started = Date.now();
	const code = await run('bash', [path.join(REPO_ROOT, 'scripts', 'n8n-runtime.sh')]);
	if (code === 0 && findRuntime()) {
		say(`runtime installed in ${Math.round((Date.now() - started) / 1000)} s`);
		return;
	}
	const message = `scripts/n8n-runtime.sh failed (exit ${code}); see its output above`;
	if (isOn('E2E_REQUIRED')) throw new Error(message);
	say(`${message}. The e2e suites will be skipped.`);
}

async function ensureBuild(): Promise<void> {
	if (process.env.SMARTID_PACKAGE_ROOT) return; // the harness installs that package as it is
	const reason = buildReason();
	if (!reason) return;
	say(`${reason}: running npm run build (the e2e suites install the built package into n8n)`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const code = await run(npm, ['run', 'build']);
	if (code !== 0) throw new Error(`npm run build failed (exit ${code}); see its output above`);
}

export default async function globalSetup(): Promise<void> {
	await ensureRuntime();
	// Only worth building when the suites will run.
	if (findRuntime()) await ensureBuild();
}
