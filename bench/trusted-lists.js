#!/usr/bin/env node
// Trusted lists: cold load of the EU LOTL + four national lists (LV, LT, BE, SE) over a loopback HTTP server
// (download, parse, signature check, cache write) and warm start from the verified cache (read + verify again,
// no network), printed next to same-run references over the same five files: sha256 of the bytes (node:crypto)
// and `xmllint --noout` (libxml2 parse, when installed).
// Usage: npm run build && node bench/trusted-lists.js [REPEATS=5]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const distEntry = path.join(root, 'dist', 'lib', 'pki', 'trusted-lists', 'index.js');
if (!fs.existsSync(distEntry)) {
	console.error(`Missing ${distEntry}: run "npm run build" first.`);
	process.exit(2);
}
const tl = require(distEntry);
const dir = path.join(root, 'test', 'fixtures', 'trusted-lists');
const REPEATS = Number(process.argv[2] || 5);
const TERRITORIES = ['LV', 'LT', 'BE', 'SE'];
const files = { '/lotl.xml': 'eu-lotl.xml', ...Object.fromEntries(TERRITORIES.map((t) => [`/${t}.xml`, `${t}.xml`])) };
const bodies = Object.fromEntries(Object.entries(files).map(([p, f]) => [p, fs.readFileSync(path.join(dir, f))]));
const totalBytes = Object.values(bodies).reduce((n, b) => n + b.length, 0);
const AT = new Date('2019-09-04T10:00:00Z');

// Known-good OJ certificate for the 2019 fixtures: the LOTL signer announced in the LOTL's own EU pointer.
const unverified = tl.readTrustedList(tl.parseTrustedListXml(bodies['/lotl.xml']));
const oj = unverified.pointers
	.find((p) => p.territory === 'EU')
	.certificates.map((d) => new crypto.X509Certificate(d))
	.filter((c) => c.subject.includes('Patrick Kremer'));
const locations = new Map([[tl.EU_LOTL_URL, '/lotl.xml']]);
for (const p of unverified.pointers) if (TERRITORIES.includes(p.territory)) locations.set(p.location, `/${p.territory}.xml`);

function ms(t0) {
	return Number(process.hrtime.bigint() - t0) / 1e6;
}

function stats(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

function fmt(x) {
	return `min ${x.min.toFixed(1)} / median ${x.median.toFixed(1)} / max ${x.max.toFixed(1)} ms`;
}

async function main() {
	const server = http.createServer((req, res) => {
		const b = bodies[req.url];
		if (!b) return res.writeHead(404).end();
		res.writeHead(200, { 'content-length': b.length }).end(b);
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const base = `http://127.0.0.1:${server.address().port}`;
	const fetcher = (url, o) => tl.httpFetcher(`${base}${locations.get(url)}`, o);
	const cold = [];
	const warm = [];
	const opts = (cacheDir) => ({ ojCertificates: oj, territories: TERRITORIES, cacheDir, fetcher, validationTime: () => AT });
	for (let i = 0; i <= REPEATS; i++) {
		const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-bench-'));
		let t0 = process.hrtime.bigint();
		const a = await new tl.TrustedListLoader(opts(cacheDir)).load();
		const c = ms(t0);
		if (!a.lotl || a.lists.size !== 4 || a.problems.length) throw new Error(`cold load failed: ${JSON.stringify(a.problems)}`);
		t0 = process.hrtime.bigint();
		const b = await new tl.TrustedListLoader({ ...opts(cacheDir), fetcher: () => Promise.reject(new Error('offline')) }).load();
		const w = ms(t0);
		if (!b.lotl || b.lotl.origin !== 'cache' || b.lists.size !== 4) throw new Error(`warm start did not use the cache: ${b.lotl && b.lotl.origin} ${b.lists.size} ${JSON.stringify(b.problems)}`);
		fs.rmSync(cacheDir, { recursive: true, force: true });
		if (i > 0) {
			// The first round warms the JIT and is not counted.
			cold.push(c);
			warm.push(w);
		}
	}
	// Query cost on the loaded lists: all services at a time.
	const snap = await new tl.TrustedListLoader(opts(undefined)).load();
	if (snap.lists.size !== 4) throw new Error('query snapshot incomplete');
	let t0 = process.hrtime.bigint();
	let n = 0;
	for (let i = 0; i < 100; i++) n += tl.servicesAt(snap.trustedLists, AT, { types: [tl.SERVICE_TYPE.caQc], acceptableOnly: true }).length;
	const query = ms(t0) / 100;

	server.close();

	// References over the same five files, same run.
	const sha = [];
	for (let i = 0; i < REPEATS; i++) {
		t0 = process.hrtime.bigint();
		for (const b of Object.values(bodies)) crypto.createHash('sha256').update(b).digest();
		sha.push(ms(t0));
	}
	const xmllint = [];
	const paths = Object.values(files).map((f) => path.join(dir, f));
	if (spawnSync('xmllint', ['--version']).status === 0) {
		for (let i = 0; i < REPEATS; i++) {
			t0 = process.hrtime.bigint();
			const r = spawnSync('xmllint', ['--noout', ...paths]);
			xmllint.push(ms(t0));
			if (r.status !== 0) throw new Error(`xmllint failed: ${r.stderr}`);
		}
	}
	console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), repeats ${REPEATS}`);
	console.log(`five lists (LOTL + LV, LT, BE, SE): ${(totalBytes / 1024).toFixed(0)} KiB`);
	console.log(`cold load over loopback (fetch, parse, verify 5 signatures, write cache): ${fmt(stats(cold))}`);
	console.log(`warm start from the cache (read, verify 5 signatures, no network):        ${fmt(stats(warm))}`);
	console.log(`servicesAt(CA/QC granted) over the 4 lists: ${query.toFixed(2)} ms per query (${n / 100} services)`);
	console.log(`reference sha256 of the same five files (node:crypto):  ${fmt(stats(sha))}`);
	console.log(xmllint.length ? `reference xmllint --noout of the same five files (one process): ${fmt(stats(xmllint))}` : 'reference xmllint: not installed');
	console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
