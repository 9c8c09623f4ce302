/**
 * TSA or OCSP down while an ASiC-E signature is finished: the person has already signed, so the signature must
 * not be thrown away. The error names the peer, the pending signature stays in the session store, and once the
 * service is back the trigger finishes it into a container our verifier rates TOTAL-PASSED.
 */
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { binary, executeContext, pollContext } from '../nodes/harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';
import { call } from '../simulator/helpers';
import { SessionRuntime } from '../../lib/sessions';
import { configFromCredential } from '../../nodes/shared/config';
import { sealed } from '../sessions/sealed';

let env: SimulatorEnv;
let store: FileSessionStore;
const node = new SmartId();
const trigger = new SmartIdTrigger();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	env = await startSimulatorEnv();
	store = new FileSessionStore({ folder: env.folder });
}, 60_000);

afterEach(async () => {
	await call(`${env.sim.controlUrl}faults`, { method: 'DELETE' });
});

afterAll(async () => {
	await env?.stop();
});

const files: INodeExecutionData[] = [{ json: {}, binary: { data: binary(Buffer.from('contract text'), 'contract.txt', 'text/plain') } }];

function build(extra: Record<string, unknown>) {
	return {
		resource: 'container',
		operation: 'buildAsice',
		filesFrom: 'allItems',
		binaryPropertyNames: 'data',
		containerFileName: 'signed.asice',
		identifyBy: 'documentNumber',
		documentNumber: OK_DOC,
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the contract',
		outputBinaryPropertyName: 'container',
		...extra,
	};
}

async function fault(rule: Record<string, unknown>): Promise<void> {
	const res = await call(`${env.sim.controlUrl}faults`, { body: rule });
	expect(res.status).toBe(201);
}

async function poll(tag: string) {
	return trigger.poll.call(pollContext({ credentials: env.credentials, params: { tag } }));
}

async function expectTotalPassed(item: INodeExecutionData): Promise<void> {
	const bytes = Buffer.from(item.binary!.container.data, 'base64');
	const report = await verifyContainer(bytes, { trust: TrustStore.fromPem(env.sim.caPems, 'simulator') });
	expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
}

const down = {
	TSA: { kind: 'status', target: 'tsa', status: 503 },
	'OCSP responder': { kind: 'drop', target: 'ocsp' },
} as const;

describe.each(Object.entries(down))('%s down', (peer, rule) => {
	test('"Wait for completion": clear error naming the peer, the signed session is kept and the trigger finishes it later', async () => {
		const tag = `wait-${peer}`;
		await fault(rule);
		const ctx = executeContext({ credentials: env.credentials, items: files, params: build({ completion: 'wait', waitTimeoutSeconds: 30, tag }) });
		let error: unknown;
		try {
			await node.execute.call(ctx);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(error instanceof NodeApiError ? NodeApiError : NodeOperationError);
		const err = error as NodeOperationError;
		expect(err.message).toContain(peer);
		const sessionId = err.context.sessionId as string;
		expect(sessionId).toEqual(expect.any(String));
		// The message tells the operator the signature was kept and who will finish it.
		expect(`${err.message} ${err.description}`).toMatch(/trigger/i);
		expect(err.description).not.toMatch(/^[^.]*\bsign again\b[^.]*$/m); // the hint must not contradict "kept"
		expect(err.description).toMatch(/no new signature needed/);
		const kept = await store.get(sessionId);
		expect(kept).toMatchObject({ sessionId, kind: 'asiceSignature', tag, keptStatus: { state: 'COMPLETE' } });

		// Still down: the trigger keeps it (no error item, nothing lost).
		expect(await poll(tag)).toBeNull();
		expect(await store.get(sessionId)).toBeDefined();

		await call(`${env.sim.controlUrl}faults`, { method: 'DELETE' });
		const emitted = (await poll(tag))![0];
		expect(emitted.map((i) => i.json.sessionId)).toEqual([sessionId]);
		expect(emitted[0].json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK' });
		await expectTotalPassed(emitted[0]);
		expect(await store.get(sessionId)).toBeUndefined();
	}, 60_000);

	test('"Start and continue": the trigger defers (no error item) while the peer is down, then emits once', async () => {
		const tag = `start-${peer}`;
		const ctx = executeContext({ credentials: env.credentials, items: files, params: build({ completion: 'start', tag }) });
		const [out] = await node.execute.call(ctx);
		const sessionId = out[0].json.sessionId as string;
		await sleep(400);
		await fault(rule);
		const pc = pollContext({ credentials: env.credentials, params: { tag } });
		expect(await trigger.poll.call(pc)).toBeNull();
		// The operator sees why in the log, naming the peer.
		const logged = JSON.stringify((pc.logger.warn as jest.Mock).mock.calls);
		expect(logged).toContain(peer);
		expect(await store.get(sessionId)).toMatchObject({ sessionId, kind: 'asiceSignature' });

		// The signature itself is kept with the record, so finishing does not depend on Smart-ID's retention...
		expect((await store.get(sessionId))?.keptStatus).toMatchObject({ state: 'COMPLETE', result: { endResult: 'OK' } });
		// ...nor on the pending-session lifetime: the service may be down for longer than that.
		const record = (await store.get(sessionId))!;
		const past = Date.now() - 1000;
		await store.put(sealed(new SessionRuntime(configFromCredential(env.credentials)), { ...record, createdAt: new Date(past - 60_000).toISOString(), expiresAt: new Date(past).toISOString() }));

		await call(`${env.sim.controlUrl}faults`, { method: 'DELETE' });
		// Smart-ID no longer knows the session (retention over): answered 404 from now on.
		await fault({ kind: 'status', target: 'rp-api', status: 404, pathContains: `session/${sessionId}` });
		const emitted = (await poll(tag))![0];
		expect(emitted.map((i) => i.json.sessionId)).toEqual([sessionId]);
		expect(emitted[0].json).toMatchObject({ endResult: 'OK' });
		await expectTotalPassed(emitted[0]);
		expect(await poll(tag)).toBeNull();
	}, 60_000);
});
