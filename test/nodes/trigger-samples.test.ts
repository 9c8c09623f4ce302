/**
 * The Smart-ID Trigger's "Fetch Test Event" samples (lib/sessions/samples/) against what the trigger really emits
 * today: the same sessions are run against the simulator, and each sample must have the shape (keys and value
 * types, nested) of the real item of its kind. The container sample is a real signed ASiC-E that verifies
 * TOTAL-PASSED with the simulator CA that made it. `UPDATE_TRIGGER_SAMPLES=1` rewrites the samples from this run
 * (samples/SOURCES.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki';
import { FileSessionStore, SAMPLE_KINDS, sampleOutcome, type SampleKind } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { fixturePath } from '../helpers/fixtures';
import { binary, executeContext, pollContext } from './harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

const SAMPLES_DIR = path.resolve(__dirname, '../../lib/sessions/samples');
/** Written only by UPDATE_TRIGGER_SAMPLES=1; read through fixturePath(). */
const CA_FIXTURE = path.resolve(__dirname, '../fixtures/trigger-samples/simulator-ca.pem');
const node = new SmartId();
const trigger = new SmartIdTrigger();
let env: SimulatorEnv;
const real = new Map<SampleKind, INodeExecutionData>();

async function start(params: Record<string, unknown>, items?: INodeExecutionData[]): Promise<void> {
	await node.execute.call(executeContext({ credentials: env.credentials, params, items }));
}

async function poll(params: Record<string, unknown>, mode: 'trigger' | 'manual' = 'trigger'): Promise<INodeExecutionData[]> {
	const out = await trigger.poll.call(pollContext({ credentials: env.credentials, params, mode }));
	return out?.[0] ?? [];
}

/** Keys and value types, nested: what a node after the trigger maps against. */
function shape(value: unknown): unknown {
	if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
	}
	return typeof value;
}

beforeAll(async () => {
	env = await startSimulatorEnv();
	const signer = { identifyBy: 'documentNumber', documentNumber: OK_DOC, interactionType: 'displayTextAndPIN', completion: 'start', correlation: '{"orderId":42}' };
	await start({ resource: 'authentication', operation: 'authenticate', flow: 'notification', displayText: 'Log in', ...signer, tag: 'authentication' });
	await start({ resource: 'signature', operation: 'signHash', hashSource: 'hex', hash: 'ab'.repeat(64), hashAlgorithm: 'SHA-512', displayText: 'Sign', ...signer, tag: 'signature' });
	// Not OK_DOC: after a certificate choice of that account the simulator expects a linked signature.
	await start({ resource: 'certificate', operation: 'getSigningCertificate', certificateSource: 'certificateChoice', identifyBy: 'personalCode', country: 'BE', personalCode: '05040400032', completion: 'start', correlation: '{"orderId":42}', tag: 'certificateChoice' });
	const contract = Buffer.from('Sample contract: the parties agree to try Smart-ID in n8n.\n');
	await start(
		{ resource: 'container', operation: 'buildAsice', filesFrom: 'eachItem', binaryPropertyNames: 'data', containerFileName: 'contract.asice', outputBinaryPropertyName: 'data', displayText: 'Sign the contract', ...signer, tag: 'asiceSignature' },
		[{ json: {}, binary: { data: binary(contract, 'contract.txt', 'text/plain') } }],
	);
	// A second container session that stays pending, for the manual-mode test below.
	await start(
		{ resource: 'container', operation: 'buildAsice', filesFrom: 'eachItem', binaryPropertyNames: 'data', containerFileName: 'contract.asice', outputBinaryPropertyName: 'data', displayText: 'Sign the contract', ...signer, tag: 'pending-container' },
		[{ json: {}, binary: { data: binary(contract, 'contract.txt', 'text/plain') } }],
	);
	await new Promise((r) => setTimeout(r, 800));
	for (const kind of SAMPLE_KINDS) {
		const items = await poll({ tag: kind });
		if (items.length !== 1) throw new Error(`expected one ${kind} result from the trigger, got ${items.length}`);
		real.set(kind, items[0]);
	}
	if (process.env.UPDATE_TRIGGER_SAMPLES === '1') writeSamples();
}, 120_000);

