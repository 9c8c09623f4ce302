#!/usr/bin/env node
'use strict';
/**
 * Sign PDF streamed in a real n8n 2.40.7 (binary data mode `filesystem`): a production webhook runs
 * Read file → Sign PDF (simulator, notification, Wait for Completion; the simulator's mock app confirms at once,
 * B-T) → Write file on a generated PDF of --size-mib MiB (bench/sign-pdf.js's writer). Prints, from the same run:
 * the Sign PDF node's wall time (n8n's runData executionTime) next to `sha256sum` of the same file; n8n's main
 * process peak RSS during the run (VmHWM, reset after warm-up; plus the highest sampled VmRSS) next to its idle RSS.
 * Targets: Sign PDF <= 1.5 × sha256sum, RSS increase < 200 MB. The written PDF is checked with pdfsig (not timed).
 *
 *   npm run build && node bench/sign-pdf-n8n.js [--size-mib 200] [--mode filesystem|default] [--completion wait|start]
 *
 * With --completion start the workflow ends at Sign PDF (it stores a self-contained session record; its size on
 * disk is printed) and no PDF is written or checked.
 *
 * Results are appended to bench/sign-pdf-n8n.results.md.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Reuse the e2e harness (TypeScript) through a transpile-only require hook, as bench/hosted-page.js does.
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
	const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		fileName: filename,
	});
	module._compile(out.outputText, filename);
};
const { findRuntime, N8nInstance, killAllChildren, sleep } = require('../test/e2e/harness.ts');
const { startSimulator, simulatorCredentialData } = require('../dist/lib/simulator');
const { generatePdf } = require('./sign-pdf.js');

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const SIZE_MIB = arg('--size-mib', 200);
const text = (name, fallback) => {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
// n8n's binary data mode ('filesystem', or 'default' = in memory) and the Sign PDF completion ('wait' streams the
// input by reference; 'start' stores a self-contained record, so the workflow ends at Sign PDF).
const MODE = text('--mode', 'filesystem');
const COMPLETION = text('--completion', 'wait');
const DOC = 'PNOEE-40404040009-MOCK-Q';

/** kB figures of /proc/<pid>/status. */
function status(pid) {
	const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
	return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function workflow(filesDir) {
	const node = (id, name, type, typeVersion, position, parameters, extra = {}) => ({ id, name, type, typeVersion, position, parameters, ...extra });
	const nodes = [
			node('w1', 'Start', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: 'sign-pdf-bench', responseMode: 'lastNode', options: {} }, { webhookId: 'sign-pdf-bench' }),
			node('w2', 'Read file', 'n8n-nodes-base.readWriteFile', 1.1, [200, 0], { operation: 'read', fileSelector: '={{ $json.body.input }}', options: {} }),
			node('w3', 'Sign PDF', 'n8n-nodes-smart-id.smartId', 1, [400, 0], {
				resource: 'pdf',
				operation: 'signPdf',
				pdfPropertyName: 'data',
				outputBinaryPropertyName: 'data',
				identifyBy: 'documentNumber',
				documentNumber: DOC,
				interactionType: 'displayTextAndPIN',
				displayText: 'Sign the bench PDF',
				completion: COMPLETION,
				waitTimeoutSeconds: 120,
				padesLevel: 'B-T',
				visibleSignature: 'none',
			}, { credentials: { smartIdApi: { id: 'smartIdBench1', name: 'Smart-ID simulator' } } }),
			node('w4', 'Write file', 'n8n-nodes-base.readWriteFile', 1.1, [600, 0], { operation: 'write', fileName: `={{ "${filesDir}/signed-" + $('Start').first().json.body.name }}`, dataPropertyName: 'data', options: {} }),
	];
	const connections = {
		Start: { main: [[{ node: 'Read file', type: 'main', index: 0 }]] },
		'Read file': { main: [[{ node: 'Sign PDF', type: 'main', index: 0 }]] },
		'Sign PDF': { main: [[{ node: 'Write file', type: 'main', index: 0 }]] },
	};
	if (COMPLETION === 'start') {
		nodes.pop();
		delete connections['Sign PDF'];
	}
	return { name: 'Sign PDF n8n bench', nodes, connections };
}

