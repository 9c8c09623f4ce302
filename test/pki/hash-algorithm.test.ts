/**
 * The one hash table (lib/hash-algorithm.ts, issue 12 item 3) against independent sources: Node's digest
 * lengths, OpenSSL's OID names, and the XML-DSig URIs the signer writes and the verifier reads.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { HASH_TABLE, hashAlgorithmFromOid, hashAlgorithmFromXmlDigest, xmlDigestUri, xmlSignatureUri, type KnownHashAlgorithm } from '../../lib/hash-algorithm';
import { digestMethodUri, signatureMethodUri } from '../../lib/asice/sign/algorithms';
import { digestAlgorithm, hashLength, signatureAlgorithm } from '../../lib/asice/verify/algorithms';
import { hashFromOid } from '../../lib/pki/ocsp-tsp-crypto';
import { OID } from '../../lib/pki/oids';

const NAMES = Object.keys(HASH_TABLE) as KnownHashAlgorithm[];

function opensslOidName(oid: string): string {
	return execFileSync('openssl', ['asn1parse', '-genstr', `OID:${oid}`], { encoding: 'utf8' }).split(':').pop()!.trim();
}

it.each(NAMES)('%s: Node length, OpenSSL name of the OID, XML digest URI round trip', (name) => {
	const entry = HASH_TABLE[name];
	expect(createHash(entry.node).digest().length).toBe(entry.length);
	expect(opensslOidName(entry.oid).toUpperCase().replace(/[-_]/g, '')).toBe(name.replace(/-/g, ''));
	expect(hashAlgorithmFromOid(entry.oid)).toBe(name);
	expect(hashAlgorithmFromXmlDigest(xmlDigestUri(name))).toBe(name);
	expect(digestAlgorithm(xmlDigestUri(name))).toBe(entry.node);
	expect(hashLength(entry.node)).toBe(entry.length);
	for (const key of ['rsa', 'rsa-pss', 'ec'] as const) expect(signatureAlgorithm(xmlSignatureUri(key, name))).toEqual({ key, hash: entry.node });
});

it('the signer writes the URIs the verifier reads, and the well-known ones', () => {
	expect(digestMethodUri('SHA-256')).toBe('http://www.w3.org/2001/04/xmlenc#sha256');
	expect(digestMethodUri('SHA-384')).toBe('http://www.w3.org/2001/04/xmldsig-more#sha384');
	expect(digestAlgorithm('http://www.w3.org/2001/04/xmlenc#sha384')).toBe('sha384');
	expect(signatureMethodUri('rsassa-pss', 'SHA-256')).toBe('http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1');
	expect(signatureMethodUri('rsassa-pss', 'SHA3-512')).toBe('http://www.w3.org/2007/05/xmldsig-more#sha3-512-rsa-MGF1');
	expect(signatureMethodUri('rsassa-pkcs1-v1_5', 'SHA-512')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha512');
	expect(() => signatureMethodUri('rsassa-pkcs1-v1_5', 'SHA3-256')).toThrow(/only supported with SHA-256, SHA-384 or SHA-512/);
	expect(signatureAlgorithm('http://www.w3.org/2000/09/xmldsig#rsa-sha1')).toEqual({ key: 'rsa', hash: 'sha1' });
	expect(signatureAlgorithm('http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1')).toEqual({ key: 'ec', hash: 'sha1' });
	expect(signatureAlgorithm('http://www.w3.org/2001/04/xmldsig-more#rsa-sha1')).toBeNull();
});

it('signature algorithm OIDs are the ones OpenSSL names (RSA with SHA3-256 is .14, not .13 = SHA3-224)', () => {
	expect(opensslOidName(OID.rsaWithSha3_256)).toBe('RSA-SHA3-256');
	expect(opensslOidName(OID.rsaWithSha3_512)).toBe('RSA-SHA3-512');
	expect(opensslOidName(OID.ecdsaWithSha3_384)).toBe('ecdsa_with_SHA3-384');
	expect(opensslOidName(OID.sha224WithRSAEncryption)).toBe('sha224WithRSAEncryption');
	expect(hashFromOid(OID.sha3_224)).toBeUndefined(); // not a token hash
});
