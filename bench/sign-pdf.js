#!/usr/bin/env node
/**
 * Benchmark: sign a generated big PDF (one page whose resources hold one large stream object of random bytes)
 * with PAdES B-T (Smart-ID flow against the embedded simulator and its TSA), and compare with `sha256sum` of the
 * same file in the same run.
 *
 *   npm run build && node bench/sign-pdf.js [--size-mib 200] [--level B-T|B-LT|B-LTA] [--visible none|page|box] [--keep]
 *   (or SMARTID_DIST=.cache/my-dist, see README)
 *
 * Prints one JSON line: sizes, wall times (sha256sum, prepare = parse tail + stream copy/hash + append, total =
 * prepare + Smart-ID signature + timestamp + finalize), the ratio total/sha256sum and peak RSS of this process
 * (simulator included). Targets: ratio <= 1.5, peak RSS < 200 MB. The output is checked with pdfsig at the end
 * (not timed).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = process.env.SMARTID_DIST ? path.resolve(process.env.SMARTID_DIST) : path.resolve(__dirname, '..', 'dist');
const dist = fs.existsSync(path.join(root, 'lib')) ? path.join(root, 'lib') : root;
if (!fs.existsSync(path.join(dist, 'pdf', 'index.js'))) {
	console.error(`${dist}/pdf is missing: run \`npm run build\` first (or set SMARTID_DIST).`);
	process.exit(2);
}
const { preparePdfSignature, finalizePdfSignature } = require(path.join(dist, 'pdf'));
const { smartIdDigestSigner, smartIdSigningCertificate } = require(path.join(dist, 'asice', 'sign', 'smart-id-signer'));
const { startSimulator } = require(path.join(dist, 'simulator'));
const { SmartIdClient } = require(path.join(dist, 'rp-api', 'client'));
const { TrustStore } = require(path.join(dist, 'pki', 'trust-store'));

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizeMiB = Number(arg('--size-mib', '200'));
const level = arg('--level', 'B-T');
// A visible signature (signature page or box on the last page) adds a page or an appearance, not a pass over the file.
const visibleMode = arg('--visible', 'none');
const visible = visibleMode === 'none' ? undefined : { mode: visibleMode };
const keep = process.argv.includes('--keep');

/** A valid PDF 1.7 with a classic xref table: catalog, pages, one page, its content, and a big XObject stream. */
function generatePdf(file, bytes) {
	const block = crypto.randomBytes(16 << 20);
	const fd = fs.openSync(file, 'w');
	let pos = 0;
	const offsets = [];
	const write = (buf) => {
		fs.writeSync(fd, buf);
		pos += buf.length;
	};
	const obj = (n, body) => {
		offsets[n] = pos;
		write(Buffer.from(`${n} 0 obj\n${body}\nendobj\n`, 'latin1'));
	};
	try {
		write(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
		obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
		obj(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
		obj(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Big 5 0 R >> >> >>');
		const content = 'BT /F1 12 Tf 72 770 Td (Big PDF for the signing benchmark) Tj ET';
		obj(4, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
		offsets[5] = pos;
		write(Buffer.from(`5 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Length ${bytes} >>\nstream\n`, 'latin1'));
		for (let written = 0; written < bytes; ) {
			const n = Math.min(block.length, bytes - written);
			fs.writeSync(fd, block, 0, n);
			pos += n;
			written += n;
		}
		write(Buffer.from('\nendstream\nendobj\n', 'latin1'));
		const xrefAt = pos;
		let xref = 'xref\n0 6\n0000000000 65535 f\r\n';
		for (let n = 1; n <= 5; n++) xref += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
		write(Buffer.from(`${xref}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`, 'latin1'));
	} finally {
		fs.closeSync(fd);
	}
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sign-pdf-'));
	const input = path.join(dir, 'big.pdf');
	const output = path.join(dir, 'big-signed.pdf');
	generatePdf(input, sizeMiB * 1024 * 1024);
	const inputBytes = fs.statSync(input).size;

	const sim = await startSimulator({ notificationDelayMs: 0 });
	const client = new SmartIdClient({ baseUrl: sim.baseUrl });
	try {
		const trust = TrustStore.fromPem(sim.caPems, 'simulator');
		const account = sim.accounts.find((a) => a.behaviour.endResult === 'OK' && a.certificateLevel === 'QUALIFIED' && a.country === 'EE' && !a.behaviour.legacyPkcs1);
		const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
		const target = { documentNumber: account.documentNumber };
		const chosen = await smartIdSigningCertificate({ ...rp, client, target, trust });
		const signer = smartIdDigestSigner({ ...rp, client, target, documentNumber: account.documentNumber, trust });
		// Warm-up on a tiny PDF (module loading, key material), not timed.
		const tiny = path.join(dir, 'tiny.pdf');
		generatePdf(tiny, 1024);
		const warm = await preparePdfSignature(tiny, chosen.certificateBase64, { certificates: chosen.chain.slice(1), partialFile: path.join(dir, 'tiny.partial') });
		await finalizePdfSignature(warm.pending, await signer({ digest: warm.digestToSign, hashAlgorithm: 'SHA-256', signatureScheme: 'rsassa-pss', signerCertificate: warm.pending.signerCertificate }), { tsaUrl: sim.tsaUrl, trust, out: path.join(dir, 'tiny-signed.pdf') });

		// Warm the page cache equally for both contenders, then time sha256sum.
		execFileSync('cat', [input], { stdio: ['ignore', 'ignore', 'ignore'] });
		let t = process.hrtime.bigint();
		execFileSync('sha256sum', [input], { encoding: 'utf8' });
		const sha256sumMs = Number(process.hrtime.bigint() - t) / 1e6;

		t = process.hrtime.bigint();
		const prepared = await preparePdfSignature(input, chosen.certificateBase64, { certificates: chosen.chain.slice(1), level, visible, partialFile: output + '.partial' });
		const prepareMs = Number(process.hrtime.bigint() - t) / 1e6;
		const value = await signer({ digest: prepared.digestToSign, hashAlgorithm: prepared.hashAlgorithm, signatureScheme: prepared.signatureScheme, signerCertificate: prepared.pending.signerCertificate });
		const result = await finalizePdfSignature(prepared.pending, value, { out: output, tsaUrl: sim.tsaUrl, ocspUrl: sim.ocspUrl, trust });
		const totalMs = Number(process.hrtime.bigint() - t) / 1e6;
		const peakRssMiB = process.resourceUsage().maxRSS / 1024;

		const pdfsig = execFileSync('pdfsig', ['-nocert', output], { encoding: 'utf8' });
		const valid = /Signature is Valid/.test(pdfsig);
		console.log(
			JSON.stringify({
				bench: 'sign-pdf',
				node: process.version,
				cpus: os.cpus().length,
				loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
				level,
				visible: visibleMode,
				inputBytes,
				outputBytes: result.size,
				sha256sumMs: Math.round(sha256sumMs),
				prepareMs: Math.round(prepareMs),
				totalMs: Math.round(totalMs),
				ratioTotalToSha256sum: Number((totalMs / sha256sumMs).toFixed(2)),
				ratioPrepareToSha256sum: Number((prepareMs / sha256sumMs).toFixed(2)),
				peakRssMiB: Math.round(peakRssMiB),
				pdfsigValid: valid,
				pdfsigTotalDocumentSigned: /Total document signed/.test(pdfsig),
				targets: { ratio: 1.5, peakRssMiB: 200 },
				met: totalMs / sha256sumMs <= 1.5 && peakRssMiB < 200 && valid,
			}),
		);
	} finally {
		client.close();
		await sim.stop();
		if (!keep) fs.rmSync(dir, { recursive: true, force: true });
		else console.error(`kept ${dir}`);
	}
}

// bench/sign-pdf-n8n.js and the streamed-signing e2e test make their big PDFs with the same writer.
module.exports = { generatePdf };

if (require.main === module) {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
