#!/usr/bin/env node
// Throughput of verifyContainer() next to xmlsec1 --verify over the same signatures, measured in the same run.
// Usage: npm run build && node bench/verify.js [COUNT=200]
// Reads the third-party containers in test/fixtures/containers and needs the Debian xmlsec1 binary.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const distEntry = path.join(root, 'dist', 'lib', 'asice', 'verify', 'index.js');
if (!fs.existsSync(distEntry)) {
	console.error(`Missing ${distEntry}: run "npm run build" first.`);
	process.exit(2);
}
const { verifyContainer } = require(distEntry);
const containersDir = path.join(root, 'test', 'fixtures', 'containers');
const manifestPath = path.join(containersDir, 'manifest.json');
if (!fs.existsSync(manifestPath)) {
	console.error(`Missing ${manifestPath}: the benchmark reads the repository's test fixtures.`);
	process.exit(2);
}
const COUNT = Number(process.argv[2] || 200);
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));

// Signed containers that open (the PARSE_ERROR / unsigned ones measure nothing interesting).
const fixtures = manifest.containers.filter((c) => c.signatures.length > 0 && c.expected.verdict !== 'PARSE_ERROR');
function trustOf(c) {
	const mode = c.expected.validation_mode;
	return mode.startsWith('PROD') ? 'live' : 'demo';
}
const inputs = fixtures.map((c) => ({
	id: c.id,
	buf: fs.readFileSync(path.join(containersDir, c.file)),
	trust: trustOf(c),
	file: c.file,
	signatures: c.signatures,
}));

async function benchOurs() {
	// Warm-up pass (JIT, bundled trust store load) is not timed.
	for (const i of inputs) await verifyContainer(i.buf, { trust: i.trust });
	const t0 = process.hrtime.bigint();
	let passed = 0;
	for (let n = 0; n < COUNT; n++) {
		const i = inputs[n % inputs.length];
		const r = await verifyContainer(i.buf, { trust: i.trust });
		if (r.validationConclusion.indication === 'TOTAL-PASSED') passed++;
	}
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	return { seconds: s, perSecond: COUNT / s, passed, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function benchXmlsec() {
	try {
		execFileSync('xmlsec1', ['--version'], { stdio: 'pipe' });
	} catch {
		return null;
	}
	// Extract once (not timed); xmlsec1 resolves detached references relative to the working directory.
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-'));
	const jobs = [];
	for (const i of inputs) {
		// xmlsec1 1.2.37 has no RSASSA-PSS: leave those signatures (and their containers) out.
		if (i.signatures.some((s) => /rsa-MGF1|rsa-pss/.test(s.signature_method))) continue;
		const dir = path.join(work, i.id);
		fs.mkdirSync(dir);
		execFileSync('unzip', ['-q', '-o', path.join(containersDir, i.file), '-d', dir]);
		const files = [...new Set(i.signatures.map((s) => s.file))];
		jobs.push({ id: i.id, dir, files });
	}
	let ok = 0;
	let fail = 0;
	let peakKb = 0;
	const t0 = process.hrtime.bigint();
	for (let n = 0; n < COUNT; n++) {
		const j = jobs[n % jobs.length];
		for (const f of j.files) {
			const r = spawnSync(
				'/usr/bin/time',
				['-f', '%M', 'xmlsec1', '--verify', '--id-attr:Id', 'http://uri.etsi.org/01903/v1.3.2#:SignedProperties', '--insecure', '--enabled-key-data', 'x509', f],
				{ cwd: j.dir, encoding: 'utf8' },
			);
			const lines = (r.stderr || '').trim().split('\n');
			peakKb = Math.max(peakKb, Number(lines[lines.length - 1]) || 0);
			if (/^OK$/m.test(r.stderr || '')) ok++;
			else fail++;
		}
	}
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	fs.rmSync(work, { recursive: true, force: true });
	return { seconds: s, perSecond: COUNT / s, containers: jobs.length, ok, fail, peakRssMb: peakKb / 1024 };
}

(async () => {
	const ours = await benchOurs();
	const xs = benchXmlsec();
	const fmt = (x) => x.toFixed(1);
	console.log(`verifyContainer: ${COUNT} containers (cycling ${inputs.length} real fixtures) in ${fmt(ours.seconds)} s = ${fmt(ours.perSecond)} containers/s, peak RSS ${fmt(ours.peakRssMb)} MB (${ours.passed} TOTAL-PASSED); full XAdES checks: refs, SignatureValue, TS, OCSP, chain`);
	if (xs) {
		console.log(`xmlsec1 --verify: ${COUNT} containers (cycling ${xs.containers} fixtures without RSA-PSS) in ${fmt(xs.seconds)} s = ${fmt(xs.perSecond)} containers/s, peak RSS per process ${fmt(xs.peakRssMb)} MB (${xs.ok} signature files OK, ${xs.fail} FAIL); XML-DSig core only (refs + SignatureValue), one process per signature file`);
	} else console.log('xmlsec1 not installed: comparison skipped');
})();
