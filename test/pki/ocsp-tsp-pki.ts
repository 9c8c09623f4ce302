/**
 * Test PKI made by the openssl CLI (an independent implementation) plus loopback HTTP peers that answer with
 * `openssl ocsp -reqin` / `openssl ts -reply -queryfile`, so our requests are parsed by OpenSSL and OpenSSL's
 * responses are checked by our verifiers. Behaviour hooks let a test tamper with the bytes on the wire.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Run openssl with arguments; resolves with stdout. */
export async function openssl(args: string[], cwd: string): Promise<string> {
	const { stdout } = await run('openssl', args, { cwd, maxBuffer: 4 * 1024 * 1024 });
	return stdout;
}

/** One issued certificate with its key files. */
export interface Issued {
	name: string;
	pem: string;
	key: string;
	cert: X509Certificate;
}

/** Key type for openssl req -newkey. */
type KeyKind = 'rsa' | 'ec';

function newKeyArgs(kind: KeyKind): string[] {
	return kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
}

/** The test PKI. */
export interface TestPki {
	dir: string;
	ca: Issued;
	otherCa: Issued;
	good: Issued;
	revoked: Issued;
	unknown: Issued;
	responder: Issued;
	responderNoEku: Issued;
	rogue: Issued;
	tsa: Issued;
	tsaRsa: Issued;
	tsaNonCritical: Issued;
	tsaMultiPurpose: Issued;
	foreignTsa: Issued;
	/** Issue a further end-entity certificate from the CA with extra extension lines. */
	issue(name: string, serialHex: string, extensions: string[], kind?: KeyKind): Promise<Issued>;
	/** openssl ocsp index file (good = V, revoked = R with keyCompromise; `unknown` is absent). */
	indexPath: string;
	/** Revocation time written into the index. */
	revokedAt: Date;
	tsaConfigPath: string;
}

async function selfSigned(dir: string, name: string, subject: string, kind: KeyKind, extensions: string[]): Promise<Issued> {
	const pem = path.join(dir, `${name}.pem`);
	const key = path.join(dir, `${name}.key`);
	const ext = extensions.flatMap((e) => ['-addext', e]);
	await openssl(['req', '-x509', ...newKeyArgs(kind), '-nodes', '-keyout', key, '-out', pem, '-subj', subject, '-days', '30', '-sha256', ...ext], dir);
	return { name, pem, key, cert: new X509Certificate(fs.readFileSync(pem)) };
}

async function issueFrom(dir: string, ca: Issued, name: string, subject: string, serialHex: string, kind: KeyKind, extensions: string[]): Promise<Issued> {
	const pem = path.join(dir, `${name}.pem`);
	const key = path.join(dir, `${name}.key`);
	const csr = path.join(dir, `${name}.csr`);
	const extFile = path.join(dir, `${name}.ext`);
	fs.writeFileSync(extFile, extensions.join('\n') + '\n');
	await openssl(['req', '-new', ...newKeyArgs(kind), '-nodes', '-keyout', key, '-out', csr, '-subj', subject], dir);
	await openssl(['x509', '-req', '-in', csr, '-CA', ca.pem, '-CAkey', ca.key, '-set_serial', `0x${serialHex}`, '-days', '20', '-sha256', '-extfile', extFile, '-out', pem], dir);
	return { name, pem, key, cert: new X509Certificate(fs.readFileSync(pem)) };
}

function indexDate(date: Date): string {
	return date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
}

