import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import type { IssuerTag, SimulatorAccount } from './accounts';
import {
	dateOfBirthExtension,
	ocspNoCheckExtension,
	PROFILE_OID,
	qualifiedSigningQcStatements,
} from './cert-extensions';
import { StateDir } from './state-dir';

const generateKeyPairAsync = promisify(generateKeyPair);
const subtle = webcrypto.subtle;
// @peculiar/x509 types its crypto parameter with the DOM Crypto type; node's webcrypto is that at run time.
const cryptoProvider = webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1];

/** Which certificate of a Smart-ID account: the authentication one or the (qualified) signing one. */
export type CertificatePurpose = 'auth' | 'sign';

/** Tags of the fixed (non-user) certificates of the test PKI. */
export type PkiTag = 'root' | IssuerTag | 'ocsp-E' | 'ocsp-R' | 'tsa';

/** A certificate of the test PKI with its private key (never leaves the simulator). */
export interface PkiEntity {
	tag: PkiTag;
	cert: X509Certificate;
	der: Buffer;
	pem: string;
	/** WebCrypto signing key (for @peculiar/x509 and pkijs). */
	signingKey: webcrypto.CryptoKey;
	/** Hash the entity signs with. */
	hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
	/** Tag of the entity that issued this one (the root issues itself). */
	issuedBy: PkiTag;
}

/** A user's certificate and key. */
export interface UserCredentials {
	cert: X509Certificate;
	der: Buffer;
	privateKey: KeyObject;
}

interface EntitySpec {
	tag: PkiTag;
	cn: string;
	issuedBy: PkiTag;
	key: webcrypto.EcKeyImportParams | webcrypto.RsaHashedKeyGenParams;
	hash: PkiEntity['hash'];
	years: number;
	file: string;
}

const ORG = 'Smart-ID Simulator (test only, not SK ID Solutions)';
const ORG_ID = 'NTREE-00000000';
const ec = (namedCurve: string): webcrypto.EcKeyImportParams => ({ name: 'ECDSA', namedCurve });
const rsa = (modulusLength: number, hash: string): webcrypto.RsaHashedKeyGenParams => ({
	name: 'RSASSA-PKCS1-v1_5',
	modulusLength,
	publicExponent: new Uint8Array([1, 0, 1]),
	hash,
});

/** The fixed part of the test PKI, shaped like SK's: ECDSA root, an "…E" (P-384) and an "…R" (RSA) issuing CA. */
const ENTITIES: EntitySpec[] = [
	{ tag: 'root', cn: 'TEST of Smart-ID Simulator ROOT G1E', issuedBy: 'root', key: ec('P-521'), hash: 'SHA-512', years: 20, file: 'simulator-root-g1e' },
	{ tag: 'E', cn: 'TEST of Smart-ID Simulator EID-Q 2024E', issuedBy: 'root', key: ec('P-384'), hash: 'SHA-384', years: 15, file: 'simulator-eid-q-2024e' },
	{ tag: 'R', cn: 'TEST of Smart-ID Simulator EID-Q 2024R', issuedBy: 'root', key: rsa(4096, 'SHA-384'), hash: 'SHA-384', years: 15, file: 'simulator-eid-q-2024r' },
	{ tag: 'ocsp-E', cn: 'TEST of Smart-ID Simulator EID-Q 2024E AIA OCSP RESPONDER', issuedBy: 'E', key: ec('P-256'), hash: 'SHA-256', years: 5, file: 'simulator-ocsp-e' },
	{ tag: 'ocsp-R', cn: 'TEST of Smart-ID Simulator EID-Q 2024R AIA OCSP RESPONDER', issuedBy: 'R', key: rsa(2048, 'SHA-256'), hash: 'SHA-256', years: 5, file: 'simulator-ocsp-r' },
	{ tag: 'tsa', cn: 'DEMO Smart-ID Simulator TIMESTAMPING UNIT 2025E', issuedBy: 'root', key: ec('P-256'), hash: 'SHA-256', years: 5, file: 'simulator-tsa' },
];

const PKI_VERSION = 2;

