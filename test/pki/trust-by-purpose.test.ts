/**
 * Trust by purpose (issue 11 item 6): an anchor vouches only for what it is trusted for.
 * - Smart-ID answers chain only to Smart-ID issuing CAs (never TSA/OCSP entries or other CAs) → `chain.anchorUse`;
 * - an OCSP responder speaks only for its issuer, its RFC 6960 delegate, or a CA it is explicitly listed for;
 * - a timestamp chains only to a TSA entry; a CA entry does not make a TSA trusted;
 * - an anchor is used only inside its validity.
 * Real SK certificates (bundled demo store, DigiDoc4j containers), the test PKI and the simulator.
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import JSZip from 'jszip';
import { ValidationError } from '../../lib/errors';
import { buildChain, ChainError } from '../../lib/pki/chain';
import { parseCertificate } from '../../lib/pki/certificate';
import { buildOcspRequest, parseOcspResponse, verifyOcspResponse } from '../../lib/pki/ocsp';
import { postDer } from '../../lib/pki/ocsp-tsp-http';
import { verifyTimestampToken } from '../../lib/pki/timestamp';
import { requestTimestamp } from '../../lib/pki/timestamp-client';
import { TrustStore, bundledCertificateIndex, type TrustUse } from '../../lib/pki/trust-store';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { checkAuthenticationPurpose } from '../../lib/validation/certificate-purpose';
import { checkUserCertificate } from '../../lib/validation/session-checks';
import { anchorPath, fixturePath } from '../helpers/fixtures';
import { TEST_STATE_DIR } from '../simulator/helpers';
import { DOC, NOW, testPki } from '../validation/smartid-test-pki';
import { makeCert, testKey } from './test-pki';

jest.setTimeout(60_000);

function demoPem(file: string): X509Certificate {
	return new X509Certificate(fs.readFileSync(anchorPath('demo', file)));
}

function cnOf(cert: X509Certificate): string | undefined {
	return parseCertificate(cert).subject.CN;
}

function thrown(fn: () => unknown): ValidationError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationError);
		return error as ValidationError;
	}
	throw new Error('expected a ValidationError');
}

/** A Smart-ID answer carrying `cert`, validated like every session answer is. */
function validateAnswer(cert: X509Certificate, trust: TrustStore, now = NOW) {
	const status = { cert: { value: cert.raw.toString('base64'), certificateLevel: 'QUALIFIED' } };
	return checkUserCertificate(status, DOC, 'QUALIFIED', { trust, now }, checkAuthenticationPurpose);
}

