/**
 * The real SK vector (smart-id-java-client SignatureValueValidatorImplTest): a DigiDoc4j-style ds:SignedInfo signed
 * by a DEMO Smart-ID account with RSASSA-PSS/SHA-512 over H(SignedInfo). Our builder must write the same
 * SignedInfo for the same inputs, our c14n must give the same bytes, and the real signature must verify over them.
 */
import { constants, verify, X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { C14N, canonicalize } from '../../../lib/asice/c14n';
import { parseXmlSafely } from '../../../lib/asice/xml';
import { canonicalParts, type SignatureParameters } from '../../../lib/asice/sign';
import { signatureDocumentXml, signedInfoXml } from '../../../lib/asice/sign/signature-xml';
import { readFixtureJson } from '../../helpers/fixtures';
import { opensslDigest, opensslVerifyDigest, xmllintExcC14n } from './helpers/independent';

interface Vector {
	inputs: { dataToSignBase64: string; digestBase64: string; hashAlgorithm: string };
	signatureValueBase64: string;
	certificateBase64: string;
}

const vector = readFixtureJson<Vector>('smartid-v3', 'java-raw-digest-signature-pss-sha512-xades-signedinfo.json');
const signedInfo = Buffer.from(vector.inputs.dataToSignBase64, 'base64');
const signature = Buffer.from(vector.signatureValueBase64, 'base64');
const cert = new X509Certificate(Buffer.from(vector.certificateBase64, 'base64'));

it('our c14n of the parsed SignedInfo gives the signed bytes, and the real PSS signature verifies over them', () => {
	const doc = parseXmlSafely(signedInfo);
	const canonical = canonicalize(doc.documentElement as unknown as Element, C14N.exc);
	expect(canonical.equals(signedInfo)).toBe(true);
	expect(xmllintExcC14n(signedInfo.toString('utf8'), []).equals(signedInfo)).toBe(true);
	expect(opensslDigest('sha512', canonical).toString('base64')).toBe(vector.inputs.digestBase64);
	expect(verify('sha512', canonical, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signature)).toBe(true);
	expect(opensslVerifyDigest(cert.toString(), opensslDigest('sha512', canonical), signature, 'sha512', 'pss')).toBe(true);
	// Negative control: one changed byte breaks it.
	const changed = Buffer.from(canonical);
	changed[changed.length - 20] ^= 1;
	expect(verify('sha512', changed, { key: cert.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, signature)).toBe(false);
});

it('our SignedInfo builder writes exactly the SignedInfo SK signed, given the same Ids, method and digests', () => {
	const text = signedInfo.toString('utf8');
	const idBase = /r-id-([0-9a-f]{32})-1/.exec(text)![1];
	const fileDigest = /URI="dummy.pdf"><ds:DigestMethod[^>]*><\/ds:DigestMethod><ds:DigestValue>([^<]+)</.exec(text)![1];
	const spDigest = /SignedProperties" URI="#xades-id-[0-9a-f]+"><ds:Transforms>.*<ds:DigestValue>([^<]+)</.exec(text)![1];
	const p: SignatureParameters = {
		idBase,
		signingTime: '2025-01-01T00:00:00Z',
		signerCertificate: vector.certificateBase64,
		issuerSerial: '',
		// The Java test's SignedInfo names rsa-sha512, i.e. our legacy PKCS#1 mode URI; the layout is what matters here.
		hashAlgorithm: 'SHA-512',
		signatureScheme: 'rsassa-pkcs1-v1_5',
		referenceDigest: 'SHA-256',
		files: [{ name: 'dummy.pdf', mimeType: 'application/pdf', uri: 'dummy.pdf', digest: fileDigest }],
	};
	const document = signatureDocumentXml({ idBase, signedInfo: signedInfoXml(p, spDigest), signatureValue: '', signerCertificate: vector.certificateBase64, signedProperties: `<xades:SignedProperties Id="xades-id-${idBase}"></xades:SignedProperties>` });
	expect(canonicalParts(document).signedInfo.toString('utf8')).toBe(text);
});
