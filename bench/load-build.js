#!/usr/bin/env node
'use strict';
/**
 * Load bench: N concurrent ASiC-E builds (buildAsice with the Smart-ID notification signer: RAW_DIGEST_SIGNATURE
 * session + validation, RFC 3161 timestamp and OCSP from the simulator, XAdES baseline LT, container written to
 * disk) of three small files each, next to a reference measured in the same run that does the same external work
 * without our code: per build one bare signature session (POST S4 + long-poll status, node:http), one POST of a
 * ready-made `openssl ts -query` to the TSA, one POST of a ready-made `openssl ocsp -reqout` request, and the
 * system `zip` over the same files. A third figure is `zip` alone.
 *
 *   npm run build && node bench/load-build.js [--builds 200] [--max-sockets 16] [--delay-ms 50] [--parallel 0]
 *     [--global-agent default|close] [--state-dir DIR]
 *   (SMARTID_DIST=<build output> runs against another build; results: bench/load-results.md)
 *
 * Same process layout and figures as bench/load-auth.js. Traffic stays on 127.0.0.1; temp files are removed.
 */
const crypto = require('node:crypto');
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const common = require('./load-common');

const DOC = 'PNOEE-40504040001-DEM0-Q';
const builds = common.numberArg('--builds', 200, 1, 5000);
const maxSockets = common.numberArg('--max-sockets', 16, 1, 1024);
const delayMs = common.numberArg('--delay-ms', 50, 0, 10000);
const stateDir = common.arg('--state-dir', path.resolve(__dirname, '..', '.cache', 'load-sim-state'));
const phase = common.arg('--phase', '');
// 0 = every build runs at once; N = at most N builds in progress (a caller-side limit), the rest wait their turn.
const parallel = common.numberArg('--parallel', 0, 0, 5000);
// Diagnostic: `--global-agent close` makes node:http's global agent open a new connection per request (the TSA
// and OCSP clients use it), to tell keep-alive reuse races apart from other failures.
const globalAgent = common.arg('--global-agent', 'default');
if (!['default', 'close'].includes(globalAgent)) {
	console.error('--global-agent must be default or close');
	process.exit(2);
}
const WARMUP = 5;
const JOB_LIMIT_MS = 180_000;

/** Three small files: text, JSON, random bytes. */
function writeInputs(dir) {
	const files = [
		{ name: 'letter.txt', data: 'Tere! '.repeat(200) },
		{ name: 'data.json', data: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ i, v: `value ${i}` }))) },
		{ name: 'scan.bin', data: crypto.randomBytes(16 * 1024) },
	];
	for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.data);
	return files.map((f) => ({ name: f.name, path: path.join(dir, f.name) }));
}

/** `job` behind a semaphore of `--parallel` slots (unlimited when 0); the wait counts in the job's latency. */
function limited(job) {
	if (!parallel) return job;
	let free = parallel;
	const waiting = [];
	return async (i) => {
		if (free > 0) free--;
		else await new Promise((resolve) => waiting.push(resolve));
		try {
			return await job(i);
		} finally {
			const next = waiting.shift();
			if (next) next();
			else free++;
		}
	};
}

