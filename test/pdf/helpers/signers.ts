import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DigestSigner } from '../../../lib/asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate } from '../../../lib/asice/sign/smart-id-signer';
import { TrustStore } from '../../../lib/pki/trust-store';
import { SmartIdClient } from '../../../lib/rp-api/client';
import { startSimulator, type RunningSimulator } from '../../../lib/simulator';

/** One Smart-ID signer on the simulator: its certificate (Base64 DER), issuer chain and a digest signer. */
export interface PdfTestSigner {
	documentNumber: string;
	certificate: string;
	chain: Buffer[];
	sign: DigestSigner;
}

/** The simulator with two prewarmed qualified signers (EE and LT), its trust store and a scratch folder. */
export interface PdfSigningEnv {
	sim: RunningSimulator;
	trust: TrustStore;
	signers: [PdfTestSigner, PdfTestSigner];
	dir: string;
	caPem: string;
	stop(): Promise<void>;
}

export async function startPdfSigningEnv(): Promise<PdfSigningEnv> {
	const wanted = ['PNOEE-40404040009-MOCK-Q', 'PNOLT-40404040009-MOCK-Q'];
	const sim = await startSimulator({ notificationDelayMs: 20, prewarm: wanted });
	const client = new SmartIdClient({ baseUrl: sim.baseUrl });
	const trust = TrustStore.fromPem(sim.caPems, 'simulator');
	const rp = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName };
	const signers = (await Promise.all(
		wanted.map(async (documentNumber) => {
			const chosen = await smartIdSigningCertificate({ ...rp, client, target: { documentNumber }, trust });
			return {
				documentNumber,
				certificate: chosen.certificateBase64,
				chain: chosen.chain.slice(1).map((c) => c.raw),
				sign: smartIdDigestSigner({ ...rp, client, target: { documentNumber }, documentNumber, trust }),
			};
		}),
	)) as [PdfTestSigner, PdfTestSigner];
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-sign-'));
	return {
		sim,
		trust,
		signers,
		dir,
		caPem: sim.caPems.join('\n'),
		async stop() {
			client.close();
			await sim.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
