#!/usr/bin/env node
/**
 * Benchmark: build a signed ASiC-E (XAdES LT, Smart-ID flow against the embedded simulator, its TSA and OCSP)
 * around one big file, and compare with `sha256sum` of the same file in the same run.
 *
 *   npm run build && node bench/build-asice.js [--size-mib 1024] [--compression store|deflate|auto] [--keep]
 *
 * Prints one JSON line: sizes, wall times (sha256sum, prepare = streaming hash+CRC+write, total), the ratio
 * total/sha256sum and peak RSS of this process. Targets (stored entry): ratio <= 1.5, peak RSS < 200 MB.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = path.resolve(__dirname, '..', 'dist', 'lib');
if (!fs.existsSync(path.join(dist, 'asice', 'sign', 'index.js'))) {
	console.error('dist/ is missing: run `npm run build` first.');
	process.exit(2);
}
const { prepareSignature, finalizeSignature, smartIdDigestSigner } = require(path.join(dist, 'asice', 'sign'));
const { smartIdSigningCertificate } = require(path.join(dist, 'asice', 'sign', 'smart-id-signer'));
const { startSimulator } = require(path.join(dist, 'simulator'));
const { SmartIdClient } = require(path.join(dist, 'rp-api', 'client'));
const { TrustStore } = require(path.join(dist, 'pki', 'trust-store'));

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizeMiB = Number(arg('--size-mib', '1024'));
const compression = arg('--compression', 'store');
const keep = process.argv.includes('--keep');

function generate(file, bytes) {
	// 16 MiB of random data repeated: incompressible for DEFLATE's 32 KiB window, cheap to produce.
	const block = crypto.randomBytes(16 << 20);
	const fd = fs.openSync(file, 'w');
	try {
		for (let written = 0; written < bytes; ) {
			const n = Math.min(block.length, bytes - written);
			fs.writeSync(fd, block, 0, n);
			written += n;
		}
	} finally {
		fs.closeSync(fd);
	}
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-build-asice-'));
	const input = path.join(dir, 'big.bin');
	const output = path.join(dir, 'big.asice');
	const bytes = sizeMiB * 1024 * 1024;
	generate(input, bytes);

	// Warm the page cache equally for both contenders, then time sha256sum.
	execFileSync('cat', [input], { stdio: ['ignore', 'ignore', 'ignore'] });
	let t = process.hrtime.bigint();
	const sha = execFileSync('sha256sum', [input], { encoding: 'utf8' }).split(' ')[0];
	const sha256sumMs = Number(process.hrtime.bigint() - t) / 1e6;

	const sim = await startSimulator({ notificationDelayMs: 0 });
	const client = new SmartIdClient({ baseUrl: sim.baseUrl });
	try {
		const trust = TrustStore.fromPem(sim.caPems, 'simulator');
		const account = sim.accounts.find((a) => a.behaviour.endResult === 'OK' && a.certificateLevel === 'QUALIFIED' && a.country === 'EE' && !a.behaviour.legacyPkcs1);
		const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
		const target = { documentNumber: account.documentNumber };
		const chosen = await smartIdSigningCertificate({ ...rp, client, target, trust });

		t = process.hrtime.bigint();
		const prepared = await prepareSignature({
			files: [{ name: 'big.bin', path: input, mimeType: 'application/octet-stream', compression: ['store', 'deflate', 'auto'].includes(compression) ? compression : 'store' }],
			signerCertificate: chosen.certificateBase64,
			hashAlgorithm: 'SHA-256',
			workFile: output + '.partial',
		});
		const prepareMs = Number(process.hrtime.bigint() - t) / 1e6;
		const signer = smartIdDigestSigner({ ...rp, client, target, documentNumber: account.documentNumber, trust });
		const value = await signer({
			digest: prepared.digestToSign,
			hashAlgorithm: prepared.hashAlgorithm,
			signatureScheme: prepared.signatureScheme,
			signerCertificate: prepared.pending.parameters.signerCertificate,
		});
		const result = await finalizeSignature(prepared.pending, value, { out: output, tsaUrl: sim.tsaUrl, ocspUrl: sim.ocspUrl, trust, certificates: chosen.chain.slice(1) });
		const totalMs = Number(process.hrtime.bigint() - t) / 1e6;

		const referenceDigest = Buffer.from(prepared.pending.parameters.files[0].digest, 'base64').toString('hex');
		if (referenceDigest !== sha) throw new Error(`reference digest ${referenceDigest} != sha256sum ${sha}`);
		const peakRssMiB = process.resourceUsage().maxRSS / 1024;
		console.log(
			JSON.stringify({
				bench: 'build-asice',
				node: process.version,
				cpus: os.cpus().length,
				fileMiB: sizeMiB,
				compression,
				containerBytes: result.size,
				sha256sumMs: Math.round(sha256sumMs),
				prepareMs: Math.round(prepareMs),
				totalMs: Math.round(totalMs),
				ratioTotalToSha256sum: Number((totalMs / sha256sumMs).toFixed(2)),
				ratioPrepareToSha256sum: Number((prepareMs / sha256sumMs).toFixed(2)),
				peakRssMiB: Math.round(peakRssMiB),
				digestMatchesSha256sum: true,
				targets: { ratio: 1.5, peakRssMiB: 200 },
				met: totalMs / sha256sumMs <= 1.5 && peakRssMiB < 200,
			}),
		);
	} finally {
		client.close();
		await sim.stop();
		if (!keep) fs.rmSync(dir, { recursive: true, force: true });
		else console.error(`kept ${dir}`);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
