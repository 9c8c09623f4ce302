#!/usr/bin/env node
// Worst case of verifyContainer() on hostile input, printed next to the time for the real fixtures in the same run.
// Usage: npm run build && node bench/verify-hostile.js [REPEATS=3]
// Reads the real containers in test/fixtures/containers. Every hostile case must come back as a report
// (never a throw), never TOTAL-PASSED, with the code listed; the bench exits 1 otherwise.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { crc32, deflateRawSync } = require('node:zlib');

const root = path.resolve(__dirname, '..');
const distEntry = path.join(root, 'dist', 'lib', 'asice', 'verify', 'index.js');
if (!fs.existsSync(distEntry)) {
	console.error(`Missing ${distEntry}: run "npm run build" first.`);
	process.exit(2);
}
const { verifyContainer } = require(distEntry);
const fixturesDir = path.join(root, 'test', 'fixtures', 'containers');
if (!fs.existsSync(path.join(fixturesDir, 'manifest.json'))) {
	console.error(`Missing ${fixturesDir}/manifest.json: the benchmark reads the repository's test fixtures.`);
	process.exit(2);
}
const REPEATS = Number(process.argv[2] || 3);

// ---- a minimal ZIP writer (stored/deflate, no tricks unless asked) ------------------------------------------------
function zip(entries) {
	const parts = [];
	const central = [];
	let offset = 0;
	let listed = 0;
	for (const e of entries) {
		const name = Buffer.from(e.name, 'utf8');
		const method = e.deflate === false ? 0 : 8;
		const body = method === 8 ? deflateRawSync(e.data) : e.data;
		const crc = crc32(e.data) >>> 0;
		const lh = Buffer.alloc(30);
		lh.writeUInt32LE(0x04034b50, 0);
		lh.writeUInt16LE(20, 4);
		lh.writeUInt16LE(0x800, 6);
		lh.writeUInt16LE(method, 8);
		lh.writeUInt32LE(crc, 14);
		lh.writeUInt32LE(body.length, 18);
		lh.writeUInt32LE(e.data.length, 22);
		lh.writeUInt16LE(name.length, 26);
		parts.push(lh, name, body);
		if (!e.unlisted) {
			const ch = Buffer.alloc(46);
			ch.writeUInt32LE(0x02014b50, 0);
			ch.writeUInt16LE(20, 4);
			ch.writeUInt16LE(20, 6);
			ch.writeUInt16LE(0x800, 8);
			ch.writeUInt16LE(method, 10);
			ch.writeUInt32LE(crc, 16);
			ch.writeUInt32LE(body.length, 20);
			ch.writeUInt32LE(e.data.length, 24);
			ch.writeUInt16LE(name.length, 28);
			ch.writeUInt32LE(offset, 42);
			central.push(ch, name);
			listed++;
		}
		offset += 30 + name.length + body.length;
	}
	const cd = Buffer.concat(central);
	const eocd = Buffer.alloc(22);
	eocd.writeUInt32LE(0x06054b50, 0);
	eocd.writeUInt16LE(listed, 8);
	eocd.writeUInt16LE(listed, 10);
	eocd.writeUInt32LE(cd.length, 12);
	eocd.writeUInt32LE(offset, 16);
	return Buffer.concat([...parts, cd, eocd]);
}

const MIMETYPE = { name: 'mimetype', data: Buffer.from('application/vnd.etsi.asic-e+zip'), deflate: false };
const manifest = (files) =>
	Buffer.from(
		'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">' +
			'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>' +
			files.map((f) => `<manifest:file-entry manifest:full-path="${f}" manifest:media-type="text/plain"/>`).join('') +
			'</manifest:manifest>',
	);
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REF = (uri) => `<ds:Reference URI="${uri}"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>`;
const signature = (refs, extra = '', nsDecls = '') =>
	`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="${DS}"${nsDecls}><ds:Signature Id="S0"><ds:SignedInfo>` +
	'<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
	`${refs}</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue>${extra}</ds:Signature></asic:XAdESSignatures>`;

/** Entries of a real container (central-directory order, inflated). */
function entriesOf(buf) {
	let eocd = buf.length - 22;
	while (buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
	let p = buf.readUInt32LE(eocd + 16);
	const out = [];
	for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
		const method = buf.readUInt16LE(p + 10);
		const csize = buf.readUInt32LE(p + 20);
		const nameLen = buf.readUInt16LE(p + 28);
		const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
		const off = buf.readUInt32LE(p + 42);
		p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
		const start = off + 30 + buf.readUInt16LE(off + 26) + buf.readUInt16LE(off + 28);
		const raw = buf.subarray(start, start + csize);
		out.push({ name, data: method === 8 ? require('node:zlib').inflateRawSync(raw) : Buffer.from(raw), deflate: method === 8 });
	}
	return out;
}

