#!/usr/bin/env node
// Extend to LTA: time of extendContainer() on the DigiDoc4j-made valid-asice-lta.asice (a second archive timestamp
// from the embedded simulator's TSA over loopback HTTP; includes the verification before and after), printed next to
// same-run references: one verifyContainer() of the same input, and one bare RFC 3161 request to the same TSA.
// Usage: npm run build && node bench/extend-lta.js [REPEATS=5]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = (p) => path.join(root, 'dist', 'lib', ...p.split('/'));
if (!fs.existsSync(dist('asice/extend/index.js'))) {
	console.error('Missing dist/lib/asice/extend: run "npm run build" first.');
	process.exit(2);
}
const { extendContainer, httpArchiveTimestamper } = require(dist('asice/extend/index.js'));
const { verifyContainer } = require(dist('asice/verify/index.js'));
const { TrustSource } = require(dist('pki/trust-source.js'));
const { TrustStore } = require(dist('pki/trust-store.js'));
const { requestTimestamp } = require(dist('pki/timestamp-client.js'));
const { startSimulator } = require(dist('simulator/index.js'));

const REPEATS = Number(process.argv[2] || 5);
const input = fs.readFileSync(path.join(root, 'test', 'fixtures', 'containers', 'valid-asice-lta.asice'));

function ms(t0) {
	return Number(process.hrtime.bigint() - t0) / 1e6;
}
function stats(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return `median ${s[s.length >> 1].toFixed(1)} ms (min ${s[0].toFixed(1)}, max ${s[s.length - 1].toFixed(1)})`;
}

(async () => {
	const sim = await startSimulator({ stateDir: path.join(os.tmpdir(), 'smart-id-bench-extend-sim') });
	try {
		const trust = TrustSource.fromStore(TrustStore.bundled('demo').withAnchors([sim.tsaCertPem], ['tsa']));
		const timestamper = httpArchiveTimestamper(sim.tsaUrl);
		const ext = [];
		const ver = [];
		const tsa = [];
		let out = null;
		for (let i = 0; i < REPEATS + 1; i++) {
			let t0 = process.hrtime.bigint();
			const r = await extendContainer(input, { trust, timestamper });
			const e = ms(t0);
			t0 = process.hrtime.bigint();
			await verifyContainer(input, { trust });
			const v = ms(t0);
			t0 = process.hrtime.bigint();
			await requestTimestamp(sim.tsaUrl, { data: Buffer.from(`bench ${i}`) });
			const t = ms(t0);
			if (i === 0) continue; // warm-up
			ext.push(e);
			ver.push(v);
			tsa.push(t);
			out = r;
		}
		const s = out.report.validationConclusion.signatures[0];
		console.log(`input ${input.length} B -> output ${out.container.length} B, ${s.signatureFormat} ${out.report.validationConclusion.indication}, archive timestamps ${s.archiveTimestamps.length}`);
		console.log(`extendContainer  ${stats(ext)}`);
		console.log(`verifyContainer  ${stats(ver)}   (reference: same input, same trust)`);
		console.log(`RFC 3161 request ${stats(tsa)}   (reference: same TSA, bare request)`);
		console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
	} finally {
		await sim.stop();
	}
})().catch((e) => {
	console.error(e);
	process.exit(1);
});