/** Create the whole PKI in a fresh temp directory (about a second: two RSA keys, the rest P-256). */
export async function createTestPki(): Promise<TestPki> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smartid-ocsp-tsp-'));
	const caExt = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'];
	const [ca, otherCa] = await Promise.all([
		selfSigned(dir, 'ca', '/C=EE/O=Smart-ID Tests/CN=Test Issuing CA', 'rsa', caExt),
		selfSigned(dir, 'other-ca', '/C=EE/O=Elsewhere/CN=Other CA', 'ec', caExt),
	]);
	const leafExt = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation'];
	const tsaExt = (eku: string): string[] => ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation', `extendedKeyUsage=${eku}`];
	const [good, revoked, unknown, responder, responderNoEku, rogue, tsa, tsaRsa, tsaNonCritical, tsaMultiPurpose, foreignTsa] = await Promise.all([
		issueFrom(dir, ca, 'good', '/C=EE/CN=GOOD,SIGNER/serialNumber=PNOEE-1', '1001', 'ec', leafExt),
		issueFrom(dir, ca, 'revoked', '/C=EE/CN=REVOKED,SIGNER/serialNumber=PNOEE-2', '1002', 'ec', leafExt),
		issueFrom(dir, ca, 'unknown', '/C=EE/CN=UNKNOWN,SIGNER/serialNumber=PNOEE-3', '1003', 'ec', leafExt),
		issueFrom(dir, ca, 'responder', '/C=EE/O=Smart-ID Tests/CN=Test OCSP Responder', '2001', 'rsa', [...leafExt.slice(0, 1), 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=OCSPSigning']),
		issueFrom(dir, ca, 'responder-no-eku', '/C=EE/O=Smart-ID Tests/CN=Test Responder Without EKU', '2002', 'ec', [...leafExt.slice(0, 1), 'extendedKeyUsage=clientAuth']),
		// Same name as the real responder, different (self-signed) key: an impostor.
		selfSigned(dir, 'rogue', '/C=EE/O=Smart-ID Tests/CN=Test OCSP Responder', 'ec', ['extendedKeyUsage=OCSPSigning']),
		issueFrom(dir, ca, 'tsa', '/C=EE/O=Smart-ID Tests/CN=Test TSA', '3001', 'ec', tsaExt('critical,timeStamping')),
		issueFrom(dir, ca, 'tsa-rsa', '/C=EE/O=Smart-ID Tests/CN=Test TSA RSA', '3002', 'rsa', tsaExt('critical,timeStamping')),
		issueFrom(dir, ca, 'tsa-noncritical', '/C=EE/O=Smart-ID Tests/CN=Test TSA EKU not critical', '3003', 'ec', tsaExt('timeStamping')),
		issueFrom(dir, ca, 'tsa-multi', '/C=EE/O=Smart-ID Tests/CN=Test TSA EKU with serverAuth', '3004', 'ec', tsaExt('critical,timeStamping,serverAuth')),
		issueFrom(dir, otherCa, 'foreign-tsa', '/C=EE/O=Elsewhere/CN=Foreign TSA', '3005', 'ec', tsaExt('critical,timeStamping')),
	]);
	const revokedAt = new Date(Math.floor(Date.now() / 1000 - 3600) * 1000);
	const expiry = indexDate(new Date(Date.now() + 20 * 86400_000));
	const indexPath = path.join(dir, 'index.txt');
	fs.writeFileSync(
		indexPath,
		`V\t${expiry}\t\t1001\tunknown\t/C=EE/CN=GOOD,SIGNER\n` + `R\t${expiry}\t${indexDate(revokedAt)},keyCompromise\t1002\tunknown\t/C=EE/CN=REVOKED,SIGNER\n`,
	);
	fs.writeFileSync(path.join(dir, 'tsaserial'), '0A\n');
	const tsaConfigPath = path.join(dir, 'tsa.cnf');
	fs.writeFileSync(
		tsaConfigPath,
		[
			'[ tsa ]',
			'default_tsa = tsa_config1',
			'[ tsa_config1 ]',
			`serial = ${path.join(dir, 'tsaserial')}`,
			'crypto_device = builtin',
			'signer_digest = sha256',
			'default_policy = 1.2.3.4.1',
			'other_policies = 1.2.3.4.5',
			// sha512 deliberately missing: requests with it must be rejected (badAlg).
			'digests = sha1, sha256, sha384',
			'accuracy = secs:1, millisecs:500, microsecs:100',
			'clock_precision_digits = 3',
			'ordering = yes',
			'tsa_name = yes',
			'ess_cert_id_chain = no',
			'ess_cert_id_alg = sha256',
			'',
		].join('\n'),
	);
	return {
		dir,
		ca,
		otherCa,
		good,
		revoked,
		unknown,
		responder,
		responderNoEku,
		rogue,
		tsa,
		tsaRsa,
		tsaNonCritical,
		tsaMultiPurpose,
		foreignTsa,
		indexPath,
		revokedAt,
		tsaConfigPath,
		issue: (name, serialHex, extensions, kind = 'ec') => issueFrom(dir, ca, name, `/C=EE/CN=${name}`, serialHex, kind, [...leafExt, ...extensions]),
	};
}

/** Remove the temp directory. */
export function removeTestPki(pki: TestPki | undefined): void {
	if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
}

/** What a test peer does with the next requests; tests mutate it. */
export interface PeerBehaviour {
	/** Replace the request before OpenSSL sees it (e.g. ask about another certificate, drop the nonce). */
	replaceRequest?: (request: Buffer) => Promise<Buffer> | Buffer;
	/** Change the response bytes before sending them. */
	tamper?: (response: Buffer) => Buffer;
	/** Answer exactly these bytes instead of asking OpenSSL. */
	fixedResponse?: Buffer;
	/** Wait this long before answering. */
	delayMs?: number;
	httpStatus?: number;
	contentType?: string;
}

/** A loopback HTTP peer. */
export interface TestPeer {
	url: string;
	behaviour: PeerBehaviour;
	/** Every request body received, in order. */
	requests: Buffer[];
	/** Every response body sent, in order. */
	responses: Buffer[];
	close(): Promise<void>;
}

async function startPeer(contentType: string, respond: (request: Buffer) => Promise<Buffer>): Promise<TestPeer> {
	const peer: Omit<TestPeer, 'url' | 'close'> = { behaviour: {}, requests: [], responses: [] };
	const sockets = new Set<import('node:net').Socket>();
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			void (async () => {
				const body = Buffer.concat(chunks);
				peer.requests.push(body);
				const b = peer.behaviour;
				try {
					if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs).unref()); // unref: a closed peer must not hold jest open
					let answer = b.fixedResponse ?? (await respond(b.replaceRequest ? await b.replaceRequest(body) : body));
					if (b.tamper) answer = b.tamper(answer);
					peer.responses.push(answer);
					res.writeHead(b.httpStatus ?? 200, { 'Content-Type': b.contentType ?? contentType });
					res.end(answer);
				} catch (error) {
					res.writeHead(500, { 'Content-Type': 'text/plain' });
					res.end(String(error));
				}
			})();
		});
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(peer, {
		url: `http://127.0.0.1:${port}/`,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	});
}

