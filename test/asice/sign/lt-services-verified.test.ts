/**
 * finalize trusts the verification our own HTTP TSA/OCSP clients already did (no second pass) and verifies
 * everything else: plain DER from custom services, look-alike objects, and results verified with another trust
 * store. The TSA and OCSP responder are openssl behind a loopback HTTP server (real requests with nonces).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAsice, finalizeSignature, prepareSignature, type LtServices } from '../../../lib/asice/sign';
import { httpLtServices, limitConcurrency, priorOcspVerification, priorTimestampVerification } from '../../../lib/asice/sign/lt-services';
import * as ocspModule from '../../../lib/pki/ocsp';
import * as timestampModule from '../../../lib/pki/timestamp';
import { TrustStore } from '../../../lib/pki/trust-store';
import { signDigest, testPki, type TestPki } from './helpers/test-pki';

jest.setTimeout(60_000);

let pki: TestPki;
let dir: string;
let trust: TrustStore;
let server: http.Server;
let base: string;
const served = { tsa: 0, ocsp: 0 };

function openssl(args: string[], cwd: string): void {
	execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Answer a DER TSA or OCSP request with openssl, as a real responder would (nonce copied back). */
function answer(kind: 'tsa' | 'ocsp', request: Buffer): Buffer {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), `lt-${kind}-`));
	try {
		if (kind === 'tsa') {
			fs.writeFileSync(path.join(work, 'q.tsq'), request);
			const cnf = fs.readFileSync(path.join(pki.dir, 'tsa.cnf'), 'utf8').replace('@PKIDIR@', pki.dir).replace('serial = $dir/tsaserial', `serial = ${path.join(work, 'serial')}`);
			fs.writeFileSync(path.join(work, 'serial'), randomBytes(4).toString('hex') + '\n');
			fs.writeFileSync(path.join(work, 'tsa.cnf'), cnf);
			openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-out', 'reply.der'], work);
			return fs.readFileSync(path.join(work, 'reply.der'));
		}
		fs.writeFileSync(path.join(work, 'req.der'), request);
		openssl(['ocsp', '-index', path.join(pki.dir, 'index.txt'), '-rsigner', path.join(pki.dir, 'ocsp.crt'), '-rkey', path.join(pki.dir, 'ocsp.key'), '-CA', path.join(pki.dir, 'ca.crt'), '-reqin', 'req.der', '-respout', 'resp.der', '-ndays', '1'], work);
		return fs.readFileSync(path.join(work, 'resp.der'));
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

beforeAll(async () => {
	pki = testPki();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-verified-'));
	trust = TrustStore.fromPem([pki.rootPem], 'build-test');
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const kind = req.url === '/tsa' ? 'tsa' : 'ocsp';
			served[kind]++;
			res.writeHead(200, { 'Content-Type': kind === 'tsa' ? 'application/timestamp-reply' : 'application/ocsp-response' });
			res.end(answer(kind, Buffer.concat(chunks)));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => jest.restoreAllMocks());

const sign = async ({ digest }: { digest: string }): Promise<string> => signDigest(pki.signerKeyPem, Buffer.from(digest, 'base64'), 'sha256').toString('base64');

async function prepared() {
	const p = await prepareSignature({ files: [{ name: 'a.txt', data: 'a' }], signerCertificate: pki.signerPem, workFile: path.join(dir, `${Math.random()}.partial`) });
	return { p, value: await sign({ digest: p.digestToSign }) };
}

function spies() {
	return { ts: jest.spyOn(timestampModule, 'verifyTimestampToken'), ocsp: jest.spyOn(ocspModule, 'verifyOcspResponse') };
}

it('buildAsice over HTTP verifies each timestamp token and OCSP response once (in the clients), not again in finalize', async () => {
	const s = spies();
	const before = { ...served };
	const out = path.join(dir, 'once.asice');
	const built = await buildAsice({ files: [{ name: 'a.txt', data: 'hello' }], signerCertificate: pki.signerPem, out, tsaUrl: `${base}/tsa`, ocspUrl: `${base}/ocsp`, trust, issuer: pki.caPem, sign });
	expect(built.size).toBe(fs.statSync(out).size);
	expect(served.tsa - before.tsa).toBe(1);
	expect(served.ocsp - before.ocsp).toBe(1);
	expect(s.ts).toHaveBeenCalledTimes(1);
	expect(s.ocsp).toHaveBeenCalledTimes(1);
	// What the client verified is what was embedded and reported.
	const tsVerification = s.ts.mock.results[0].value as timestampModule.TimestampVerification;
	expect(built.timestampTime).toEqual(tsVerification.genTime);
});

it('httpLtServices results made with another trust store (here: none) are verified again against finalize trust', async () => {
	const { p, value } = await prepared();
	const s = spies();
	const services = httpLtServices({ tsaUrl: `${base}/tsa`, ocspUrl: `${base}/ocsp` });
	await finalizeSignature(p.pending, value, { out: path.join(dir, 'other-trust.asice'), services, trust, issuer: pki.caPem });
	expect(s.ts).toHaveBeenCalledTimes(2);
	expect(s.ocsp).toHaveBeenCalledTimes(2);
});

it('a look-alike "verified" object from a custom service is not trusted: a token over other data is refused', async () => {
	const { p, value } = await prepared();
	const real = httpLtServices({ tsaUrl: `${base}/tsa`, ocspUrl: `${base}/ocsp`, trust });
	const genuine = await real.timestamp(Buffer.from('something else'));
	if (Buffer.isBuffer(genuine)) throw new Error('expected a verified result');
	const services: LtServices = {
		ocsp: real.ocsp,
		// Same shape, claims to cover whatever finalize asks for.
		timestamp: async (data) => ({ ...genuine, data }),
	};
	const out = path.join(dir, 'forged.asice');
	await expect(finalizeSignature(p.pending, value, { out, services, trust, issuer: pki.caPem })).rejects.toMatchObject({ code: 'ASICE_BUILD_TIMESTAMP_FAILED' });
	expect(fs.existsSync(out)).toBe(false);
});

it('a genuine verified result is only reused for the same data, trust store, certificate and issuer', async () => {
	const services = httpLtServices({ tsaUrl: `${base}/tsa`, ocspUrl: `${base}/ocsp`, trust });
	const data = Buffer.from('data');
	const ts = await services.timestamp(data);
	expect(priorTimestampVerification(ts, data, trust)).toBeDefined();
	expect(priorTimestampVerification(ts, Buffer.from('datA'), trust)).toBeUndefined();
	expect(priorTimestampVerification(ts, data, TrustStore.fromPem([pki.rootPem], 'copy'))).toBeUndefined();
	expect(Object.isFrozen(ts)).toBe(true);
	const ocsp = await services.ocsp(pki.signer, pki.ca);
	expect(priorOcspVerification(ocsp, pki.signer, pki.ca, trust)?.status).toBe('good');
	const other = new (await import('node:crypto')).X509Certificate(pki.signer2Pem);
	expect(priorOcspVerification(ocsp, other, pki.ca, trust)).toBeUndefined();
	expect(priorOcspVerification(Buffer.isBuffer(ocsp) ? ocsp : ocsp.der, pki.signer, pki.ca, trust)).toBeUndefined();
});

it('limitConcurrency keeps at most N tasks running and runs all of them', async () => {
	const limit = limitConcurrency(3);
	let running = 0;
	let peak = 0;
	const results = await Promise.all(
		Array.from({ length: 20 }, (_, i) =>
			limit(async () => {
				running++;
				peak = Math.max(peak, running);
				await new Promise((r) => setTimeout(r, 2 + (i % 4)));
				running--;
				if (i === 7) throw new Error('boom');
				return i;
			}).catch((e: Error) => e.message),
		),
	);
	expect(peak).toBe(3);
	expect(results[7]).toBe('boom');
	expect(results.filter((r) => typeof r === 'number')).toHaveLength(19);
	expect(() => limitConcurrency(0)).toThrow(/maxConcurrent/);
});