afterAll(async () => {
	await env?.stop();
});

/** Rewrites the samples from this run: ids and tags neutral, everything else as the trigger emitted it. */
function writeSamples(): void {
	const samples: Record<string, unknown> = {};
	for (const [kind, item] of real) {
		const { tag: _tag, containerFileName: _f, containerSize: _s, ...json } = item.json;
		samples[kind] = { ...json, sessionId: '00000000-0000-4000-8000-000000000000' };
	}
	fs.writeFileSync(path.join(SAMPLES_DIR, 'trigger-samples.json'), `${JSON.stringify(samples, null, '\t')}\n`);
	const container = real.get('asiceSignature')!.binary!.data;
	fs.writeFileSync(path.join(SAMPLES_DIR, 'contract.asice'), Buffer.from(container.data, 'base64'));
	fs.mkdirSync(path.dirname(CA_FIXTURE), { recursive: true });
	fs.writeFileSync(CA_FIXTURE, env.sim.caPems.join('\n'));
}

test.each(SAMPLE_KINDS)('the %s sample has the shape of the real item of that kind, and is marked as a sample', (kind) => {
	const sample = sampleOutcome(kind);
	expect(sample.json.sample).toBe(true);
	expect(sample.json.kind).toBe(kind);
	const { tag: _tag, ...emitted } = real.get(kind)!.json;
	const { sample: _sample, ...shown } = sample.json;
	expect(shape(shown)).toEqual(shape(emitted));
	expect(Object.keys(sample.files ?? [])).toHaveLength(kind === 'asiceSignature' ? 1 : 0);
});

test('the container sample is a real signed ASiC-E: TOTAL-PASSED with the simulator CA that made it', async () => {
	const file = sampleOutcome('asiceSignature').files![0] as { data: Buffer };
	expect(file).toMatchObject({ propertyName: 'data', fileName: 'contract.asice', mimeType: 'application/vnd.etsi.asic-e+zip' });
	expect(file.data.subarray(30, 38).toString()).toBe('mimetype');
	const report = await verifyContainer(file.data, { trust: TrustStore.fromPem(fs.readFileSync(fixturePath('trigger-samples', 'simulator-ca.pem'), 'utf8'), 'simulator') });
	expect(report.validationConclusion).toMatchObject({ indication: 'TOTAL-PASSED', signaturesCount: 1, validSignaturesCount: 1 });
	// And only with it: the bundled SK demo anchors do not make it valid.
	const untrusted = await verifyContainer(file.data, { trust: 'demo' });
	expect(untrusted.validationConclusion.indication).not.toBe('TOTAL-PASSED');
}, 60_000);

test('"Fetch Test Event" shows the kind of the sessions waiting for its tag, consumes nothing, and honours an explicit kind', async () => {
	const store = new FileSessionStore({ folder: env.folder });
	const before = (await store.list({ tag: 'pending-container' })).length;
	expect(before).toBe(1);
	// The container session completes in the simulator but stays stored until a real poll.
	const [container] = await poll({ tag: 'pending-container' }, 'manual');
	expect(container.json).toMatchObject({ sample: true, kind: 'asiceSignature', tag: 'pending-container', pendingSessions: 1 });
	expect(container.binary?.data).toMatchObject({ fileName: 'contract.asice', mimeType: 'application/vnd.etsi.asic-e+zip' });
	const [none] = await poll({ tag: 'nothing-waits' }, 'manual');
	expect(none.json).toMatchObject({ sample: true, kind: 'authentication', pendingSessions: 0 });
	const [chosen] = await poll({ tag: 'nothing-waits', options: { testEventKind: 'signature' } }, 'manual');
	expect(chosen.json).toMatchObject({ sample: true, kind: 'signature' });
	expect((await store.list({ tag: 'pending-container' })).length).toBe(1);
	const emitted = await poll({ tag: 'pending-container' });
	expect(emitted.map((i) => i.json.sample)).toEqual([undefined]);
}, 60_000);
