import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { simulatorCredentialData, startSimulator, type RunningSimulator } from '../../lib/simulator';
import { TEST_STATE_DIR } from '../simulator/helpers';

/** Accounts of the simulator used here (spec §8 demo numbers and the simulator's end-result rows). */
export const OK_DOC = 'PNOLT-40504040001-MOCK-Q';
export const OK_COUNTRY = 'LT';
export const OK_CODE = '40504040001';
export const REFUSED_PIN_DOC = 'PNOEE-30403039928-MOCK-Q';
export const WRONG_VC_DOC = 'PNOEE-30403039972-MOCK-Q';
/** Session Record Key of the test credential. */
export const TEST_RECORD_KEY = 'test-session-record-key-0123456789';

/** A running simulator plus a credential pointing at it and a private session-store folder. */
export interface SimulatorEnv {
	sim: RunningSimulator;
	folder: string;
	credentials: ICredentialDataDecryptedObject;
	stop(): Promise<void>;
}

export async function startSimulatorEnv(): Promise<SimulatorEnv> {
	const sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 150, prewarm: [OK_DOC] });
	const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'smartid-node-sessions-'));
	return {
		sim,
		folder,
		// The HMAC key of stored sessions (tests do not rely on an n8n encryption key being around).
		credentials: { ...simulatorCredentialData(sim, folder), sessionRecordKey: TEST_RECORD_KEY },
		async stop() {
			await sim.stop();
			await fs.rm(folder, { recursive: true, force: true });
		},
	};
}

/**
 * Verify Container parameters that trust the simulator (verification takes its trust from the node, not the
 * credential): its CAs as extra anchors, and its TSA certificate (a CA added to the SK bundle vouches for signers only).
 */
export function simulatorVerifyTrust(sim: RunningSimulator): { verificationTrust: string; extraTrustedCertificates: string } {
	return { verificationTrust: 'skLive', extraTrustedCertificates: [...sim.caPems, sim.tsaCertPem].join('\n') };
}