async function main() {
	const runtime = findRuntime();
	if (!runtime) throw new Error('the n8n runtime is not installed: run scripts/n8n-runtime.sh');
	const sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-bench-simulator-state'), notificationDelayMs: 0, prewarm: [DOC] });
	const n8n = new N8nInstance(runtime, { env: { N8N_DEFAULT_BINARY_DATA_MODE: MODE } });
	try {
		await n8n.installPackage();
		const sessions = path.join(n8n.userFolder, 'smart-id-sessions');
		const recordKey = { sessionRecordKey: 'sign-pdf-n8n-bench-record-key-0123456789' };
		await n8n.importCredentials([{ id: 'smartIdBench1', name: 'Smart-ID simulator', type: 'smartIdApi', data: { ...simulatorCredentialData(sim, sessions), ...recordKey } }]);
		const small = path.join(n8n.filesDir, 'small.pdf');
		const big = path.join(n8n.filesDir, 'big.pdf');
		generatePdf(small, 1024 * 1024);
		generatePdf(big, SIZE_MIB * 1024 * 1024);
		await n8n.start();
		const pid = n8n.server.pid;
		const id = await n8n.createWorkflow(workflow(n8n.filesDir));
		await n8n.activate(id);
		const call = async (name, file) => {
			const res = await n8n.callWebhook('sign-pdf-bench', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: file, name }) }, 600_000);
			if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
			await res.text();
		};
		// Warm-up on a 1 MiB PDF: module loading, key material, first-use caches (not measured).
		await call('small.pdf', small);
		await call('small.pdf', small);
		await sleep(3000);
		const idle = status(pid);
		// Reset VmHWM to the current RSS, so the peak below is this run's (Linux clear_refs "5").
		fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
		let sampled = 0;
		const sampler = setInterval(() => {
			sampled = Math.max(sampled, status(pid).rss);
		}, 20);
		const wall0 = process.hrtime.bigint();
		await call('big.pdf', big);
		const workflowWallMs = Math.round(Number(process.hrtime.bigint() - wall0) / 1e6);
		clearInterval(sampler);
		const peak = status(pid);

		execFileSync('cat', [big], { stdio: ['ignore', 'ignore', 'ignore'] });
		let t = process.hrtime.bigint();
		execFileSync('sha256sum', [big], { encoding: 'utf8' });
		const sha256sumMs = Number(process.hrtime.bigint() - t) / 1e6;

		const executions = await n8n.waitForExecutions(id, (list) => list.length >= 3 && list.every((e) => e.finished), 60_000);
		// The big run is the newest (highest id).
		const newest = executions.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
		const runData = newest.data?.resultData?.runData ?? {};
		// n8n's public API returns no run data for some executions (seen in memory mode with 100 MiB binaries): null then.
		const ms = (name) => runData[name]?.[0]?.executionTime ?? null;
		const signed = path.join(n8n.filesDir, 'signed-big.pdf');
		const pdfsig = COMPLETION === 'wait' ? execFileSync('pdfsig', ['-nocert', signed], { encoding: 'utf8', maxBuffer: 1 << 20 }) : '';
		const records = fs.existsSync(sessions) ? fs.readdirSync(sessions, { recursive: true }).map((f) => path.join(sessions, String(f))).filter((f) => fs.statSync(f).isFile()) : [];
		const recordBytes = Math.max(0, ...records.map((f) => fs.statSync(f).size));
		const signMs = ms('Sign PDF');
		const mb = (kb) => Math.round(kb / 1024);
		const result = {
			bench: 'sign-pdf-n8n',
			n8n: runtime.version,
			node: process.version,
			cpus: os.cpus().length,
			loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
			binaryDataMode: MODE,
			completion: COMPLETION,
			inputBytes: fs.statSync(big).size,
			...(COMPLETION === 'wait' ? { outputBytes: fs.statSync(signed).size } : { largestSessionRecordBytes: recordBytes }),
			sha256sumMs: Math.round(sha256sumMs),
			signPdfMs: signMs,
			readFileMs: ms('Read file'),
			...(COMPLETION === 'wait' ? { writeFileMs: ms('Write file') } : {}),
			workflowWallMs,
			ratioSignPdfToSha256sum: signMs === null ? null : Number((signMs / sha256sumMs).toFixed(2)),
			n8nIdleRssMiB: mb(idle.rss),
			n8nPeakRssMiB: mb(peak.hwm),
			n8nPeakSampledRssMiB: mb(sampled),
			rssIncreaseMiB: mb(peak.hwm - idle.rss),
			...(COMPLETION === 'wait' ? { pdfsigValid: /Signature is Valid/.test(pdfsig), pdfsigTotalDocumentSigned: /Total document signed/.test(pdfsig) } : {}),
			targets: { ratio: 1.5, rssIncreaseMB: 200 },
			met: signMs !== null && signMs / sha256sumMs <= 1.5 && ((peak.hwm - idle.rss) * 1024) / 1e6 < 200,
		};
		const line = JSON.stringify(result);
		process.stdout.write(`${line}\n`);
		fs.appendFileSync(path.join(__dirname, 'sign-pdf-n8n.results.md'), `\n${new Date().toISOString()}\n\n\`\`\`json\n${line}\n\`\`\`\n`);
	} finally {
		await n8n.cleanup();
		await killAllChildren();
		await sim.stop();
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