function caName(cn: string): x509.JsonName {
	return [
		{ '2.5.4.3': [{ utf8String: cn }] },
		{ '2.5.4.97': [{ utf8String: ORG_ID }] },
		{ '2.5.4.10': [{ utf8String: ORG }] },
		{ '2.5.4.6': [{ printableString: 'EE' }] },
	] as unknown as x509.JsonName;
}

function userName(account: SimulatorAccount): x509.JsonName {
	return [
		{ '2.5.4.6': [{ printableString: account.country }] },
		{ '2.5.4.3': [{ utf8String: `${account.surname},${account.givenName}` }] },
		{ '2.5.4.4': [{ utf8String: account.surname }] },
		{ '2.5.4.42': [{ utf8String: account.givenName }] },
		{ '2.5.4.5': [{ printableString: account.semanticsIdentifier }] },
	] as unknown as x509.JsonName;
}

/** Positive 16-byte serial number, hex. */
function newSerial(): string {
	const bytes = randomBytes(16);
	bytes[0] = (bytes[0] & 0x7f) | 0x10;
	return bytes.toString('hex');
}

function signingAlgorithm(entity: { hash: string; signingKey: webcrypto.CryptoKey }): webcrypto.Algorithm {
	return entity.signingKey.algorithm.name === 'ECDSA'
		? ({ name: 'ECDSA', hash: entity.hash } as webcrypto.EcdsaParams)
		: ({ name: 'RSASSA-PKCS1-v1_5', hash: entity.hash } as unknown as webcrypto.Algorithm);
}

function yearsFrom(date: Date, years: number): Date {
	const result = new Date(date);
	result.setUTCFullYear(result.getUTCFullYear() + years);
	return result;
}