// ---- hostile cases ----------------------------------------------------------------------------------------------
function hostileCases() {
	const valid = entriesOf(fs.readFileSync(path.join(fixturesDir, 'valid-asice.asice')));
	const validSig = valid.find((e) => /signatures/.test(e.name)).data.toString('utf8');
	const oneSig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(validSig)[0];
	const base = (sigXml, files = [['a.txt', Buffer.from('a')]]) =>
		zip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifest(files.map((f) => f[0])) }, ...files.map(([name, data]) => ({ name, data })), { name: 'META-INF/signatures0.xml', data: Buffer.from(sigXml) }]);
	const nsDecls = Array.from({ length: 3000 }, (_, i) => ` xmlns:n${i}="urn:n${i}"`).join('');
	const cases = [];
	cases.push({
		label: 'c14n namespace amplification: 3000 namespaces in scope x 1000 distinct #id references',
		expect: 'WORK_BUDGET_EXCEEDED',
		make: () => base(signature(Array.from({ length: 1000 }, (_, i) => REF(`#o${i}`)).join(''), Array.from({ length: 1000 }, (_, i) => `<ds:Object Id="o${i}">x</ds:Object>`).join(''), nsDecls)),
	});
	cases.push({
		label: '1000 #id references to one element under 3000 namespaces (cached: one c14n)',
		expect: 'REFERENCE_DIGEST_MISMATCH',
		make: () => base(signature(Array.from({ length: 1000 }, () => REF('#o0')).join(''), '<ds:Object Id="o0">x</ds:Object>', nsDecls)),
	});
	cases.push({
		label: '100 full copies of a real LT signature in one file (max signatures; crypto, TS, OCSP each)',
		expect: 'REFERENCE_NOT_FOUND',
		make: () => base(validSig.replace(oneSig, oneSig.repeat(100))),
	});
	cases.push({
		label: '101 signatures (one over the limit)',
		expect: 'TOO_MANY_SIGNATURES',
		make: () => base(validSig.replace(oneSig, oneSig.repeat(101))),
	});
	cases.push({
		label: 'signature XML budget: 6 files of ~3.9 MiB incompressible XML (16 MiB per container)',
		expect: 'SIGNATURE_XML_BUDGET_EXCEEDED',
		make: () => {
			const big = Buffer.from(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"><!--${randomBytes(2.9 * 1024 * 1024).toString('base64')}--></asic:XAdESSignatures>`);
			return zip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifest(['a.txt']) }, { name: 'a.txt', data: Buffer.from('a') }, ...[0, 1, 2, 3, 4, 5].map((i) => ({ name: `META-INF/signatures${i}.xml`, data: big }))]);
		},
	});
	cases.push({
		label: 'one ~3.9 MiB signature file with 190 000 nodes, just under the per-file and node limits',
		expect: 'SIGNED_PROPERTIES_MISSING',
		make: () => base(signature('', `<ds:Object>${'<a>x</a>'.repeat(63_000)}<b>${randomBytes(3 * 1024 * 1024).toString('base64').slice(0, 3.4 * 1024 * 1024)}</b></ds:Object>`)),
	});
	cases.push({
		label: 'one ~9.9 MiB signature file (over the 4 MiB per-file limit)',
		expect: 'SIGNATURE_FILE_INVALID',
		make: () => base(signature('', `<ds:Object><b>${randomBytes(8 * 1024 * 1024).toString('base64').slice(0, 9.9 * 1024 * 1024)}</b></ds:Object>`)),
	});
	cases.push({
		label: '999 data files, one signature with 999 references (max entries)',
		expect: 'REFERENCE_DIGEST_MISMATCH',
		make: () => {
			const files = Array.from({ length: 997 }, (_, i) => [`f${i}.txt`, Buffer.from(`file ${i}`)]);
			return base(signature(files.map(([n]) => REF(n)).join('')), files);
		},
	});
	cases.push({
		label: '64 MiB stored data file referenced 1000 times (hashed once)',
		expect: 'REFERENCE_DIGEST_MISMATCH',
		make: () => {
			const big = randomBytes(64 * 1024 * 1024);
			return zip([MIMETYPE, { name: 'META-INF/manifest.xml', data: manifest(['big.bin']) }, { name: 'big.bin', data: big, deflate: false }, { name: 'META-INF/signatures0.xml', data: Buffer.from(signature(Array.from({ length: 1000 }, () => REF('big.bin')).join(''))) }]);
		},
	});
	cases.push({
		label: 'ZIP: unlisted local entry hidden before the central directory (real VALID container)',
		expect: 'ZIP_UNLISTED_DATA',
		make: () => zip([...valid, { name: 'evil.exe', data: Buffer.from('MZ'), unlisted: true }]),
	});
	cases.push({
		label: 'ZIP: 1000 entries, the last one unlisted (walk of every local header)',
		expect: 'ZIP_UNLISTED_DATA',
		make: () => zip([...valid, ...Array.from({ length: 995 }, (_, i) => ({ name: `x${i}`, data: Buffer.from('x') })), { name: 'evil.exe', data: Buffer.from('MZ'), unlisted: true }]),
	});
	cases.push({
		label: "'+'/space and case twins next to the signed file (real VALID container)",
		expect: 'DATAFILE_NOT_SIGNED',
		make: () => zip([...valid, { name: 'TEST.TXT', data: Buffer.from('evil') }, { name: 'test+txt', data: Buffer.from('evil') }]),
	});
	return cases;
}

