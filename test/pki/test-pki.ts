// Test-only PKI: real keys and real certificates shaped like SK's Smart-ID chain, built with @peculiar/x509.
// Keys are cached per process so a suite generates each kind once.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KeyObject, X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { OID } from '../../lib/pki/oids';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type KeyKind = 'rsa' | 'rsa-pss' | 'P-256' | 'P-384' | 'P-521';

interface KeyEntry {
	keys: webcrypto.CryptoKeyPair;
	signing: webcrypto.Algorithm & Record<string, unknown>;
}

const keyCache = new Map<string, Promise<KeyEntry>>();

/** A key pair of the given kind; `slot` lets a test ask for a second, different key of the same kind. */
export function testKey(kind: KeyKind, slot = 0): Promise<KeyEntry> {
	const id = `${kind}#${slot}`;
	let entry = keyCache.get(id);
	if (!entry) {
		entry = generate(kind);
		keyCache.set(id, entry);
	}
	return entry;
}

async function generate(kind: KeyKind): Promise<KeyEntry> {
	const subtle = webcrypto.subtle;
	if (kind === 'rsa' || kind === 'rsa-pss') {
		const name = kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
		const keys = (await subtle.generateKey(
			{ name, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
			true,
			['sign', 'verify'],
		)) as webcrypto.CryptoKeyPair;
		return { keys, signing: kind === 'rsa' ? { name, hash: 'SHA-256' } : { name, hash: 'SHA-256', saltLength: 32 } };
	}
	const hash = kind === 'P-256' ? 'SHA-256' : kind === 'P-384' ? 'SHA-384' : 'SHA-512';
	const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: kind }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
	return { keys, signing: { name: 'ECDSA', hash } };
}

/** node:crypto private key of a cached test key (to sign payloads like the Smart-ID app does). */
export async function nodePrivateKey(entry: KeyEntry): Promise<KeyObject> {
	const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', entry.keys.privateKey);
	return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

export interface CertSpec {
	subject: string;
	key: KeyEntry;
	issuer?: { cert: X509Certificate; key: KeyEntry };
	notBefore?: Date;
	notAfter?: Date;
	ca?: boolean;
	pathLength?: number;
	/** Leave basicConstraints out entirely. */
	noBasicConstraints?: boolean;
	keyUsage?: number;
	eku?: string[];
	policies?: string[];
	sanDirectoryCn?: string;
	dateOfBirth?: string;
	qcStatements?: { compliance?: boolean; sscd?: boolean; types?: string[] };
	/** Sign with this key instead of the issuer's (to make a bad signature). */
	forgeWith?: KeyEntry;
	serial?: string;
}

let serialCounter = 1;

function rawExtension(oid: string, value: asn1js.BaseBlock): x509.Extension {
	return new x509.Extension(oid, false, value.toBER(false));
}

function sanDirectoryName(cn: string): asn1js.BaseBlock {
	const name = new pkijs.RelativeDistinguishedNames({
		typesAndValues: [new pkijs.AttributeTypeAndValue({ type: OID.commonName, value: new asn1js.Utf8String({ value: cn }) })],
	});
	return new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: name })] }).toSchema();
}

function dateOfBirthAttributes(date: string): asn1js.BaseBlock {
	const [y, m, d] = date.split('-').map(Number);
	return new asn1js.Sequence({
		value: [
			new asn1js.Sequence({
				value: [
					new asn1js.ObjectIdentifier({ value: OID.pdaDateOfBirth }),
					new asn1js.Set({ value: [new asn1js.GeneralizedTime({ valueDate: new Date(Date.UTC(y, m - 1, d, 12)) })] }),
				],
			}),
		],
	});
}

function qcStatements(spec: NonNullable<CertSpec['qcStatements']>): asn1js.BaseBlock {
	const items: asn1js.BaseBlock[] = [];
	const statement = (id: string, info?: asn1js.BaseBlock): asn1js.BaseBlock =>
		new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: id }), ...(info ? [info] : [])] });
	if (spec.compliance) items.push(statement(OID.qcCompliance));
	if (spec.sscd) items.push(statement(OID.qcSscd));
	if (spec.types?.length) {
		items.push(
			statement(OID.qcType, new asn1js.Sequence({ value: spec.types.map((t) => new asn1js.ObjectIdentifier({ value: t })) })),
		);
	}
	return new asn1js.Sequence({ value: items });
}

/** Issue (or self-sign when `issuer` is absent) a certificate. */
export async function makeCert(spec: CertSpec): Promise<X509Certificate> {
	const extensions: x509.Extension[] = [];
	if (!spec.noBasicConstraints) {
		extensions.push(new x509.BasicConstraintsExtension(spec.ca ?? false, spec.pathLength, true));
	}
	const defaultKu = spec.ca
		? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
		: x509.KeyUsageFlags.digitalSignature;
	extensions.push(new x509.KeyUsagesExtension(spec.keyUsage ?? defaultKu, true));
	if (spec.eku?.length) extensions.push(new x509.ExtendedKeyUsageExtension(spec.eku));
	if (spec.policies?.length) extensions.push(new x509.CertificatePolicyExtension(spec.policies));
	if (spec.sanDirectoryCn) extensions.push(rawExtension(OID.subjectAltName, sanDirectoryName(spec.sanDirectoryCn)));
	if (spec.dateOfBirth) extensions.push(rawExtension(OID.subjectDirectoryAttributes, dateOfBirthAttributes(spec.dateOfBirth)));
	if (spec.qcStatements) extensions.push(rawExtension(OID.qcStatements, qcStatements(spec.qcStatements)));
	extensions.push(await x509.SubjectKeyIdentifierExtension.create(spec.key.keys.publicKey));
	const signer = spec.forgeWith ?? spec.issuer?.key ?? spec.key;
	if (spec.issuer) {
		extensions.push(await x509.AuthorityKeyIdentifierExtension.create(spec.issuer.key.keys.publicKey));
	}
	const notBefore = spec.notBefore ?? new Date('2024-01-01T00:00:00Z');
	const notAfter = spec.notAfter ?? new Date('2034-01-01T00:00:00Z');
	const cert = await x509.X509CertificateGenerator.create({
		serialNumber: spec.serial ?? (serialCounter++).toString(16).padStart(8, '0') + '01',
		subject: spec.subject,
		issuer: spec.issuer ? new x509.X509Certificate(spec.issuer.cert.raw).subjectName : spec.subject,
		notBefore,
		notAfter,
		publicKey: spec.key.keys.publicKey,
		signingKey: signer.keys.privateKey,
		signingAlgorithm: signer.signing,
		extensions,
	});
	return new X509Certificate(Buffer.from(cert.rawData));
}

/** PEM text of a certificate. */
export function pemOf(cert: X509Certificate): string {
	return cert.toString();
}
