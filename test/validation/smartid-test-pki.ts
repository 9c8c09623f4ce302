// Test PKI shaped like SK's Smart-ID chain (ECDSA P-384 root and issuing CA, RSA user keys) plus helpers
// that answer a session like the Smart-ID app would: real signatures made with node:crypto.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { constants, createHash, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { OID } from '../../lib/pki/oids';
import { TrustStore } from '../../lib/pki/trust-store';
import { makeCert, nodePrivateKey, testKey, type CertSpec } from '../pki/test-pki';

export const DOC = 'PNOEE-40504040001-MOCK-Q';
export const SEMANTICS_ID = 'PNOEE-40504040001';
export const NOW = new Date('2026-06-01T00:00:00Z');

export const AUTH_POLICIES_Q = [OID.policySkSmartIdQualified, OID.policyEtsiNcpPlus];
export const SIGN_POLICIES_Q = [OID.policySkSmartIdQualified, OID.policyEtsiQcpNQscd];
export const POLICIES_ADVANCED = [OID.policySkSmartIdNonQualified, OID.policyEtsiNcp];

export interface TestPki {
	root: X509Certificate;
	ca: X509Certificate;
	trust: TrustStore;
	/** Issue a user certificate under the test CA; defaults describe a QUALIFIED auth cert. */
	user(spec?: Partial<CertSpec>): Promise<X509Certificate>;
	authCert: X509Certificate;
	signCert: X509Certificate;
	userKey: KeyObject;
	otherKey: KeyObject;
}

let pki: Promise<TestPki> | undefined;

/** Built once per test file (keys are cached by the test-pki module). */
export function testPki(): Promise<TestPki> {
	pki ??= build();
	return pki;
}

async function build(): Promise<TestPki> {
	const rootKey = await testKey('P-384', 10);
	const caKey = await testKey('P-384', 11);
	const userKeyEntry = await testKey('rsa', 12);
	const otherKeyEntry = await testKey('rsa', 13);
	const root = await makeCert({ subject: 'CN=TEST of Smart-ID Test ROOT, O=Test, C=EE', key: rootKey, ca: true, notAfter: new Date('2040-01-01Z') });
	const ca = await makeCert({
		subject: 'CN=TEST of Smart-ID Test EID-Q, O=Test, C=EE',
		key: caKey,
		ca: true,
		pathLength: 0,
		issuer: { cert: root, key: rootKey },
		notAfter: new Date('2039-01-01Z'),
	});
	const user = (spec: Partial<CertSpec> = {}): Promise<X509Certificate> =>
		makeCert({
			subject: `C=EE, CN=OK TEST, 2.5.4.4=TEST, 2.5.4.42=OK, 2.5.4.5=${SEMANTICS_ID}`,
			key: userKeyEntry,
			issuer: { cert: ca, key: caKey },
			notBefore: new Date('2025-09-01Z'),
			notAfter: new Date('2028-09-01Z'),
			keyUsage: x509.KeyUsageFlags.digitalSignature,
			eku: [OID.ekuSmartIdAuthentication],
			policies: AUTH_POLICIES_Q,
			sanDirectoryCn: DOC,
			dateOfBirth: '1905-04-04',
			...spec,
		});
	return {
		root,
		ca,
		trust: TrustStore.of([root], [ca]),
		user,
		authCert: await user(),
		signCert: await user({
			keyUsage: x509.KeyUsageFlags.nonRepudiation,
			eku: [],
			policies: SIGN_POLICIES_Q,
			qcStatements: { compliance: true, sscd: true, types: [OID.qcTypeEsign] },
		}),
		userKey: await nodePrivateKey(userKeyEntry),
		otherKey: await nodePrivateKey(otherKeyEntry),
	};
}

const NODE_HASH: Record<string, string> = {
	'SHA-256': 'sha256',
	'SHA-384': 'sha384',
	'SHA-512': 'sha512',
	'SHA3-256': 'sha3-256',
	'SHA3-384': 'sha3-384',
	'SHA3-512': 'sha3-512',
};
const LEN: Record<string, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64, 'SHA3-256': 32, 'SHA3-384': 48, 'SHA3-512': 64 };

/** RSASSA-PSS (salt = hash length, MGF1 same hash) over `data`, as the app signs. */
export function pssSign(key: KeyObject, hash: string, data: Buffer | string): string {
	return sign(NODE_HASH[hash], Buffer.from(data), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: LEN[hash] }).toString(
		'base64',
	);
}

/** RSASSA-PKCS1-v1_5 over `data` (legacy demo answers). */
export function pkcs1Sign(key: KeyObject, hash: string, data: Buffer | string): string {
	return sign(NODE_HASH[hash], Buffer.from(data), key).toString('base64');
}

/** `signatureAlgorithmParameters` of a correct PSS answer. */
export function pssParams(hash: string): Record<string, unknown> {
	return {
		hashAlgorithm: hash,
		maskGenAlgorithm: { algorithm: 'id-mgf1', parameters: { hashAlgorithm: hash } },
		saltLength: LEN[hash],
		trailerField: '0xbc',
	};
}

/** Hash helper for tests. */
export function digestOf(hash: string, data: Buffer | string): Buffer {
	return createHash(NODE_HASH[hash]).update(data).digest();
}
