/**
 * A small RSA test PKI made with the openssl CLI (root CA -> issuing CA -> signer; TSA and delegated OCSP
 * responder), cached in the OS temp dir, plus LT services that use `openssl ts -reply` and `openssl ocsp` as
 * the TSA and the OCSP responder: third-party tools produce the tokens our builder embeds.
 */
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, privateEncrypt, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LtServices } from '../../../../lib/asice/sign/lt-services';

export interface TestPki {
	dir: string;
	rootPem: string;
	caPem: string;
	signerPem: string;
	signerKeyPem: string;
	signer: X509Certificate;
	ca: X509Certificate;
	root: X509Certificate;
	/** A second signer (other key) under the same CA. */
	signer2Pem: string;
	signer2KeyPem: string;
}

const VERSION = 'v4';

function openssl(args: string[], cwd: string, input?: Buffer): Buffer {
	return execFileSync('openssl', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function ext(dir: string, name: string, body: string): string {
	const file = path.join(dir, `${name}.ext`);
	fs.writeFileSync(file, body);
	return file;
}

function makeCert(dir: string, name: string, subject: string, issuer: string | null, extensions: string, bits = 2048): void {
	openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', `${name}.key`], dir);
	openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
	const extFile = ext(dir, name, `[x]\n${extensions}\n`);
	const signArgs = issuer
		? ['-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-set_serial', '0x' + randomBytes(8).toString('hex')]
		: ['-signkey', `${name}.key`, '-set_serial', '0x01'];
	openssl(['x509', '-req', '-in', `${name}.csr`, ...signArgs, '-days', '3650', '-sha256', '-extfile', extFile, '-extensions', 'x', '-out', `${name}.crt`], dir);
}

let cached: TestPki | undefined;

/** Create (once per machine, cached) or load the test PKI. */
export function testPki(): TestPki {
	if (cached) return cached;
	const dir = path.join(os.tmpdir(), `smartid-build-test-pki-${VERSION}`);
	if (!fs.existsSync(path.join(dir, 'done'))) {
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
		makeCert(tmp, 'root', '/C=EE/O=Build Test/CN=Build Test Root', null, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash');
		makeCert(tmp, 'ca', '/C=EE/O=Build Test/CN=Build Test Issuing CA', 'root', 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid');
		const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\ncertificatePolicies=1.3.6.1.4.1.10015.17.2,0.4.0.194112.1.2';
		makeCert(tmp, 'signer', '/C=EE/CN=TESTNUMBER\\,SIGNER/SN=TESTNUMBER/GN=SIGNER/serialNumber=PNOEE-30303039914', 'ca', leaf, 3072);
		makeCert(tmp, 'signer2', '/C=EE/CN=TESTNUMBER\\,OTHER/SN=TESTNUMBER/GN=OTHER/serialNumber=PNOEE-30303039903', 'ca', leaf, 2048);
		makeCert(tmp, 'tsa', '/C=EE/O=Build Test/CN=Build Test TSA', 'ca', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid');
		makeCert(tmp, 'ocsp', '/C=EE/O=Build Test/CN=Build Test OCSP', 'ca', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,OCSPSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid');
		fs.writeFileSync(path.join(tmp, 'chain.pem'), fs.readFileSync(path.join(tmp, 'ca.crt')));
		fs.writeFileSync(path.join(tmp, 'tsaserial'), '01\n');
		const index = ['signer', 'signer2'].map((n) => {
			const c = new X509Certificate(fs.readFileSync(path.join(tmp, `${n}.crt`)));
			return `V\t391231235959Z\t\t${c.serialNumber.toUpperCase()}\tunknown\t/CN=${n}\n`;
		});
		fs.writeFileSync(path.join(tmp, 'index.txt'), index.join(''));
		fs.writeFileSync(path.join(tmp, 'index.txt.attr'), 'unique_subject = no\n');
		fs.writeFileSync(
			path.join(tmp, 'tsa.cnf'),
			`[ tsa ]\ndefault_tsa = t\n[ t ]\ndir = @PKIDIR@\nserial = $dir/tsaserial\ncrypto_device = builtin\nsigner_cert = $dir/tsa.crt\ncerts = $dir/chain.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = no\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`,
		);
		fs.writeFileSync(path.join(tmp, 'done'), 'ok');
		try {
			fs.renameSync(tmp, dir);
		} catch {
			fs.rmSync(tmp, { recursive: true, force: true }); // another worker won the race
		}
	}
	const read = (f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
	cached = {
		dir,
		rootPem: read('root.crt'),
		caPem: read('ca.crt'),
		signerPem: read('signer.crt'),
		signerKeyPem: read('signer.key'),
		signer2Pem: read('signer2.crt'),
		signer2KeyPem: read('signer2.key'),
		signer: new X509Certificate(read('signer.crt')),
		ca: new X509Certificate(read('ca.crt')),
		root: new X509Certificate(read('root.crt')),
	};
	return cached;
}

/** LT services backed by `openssl ts -reply` (TSA) and `openssl ocsp` (responder) on the test PKI. */
export function opensslLtServices(pki: TestPki, log?: { timestamps: number; ocsp: number }, indexFile = path.join(pki.dir, 'index.txt')): LtServices {
	return {
		async timestamp(data) {
			const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-'));
			try {
				fs.writeFileSync(path.join(work, 'data'), data);
				openssl(['ts', '-query', '-data', 'data', '-sha256', '-cert', '-out', 'q.tsq'], work);
				// openssl ts writes the serial file next to its config: use a private copy for concurrent runs.
				const cnf = fs.readFileSync(path.join(pki.dir, 'tsa.cnf'), 'utf8').replace('@PKIDIR@', pki.dir).replace('serial = $dir/tsaserial', `serial = ${path.join(work, 'serial')}`);
				fs.writeFileSync(path.join(work, 'serial'), randomBytes(4).toString('hex') + '\n');
				fs.writeFileSync(path.join(work, 'tsa.cnf'), cnf);
				openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-token_out', '-out', 'token.der'], work);
				if (log) log.timestamps++;
				return fs.readFileSync(path.join(work, 'token.der'));
			} finally {
				fs.rmSync(work, { recursive: true, force: true });
			}
		},
		async ocsp(certificate, issuer) {
			const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ocsp-'));
			try {
				fs.writeFileSync(path.join(work, 'cert.pem'), certificate.toString());
				fs.writeFileSync(path.join(work, 'issuer.pem'), issuer.toString());
				openssl(['ocsp', '-issuer', 'issuer.pem', '-cert', 'cert.pem', '-no_nonce', '-reqout', 'req.der'], work);
				openssl(['ocsp', '-index', indexFile, '-rsigner', path.join(pki.dir, 'ocsp.crt'), '-rkey', path.join(pki.dir, 'ocsp.key'), '-CA', path.join(pki.dir, 'ca.crt'), '-reqin', 'req.der', '-respout', 'resp.der', '-ndays', '1'], work);
				if (log) log.ocsp++;
				return fs.readFileSync(path.join(work, 'resp.der'));
			} finally {
				fs.rmSync(work, { recursive: true, force: true });
			}
		},
	};
}

const DIGEST_INFO_PREFIX: Record<string, string> = {
	sha256: '3031300d060960864801650304020105000420',
	sha384: '3041300d060960864801650304020205000430',
	sha512: '3051300d060960864801650304020305000440',
};

/**
 * Sign a digest the way Smart-ID does (RAW_DIGEST_SIGNATURE): RSASSA-PSS with mHash = the digest, salt =
 * hash length, MGF1 same hash (EMSA-PSS encoding here, raw RSA by node:crypto); or PKCS#1 v1.5 over DigestInfo.
 */
export function signDigest(keyPem: string, digest: Buffer, nodeHash: string, scheme: 'rsassa-pss' | 'rsassa-pkcs1-v1_5' = 'rsassa-pss'): Buffer {
	if (scheme === 'rsassa-pkcs1-v1_5') {
		return privateEncrypt({ key: keyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[nodeHash], 'hex'), digest]));
	}
	const key = createPrivateKey(keyPem);
	const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	const k = Math.ceil(modBits / 8);
	const emBits = modBits - 1;
	const emLen = Math.ceil(emBits / 8);
	const hLen = digest.length;
	const salt = randomBytes(hLen);
	const h = createHash(nodeHash).update(Buffer.concat([Buffer.alloc(8), digest, salt])).digest();
	const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
	const mask = Buffer.alloc(db.length);
	for (let counter = 0, at = 0; at < mask.length; counter++) {
		const c = Buffer.alloc(4);
		c.writeUInt32BE(counter);
		const block = createHash(nodeHash).update(Buffer.concat([h, c])).digest();
		block.copy(mask, at);
		at += block.length;
	}
	for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
	db[0] &= 0xff >> (8 * emLen - emBits);
	const em = Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.from([0xbc])]);
	return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}