function ms(ns) {
	return Number(ns) / 1e6;
}

function codesOf(r) {
	const vc = r.validationConclusion;
	return [...vc.containerErrors.map((e) => e.code), ...vc.signatures.flatMap((s) => s.errors.map((e) => e.code))];
}

async function main() {
	const manifestJson = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'manifest.json'), 'utf8'));
	const real = manifestJson.containers
		.filter((c) => c.expected.verdict !== 'PARSE_ERROR')
		.map((c) => ({ id: c.id, buf: fs.readFileSync(path.join(fixturesDir, c.file)), trust: c.expected.validation_mode.startsWith('PROD') ? 'live' : 'demo' }));
	// Warm-up (JIT, trust stores) untimed.
	for (const c of real) await verifyContainer(c.buf, { trust: c.trust });

	const realTimes = [];
	for (let r = 0; r < REPEATS; r++) {
		for (const c of real) {
			const t0 = process.hrtime.bigint();
			await verifyContainer(c.buf, { trust: c.trust });
			realTimes.push({ id: c.id, ms: ms(process.hrtime.bigint() - t0) });
		}
	}
	const realMean = realTimes.reduce((a, b) => a + b.ms, 0) / realTimes.length;
	const realMax = realTimes.reduce((a, b) => (b.ms > a.ms ? b : a));

	console.log(`node ${process.version}, ${require('node:os').cpus().length} CPUs (${require('node:os').cpus()[0].model}), repeats ${REPEATS}`);
	console.log(`real fixtures (${real.length} containers): mean ${realMean.toFixed(1)} ms per container, max ${realMax.ms.toFixed(1)} ms (${realMax.id})`);
	console.log('');
	console.log('| hostile case | bytes | worst ms | x real mean | verdict | expected code |');
	console.log('|---|---:|---:|---:|---|---|');
	let failures = 0;
	let worstAll = 0;
	for (const c of hostileCases()) {
		const bytes = c.make();
		let worst = 0;
		let report = null;
		for (let r = 0; r < REPEATS; r++) {
			const t0 = process.hrtime.bigint();
			try {
				report = await verifyContainer(bytes, { trust: 'demo' });
			} catch (e) {
				console.error(`THREW on "${c.label}": ${e && e.stack}`);
				failures++;
				break;
			}
			worst = Math.max(worst, ms(process.hrtime.bigint() - t0));
		}
		if (!report) continue;
		worstAll = Math.max(worstAll, worst);
		const codes = codesOf(report);
		const ok = report.validationConclusion.indication !== 'TOTAL-PASSED' && codes.includes(c.expect);
		if (!ok) failures++;
		console.log(`| ${c.label} | ${bytes.length} | ${worst.toFixed(0)} | ${(worst / realMean).toFixed(0)} | ${report.validationConclusion.indication} | ${ok ? c.expect : `MISSING ${c.expect} (got ${[...new Set(codes)].join(',')})`} |`);
	}
	console.log('');
	console.log(`worst hostile case: ${worstAll.toFixed(0)} ms; real fixtures: mean ${realMean.toFixed(1)} ms, max ${realMax.ms.toFixed(1)} ms (same run)`);
	if (failures) {
		console.error(`${failures} hostile case(s) threw, passed or lacked their code`);
		process.exit(1);
	}
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