/** Our engine: buildAsice + smartIdDigestSigner, wired as lib/cli/sign.ts does. */
async function enginePhase(sim, work) {
	const root = common.distRoot();
	const { SmartIdClient } = require(path.join(root, 'lib', 'rp-api'));
	const { TrustStore } = require(path.join(root, 'lib', 'pki'));
	const { buildAsice } = require(path.join(root, 'lib', 'asice', 'sign'));
	const { smartIdDigestSigner, smartIdSigningCertificate } = require(path.join(root, 'lib', 'asice', 'sign', 'smart-id-signer'));
	if (globalAgent === 'close') http.globalAgent = new http.Agent({ keepAlive: false });
	const baselineSockets = common.openSockets();
	const client = new SmartIdClient({ baseUrl: sim.baseUrl, maxSockets });
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { client, relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, trust, target: { documentNumber: DOC } };
	const chosen = await smartIdSigningCertificate(rp);
	const sign = smartIdDigestSigner({ ...rp, documentNumber: chosen.documentNumber });
	const files = JSON.parse(fs.readFileSync(path.join(work, 'files.json'), 'utf8'));
	let sizes = 0;
	const one = async (i) => {
		const built = await buildAsice({
			files,
			signerCertificate: chosen.certificateBase64,
			hashAlgorithm: 'SHA-256',
			out: path.join(work, 'out', `engine-${i}.asice`),
			tsaUrl: sim.tsaUrl,
			ocspUrl: sim.ocspUrl,
			trust,
			certificates: chosen.chain.slice(1),
			sign,
		});
		sizes += built.size;
	};
	for (let i = 0; i < WARMUP; i++) await one(`warm-${i}`);
	sizes = 0;
	const sampler = common.startSampler();
	const run = await common.runConcurrent(builds, limited(one), JOB_LIMIT_MS);
	const peaks = sampler.stop();
	client.close();
	return { ...run, ...peaks, maxOpenSockets: peaks.maxOpenSockets - baselineSockets, baselineSockets, meanContainerBytes: Math.round(sizes / Math.max(1, run.ok)) };
}

function zipFiles(work, out) {
	return new Promise((resolve, reject) => {
		execFile('zip', ['-q', '-X', '-j', out, ...['letter.txt', 'data.json', 'scan.bin'].map((n) => path.join(work, n))], { timeout: 60_000 }, (error) =>
			error ? reject(error) : resolve(),
		);
	});
}