let counter = 0;
function tempFile(dir: string, ext: string): string {
	counter += 1;
	return path.join(dir, `io-${process.pid}-${counter}-${randomBytes(4).toString('hex')}.${ext}`);
}

/** Which OCSP signer OpenSSL should use; tests switch it through `signer`. */
export interface OcspPeer extends TestPeer {
	signer: { cert: Issued; pss?: boolean; byKeyHash?: boolean };
}

/** A loopback OCSP responder: every request is answered by `openssl ocsp -index ... -reqin`. */
export async function startOcspPeer(pki: TestPki): Promise<OcspPeer> {
	const holder: { self?: OcspPeer } = {}; // filled below, read lazily by the responder
	const peer = await startPeer('application/ocsp-response', async (request) => {
		const reqPath = tempFile(pki.dir, 'ocspreq');
		const respPath = tempFile(pki.dir, 'ocspresp');
		fs.writeFileSync(reqPath, request);
		const { cert, pss, byKeyHash } = holder.self!.signer;
		await openssl(
			[
				'ocsp', '-index', pki.indexPath, '-CA', pki.ca.pem, '-rsigner', cert.pem, '-rkey', cert.key, '-rmd', 'sha256',
				'-reqin', reqPath, '-respout', respPath,
				...(pss ? ['-rsigopt', 'rsa_padding_mode:pss', '-rsigopt', 'rsa_pss_saltlen:digest'] : []),
				...(byKeyHash ? ['-resp_key_id'] : []),
			],
			pki.dir,
		);
		return fs.readFileSync(respPath);
	});
	holder.self = Object.assign(peer, { signer: { cert: pki.responder } as OcspPeer['signer'] });
	return holder.self;
}

/** A loopback TSA: every query is answered by `openssl ts -reply -queryfile`. */
export async function startTsaPeer(pki: TestPki): Promise<TestPeer & { signer: Issued }> {
	const holder: { self?: TestPeer & { signer: Issued } } = {};
	const peer = await startPeer('application/timestamp-reply', async (query) => {
		const queryPath = tempFile(pki.dir, 'tsq');
		const replyPath = tempFile(pki.dir, 'tsr');
		fs.writeFileSync(queryPath, query);
		await openssl(['ts', '-reply', '-config', pki.tsaConfigPath, '-queryfile', queryPath, '-signer', holder.self!.signer.pem, '-inkey', holder.self!.signer.key, '-out', replyPath], pki.dir);
		return fs.readFileSync(replyPath);
	});
	holder.self = Object.assign(peer, { signer: pki.tsa });
	return holder.self;
}

/** Flip one bit at `offset` (negative = from the end). */
export function flipByte(bytes: Buffer, offset: number): Buffer {
	const copy = Buffer.from(bytes);
	const at = offset < 0 ? copy.length + offset : offset;
	copy[at] ^= 0x01;
	return copy;
}
