/**
 * Revocation freshness with the simulator (its RP API signs, its TSA stamps, its OCSP responder answers, its control
 * API revokes). A signature is built while the certificate is good; then the certificate is revoked today.
 *
 * DSS rule (RevocationIssuedAfterBestSignatureTime): revocation data counts only when produced at or after the
 * best-signature-time. With a valid signature timestamp before the revocation, the old GOOD answer is exactly what
 * proves the signature was made in time, and a fresh REVOKED answer with a later revocation time changes nothing.
 * Without a valid timestamp (or time-mark) the best-signature-time is now, so the old GOOD answer proves nothing.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAsice } from '../../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../../lib/asice/sign/smart-id-signer';
import { verifyContainer, type Report } from '../../../lib/asice/verify';
import { buildOcspRequest } from '../../../lib/pki/ocsp';
import { TrustStore } from '../../../lib/pki/trust-store';
import { fixturePath } from '../../helpers/fixtures';
import { startSigningSimulator, type SigningSimulator } from '../../interop/signing-simulator';
import { forgeZip, splitZip, type ForgeEntry } from './forge';

jest.setTimeout(120_000);

let env: SigningSimulator;
let trust: TrustStore;
let entries: ForgeEntry[];
let signer: X509Certificate;
let issuer: X509Certificate;
let revokedAt: Date;

const SIG = /^META-INF\/[^/]*signatures[^/]*\.xml$/;
const TS = /<([\w-]+:)?SignatureTimeStamp\b[\s\S]*?<\/([\w-]+:)?SignatureTimeStamp>/;
const OCSP = /(<([\w-]+:)?EncapsulatedOCSPValue[^>]*>)([^<]*)(<\/)/;

function signatureXml(): string {
	return entries.find((e) => SIG.test(e.name))!.data.toString('utf8');
}

function withSignatureXml(xml: string): Buffer {
	return forgeZip(entries.map((e) => (SIG.test(e.name) ? { ...e, data: Buffer.from(xml, 'utf8') } : e)));
}

function codes(r: Report): string[] {
	return r.validationConclusion.signatures.flatMap((s) => s.errors.map((e) => e.code));
}

async function control(pathPart: string, body: unknown): Promise<unknown> {
	const res = await fetch(`${env.sim.controlUrl}${pathPart}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	expect(res.status).toBeLessThan(300);
	return res.json();
}

async function freshOcsp(): Promise<Buffer> {
	const req = buildOcspRequest(signer, issuer);
	const res = await fetch(env.sim.ocspUrl, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(req.der) });
	expect(res.status).toBe(200);
	return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
	env = await startSigningSimulator('revocation-freshness-');
	const { sim, client, dir, documentNumber } = env;
	trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber }, trust });
	const out = path.join(dir, 'signed.asice');
	await buildAsice({
		files: [{ name: 'leping.txt', data: 'signed while the certificate was good\n' }],
		signerCertificate: chosen.certificateBase64,
		hashAlgorithm: 'SHA-256',
		out,
		tsaUrl: sim.tsaUrl,
		ocspUrl: sim.ocspUrl,
		trust,
		sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber }, documentNumber, trust }),
	});
	entries = splitZip(fs.readFileSync(out));
	signer = new X509Certificate(Buffer.from(chosen.certificateBase64, 'base64'));
	issuer = sim.caPems.map((p) => new X509Certificate(p)).find((c) => signer.checkIssued(c) && signer.verify(c.publicKey))!;
	expect(issuer).toBeDefined();
	// Signed, timestamped and OCSP-checked; now the certificate is revoked (revocation time = now).
	await new Promise((r) => setTimeout(r, 1100));
	await control('certificates/revoke', { documentNumber, purpose: 'sign', reason: 1 });
	revokedAt = new Date();
});

afterAll(async () => {
	await env?.stop();
});

it('the responder now says REVOKED (the scenario is real)', async () => {
	const der = await freshOcsp();
	const { parseOcspResponse } = await import('../../../lib/pki/ocsp');
	const single = parseOcspResponse(der).basic!.responses[0];
	expect(single.status).toBe('revoked');
});

it('LT signature with a valid timestamp before the revocation: still TOTAL-PASSED (the timestamp is the proof of existence)', async () => {
	const r = await verifyContainer(withSignatureXml(signatureXml()), { trust });
	expect(r.validationConclusion.signatures[0].bestSignatureTimeSource).toBe('SIGNATURE_TIMESTAMP');
	expect(new Date(r.validationConclusion.signatures[0].bestSignatureTime).getTime()).toBeLessThan(revokedAt.getTime());
	expect(codes(r)).toEqual([]);
	expect(r.validationConclusion.indication).toBe('TOTAL-PASSED');
});

it('timestamp removed, GOOD OCSP from before the revocation: not TOTAL-PASSED (REVOCATION_BEFORE_BEST_SIGNATURE_TIME)', async () => {
	const xml = signatureXml();
	expect(TS.test(xml)).toBe(true);
	const r = await verifyContainer(withSignatureXml(xml.replace(TS, '')), { trust });
	const s = r.validationConclusion.signatures[0];
	expect(s.ocsp?.status).toBe('GOOD');
	expect(s.bestSignatureTimeSource).toBe('VALIDATION_TIME');
	expect(codes(r)).toContain('REVOCATION_BEFORE_BEST_SIGNATURE_TIME');
	expect(s.indication).toBe('INDETERMINATE');
	expect(s.subIndication).toBe('TRY_LATER');
	expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
});

it('timestamp broken (token altered), GOOD OCSP from before the revocation: not TOTAL-PASSED', async () => {
	const xml = signatureXml().replace(TS, (ts) => ts.replace(/(EncapsulatedTimeStamp[^>]*>)([A-Za-z0-9+/]{40})/, (_m, open: string, b64: string) => `${open}${b64.slice(0, 30)}AAAAAAAAAA`));
	const r = await verifyContainer(withSignatureXml(xml), { trust });
	expect(codes(r)).toEqual(expect.arrayContaining(['REVOCATION_BEFORE_BEST_SIGNATURE_TIME']));
	expect(codes(r).some((c) => c.startsWith('TIMESTAMP_'))).toBe(true);
	expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
});

it('timestamp removed, fresh REVOKED OCSP: CERTIFICATE_REVOKED', async () => {
	const der = await freshOcsp();
	const xml = signatureXml().replace(TS, '').replace(OCSP, (_m, open: string, _p: string, _b64: string, close: string) => `${open}${der.toString('base64')}${close}`);
	const r = await verifyContainer(withSignatureXml(xml), { trust });
	expect(r.validationConclusion.signatures[0].ocsp?.status).toBe('REVOKED');
	expect(codes(r)).toContain('CERTIFICATE_REVOKED');
	expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
});

it('valid timestamp before the revocation, fresh REVOKED OCSP with a later revocation time: passes (revoked after best-signature-time)', async () => {
	const der = await freshOcsp();
	const xml = signatureXml().replace(OCSP, (_m, open: string, _p: string, _b64: string, close: string) => `${open}${der.toString('base64')}${close}`);
	const r = await verifyContainer(withSignatureXml(xml), { trust });
	const s = r.validationConclusion.signatures[0];
	expect(s.ocsp?.status).toBe('REVOKED');
	// The fresh answer comes much later than the timestamp: DigiDoc4j's 15-minute freshness is only a warning.
	expect(codes(r)).toEqual([]);
	expect(s.indication).toBe('TOTAL-PASSED');
});

it('BDOC time-mark keeps DigiDoc4j semantics: the OCSP producedAt is the best-signature-time', async () => {
	const r = await verifyContainer(fixturePath('containers', 'valid-bdoc-tm.bdoc'), { trust: 'demo' });
	const s = r.validationConclusion.signatures[0];
	expect(s.bestSignatureTimeSource).toBe('OCSP_TIME_MARK');
	expect(s.bestSignatureTime).toBe(s.ocsp?.producedAt);
	expect(codes(r)).toEqual([]);
	expect(r.validationConclusion.indication).toBe('TOTAL-PASSED');
});
