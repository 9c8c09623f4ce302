#!/usr/bin/env node
/**
 * Benchmark of the offline simulator: in-process start-to-ready with a warm state dir, then throughput of
 * complete notification authentications (POST A5 + long-poll Q1; the phone signs ACSP_V2 with RSA-PSS),
 * RAW_DIGEST signatures, OCSP requests (verified by lib/pki) and TSA requests.
 *
 *   npm run build && node bench/simulator.js [--sessions 200] [--concurrency 8] [--state-dir DIR]
 *   (SMARTID_DIST=<dir>/lib runs against another build output)
 *
 * Prints one JSON line. Reference figures: bench/simulator.results.md.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = process.env.SMARTID_DIST || path.resolve(__dirname, '..', 'dist', 'lib');
if (!fs.existsSync(path.join(dist, 'simulator', 'index.js'))) {
	console.error(`${dist}/simulator is missing: run \`npm run build\` first (or set SMARTID_DIST).`);
	process.exit(2);
}
const { startSimulator } = require(path.join(dist, 'simulator'));
const { requestOcsp, requestTimestamp, TrustStore } = require(path.join(dist, 'pki'));

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : fallback;
}
const sessions = Number(arg('--sessions', '200'));
const concurrency = Number(arg('--concurrency', '8'));
const stateDir = arg('--state-dir', path.join(os.tmpdir(), 'smart-id-simulator-state'));
const DOC = 'PNOEE-40504040001-DEM0-Q';

async function post(url, body) {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	if (res.status !== 200) throw new Error(`${url} → HTTP ${res.status}`);
	return res.json();
}

async function run(count, parallel, one) {
	const latencies = [];
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: parallel }, async () => {
			while (next < count) {
				next++;
				const t = performance.now();
				await one();
				latencies.push(performance.now() - t);
			}
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]);
	return { count, perSecond: Math.round((count / seconds) * 10) / 10, p50ms: pct(0.5), p95ms: pct(0.95) };
}

(async () => {
	// Warm the state dir (keys of DOC) first, so the timed start below is a warm start.
	await (await startSimulator({ stateDir, prewarm: [DOC] })).stop();
	const t0 = performance.now();
	const sim = await startSimulator({ stateDir, notificationDelayMs: 0 });
	const startMs = Math.round(performance.now() - t0);
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const interactions = Buffer.from(JSON.stringify([{ type: 'displayTextAndPIN', displayText60: 'Bench' }])).toString('base64');
	const auth = await run(sessions, concurrency, async () => {
		const { sessionID } = await post(`${sim.baseUrl}authentication/notification/document/${DOC}`, {
			...rp,
			signatureProtocol: 'ACSP_V2',
			signatureProtocolParameters: {
				rpChallenge: crypto.randomBytes(64).toString('base64'),
				signatureAlgorithm: 'rsassa-pss',
				signatureAlgorithmParameters: { hashAlgorithm: 'SHA-512' },
			},
			interactions,
		});
		const status = await (await fetch(`${sim.baseUrl}session/${sessionID}?timeoutMs=10000`)).json();
		if (status.result?.endResult !== 'OK') throw new Error(`auth ended ${JSON.stringify(status.result)}`);
	});
	const sign = await run(sessions, concurrency, async () => {
		const { sessionID } = await post(`${sim.baseUrl}signature/notification/document/${DOC}`, {
			...rp,
			signatureProtocol: 'RAW_DIGEST_SIGNATURE',
			signatureProtocolParameters: {
				digest: crypto.randomBytes(64).toString('base64'),
				signatureAlgorithm: 'rsassa-pss',
				signatureAlgorithmParameters: { hashAlgorithm: 'SHA-512' },
			},
			interactions,
		});
		const status = await (await fetch(`${sim.baseUrl}session/${sessionID}?timeoutMs=10000`)).json();
		if (status.result?.endResult !== 'OK') throw new Error(`sign ended ${JSON.stringify(status.result)}`);
	});
	const certs = await (await fetch(`${sim.controlUrl}accounts/${DOC}/certificates`)).json();
	const leaf = new crypto.X509Certificate(certs.sign.pem);
	const issuer = new crypto.X509Certificate(certs.sign.issuerPem);
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const ocsp = await run(sessions, concurrency, async () => {
		const result = await requestOcsp(sim.ocspUrl, leaf, issuer, { trust });
		if (result.status !== 'good') throw new Error(`OCSP ${result.status}`);
	});
	const tsa = await run(sessions, concurrency, async () => {
		await requestTimestamp(sim.tsaUrl, crypto.randomBytes(32), { trust });
	});
	await sim.stop();
	console.log(
		JSON.stringify({
			node: process.version,
			cpus: os.cpus().length,
			userKeyBits: leaf.publicKey.asymmetricKeyDetails.modulusLength,
			warmStartMs: startMs,
			concurrency,
			notificationAuthentication: auth,
			notificationSignature: sign,
			ocspVerified: ocsp,
			timestampVerified: tsa,
		}),
	);
})().catch((error) => {
	console.error(error);
	process.exit(1);
});
