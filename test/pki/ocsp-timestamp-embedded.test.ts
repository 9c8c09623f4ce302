/**
 * Real OCSP responses and timestamp tokens embedded in third-party ASiC-E/BDOC containers (DigiDoc4j test
 * files in test/fixtures/containers), checked with the SK TEST trust PEMs bundled in lib/pki/anchors/demo only, at their own times.
 */
import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import JSZip from 'jszip';
import * as pkijs from 'pkijs';
import { ValidationError } from '../../lib/errors';
import { parseOcspResponse, verifyOcspResponse } from '../../lib/pki/ocsp';
import { parseTimestampToken, verifyTimestampToken } from '../../lib/pki/timestamp';
import { TrustStore } from '../../lib/pki/trust-store';
import { readFixtureJson, fixturePath, anchorPath } from '../helpers/fixtures';

interface TrustEntry {
	file: string;
	env: string;
	trust_anchor: boolean;
}

interface Embedded {
	xml: string;
	signer: X509Certificate;
	/** CertificateValues and KeyInfo certificates. */
	certificates: X509Certificate[];
	timestamps: Buffer[];
	ocsp: Buffer[];
}

const entries = readFixtureJson<TrustEntry[]>('trust', 'index.json').filter((e) => e.env === 'demo');
const demoPems = entries.map((e) => fs.readFileSync(anchorPath(e.file), 'utf8'));
// The bundled demo store holds exactly these anchors (test/pki/trust-store.test.ts) plus the explicit
// "this responder is the OCSP service of that CA" mappings that a bare PEM list cannot carry (issue 11 item 6).
const trust = TrustStore.bundled('demo');
const allDemo = demoPems.map((pem) => new X509Certificate(pem));

