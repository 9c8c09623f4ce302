import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SmartIdClient } from '../../lib/rp-api/client';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';

/** A simulator with one prewarmed OK qualified EE signer, a client for it and a scratch folder. */
export interface SigningSimulator {
	sim: RunningSimulator;
	client: SmartIdClient;
	dir: string;
	documentNumber: string;
	stop(): Promise<void>;
}

/** Pick the simulator's OK qualified EE account (not the legacy PKCS#1 one) and start with its keys ready. */
export async function startSigningSimulator(dirPrefix: string): Promise<SigningSimulator> {
	const probe = await startSimulator({ notificationDelayMs: 50 });
	const account = probe.accounts.find(
		(a) => a.behaviour.endResult === 'OK' && a.certificateLevel === 'QUALIFIED' && a.country === 'EE' && !a.behaviour.legacyPkcs1,
	);
	await probe.stop();
	if (!account) throw new Error('the simulator has no OK qualified EE account');
	const sim = await startSimulator({ notificationDelayMs: 50, prewarm: [account.documentNumber] });
	const client = new SmartIdClient({ baseUrl: sim.baseUrl });
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), dirPrefix));
	return {
		sim,
		client,
		dir,
		documentNumber: account.documentNumber,
		async stop() {
			client.close();
			await sim.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
