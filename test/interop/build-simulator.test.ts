/**
 * End to end against the embedded simulator over real HTTP on loopback: signing certificate by document number
 * (C3), RAW_DIGEST_SIGNATURE notification session signed by the simulated phone, RFC 3161 TSA and OCSP
 * responder of the simulator, then independent checks of the container with xmllint and openssl.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAsice, completeSmartIdSignature, finalizeSignature, prepareSignature, startSmartIdSignature } from '../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../lib/asice/sign/smart-id-signer';
import type { SmartIdClient } from '../../lib/rp-api/client';
import { startSigningSimulator, type SigningSimulator } from './signing-simulator';
import { TrustStore } from '../../lib/pki/trust-store';
import type { RunningSimulator } from '../../lib/simulator';
import {
	extractElement,
	innerText,
	opensslDigest,
	opensslOcspCheck,
	opensslTsVerify,
	opensslVerifyDigest,
	pythonZipEntries,
	sha256sumBase64,
	xmllintExcC14n,
} from '../asice/sign/helpers/independent';

jest.setTimeout(120_000);

let sim: RunningSimulator;
let client: SmartIdClient;
let dir: string;
let documentNumber: string;

let env: SigningSimulator;

beforeAll(async () => {
	env = await startSigningSimulator('build-sim-');
	({ sim, client, dir, documentNumber } = env);
});

afterAll(async () => {
	await env?.stop();
});

it('signs an ASiC-E with the simulator (Smart-ID RAW_DIGEST, TSA, OCSP) that openssl and xmllint verify', async () => {
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber }, trust });
	const file = path.join(dir, 'leping.txt');
	fs.writeFileSync(file, 'Leping: üks allkiri.\n');
	const out = path.join(dir, 'signed.asice');
	const codes: string[] = [];
	const result = await buildAsice({
		files: [{ name: 'leping äöü.txt', path: file }],
		signerCertificate: chosen.certificateBase64,
		hashAlgorithm: 'SHA-512',
		out,
		tsaUrl: sim.tsaUrl,
		ocspUrl: sim.ocspUrl,
		trust,
		sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber }, documentNumber, trust, onVerificationCode: (c) => codes.push(c) }),
	});
	expect(codes).toHaveLength(1);
	expect(codes[0]).toMatch(/^\d{4}$/);
	const entries = pythonZipEntries(out);
	expect(entries.map((e) => e.name)).toEqual(['mimetype', 'META-INF/manifest.xml', 'leping äöü.txt', 'META-INF/signatures0.xml']);
	const xml = entries[3].data.toString('utf8');
	expect(xml).toBe(result.signatureXml);
	expect(xml).toContain('http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1');
	expect(xml).toContain('URI="leping%20%C3%A4%C3%B6%C3%BC.txt"');
	expect(innerText(extractElement(extractElement(xml, 'ds:Reference'), 'ds:DigestValue'))).toBe(sha256sumBase64(file));

	const signerPem = `-----BEGIN CERTIFICATE-----\n${chosen.certificateBase64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
	const value = Buffer.from(innerText(extractElement(xml, 'ds:SignatureValue')), 'base64');
	expect(opensslVerifyDigest(signerPem, opensslDigest('sha512', xmllintExcC14n(extractElement(xml, 'ds:SignedInfo'))), value, 'sha512', 'pss')).toBe(true);
	const token = Buffer.from(innerText(extractElement(xml, 'xades:EncapsulatedTimeStamp')), 'base64');
	expect(opensslTsVerify(token, xmllintExcC14n(extractElement(xml, 'ds:SignatureValue')), sim.caPems.join('\n')).output).toContain('Verification: OK');
	const issuer = chosen.chain[1];
	const ocsp = opensslOcspCheck(Buffer.from(innerText(extractElement(xml, 'xades:EncapsulatedOCSPValue')), 'base64'), issuer.toString(), signerPem, sim.caPems.join('\n'));
	expect(ocsp.output).toContain('Response verify OK');
	expect(ocsp.status).toBe('good');
	expect(ocsp.producedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(result.timestampTime.getTime() / 1000) * 1000);
});

it('a refused Smart-ID session leaves no container behind', async () => {
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const refusing = sim.accounts.find((a) => a.behaviour.endResult === 'USER_REFUSED' && a.country === 'EE');
	if (!refusing) throw new Error('no USER_REFUSED account');
	const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber: refusing.documentNumber }, trust });
	const out = path.join(dir, 'refused.asice');
	await expect(
		buildAsice({
			files: [{ name: 'a.txt', data: 'a' }],
			signerCertificate: chosen.certificateBase64,
			out,
			tsaUrl: sim.tsaUrl,
			ocspUrl: sim.ocspUrl,
			trust,
			sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber: refusing.documentNumber }, documentNumber: refusing.documentNumber, trust }),
		}),
	).rejects.toMatchObject({ code: 'SMARTID_USER_REFUSED' });
	expect(fs.existsSync(out)).toBe(false);
});

it('asynchronous use: prepare, start the session, keep both as JSON, poll later, complete and finalize', async () => {
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber }, trust });
	const prepared = await prepareSignature({ files: [{ name: 'async.txt', data: 'later\n' }], signerCertificate: chosen.certificateBase64, hashAlgorithm: 'SHA3-256' });
	const started = await startSmartIdSignature(
		{ ...rp, client, documentNumber: chosen.documentNumber },
		{ digest: prepared.digestToSign, hashAlgorithm: prepared.hashAlgorithm, signatureScheme: prepared.signatureScheme, signerCertificate: chosen.certificateBase64 },
	);
	const stored = JSON.stringify({ pending: prepared.pending, started });
	// ... another process, later:
	const restored = JSON.parse(stored) as { pending: typeof prepared.pending; started: typeof started };
	const status = await client.pollUntilComplete(restored.started.sessionID, { deadline: Date.now() + 30_000 });
	const value = completeSmartIdSignature(status, restored.started, trust);
	const out = path.join(dir, 'async.asice');
	const done = await finalizeSignature(restored.pending, value, { out, tsaUrl: sim.tsaUrl, ocspUrl: sim.ocspUrl, trust, certificates: chosen.chain.slice(1) });
	expect(done.signatureXml).toContain('http://www.w3.org/2007/05/xmldsig-more#sha3-256-rsa-MGF1');
	const xml = pythonZipEntries(out)[3].data.toString('utf8');
	const signerPem = `-----BEGIN CERTIFICATE-----\n${chosen.certificateBase64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
	const c14n = xmllintExcC14n(extractElement(xml, 'ds:SignedInfo'));
	const sha3 = createHash('sha3-256').update(c14n).digest();
	expect(sha3.toString('base64')).toBe(prepared.digestToSign);
	expect(opensslVerifyDigest(signerPem, sha3, Buffer.from(innerText(extractElement(xml, 'ds:SignatureValue')), 'base64'), 'sha3-256', 'pss')).toBe(true);
});
