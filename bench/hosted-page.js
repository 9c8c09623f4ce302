#!/usr/bin/env node
'use strict';
/**
 * Cost of open hosted pages (completion "Hosted Page") in a real n8n 2.40.7: n8n's CPU (main process and its task
 * runner, i.e. the whole process group) while idle, then with N pages open in headless chromium for S seconds
 * (each page asks for a QR image and its state once a second), and the latency of those page hits as chromium
 * measured them. Same n8n, same run, against the offline simulator.
 *
 *   npm run build && node bench/hosted-page.js [--pages 10] [--seconds 60] [--idle-seconds 30]
 *
 * Database work per hit is n8n's own: its waiting-webhook path loads the execution (with data) once per request;
 * the node adds no database access (its session is read from the session store at most every 2 s per page and
 * Smart-ID is asked by one long poll per session, not per hit). Results are appended to bench/hosted-page.results.md.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// Reuse the e2e harness and browser helpers (TypeScript) through a transpile-only require hook.
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
	const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		fileName: filename,
	});
	module._compile(out.outputText, filename);
};
const { findRuntime, N8nInstance, killAllChildren, sleep } = require('../test/e2e/harness.ts');
const { launchBrowser } = require('../test/helpers/browser.ts');
const { startSimulator, simulatorCredentialData } = require('../dist/lib/simulator');

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const PAGES = arg('--pages', 10);
const SECONDS = arg('--seconds', 60);
const IDLE_SECONDS = arg('--idle-seconds', 30);
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds used so far by every process of a process group (n8n and its task runner). */
function groupCpuSeconds(pgid) {
	let ticks = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// After "pid (comm) ": state(0) ppid(1) pgrp(2) ... utime(11) stime(12)
		if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
	}
	return ticks / TICKS;
}

function quantile(sorted, q) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function workflow() {
	return {
		name: 'Hosted page bench',
		nodes: [
			{ id: 'b1', name: 'Start', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'hosted-page-bench', parameters: { httpMethod: 'POST', path: 'hosted-page-bench', responseMode: 'responseNode', options: {} } },
			{ id: 'b2', name: 'Send link', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [200, 0], parameters: { respondWith: 'json', responseBody: '={{ { "pageUrl": $execution.resumeUrl } }}', options: {} } },
			{
				id: 'b3',
				name: 'Page',
				type: 'n8n-nodes-smart-id.smartId',
				typeVersion: 1,
				position: [400, 0],
				credentials: { smartIdApi: { id: 'smartIdBench1', name: 'Smart-ID simulator' } },
				parameters: { resource: 'authentication', operation: 'authenticate', flow: 'notification', identifyBy: 'documentNumber', documentNumber: 'PNOEE-40404040009-MOCK-Q', displayText: 'Bench', completion: 'hostedPage', pageMinutes: 10 },
			},
		],
		connections: { Start: { main: [[{ node: 'Send link', type: 'main', index: 0 }]] }, 'Send link': { main: [[{ node: 'Page', type: 'main', index: 0 }]] } },
	};
}

async function main() {
	const runtime = findRuntime();
	if (!runtime) throw new Error('the n8n runtime is not installed: run scripts/n8n-runtime.sh');
	const sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-bench-simulator-state'), sessionTimeoutMs: (SECONDS + 120) * 1000 });
	const n8n = new N8nInstance(runtime);
	let browser;
	try {
		const data = { ...simulatorCredentialData(sim, path.join(n8n.userFolder, 'smart-id-sessions')), sessionRecordKey: 'hosted-page-bench-record-key-0123456789' };
		await n8n.installPackage();
		await n8n.importCredentials([{ id: 'smartIdBench1', name: 'Smart-ID simulator', type: 'smartIdApi', data }]);
		await n8n.start();
		const pgid = n8n.server.pid;
		const id = await n8n.createWorkflow(workflow());
		await n8n.activate(id);
		await sleep(5000);

		const idle0 = groupCpuSeconds(pgid);
		await sleep(IDLE_SECONDS * 1000);
		const idleCpu = (groupCpuSeconds(pgid) - idle0) / IDLE_SECONDS;

		const urls = [];
		for (let i = 0; i < PAGES; i++) {
			const res = await n8n.callWebhook('hosted-page-bench', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			urls.push((await res.json()).pageUrl);
		}
		browser = await launchBrowser();
		const timings = { qr: [], status: [] };
		let failures = 0;
		let measuring = false;
		const pages = [];
		for (const url of urls) {
			const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
			const page = await context.newPage();
			page.on('requestfinished', async (request) => {
				if (!measuring) return;
				const kind = request.url().includes('hp=qr') ? 'qr' : request.url().includes('hp=status') ? 'status' : undefined;
				if (!kind) return;
				const t = request.timing();
				timings[kind].push(t.responseEnd - Math.max(0, t.requestStart));
			});
			page.on('requestfailed', () => measuring && failures++);
			await page.goto(url);
			pages.push(page);
		}
		await sleep(3000);
		measuring = true;
		const busy0 = groupCpuSeconds(pgid);
		await sleep(SECONDS * 1000);
		const busyCpu = (groupCpuSeconds(pgid) - busy0) / SECONDS;
		measuring = false;
		const hits = timings.qr.length + timings.status.length;

		const lines = [];
		const ms = (v) => `${v.toFixed(0)} ms`;
		const row = (label, list) => {
			const sorted = [...list].sort((a, b) => a - b);
			return `| ${label} | ${list.length} | ${(list.length / SECONDS).toFixed(1)} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.95))} | ${ms(sorted[sorted.length - 1] ?? NaN)} |`;
		};
		lines.push(`### ${new Date().toISOString()} · ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}) · load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} · n8n ${runtime.version}`);
		lines.push('');
		lines.push(`${PAGES} pages open for ${SECONDS} s (idle measured ${IDLE_SECONDS} s before, same n8n):`);
		lines.push('');
		lines.push('| n8n (main + task runner) | CPU (cores) |');
		lines.push('|---|---|');
		lines.push(`| idle | ${idleCpu.toFixed(3)} |`);
		lines.push(`| ${PAGES} pages open | ${busyCpu.toFixed(3)} |`);
		lines.push(`| per open page | ${((busyCpu - idleCpu) / PAGES).toFixed(3)} |`);
		lines.push(`| per page hit | ${(((busyCpu - idleCpu) * SECONDS) / Math.max(1, hits) * 1000).toFixed(1)} ms CPU |`);
		lines.push('');
		lines.push('| page hits | count | per s | p50 | p95 | max |');
		lines.push('|---|---|---|---|---|---|');
		if (timings.qr.length) lines.push(row('QR image (first load only)', timings.qr));
		lines.push(row('state + next QR (one hit)', timings.status));
		lines.push('');
		lines.push(`Failed requests: ${failures}. Database: one execution load per hit (n8n's waiting-webhook path); the node adds none.`);
		const text = lines.join('\n');
		process.stdout.write(`${text}\n`);
		fs.appendFileSync(path.join(__dirname, 'hosted-page.results.md'), `\n${text}\n`);
	} finally {
		await browser?.close();
		await n8n.cleanup();
		await killAllChildren();
		await sim.stop();
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