/** The same external work without our code (see the header), or only `zip` when `zipOnly`. */
async function referencePhase(sim, work, zipOnly) {
	const baselineSockets = common.openSockets();
	const agent = new http.Agent({ keepAlive: true, maxSockets });
	const request = (method, url, body, type) =>
		new Promise((resolve, reject) => {
			const headers = body ? { 'content-type': type, 'content-length': body.length } : {};
			const req = http.request(url, { method, agent, headers }, (res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${method} ${url} → HTTP ${res.statusCode}`))));
				res.on('error', reject);
			});
			req.setTimeout(JOB_LIMIT_MS, () => req.destroy(new Error('socket timeout')));
			req.on('error', reject);
			req.end(body);
		});
	const tsq = fs.readFileSync(path.join(work, 'req.tsq'));
	const ocspReq = fs.readFileSync(path.join(work, 'req.ocsp'));
	const interactions = Buffer.from(JSON.stringify([{ type: 'displayTextAndPIN', displayText60: 'Sign the document' }])).toString('base64');
	const one = async (i) => {
		const out = path.join(work, 'out', `ref-${i}.zip`);
		if (zipOnly) return zipFiles(work, out);
		const body = Buffer.from(
			JSON.stringify({
				relyingPartyUUID: sim.relyingPartyUUID,
				relyingPartyName: sim.relyingPartyName,
				certificateLevel: 'QUALIFIED',
				signatureProtocol: 'RAW_DIGEST_SIGNATURE',
				signatureProtocolParameters: {
					digest: crypto.randomBytes(32).toString('base64'),
					signatureAlgorithm: 'rsassa-pss',
					signatureAlgorithmParameters: { hashAlgorithm: 'SHA-256' },
				},
				interactions,
			}),
		);
		const { sessionID } = JSON.parse(await request('POST', `${sim.baseUrl}signature/notification/document/${DOC}`, body, 'application/json'));
		const status = JSON.parse(await request('GET', `${sim.baseUrl}session/${sessionID}?timeoutMs=30000`));
		if (status.result?.endResult !== 'OK') throw new Error(`ended ${JSON.stringify(status.result)}`);
		await request('POST', sim.tsaUrl, tsq, 'application/timestamp-query');
		await request('POST', sim.ocspUrl, ocspReq, 'application/ocsp-request');
		await zipFiles(work, out);
	};
	for (let i = 0; i < WARMUP; i++) await one(`warm-${i}`);
	const sampler = common.startSampler();
	const run = await common.runConcurrent(builds, limited(one), JOB_LIMIT_MS);
	const peaks = sampler.stop();
	agent.destroy();
	return { ...run, ...peaks, maxOpenSockets: peaks.maxOpenSockets - baselineSockets, baselineSockets };
}

async function main() {
	common.installGuards(20 * 60_000);
	const root = common.distRoot();
	const before = common.machine();
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smartid-load-build-'));
	common.onCleanup(() => fs.rmSync(work, { recursive: true, force: true }));
	fs.mkdirSync(path.join(work, 'out'));
	fs.writeFileSync(path.join(work, 'files.json'), JSON.stringify(writeInputs(work)));
	const sim = await common.startSimulatorChild(root, { stateDir, notificationDelayMs: delayMs, prewarm: [DOC] });
	// Ready-made TSA and OCSP requests for the reference (openssl, outside the timed part).
	const certs = await (await fetch(`${sim.controlUrl}accounts/${DOC}/certificates`)).json();
	fs.writeFileSync(path.join(work, 'leaf.pem'), certs.sign.pem);
	fs.writeFileSync(path.join(work, 'issuer.pem'), certs.sign.issuerPem);
	execFileSync('openssl', ['ts', '-query', '-data', path.join(work, 'letter.txt'), '-sha256', '-cert', '-out', path.join(work, 'req.tsq')], { stdio: 'ignore' });
	execFileSync('openssl', ['ocsp', '-issuer', path.join(work, 'issuer.pem'), '-cert', path.join(work, 'leaf.pem'), '-no_nonce', '-reqout', path.join(work, 'req.ocsp')], {
		stdio: 'ignore',
	});
	const env = { SMARTID_DIST: root, LOAD_SIM: JSON.stringify(sim), LOAD_WORK: work };
	const args = ['--builds', String(builds), '--max-sockets', String(maxSockets), '--global-agent', globalAgent, '--parallel', String(parallel)];
	const limit = 10 * 60_000;
	const clearOut = () => {
		fs.rmSync(path.join(work, 'out'), { recursive: true, force: true });
		fs.mkdirSync(path.join(work, 'out'));
	};
	// reference, engine, reference again (drift of the shared machine), then zip alone.
	const reference = await common.runPhase(__filename, 'reference', args, env, limit);
	clearOut();
	const engine = await common.runPhase(__filename, 'engine', args, env, limit);
	clearOut();
	const referenceAgain = await common.runPhase(__filename, 'reference', args, env, limit);
	clearOut();
	const zipOnly = await common.runPhase(__filename, 'zip', args, env, limit);
	const simulator = await sim.stats();
	await common.cleanup();
	const ratio = (value, a, b) => Math.round((value / ((a + b) / 2)) * 100) / 100;
	console.log(
		JSON.stringify(
			{
				bench: 'load-build',
				...before,
				loadavgAfter: common.machine().loadavg,
				builds,
				maxSockets,
				globalAgent,
				parallel,
				notificationDelayMs: delayMs,
				reference,
				engine,
				referenceAgain,
				zipOnly,
				engineVsReference: {
					throughput: ratio(engine.perSecond, reference.perSecond, referenceAgain.perSecond),
					p50: ratio(engine.p50ms, reference.p50ms, referenceAgain.p50ms),
					p99: ratio(engine.p99ms, reference.p99ms, referenceAgain.p99ms),
				},
				simulator,
			},
			null,
			1,
		),
	);
}

if (phase) {
	const sim = JSON.parse(process.env.LOAD_SIM);
	const work = process.env.LOAD_WORK;
	const timer = setTimeout(() => process.exit(3), 10 * 60_000);
	timer.unref();
	process.on('disconnect', () => process.exit(130));
	(phase === 'engine' ? enginePhase(sim, work) : referencePhase(sim, work, phase === 'zip')).then(common.phaseDone, (error) => {
		console.error(`${phase}: ${error.stack}`);
		process.exit(1);
	});
} else {
	main().catch(async (error) => {
		console.error(error.stack);
		await common.cleanup();
		process.exit(1);
	});
}
