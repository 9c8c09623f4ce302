/**
 * Our builder (Smart-ID RAW_DIGEST via the embedded simulator, its TSA and OCSP) and our verifier must agree:
 * a freshly built LT container passes with the simulator's CA as the only trust, and fails without it or when altered.
 */
import * as path from 'node:path';
import { buildAsice } from '../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../lib/asice/sign/smart-id-signer';
import { verifyContainer } from '../../lib/asice/verify';
import type { SmartIdClient } from '../../lib/rp-api/client';
import { startSigningSimulator, type SigningSimulator } from './signing-simulator';
import { TrustStore } from '../../lib/pki/trust-store';
import type { RunningSimulator } from '../../lib/simulator';

jest.setTimeout(120_000);

let sim: RunningSimulator;
let client: SmartIdClient;
let dir: string;
let documentNumber: string;
let built: string;

let env: SigningSimulator;

beforeAll(async () => {
	env = await startSigningSimulator('verify-built-');
	({ sim, client, dir, documentNumber } = env);
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber }, trust });
	built = path.join(dir, 'built.asice');
	await buildAsice({
		files: [
			{ name: 'leping äöü.txt', data: 'Leping: üks allkiri.\n' },
			{ name: 'a+b (1).txt', data: 'plus and parentheses' },
		],
		signerCertificate: chosen.certificateBase64,
		hashAlgorithm: 'SHA-384',
		out: built,
		tsaUrl: sim.tsaUrl,
		ocspUrl: sim.ocspUrl,
		trust,
		sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber }, documentNumber, trust }),
	});
});

afterAll(async () => {
	await env?.stop();
});

it('a container we built passes our verifier with the simulator CA as trust', async () => {
	const r = await verifyContainer(built, { trust: TrustStore.fromPem(sim.caPems, 'simulator') });
	const vc = r.validationConclusion;
	expect(vc.containerErrors).toEqual([]);
	expect(vc.signatures).toHaveLength(1);
	const s = vc.signatures[0];
	expect(s.errors).toEqual([]);
	expect(s.indication).toBe('TOTAL-PASSED');
	expect(s.signatureFormat).toBe('XAdES_BASELINE_LT');
	expect(s.signatureMethod).toBe('http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1');
	expect(s.bestSignatureTimeSource).toBe('SIGNATURE_TIMESTAMP');
	expect(s.ocsp?.status).toBe('GOOD');
	expect(s.signatureScopes.map((x) => x.name).sort()).toEqual(['a+b (1).txt', 'leping äöü.txt']);
	expect(vc.indication).toBe('TOTAL-PASSED');
});

it('the same container is not trusted under the bundled demo anchors', async () => {
	const r = await verifyContainer(built, { trust: 'demo' });
	expect(r.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	expect(r.validationConclusion.signatures[0].errors.map((e) => e.code)).toContain('CHAIN_UNTRUSTED');
});
