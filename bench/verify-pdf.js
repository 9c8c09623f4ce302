#!/usr/bin/env node
/**
 * Benchmark: verifyPdf() on the third-party signed PDFs of test/fixtures/pdf-verify and on a generated large PDF
 * signed here (PAdES B-LT: Smart-ID signer, TSA and OCSP of the embedded simulator), each next to `pdfsig -nocert`
 * of the same file in the same run (median of REPEATS runs each; pdfsig is a process start + NSS, so the small files
 * mostly compare start-up costs), plus `sha256sum` of the large file.
 *
 *   npm run build && node bench/verify-pdf.js [--size-mib 100] [--repeats 5] [--keep]
 *   (or SMARTID_DIST=<build root>, see README)
 *
 * Prints one JSON line per file and a summary line. Exits 1 when the large signed PDF does not verify TOTAL-PASSED
 * or pdfsig disagrees about its integrity.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = process.env.SMARTID_DIST ? path.resolve(process.env.SMARTID_DIST) : path.resolve(__dirname, '..', 'dist');
const dist = fs.existsSync(path.join(root, 'lib')) ? path.join(root, 'lib') : root;
if (!fs.existsSync(path.join(dist, 'pdf', 'verify', 'index.js'))) {
	console.error(`${dist}/pdf/verify is missing: run \`npm run build\` first (or set SMARTID_DIST).`);
	process.exit(2);
}
const { signPdf, verifyPdf } = require(path.join(dist, 'pdf'));
const { smartIdDigestSigner, smartIdSigningCertificate } = require(path.join(dist, 'asice', 'sign', 'smart-id-signer'));
const { startSimulator } = require(path.join(dist, 'simulator'));
const { SmartIdClient } = require(path.join(dist, 'rp-api', 'client'));
const { TrustStore } = require(path.join(dist, 'pki', 'trust-store'));

function arg(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizeMiB = Number(arg('--size-mib', '100'));
const repeats = Number(arg('--repeats', '5'));
const keep = process.argv.includes('--keep');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

/** A valid PDF with one page and one big stream (random bytes) among its resources. */
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
		const content = 'BT /F1 12 Tf 72 770 Td (Big PDF for the verification benchmark) Tj ET';
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

async function measure(file, trust) {
	const ours = [];
	let report;
	for (let i = 0; i < repeats; i++) {
		const t = process.hrtime.bigint();
		report = await verifyPdf(file, { trust });
		ours.push(ms(t));
	}
	const theirs = [];
	let pdfsigOut = '';
	for (let i = 0; i < repeats; i++) {
		const t = process.hrtime.bigint();
		const r = spawnSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
		theirs.push(ms(t));
		pdfsigOut = r.stdout + r.stderr;
	}
	const vc = report.validationConclusion;
	return {
		file: path.basename(file),
		bytes: fs.statSync(file).size,
		signatures: vc.signaturesCount,
		indication: vc.indication,
		verifyPdfMs: Math.round(median(ours) * 10) / 10,
		pdfsigMs: Math.round(median(theirs) * 10) / 10,
		ratio: Number((median(ours) / median(theirs)).toFixed(2)),
		pdfsigValid: (pdfsigOut.match(/Signature is Valid/g) ?? []).length,
		oursIntact: vc.signatures.filter((s) => !s.errors.some((e) => /BYTE_RANGE|MESSAGE_DIGEST|SIGNATURE_VALUE|CMS_MALFORMED|RANGES_CONFLICT|UNCOVERED|INSIDE_REVISION/.test(e.code))).length,
	};
}

async function main() {
	const head = { bench: 'verify-pdf', node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map((x) => Number(x.toFixed(2))), repeats };
	console.log(JSON.stringify(head));
	const fixtures = path.resolve(__dirname, '..', 'test', 'fixtures', 'pdf-verify');
	await verifyPdf(path.join(fixtures, 'pdf-signed-original.pdf'), { trust: 'demo' }); // warm-up: module loading, anchors
	for (const name of fs.readdirSync(fixtures).filter((f) => f.endsWith('.pdf')).sort()) console.log(JSON.stringify(await measure(path.join(fixtures, name), 'demo')));

	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-pdf-'));
	const sim = await startSimulator({ notificationDelayMs: 0 });
	const client = new SmartIdClient({ baseUrl: sim.baseUrl });
	let failed = false;
	try {
		const input = path.join(dir, 'big.pdf');
		generatePdf(input, sizeMiB * 1024 * 1024);
		const trust = TrustStore.fromPem(sim.caPems, 'simulator');
		const account = sim.accounts.find((a) => a.behaviour.endResult === 'OK' && a.certificateLevel === 'QUALIFIED' && a.country === 'EE' && !a.behaviour.legacyPkcs1);
		const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
		const target = { documentNumber: account.documentNumber };
		const chosen = await smartIdSigningCertificate({ ...rp, client, target, trust });
		const sign = smartIdDigestSigner({ ...rp, client, target, documentNumber: account.documentNumber, trust });
		const signed = await signPdf(input, chosen.certificateBase64, { certificates: chosen.chain.slice(1).map((c) => c.raw), sign, tsaUrl: sim.tsaUrl, ocspUrl: sim.ocspUrl, trust, level: 'B-LT', out: path.join(dir, 'big-signed.pdf') });
		execFileSync('cat', [signed.path], { stdio: ['ignore', 'ignore', 'ignore'] }); // page cache warm for everyone
		let t = process.hrtime.bigint();
		execFileSync('sha256sum', [signed.path]);
		const sha256sumMs = ms(t);
		const big = await measure(signed.path, trust);
		const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
		console.log(JSON.stringify({ ...big, sha256sumMs: Math.round(sha256sumMs), ratioToSha256sum: Number((big.verifyPdfMs / sha256sumMs).toFixed(2)), peakRssMiB }));
		failed = big.indication !== 'TOTAL-PASSED' || big.pdfsigValid !== 1 || big.oursIntact !== 1;
	} finally {
		client.close();
		await sim.stop();
		if (!keep) fs.rmSync(dir, { recursive: true, force: true });
		else console.error(`kept ${dir}`);
	}
	if (failed) {
		console.error('The large signed PDF did not verify TOTAL-PASSED, or pdfsig disagrees.');
		process.exit(1);
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