function safeFileName(text: string): string {
	return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Options of {@link TestPki.open}. */
export interface TestPkiOptions {
	/** RSA size of user keys; SK uses 6144, the default 4096 keeps first-use key generation short. */
	userKeyBits?: number;
}

/**
 * The simulator's test PKI: CA, OCSP responder and TSA keys and certificates, plus per-account authentication and
 * signing certificates issued lazily on first use. Everything is cached in the state directory.
 */
export class TestPki {
	private readonly entities = new Map<PkiTag, PkiEntity>();
	private readonly users = new Map<string, Promise<UserCredentials>>();
	/** OCSP CertID hashes of the fixed entities, per hash algorithm (computed once). */
	private readonly certIdHashes = new Map<string, { name: Buffer; key: Buffer }>();
	private readonly userKeyBits: number;

	private constructor(
		private readonly state: StateDir,
		options: TestPkiOptions,
	) {
		this.userKeyBits = options.userKeyBits ?? 4096;
	}

	/** Load the PKI from `state`, generating it (under a lock shared with other processes) on first use. */
	static async open(state: StateDir, options: TestPkiOptions = {}): Promise<TestPki> {
		const pki = new TestPki(state, options);
		if (!(await pki.tryLoad())) {
			await state.withLock('pki', async () => {
				if (!(await pki.tryLoad())) await pki.generate();
			});
		}
		pki.writeCaPems();
		return pki;
	}

	entity(tag: PkiTag): PkiEntity {
		const entity = this.entities.get(tag);
		if (!entity) throw new Error(`Test PKI entity ${tag} missing`);
		return entity;
	}

	/** Trust anchors a client needs: root and both issuing CAs. */
	caEntities(): PkiEntity[] {
		return [this.entity('root'), this.entity('E'), this.entity('R')];
	}

	/** PEM paths of root and issuing CAs (written under `<stateDir>/ca/`). */
	caPemPaths(): string[] {
		return this.caEntities().map((e) => this.state.path('ca', `${this.specOf(e.tag).file}.pem`));
	}

	/** PEM path of any fixed entity's certificate. */
	pemPath(tag: PkiTag): string {
		return this.state.path('ca', `${this.specOf(tag).file}.pem`);
	}

	/** The issuing CA whose name and key hashes match an OCSP CertID (SHA-1 or SHA-256 per `hashName`). */
	issuerByHashes(hashName: string, nameHash: Buffer, keyHash: Buffer): PkiEntity | undefined {
		for (const entity of this.entities.values()) {
			const key = `${entity.tag}|${hashName}`;
			let hashes = this.certIdHashes.get(key);
			if (!hashes) {
				hashes = {
					name: createHash(hashName).update(subjectDer(entity.cert)).digest(),
					key: createHash(hashName).update(spkiBitString(entity.cert)).digest(),
				};
				this.certIdHashes.set(key, hashes);
			}
			if (hashes.name.equals(nameHash) && hashes.key.equals(keyHash)) return entity;
		}
		return undefined;
	}

	/** A certificate this PKI issued, by serial (lower-case hex without leading zeros dropped), or undefined. */
	issuedCertificate(serialHex: string): X509Certificate | undefined {
		const pem = this.state.readText(`issued/${normaliseSerial(serialHex)}.pem`);
		return pem ? new X509Certificate(pem) : undefined;
	}

	/**
	 * The account's certificate for `purpose` with its key. Keys are generated once (cross-process lock) and kept;
	 * the certificate is re-issued when the OCSP URL (it embeds the port) changes or it nears expiry.
	 */
	credentials(account: SimulatorAccount, purpose: CertificatePurpose, ocspUrl: string): Promise<UserCredentials> {
		const key = `${account.documentNumber}|${purpose}|${ocspUrl}`;
		let pending = this.users.get(key);
		if (!pending) {
			pending = this.loadOrIssueUser(account, purpose, ocspUrl);
			pending.catch(() => this.users.delete(key));
			this.users.set(key, pending);
		}
		return pending;
	}

	private specOf(tag: PkiTag): EntitySpec {
		return ENTITIES.find((s) => s.tag === tag) as EntitySpec;
	}

	private async tryLoad(): Promise<boolean> {
		const ready = this.state.readText('pki/ready.json');
		if (!ready || (JSON.parse(ready) as { version?: number }).version !== PKI_VERSION) return false;
		for (const spec of ENTITIES) {
			const keyPem = this.state.readText(`pki/${spec.file}.key.pem`);
			const certPem = this.state.readText(`pki/${spec.file}.crt.pem`);
			if (!keyPem || !certPem) return false;
			const cert = new X509Certificate(certPem);
			if (new Date(cert.validTo).getTime() < Date.now() + 86_400_000) return false;
			const pkcs8 = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
			const signingKey = await subtle.importKey('pkcs8', pkcs8, importParams(spec), false, ['sign']);
			this.entities.set(spec.tag, { tag: spec.tag, cert, der: cert.raw, pem: cert.toString(), signingKey, hash: spec.hash, issuedBy: spec.issuedBy });
		}
		return true;
	}

	private async generate(): Promise<void> {
		const now = new Date();
		for (const spec of ENTITIES) {
			const keys = (await subtle.generateKey(spec.key, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
			const issuer = spec.tag === 'root' ? undefined : this.entity(spec.issuedBy);
			const extensions = await this.entityExtensions(spec, keys.publicKey, issuer);
			const params = {
				serialNumber: newSerial(),
				subject: caName(spec.cn),
				// The issuer name must be byte-identical to the CA's subject (OCSP CertID name hashes compare bytes).
				issuer: issuer ? new x509.X509Certificate(issuer.der).subjectName : caName(spec.cn),
				notBefore: new Date(now.getTime() - 3_600_000),
				notAfter: yearsFrom(now, spec.years),
				publicKey: keys.publicKey,
				signingKey: issuer ? issuer.signingKey : keys.privateKey,
				signingAlgorithm: issuer ? signingAlgorithm(issuer) : signingAlgorithm({ hash: spec.hash, signingKey: keys.privateKey }),
				extensions,
			};
			const generated = await x509.X509CertificateGenerator.create(params, cryptoProvider);
			const cert = new X509Certificate(Buffer.from(generated.rawData));
			const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
			this.state.write(`pki/${spec.file}.key.pem`, toPem(pkcs8, 'PRIVATE KEY'), true);
			this.state.write(`pki/${spec.file}.crt.pem`, cert.toString());
			this.registerIssued(cert);
			this.entities.set(spec.tag, { tag: spec.tag, cert, der: cert.raw, pem: cert.toString(), signingKey: keys.privateKey, hash: spec.hash, issuedBy: spec.issuedBy });
		}
		this.state.write('pki/ready.json', JSON.stringify({ version: PKI_VERSION, created: now.toISOString() }));
	}

	private async entityExtensions(spec: EntitySpec, publicKey: webcrypto.CryptoKey, issuer: PkiEntity | undefined): Promise<x509.Extension[]> {
		const ski = await x509.SubjectKeyIdentifierExtension.create(publicKey, false, cryptoProvider);
		const aki = issuer
			? await x509.AuthorityKeyIdentifierExtension.create(new x509.X509Certificate(issuer.der).publicKey, false, cryptoProvider)
			: new x509.AuthorityKeyIdentifierExtension(ski.keyId);
		const list: x509.Extension[] = [aki, ski];
		if (spec.tag === 'root' || spec.tag === 'E' || spec.tag === 'R') {
			list.push(new x509.BasicConstraintsExtension(true, spec.tag === 'root' ? undefined : 0, true));
			list.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
			if (spec.tag !== 'root') list.push(new x509.CertificatePolicyExtension(['2.5.29.32.0']));
		} else if (spec.tag === 'tsa') {
			list.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true));
			list.push(new x509.ExtendedKeyUsageExtension([PROFILE_OID.timeStamping], true));
			list.push(new x509.CertificatePolicyExtension([PROFILE_OID.ncpPlus]));
		} else {
			list.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
			list.push(new x509.ExtendedKeyUsageExtension([PROFILE_OID.ocspSigning], true));
			list.push(ocspNoCheckExtension());
		}
		return list;
	}

	private registerIssued(cert: X509Certificate): void {
		this.state.write(`issued/${normaliseSerial(cert.serialNumber)}.pem`, cert.toString());
	}

	private writeCaPems(): void {
		for (const spec of ENTITIES) {
			const entity = this.entity(spec.tag);
			const target = `ca/${spec.file}.pem`;
			if (this.state.readText(target) !== entity.pem) this.state.write(target, entity.pem);
		}
	}

	private async userKey(account: SimulatorAccount, purpose: CertificatePurpose): Promise<KeyObject> {
		// The size is part of the name: asking for 6144-bit keys never silently reuses 4096-bit ones.
		const file = `keys/${safeFileName(account.documentNumber)}.${purpose}.rsa${this.userKeyBits}.key.pem`;
		const existing = this.state.readText(file);
		if (existing) return createPrivateKey(existing);
		return this.state.withLock(`keys/${safeFileName(account.documentNumber)}.${purpose}.rsa${this.userKeyBits}`, async () => {
			const again = this.state.readText(file);
			if (again) return createPrivateKey(again);
			const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: this.userKeyBits, publicExponent: 0x10001 });
			this.state.write(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, true);
			return privateKey;
		});
	}

	private async loadOrIssueUser(account: SimulatorAccount, purpose: CertificatePurpose, ocspUrl: string): Promise<UserCredentials> {
		const privateKey = await this.userKey(account, purpose);
		const urlTag = createHash('sha256').update(ocspUrl).digest('hex').slice(0, 12);
		const file = `certs/${safeFileName(account.documentNumber)}.${purpose}.${urlTag}.crt.pem`;
		const issuer = this.entity(account.issuer);
		const cached = this.state.readText(file);
		if (cached) {
			const cert = new X509Certificate(cached);
			const fresh = new Date(cert.validTo).getTime() > Date.now() + 30 * 86_400_000;
			// Another process may have replaced the key, or the CA may have been regenerated: re-check both.
			if (fresh && cert.checkPrivateKey(privateKey) && sameIssuerBytes(cert, issuer.cert) && cert.verify(issuer.cert.publicKey)) {
				return { cert, der: cert.raw, privateKey };
			}
		}
		const cert = await this.issueUser(account, purpose, privateKey, issuer, ocspUrl);
		this.registerIssued(cert);
		this.state.write(file, cert.toString());
		return { cert, der: cert.raw, privateKey };
	}

	private async issueUser(
		account: SimulatorAccount,
		purpose: CertificatePurpose,
		privateKey: KeyObject,
		issuer: PkiEntity,
		ocspUrl: string,
	): Promise<X509Certificate> {
		const spki = createPublicKeyDer(privateKey);
		const qualified = account.certificateLevel === 'QUALIFIED';
		const issuerCert = new x509.X509Certificate(issuer.der);
		const caIssuersUrl = new URL(`ca/${this.specOf(issuer.tag).file}.der`, new URL('/', ocspUrl)).toString();
		const extensions: x509.Extension[] = [
			new x509.BasicConstraintsExtension(false),
			await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey, false, cryptoProvider),
			new x509.AuthorityInfoAccessExtension({ caIssuers: caIssuersUrl, ocsp: ocspUrl }),
			new x509.SubjectAlternativeNameExtension([{ type: 'dn', value: `CN=${account.documentNumber}` }]),
			new x509.CertificatePolicyExtension(
				qualified
					? [PROFILE_OID.skQualified, purpose === 'auth' ? PROFILE_OID.ncpPlus : PROFILE_OID.qcpNaturalQscd]
					: [PROFILE_OID.skAdvanced, PROFILE_OID.ncp],
			),
		];
		const dob = purpose === 'auth' && account.authDateOfBirth !== undefined ? account.authDateOfBirth : account.dateOfBirth;
		if (dob) extensions.push(dateOfBirthExtension(dob));
		if (purpose === 'sign' && qualified) {
			extensions.push(qualifiedSigningQcStatements('https://smart-id-simulator.invalid/conditions-for-use-of-certificates/'));
		}
		if (purpose === 'auth') extensions.push(new x509.ExtendedKeyUsageExtension([PROFILE_OID.smartIdAuthEku]));
		extensions.push(await x509.SubjectKeyIdentifierExtension.create(spki, false, cryptoProvider));
		extensions.push(
			new x509.KeyUsagesExtension(purpose === 'auth' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.nonRepudiation, true),
		);
		const now = Date.now();
		const generated = await x509.X509CertificateGenerator.create(
			{
				serialNumber: newSerial(),
				subject: userName(account),
				issuer: issuerCert.subjectName,
				notBefore: new Date(now - 3_600_000),
				notAfter: yearsFrom(new Date(now), 3),
				publicKey: spki,
				signingKey: issuer.signingKey,
				signingAlgorithm: signingAlgorithm(issuer),
				extensions,
			},
			cryptoProvider,
		);
		return new X509Certificate(Buffer.from(generated.rawData));
	}
}