async function containerParts(file: string): Promise<{ signer: X509Certificate; timestamp: Buffer; ocsp: Buffer }> {
	const zip = await JSZip.loadAsync(fs.readFileSync(fixturePath('containers', file)));
	const name = Object.keys(zip.files).find((n) => /^META-INF\/.*signatures.*\.xml$/.test(n))!;
	const xml = await zip.file(name)!.async('string');
	const first = (element: string): Buffer => {
		const m = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>([^<]+)</`).exec(xml);
		return Buffer.from(m![1].replace(/\s+/g, ''), 'base64');
	};
	return { signer: new X509Certificate(first('X509Certificate')), timestamp: first('EncapsulatedTimeStamp'), ocsp: first('EncapsulatedOCSPValue') };
}

describe('bundled stores: uses come from the index roles', () => {
	it.each(['demo', 'live'] as const)('%s: Smart-ID answers chain only to the Smart-ID issuing CAs of the environment', (env) => {
		const store = TrustStore.bundled(env);
		const expected = bundledCertificateIndex()
			.filter((e) => e.env === env && e.smartId && e.role === 'ca')
			.map((e) => e.subjectCn)
			.sort();
		expect(store.anchors('smart-id').map(cnOf).sort()).toEqual(expected);
		// Neither the roots (which also issue ID-card and TSA CAs) nor other CAs, TSAs or responders.
		for (const cert of store.anchors('smart-id')) expect(parseCertificate(cert).subject.CN).not.toMatch(/ROOT|Root|TSA|OCSP|ESTEID|LV/);
		for (const cert of store.anchors('tsa')) expect(store.usesOf(cert)).toEqual(['tsa']);
		for (const cert of store.anchors('ocsp')) expect(store.usesOf(cert)).toEqual(['ocsp']);
	});

	it('refuses as Smart-ID answers a TSA unit, an OCSP responder and an ID-card CA of the bundle, naming the reason', () => {
		const demo = TrustStore.bundled('demo');
		for (const [file, trustedFor] of [
			['DEMO_SK_TIMESTAMPING_UNIT_2025E.pem', 'timestamps'],
			['TEST_of_SK_OCSP_RESPONDER_2020.pem', 'OCSP responses'],
			['TEST_of_ESTEID2018.pem', 'signers'],
		] as const) {
			const error = thrown(() => validateAnswer(demoPem(file), demo, new Date('2024-01-01Z')));
			expect(error.rule).toBe('chain.anchorUse');
			expect(error.message).toContain(trustedFor);
			expect(error.message).toContain('not for Smart-ID certificates');
		}
	});

	it('refuses as a Smart-ID answer a real ID-card signer (ESTEID-SK 2015, a trusted-list CA of the bundle)', async () => {
		const { signer } = await containerParts('valid-asice.asice');
		const at = new Date('2016-06-01Z');
		// The same certificate is a valid container signer in the same store.
		expect(cnOf(buildChain(signer, { trust: TrustStore.bundled('demo'), at }).anchor)).toBe('TEST of ESTEID-SK 2015');
		const error = thrown(() => validateAnswer(signer, TrustStore.bundled('demo'), at));
		expect(error.rule).toBe('chain.anchorUse');
		expect(error.details).toMatchObject({ anchor: 'TEST of ESTEID-SK 2015', use: 'smart-id' });
	});

	it('a CA added to a bundled store serves container signers, not Smart-ID answers', async () => {
		const pki = await testPki();
		const grown = TrustStore.bundled('demo').withAnchors([pki.ca]);
		expect(grown.usesOf(pki.ca)).toEqual(['signer']);
		expect(thrown(() => validateAnswer(pki.authCert, grown)).rule).toBe('chain.anchorUse');
		expect(validateAnswer(pki.authCert, TrustStore.bundled('demo').withAnchors([pki.ca], ['smart-id'])).chain).toHaveLength(2);
	});
});

describe('Smart-ID answers chain only to anchors trusted for Smart-ID (test PKI)', () => {
	it('accepts the answer when its issuing CA is a Smart-ID entry', async () => {
		const pki = await testPki();
		const result = validateAnswer(pki.authCert, TrustStore.of([pki.ca], [], 'smart-id CA', ['smart-id']));
		expect(result.chain.map(cnOf)).toEqual(['OK TEST', 'TEST of Smart-ID Test EID-Q']);
	});

	it.each<[TrustUse, string]>([
		['tsa', 'timestamps'],
		['ocsp', 'OCSP responses'],
		['signer', "signers' certificates"],
	])('refuses it when the issuing CA is trusted for %s only → chain.anchorUse', async (use, words) => {
		const pki = await testPki();
		const error = thrown(() => validateAnswer(pki.authCert, TrustStore.of([pki.ca], [], use, [use])));
		expect(error).toBeInstanceOf(ChainError);
		expect(error.rule).toBe('chain.anchorUse');
		expect(error.message).toBe(`Certificate "OK TEST" chains to "TEST of Smart-ID Test EID-Q", which is trusted for ${words} only, not for Smart-ID certificates.`);
	});

	it('refuses it when the path ends at a root trusted for other CAs only', async () => {
		const pki = await testPki();
		expect(thrown(() => validateAnswer(pki.authCert, TrustStore.of([pki.root], [pki.ca], 'other CA', ['signer']))).rule).toBe('chain.anchorUse');
	});

	it('does not use an anchor outside its validity (same CA key and name, expired certificate)', async () => {
		const pki = await testPki();
		const expiredCa = await makeCert({
			subject: 'CN=TEST of Smart-ID Test EID-Q, O=Test, C=EE',
			key: await testKey('P-384', 11),
			ca: true,
			pathLength: 0,
			issuer: { cert: pki.root, key: await testKey('P-384', 10) },
			notBefore: new Date('2020-01-01Z'),
			notAfter: new Date('2022-01-01Z'),
		});
		const store = TrustStore.of([expiredCa], [], 'expired', ['smart-id']);
		expect(store.anchors('smart-id')).toHaveLength(1);
		expect(store.anchors('smart-id', NOW)).toHaveLength(0);
		expect(store.isAnchorFor(expiredCa, 'smart-id', NOW)).toBe(false);
		expect(thrown(() => validateAnswer(pki.authCert, store)).rule).toBe('chain.expired');
	});
});

describe('timestamps chain only to TSA entries', () => {
	it('a real SK token (DEMO of SK TSA 2014 under the TEST EE root) is refused when the root is a CA-only anchor', async () => {
		const { timestamp } = await containerParts('valid-asice.asice');
		const root = demoPem('TEST_of_EE_Certification_Centre_Root_CA.pem');
		const caOnly = TrustStore.of([root], [], 'CA only', ['signer', 'smart-id']);
		const error = thrown(() => verifyTimestampToken(timestamp, { trust: caOnly }));
		expect(error.rule).toBe('timestamp.chain.untrusted');
		expect(error.details).toMatchObject({ chainRule: 'chain.anchorUse' });
		// The bundled smart-id profile has the same root, as a CA anchor: still not a TSA.
		expect(thrown(() => verifyTimestampToken(timestamp, { trust: TrustStore.bundled('demo', { profile: 'smart-id' }) })).rule).toBe('timestamp.chain.untrusted');
		// Trusted as a TSA entry, the same root vouches for the token; so does the bundled TSA unit itself.
		expect(verifyTimestampToken(timestamp, { trust: TrustStore.of([root], [], 'TSA root', ['tsa']) }).chain!.map(cnOf)).toEqual([
			'DEMO of SK TSA 2014',
			'TEST of EE Certification Centre Root CA',
		]);
		expect(verifyTimestampToken(timestamp, { trust: TrustStore.bundled('demo') }).chain!.map(cnOf)).toEqual(['DEMO of SK TSA 2014']);
	});

	it('an OCSP entry does not make a TSA trusted, and a TSA entry is not a CA for signers', async () => {
		const { timestamp, signer } = await containerParts('valid-asice.asice');
		const tsa = demoPem('DEMO_of_SK_TSA_2014.pem');
		expect(thrown(() => verifyTimestampToken(timestamp, { trust: TrustStore.of([tsa], [], 'as OCSP', ['ocsp']) })).rule).toBe('timestamp.chain.untrusted');
		const esteid = demoPem('TEST_of_ESTEID-SK_2015.pem');
		expect(() => buildChain(signer, { trust: TrustStore.of([esteid], [], 'as TSA', ['tsa']), at: new Date('2016-06-01Z') })).toThrow(
			expect.objectContaining({ rule: 'chain.anchorUse' }),
		);
	});
});

describe('OCSP responders speak only for their CA', () => {
	it('the bundled TEST responder answers for the CAs it is listed for, and for no other', async () => {
		const { signer, ocsp } = await containerParts('valid-asice.asice');
		const issuer = demoPem('TEST_of_ESTEID-SK_2015.pem');
		const responder = demoPem('TEST_of_SK_OCSP_RESPONDER_2011.pem');
		const parsed = parseOcspResponse(ocsp);
		const at = parsed.basic!.producedAt;
		expect(verifyOcspResponse(parsed, { certificate: signer, issuer, trust: TrustStore.bundled('demo'), at }).responderAuthorization).toBe('anchor');
		// Listed for another CA only: refused, and the message says so.
		const elsewhere = TrustStore.of([]).withOcspService(responder, [demoPem('TEST_of_ESTEID2018.pem')]);
		const error = thrown(() => verifyOcspResponse(parsed, { certificate: signer, issuer, trust: elsewhere, at }));
		expect(error.rule).toBe('ocsp.responder.unauthorized');
		expect(error.message).toContain('trusted only for other CAs');
		// In the store as a plain anchor (no mapping): not a service for anyone.
		expect(thrown(() => verifyOcspResponse(parsed, { certificate: signer, issuer, trust: TrustStore.of([responder]), at })).rule).toBe('ocsp.responder.unauthorized');
	});

	it('a listed responder is not used outside its validity', () => {
		const demo = TrustStore.bundled('demo');
		const expired = demoPem('TEST_of_SK_OCSP_RESPONDER_2021_EXPIRED.pem');
		const issuer = demoPem('TEST_of_ESTEID-SK_2015.pem');
		const { notBefore } = parseCertificate(expired);
		expect(demo.isOcspServiceFor(expired, issuer, notBefore)).toBe(true);
		expect(demo.isOcspServiceFor(expired, issuer, new Date('2026-01-01Z'))).toBe(false);
		expect(demo.anchors('ocsp', new Date('2026-01-01Z')).map(cnOf)).not.toContain('TEST of SK OCSP RESPONDER 2021 EXPIRED');
	});
});

describe('simulator: TSA and OCSP responder of the test PKI', () => {
	let sim: RunningSimulator;
	beforeAll(async () => {
		sim = await startSimulator({ stateDir: TEST_STATE_DIR });
	});
	afterAll(async () => {
		await sim?.stop();
	});

	it('a timestamp from the simulator TSA is refused when its root is a CA-only anchor, accepted with the TSA entry', async () => {
		const caOnly = TrustStore.of(sim.caPems, [], 'simulator CAs', ['smart-id', 'signer']);
		const error = await requestTimestamp(sim.tsaUrl, { data: Buffer.from('x') }, { trust: caOnly }).catch((e: unknown) => e);
		expect(error).toMatchObject({ rule: 'timestamp.chain.untrusted', details: { chainRule: 'chain.anchorUse' } });
		const ok = await requestTimestamp(sim.tsaUrl, { data: Buffer.from('x') }, { trust: caOnly.withAnchors(sim.tsaCertPem) });
		expect(ok.chain).toHaveLength(1);
	});

	it("an answer signed by another CA's delegated responder is refused, even when that responder is trusted for its own CA", async () => {
		const cas = sim.caPems.map((p) => new X509Certificate(p));
		const [responderE, responderR] = sim.ocspResponderPems.map((p) => new X509Certificate(p));
		const caE = cas.find((c) => responderE.checkIssued(c))!;
		const caR = cas.find((c) => responderR.checkIssued(c))!;
		expect(caE.raw.equals(caR.raw)).toBe(false);
		// A genuine answer of R's delegated responder (about a certificate of CA R), served for a certificate of CA E:
		// what a responder of another CA would send.
		const request = buildOcspRequest(responderR, caR, { nonce: false });
		const der = await postDer(sim.ocspUrl, request.der, { peer: 'OCSP responder', contentType: 'application/ocsp-request', accept: 'application/ocsp-response', timeoutMs: 5000 });
		const parsed = parseOcspResponse(der);
		const options = { certificate: responderE, issuer: caE, checkFreshness: false } as const;
		// R's responder, even listed as the OCSP service of CA R, may not speak for CA E.
		const trust = TrustStore.of(sim.caPems).withOcspService(responderR, [caR]);
		const error = thrown(() => verifyOcspResponse(parsed, { ...options, trust }));
		expect(error.rule).toBe('ocsp.responder.unauthorized');
		expect(error.details).toMatchObject({ trustedForOtherIssuers: true });
		expect(thrown(() => verifyOcspResponse(parsed, { ...options, trust: TrustStore.of(sim.caPems) })).rule).toBe('ocsp.responder.unauthorized');
	});
});