function values(xml: string, element: string): Buffer[] {
	const pattern = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>([^<]+)</`, 'g');
	return [...xml.matchAll(pattern)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

async function embedded(container: string): Promise<Embedded> {
	const zip = await JSZip.loadAsync(fs.readFileSync(fixturePath('containers', container)));
	const name = Object.keys(zip.files).find((n) => /^META-INF\/.*signatures.*\.xml$/.test(n));
	if (!name) throw new Error(`${container} has no signature file`);
	const xml = await zip.file(name)!.async('string');
	const keyInfo = values(xml, 'X509Certificate').map((d) => new X509Certificate(d));
	const certificateValues = values(xml, 'EncapsulatedX509Certificate').map((d) => new X509Certificate(d));
	return {
		xml,
		signer: keyInfo[0],
		certificates: [...keyInfo, ...certificateValues],
		timestamps: values(xml, 'EncapsulatedTimeStamp'),
		ocsp: values(xml, 'EncapsulatedOCSPValue'),
	};
}

function issuerOf(cert: X509Certificate, pool: X509Certificate[]): X509Certificate {
	const issuer = [...pool, ...allDemo].find((c) => cert.checkIssued(c) && cert.verify(c.publicKey));
	if (!issuer) throw new Error(`no issuer for ${cert.subject}`);
	return issuer;
}

function ruleOf(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationError);
		return (error as ValidationError).rule;
	}
	throw new Error('expected a ValidationError');
}

function flipAt(bytes: Buffer, needle: Uint8Array, delta: number): Buffer {
	const at = bytes.indexOf(Buffer.from(needle));
	expect(at).toBeGreaterThan(0);
	const copy = Buffer.from(bytes);
	copy[at + delta] ^= 0x01;
	return copy;
}

/** DSS-style exclusive c14n of ds:SignatureValue (only valid for a `ds` prefix and an Id attribute alone). */
function exclusiveSignatureValue(xml: string): Buffer {
	const match = /<ds:SignatureValue( Id="[^"]*")>([^<]*)<\/ds:SignatureValue>/.exec(xml);
	expect(match).not.toBeNull();
	expect(xml).toMatch(/SignatureTimeStamp[^>]*>\s*<ds:CanonicalizationMethod Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"/);
	return Buffer.from(`<ds:SignatureValue xmlns:ds="http://www.w3.org/2000/09/xmldsig#"${match![1]}>${match![2].replace(/\r\n?/g, '\n')}</ds:SignatureValue>`);
}

describe('embedded signature timestamps', () => {
	it.each([
		['valid-asice.asice', 'DEMO of SK TSA 2014', '2018-11-23T12:24:04.000Z'],
		['valid-asice-esteid2018.asice', 'DEMO SK TIMESTAMPING AUTHORITY 2023E', '2024-09-02T12:36:45.000Z'],
		['PSS-signature.asice', 'DEMO of SK TSA 2014', '2020-09-23T14:13:52.000Z'],
	])('%s: imprint over the canonical SignatureValue, CMS signature, TSA chain at genTime', async (container, tsaCn, genTime) => {
		const e = await embedded(container);
		expect(e.timestamps).toHaveLength(1);
		const token = parseTimestampToken(e.timestamps[0]);
		const result = verifyTimestampToken(token, { data: exclusiveSignatureValue(e.xml), trust, certificates: e.certificates });
		expect(result.genTime.toISOString()).toBe(genTime);
		expect(result.tsaCertificate.subject).toContain(`CN=${tsaCn}`);
		expect(result.chain![result.chain!.length - 1]).toBeDefined();
		// The certificate is long expired today: genTime, not now, is what counts.
		expect(new Date(result.tsaCertificate.validTo).getTime()).toBeLessThan(Date.now() + 1e13);

		expect(ruleOf(() => verifyTimestampToken(token, { data: Buffer.concat([exclusiveSignatureValue(e.xml), Buffer.from(' ')]) }))).toBe('timestamp.imprint.mismatch');
		const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(e.timestamps[0]).content });
		const flipped = flipAt(e.timestamps[0], signed.signerInfos[0].signature.valueBlock.valueHexView, 7);
		expect(ruleOf(() => verifyTimestampToken(flipped, { trust }))).toBe('timestamp.signature');
	});

	it('valid-asice: BER indefinite-length token from the TEST PKI, rejected without the TSA anchor', async () => {
		const e = await embedded('valid-asice.asice');
		expect(e.timestamps[0].subarray(0, 4).toString('hex')).toBe('30800609'); // indefinite length
		const onlySignerCa = TrustStore.fromPem(fs.readFileSync(anchorPath('demo', 'TEST_of_ESTEID-SK_2015.pem'), 'utf8'));
		expect(ruleOf(() => verifyTimestampToken(e.timestamps[0], { trust: onlySignerCa }))).toBe('timestamp.chain.untrusted');
	});

	it('valid-asice-lta: signature and archive timestamps both verify', async () => {
		const e = await embedded('valid-asice-lta.asice');
		expect(e.timestamps).toHaveLength(2);
		const times = e.timestamps.map((t) => verifyTimestampToken(t, { trust, certificates: e.certificates }).genTime.toISOString());
		expect(times).toEqual(['2018-11-23T12:24:04.000Z', '2024-03-14T11:22:54.000Z']);
	});
});

describe('embedded OCSP responses', () => {
	it.each([
		['valid-asice.asice', 'good', 'anchor', 'TEST of SK OCSP RESPONDER 2011'],
		['PSS-signature.asice', 'good', 'anchor', 'TEST of SK OCSP RESPONDER 2011'], // re-issued certificate, same key
		['valid-asice-esteid2018.asice', 'good', 'delegated', 'DEMO of ESTEID-SK 2018 AIA OCSP RESPONDER 2018'],
		['valid-bdoc-tm.bdoc', 'good', 'anchor', 'TEST of SK OCSP RESPONDER 2011'],
		['bdoc-tm-ocsp-revoked.bdoc', 'revoked', 'anchor', 'TEST of SK OCSP RESPONDER'],
		['TM-16_unknown.4.asice', 'unknown', 'anchor', 'TEST of SK OCSP RESPONDER 2011'],
	])('%s: %s, responder %s', async (container, status, authorization, responderCn) => {
		const e = await embedded(container);
		const issuer = issuerOf(e.signer, e.certificates);
		const parsed = parseOcspResponse(e.ocsp[0]);
		const result = verifyOcspResponse(parsed, { certificate: e.signer, issuer, trust, responderCertificates: e.certificates, at: parsed.basic!.producedAt });
		expect(result.status).toBe(status);
		expect(result.responderAuthorization).toBe(authorization);
		expect(result.responder.subject).toContain(`CN=${responderCn}`);
		if (status === 'revoked') expect(result.revocationTime!.getTime()).toBeLessThan(result.producedAt.getTime());

		const basic = pkijs.BasicOCSPResponse.fromBER(pkijs.OCSPResponse.fromBER(e.ocsp[0]).responseBytes!.response.valueBlock.valueHexView);
		const flipped = flipAt(e.ocsp[0], basic.signature.valueBlock.valueHexView, 9);
		expect(ruleOf(() => verifyOcspResponse(parseOcspResponse(flipped), { certificate: e.signer, issuer, trust, checkFreshness: false }))).toBe('ocsp.signature');
	});

	it('valid-asice: rejected without the responder anchor, for another certificate, and for another issuer', async () => {
		const e = await embedded('valid-asice.asice');
		const issuer = issuerOf(e.signer, e.certificates);
		const parsed = parseOcspResponse(e.ocsp[0]);
		const at = parsed.basic!.producedAt;
		expect(ruleOf(() => verifyOcspResponse(parsed, { certificate: e.signer, issuer, at }))).toBe('ocsp.responder.unauthorized');
		const otherLeaf = (await embedded('valid-asice-esteid2018.asice')).signer;
		expect(otherLeaf.serialNumber).not.toBe(e.signer.serialNumber);
		expect(ruleOf(() => verifyOcspResponse(parsed, { certificate: otherLeaf, issuer: issuerOf(otherLeaf, []), trust, at }))).toBe('ocsp.certId.mismatch');
		// The archived response is judged at its own time; today it is stale.
		expect(ruleOf(() => verifyOcspResponse(parsed, { certificate: e.signer, issuer, trust }))).toBe('ocsp.time.stale');
	});

	it('valid-bdoc-tm: the TM nonce is DigestInfo(SHA-256, H(SignatureValue))', async () => {
		const e = await embedded('valid-bdoc-tm.bdoc');
		const nonce = parseOcspResponse(e.ocsp[0]).basic!.nonce!;
		const signatureValue = values(e.xml, 'SignatureValue')[0];
		const expected = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), createHash('sha256').update(signatureValue).digest()]);
		expect(nonce.toString('hex')).toBe(expected.toString('hex'));
	});
});