function importParams(spec: EntitySpec): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
	return spec.key.name === 'ECDSA' ? (spec.key as webcrypto.EcKeyImportParams) : { name: 'RSASSA-PKCS1-v1_5', hash: spec.hash };
}

function createPublicKeyDer(privateKey: KeyObject): Buffer {
	return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

function toPem(der: Buffer, label: string): string {
	const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
	return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Serial as lower-case hex without leading zero bytes (node prints upper case, OCSP gives raw integers). */
export function normaliseSerial(serialHex: string): string {
	return serialHex.toLowerCase().replace(/^(00)+(?=[0-9a-f])/, '');
}

function sameIssuerBytes(cert: X509Certificate, issuer: X509Certificate): boolean {
	const parsed = pkijs.Certificate.fromBER(cert.raw);
	return Buffer.from(parsed.issuer.toSchema().toBER(false)).equals(subjectDer(issuer));
}

function subjectDer(cert: X509Certificate): Buffer {
	const parsed = pkijs.Certificate.fromBER(cert.raw);
	return Buffer.from(parsed.subject.toSchema().toBER(false));
}

/** The key hash of an OCSP CertID covers the BIT STRING contents of subjectPublicKey, not the whole SPKI. */
function spkiBitString(cert: X509Certificate): Buffer {
	const parsed = pkijs.Certificate.fromBER(cert.raw);
	return Buffer.from(parsed.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
}
