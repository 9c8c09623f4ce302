import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import { NodeApiError, NodeOperationError, type ICredentialDataDecryptedObject, type INodeExecutionData } from 'n8n-workflow';

import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { binary, executeContext, expectNoSecrets, pollContext } from './harness';
import { OK_CODE, OK_COUNTRY, OK_DOC, simulatorVerifyTrust, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

/** A simulator account whose only certificate is ADVANCED (non-qualified). */
const ADVANCED_DOC = 'PNOLT-40504049999-MOCK-NQ';
/** A simulator account that refuses every request in the app. */
const REFUSING_DOC = 'PNOEE-30403039917-MOCK-Q';
/** A second OK account, for a co-signer. */
const CO_SIGNER_DOC = 'PNOLT-30303039914-MOCK-Q';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let env: SimulatorEnv;
const node = new SmartId();
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	env = await startSimulatorEnv();
}, 60_000);

afterAll(async () => {
	await env?.stop();
});

async function run(
	params: Record<string, unknown>,
	opts: { items?: INodeExecutionData[]; continueOnFail?: boolean; credentials?: ICredentialDataDecryptedObject } = {},
) {
	const ctx = executeContext({ params, credentials: env.credentials, ...opts });
	const [out] = await node.execute.call(ctx);
	return { out, ctx };
}

/** Poll the trigger until it emits (or give up after ~6 s). */
async function pollUntilEmitted(tag: string, credentials = env.credentials) {
	for (let n = 0; n < 30; n++) {
		const emitted = await trigger.poll.call(pollContext({ params: { tag }, credentials }));
		if (emitted) return emitted[0];
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`the trigger emitted nothing for tag ${tag}`);
}

/** Act as the Smart-ID app: open the link as the given account; returns the app's answer. */
async function scan(deviceLink: unknown, flowType: 'QR' | 'Web2App' | 'App2App', documentNumber = OK_DOC) {
	const answer = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber, deviceLink, flowType }),
	});
	expect(answer.status).toBeLessThan(300);
	return (await answer.json()) as { callbackUrl?: string };
}

const store = () => new FileSessionStore({ folder: env.folder });

describe('Signature → Sign Hash by device link', () => {
	const sign = (extra: Record<string, unknown>) => ({
		resource: 'signature',
		operation: 'signHash',
		signingMethod: 'deviceLink',
		hashAlgorithm: 'SHA-256',
		identifyBy: 'personalCode',
		country: OK_COUNTRY,
		personalCode: OK_CODE,
		certificateLevel: 'QUALIFIED',
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the contract',
		...extra,
	});

	test('QR by personal code: link + PNG at once, secret only in the store; a fresh link from Get Device Link is signed and the trigger emits the validated signature', async () => {
		const digest = createHash('sha256').update('contract v2').digest();
		const { out } = await run(sign({ hashSource: 'hex', hash: digest.toString('hex'), deviceLinkType: 'QR', tag: 'dl-sign', correlation: '{"order":7}' }));
		const item = out[0];
		const sessionId = item.json.sessionId as string;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({ kind: 'signature', state: 'RUNNING', flow: 'deviceLink', deviceLinkType: 'QR', digest: digest.toString('base64'), tag: 'dl-sign' });
		expect(item.json.verificationCode).toBeUndefined();
		expect(String(item.json.deviceLink)).toMatch(/deviceLinkType=QR&elapsedSeconds=\d+&sessionToken=.+&sessionType=sign&.*authCode=/);
		expect(Buffer.from(item.binary!.qr.data, 'base64').subarray(0, 8)).toEqual(PNG_MAGIC);
		const record = await store().get(sessionId);
		expect(record).toMatchObject({ kind: 'signature', context: { digest: digest.toString('base64'), allowedFlowTypes: ['QR'] } });
		const secret = record!.secrets!.sessionSecret;
		expect(secret).toBeTruthy();
		expectNoSecrets(item, [secret]);

		await new Promise((r) => setTimeout(r, 1100));
		const fresh = await run({ resource: 'session', operation: 'getDeviceLink', sessionId, deviceLinkType: 'QR' });
		expect(fresh.out[0].json).toMatchObject({ sessionId, kind: 'signature', validForSeconds: 1 });
		expect(fresh.out[0].json.deviceLink).not.toBe(item.json.deviceLink);
		await scan(fresh.out[0].json.deviceLink, 'QR');

		const emitted = await pollUntilEmitted('dl-sign');
		expect(emitted).toHaveLength(1);
		expect(emitted[0].json).toMatchObject({
			sessionId,
			kind: 'signature',
			endResult: 'OK',
			flowType: 'QR',
			signatureScheme: 'RSASSA-PSS',
			hashAlgorithm: 'SHA-256',
			identity: { personalCode: OK_CODE },
			correlation: { order: 7 },
		});
		expectNoSecrets(emitted, [secret]);
		expect(await store().get(sessionId)).toBeUndefined();
	}, 60_000);

	test('Web2App by document number, hash of a binary field: Get Status validates the signature after the app returns', async () => {
		const file = Buffer.from('%PDF-1.4 web2app contract');
		const callback = 'https://rp.example.com/smart-id/return?value=' + 'b'.repeat(24);
		const { out } = await run(
			sign({ identifyBy: 'documentNumber', documentNumber: OK_DOC, hashSource: 'binary', binaryPropertyName: 'doc', hashAlgorithm: 'SHA3-256', deviceLinkType: 'Web2App', initialCallbackUrl: callback }),
			{ items: [{ json: {}, binary: { doc: binary(file, 'c.pdf', 'application/pdf') } }] },
		);
		expect(out[0].binary).toBeUndefined(); // no QR for same-device links
		expect(String(out[0].json.deviceLink)).not.toMatch(/elapsedSeconds/);
		expect(out[0].json.digest).toBe(createHash('sha3-256').update(file).digest('base64'));
		await scan(out[0].json.deviceLink, 'Web2App');
		await new Promise((r) => setTimeout(r, 300));
		const { out: status } = await run({ resource: 'session', operation: 'getStatus', sessionId: out[0].json.sessionId, validateStored: true });
		expect(status[0].json).toMatchObject({ validated: true, kind: 'signature', endResult: 'OK', flowType: 'Web2App', hashAlgorithm: 'SHA3-256', documentNumber: OK_DOC });
	}, 60_000);

	test('a same-device link without a callback URL is refused before anything is sent, with what to do', async () => {
		const { out } = await run(sign({ hashSource: 'hex', hash: 'ab'.repeat(32), deviceLinkType: 'App2App', initialCallbackUrl: '' }), { continueOnFail: true });
		expect(out[0]).toMatchObject({ json: { code: 'SMARTID_INVALID_REQUEST', sessionId: null }, pairedItem: [{ item: 0 }] });
		expect(String(out[0].json.error)).toMatch(/Callback URL is empty/);
	});

	test('the verification-code choice interaction is refused for device links before anything is sent', async () => {
		const { out } = await run(
			sign({ hashSource: 'hex', hash: 'ab'.repeat(32), deviceLinkType: 'QR', interactionType: 'confirmationMessageAndVerificationCodeChoice', displayText: 'Sign it?' }),
			{ continueOnFail: true },
		);
		expect(out[0].json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST', sessionId: null });
		expect(String(out[0].json.error)).toMatch(/works only with notifications: choose Display Text and PIN or Confirmation Message/);
		const choice = await run(
			{
				resource: 'container',
				operation: 'buildAsice',
				signingMethod: 'deviceLinkCertificateChoice',
				binaryPropertyNames: 'data',
				interactionType: 'confirmationMessageAndVerificationCodeChoice',
				displayText: 'Sign it?',
			},
			{ items: [{ json: {}, binary: { data: binary(Buffer.from('x'), 'x.txt') } }], continueOnFail: true },
		);
		expect(String(choice.out[0].json.error)).toMatch(/works only with notifications/);
		expect(choice.out[0].json.sessionId).toBeNull();
	});

	test('Let the Signer Choose is only for the container operations', async () => {
		const ctx = executeContext({ params: sign({ hashSource: 'hex', hash: 'ab'.repeat(32), signingMethod: 'deviceLinkCertificateChoice' }), credentials: env.credentials });
		const error = await node.execute.call(ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(0);
		expect((error as NodeOperationError).message).toMatch(/not available here: choose Notification or Device Link$/);
	});
});

describe('Container → Build ASiC-E / Add Signature by device link', () => {
	const signing = {
		signingMethod: 'deviceLink',
		identifyBy: 'documentNumber',
		documentNumber: OK_DOC,
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the container',
		outputBinaryPropertyName: 'container',
	};
	const files = [{ json: { n: 1 }, binary: { data: binary(Buffer.from('device link file'), 'dl.txt', 'text/plain') } }];

	test('QR: link + PNG at once; after the scan the trigger emits a container that verifies', async () => {
		const { out } = await run(
			{ resource: 'container', operation: 'buildAsice', filesFrom: 'eachItem', binaryPropertyNames: 'data', containerFileName: 'dl.asice', ...signing, deviceLinkType: 'QR', tag: 'dl-asice' },
			{ items: files },
		);
		const item = out[0];
		expect(item.json).toMatchObject({ kind: 'asiceSignature', state: 'RUNNING', flow: 'deviceLink', deviceLinkType: 'QR' });
		expect(item.binary?.qr.mimeType).toBe('image/png');
		const record = await store().get(item.json.sessionId as string);
		expect(record?.context).toMatchObject({ allowedFlowTypes: ['QR'], expectedDocumentNumber: OK_DOC, requestedCertificateLevel: 'QUALIFIED' });
		expectNoSecrets(item, [record!.secrets!.sessionSecret]);
		await scan(item.json.deviceLink, 'QR');
		const emitted = await pollUntilEmitted('dl-asice');
		expect(emitted[0].json).toMatchObject({ sessionId: item.json.sessionId, kind: 'asiceSignature', endResult: 'OK', flowType: 'QR', dataFiles: ['dl.txt'], containerFileName: 'dl.asice' });
		const verified = await run(
			{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'c' },
			{ items: [{ json: {}, binary: { c: emitted[0].binary!.container } }] },
		);
		expect(verified.out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', signaturesCount: 1 });
	}, 90_000);

	test('Add Signature by device link needs the document number: refused with the fix, paired, nothing sent', async () => {
		const container = binary(Buffer.from('PK not really a container'), 'x.asice');
		const params = { resource: 'container', operation: 'addSignature', containerPropertyName: 'data', ...signing, identifyBy: 'personalCode', country: OK_COUNTRY, personalCode: OK_CODE };
		const { out } = await run(params, { items: [{ json: {}, binary: { data: container } }], continueOnFail: true });
		expect(out[0]).toMatchObject({ json: { code: 'SMARTID_INVALID_REQUEST', sessionId: null }, pairedItem: [{ item: 0 }] });
		expect(String(out[0].json.error)).toMatch(/set Identify Person By to Document Number/);
		const error = await node.execute
			.call(executeContext({ params, credentials: env.credentials, items: [{ json: {}, binary: { data: container } }] }))
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(0);
		expect((error as NodeOperationError).description).toMatch(/parameter/i);
	});
});

describe('Container → Build ASiC-E certificate level', () => {
	const build = (extra: Record<string, unknown>) => ({
		resource: 'container',
		operation: 'buildAsice',
		filesFrom: 'eachItem',
		binaryPropertyNames: 'data',
		identifyBy: 'documentNumber',
		documentNumber: ADVANCED_DOC,
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the container',
		completion: 'wait',
		waitTimeoutSeconds: 30,
		...extra,
	});
	const files = [{ json: {}, binary: { data: binary(Buffer.from('advanced file'), 'adv.txt', 'text/plain') } }];

	test('Advanced is passed through: a non-qualified signer signs; the default (Qualified) refuses the same signer', async () => {
		// The simulator's second relying party may use Basic (ADVANCED) accounts; the public demo one may not.
		const credentials = { ...env.credentials, relyingPartyUuid: '00000000-0000-4000-8000-00000000b451', relyingPartyName: 'SIMULATOR BASIC' };
		const { out } = await run(build({ certificateLevel: 'ADVANCED', completion: 'start', tag: 'adv' }), { items: files, credentials });
		const record = await store().get(out[0].json.sessionId as string);
		expect(record?.context).toMatchObject({ requestedCertificateLevel: 'ADVANCED', expectedDocumentNumber: ADVANCED_DOC });
		const emitted = await pollUntilEmitted('adv', credentials);
		expect(emitted[0].json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK', certificateLevel: 'ADVANCED' });

		const refused = await run(build({}), { items: files, continueOnFail: true, credentials });
		expect(refused.out[0].json.code).toMatch(/^SMARTID_/);
		expect(refused.out[0].json.code).not.toBe('SMARTID_UNEXPECTED_ERROR');
		expect(refused.out[0].binary).toBeUndefined();
	}, 90_000);

	test('an unknown level is refused before anything is sent', async () => {
		const { out } = await run(build({ certificateLevel: 'BEST' }), { items: files, continueOnFail: true });
		expect(out[0].json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
		expect(String(out[0].json.error)).toMatch(/Qualified, Advanced or QSCD/);
	});
});

describe('Container → Let the Signer Choose the Certificate (C1 then linked S5)', () => {
	const choose = (extra: Record<string, unknown>) => ({
		resource: 'container',
		operation: 'buildAsice',
		signingMethod: 'deviceLinkCertificateChoice',
		filesFrom: 'allItems',
		binaryPropertyNames: 'data',
		containerFileName: 'chosen.asice',
		deviceLinkType: 'QR',
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the lease',
		outputBinaryPropertyName: 'container',
		...extra,
	});
	const files = [
		{ json: {}, binary: { data: binary(Buffer.from('lease page 1'), 'p1.txt', 'text/plain') } },
		{ json: {}, binary: { data: binary(Buffer.from('lease page 2'), 'p2.txt', 'text/plain') } },
	];

	test('QR for whoever scans; the trigger starts the linked signature after the choice, then emits the container signed by the scanner', async () => {
		const { out } = await run(choose({ tag: 'choose', correlation: '{"lease":"A-1"}' }), { items: files });
		expect(out).toHaveLength(1);
		const item = out[0];
		const choiceId = item.json.sessionId as string;
		expect(item.pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(item.json).toMatchObject({ kind: 'certificateChoice', state: 'RUNNING', flow: 'deviceLink', deviceLinkType: 'QR', dataFiles: ['p1.txt', 'p2.txt'] });
		expect(String(item.json.deviceLink)).toMatch(/sessionType=cert&/);
		expect(Buffer.from(item.binary!.qr.data, 'base64').subarray(0, 8)).toEqual(PNG_MAGIC);
		const record = await store().get(choiceId);
		expect(record).toMatchObject({ kind: 'certificateChoice', linkedSignature: { fileName: expect.any(String) } });
		const secret = record!.secrets!.sessionSecret;
		expectNoSecrets(item, [secret]);

		await scan(item.json.deviceLink, 'QR');
		const emitted = await pollUntilEmitted('choose');
		expect(emitted).toHaveLength(1);
		const result = emitted[0].json;
		expect(result).toMatchObject({ kind: 'asiceSignature', endResult: 'OK', documentNumber: OK_DOC, correlation: { lease: 'A-1' }, tag: 'choose', dataFiles: ['p1.txt', 'p2.txt'] });
		expect(result.sessionId).not.toBe(choiceId);
		expect(await store().get(choiceId)).toBeUndefined();
		expectNoSecrets(emitted, [secret]);
		const verified = await run(
			{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'c' },
			{ items: [{ json: {}, binary: { c: emitted[0].binary!.container } }] },
		);
		expect(verified.out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', signaturesCount: 1 });
	}, 90_000);

	test('Get Status continues a completed choice at once (the page polling the QR), then finishes the linked signature with the container', async () => {
		const { out } = await run(choose({ tag: 'choose-status' }), { items: files });
		const choiceId = out[0].json.sessionId as string;
		const before = await run({ resource: 'session', operation: 'getStatus', sessionId: choiceId, validateStored: true });
		expect(before.out[0].json).toMatchObject({ state: 'RUNNING' });
		// The page re-makes the QR code from the stored secrets; the scanner opens the fresh one.
		await new Promise((r) => setTimeout(r, 1100));
		const fresh = await run({ resource: 'session', operation: 'getDeviceLink', sessionId: choiceId, deviceLinkType: 'QR' });
		expect(fresh.out[0].json).toMatchObject({ sessionId: choiceId, kind: 'certificateChoice' });
		expect(String(fresh.out[0].json.deviceLink)).toMatch(/elapsedSeconds=[1-9]\d*&.*sessionType=cert&/);
		await scan(fresh.out[0].json.deviceLink, 'QR');
		await new Promise((r) => setTimeout(r, 200));
		const continued = await run({ resource: 'session', operation: 'getStatus', sessionId: choiceId, validateStored: true });
		const signatureSessionId = continued.out[0].json.signatureSessionId as string;
		expect(continued.out[0].json).toMatchObject({ sessionId: choiceId, kind: 'certificateChoice', certificateChoice: 'OK', documentNumber: OK_DOC, state: 'RUNNING', validated: true });
		expect(continued.out[0].json.certificate).toBeUndefined();
		expect(signatureSessionId).toEqual(expect.any(String));
		expect(await store().get(choiceId)).toBeUndefined();
		expect(await store().get(signatureSessionId)).toMatchObject({ kind: 'asiceSignature', tag: 'choose-status' });

		let done: INodeExecutionData | undefined;
		for (let n = 0; n < 30 && !done; n++) {
			const { out: status } = await run({ resource: 'session', operation: 'getStatus', sessionId: signatureSessionId, validateStored: true });
			if (status[0].json.state === 'COMPLETE') done = status[0];
			else await new Promise((r) => setTimeout(r, 200));
		}
		expect(done?.json).toMatchObject({ sessionId: signatureSessionId, kind: 'asiceSignature', endResult: 'OK', validated: true });
		expect(done?.binary?.container.fileName).toBe('chosen.asice');
		// The record stays for the trigger, which emits it once.
		const emitted = await pollUntilEmitted('choose-status');
		expect(emitted.map((e) => e.json.sessionId)).toEqual([signatureSessionId]);
	}, 90_000);

	test('Add Signature: a co-signer who is not known in advance chooses their certificate and adds the second signature', async () => {
		const first = await run(
			{
				resource: 'container',
				operation: 'buildAsice',
				filesFrom: 'allItems',
				binaryPropertyNames: 'data',
				containerFileName: 'co.asice',
				identifyBy: 'documentNumber',
				documentNumber: OK_DOC,
				interactionType: 'displayTextAndPIN',
				displayText: 'Sign the lease',
				completion: 'wait',
				waitTimeoutSeconds: 30,
			},
			{ items: files },
		);
		const container = first.out[0].binary!.data;
		const { out } = await run(
			choose({ operation: 'addSignature', containerPropertyName: 'data', tag: 'co-sign', outputBinaryPropertyName: 'signed' }),
			{ items: [{ json: {}, binary: { data: container } }] },
		);
		expect(out[0].json).toMatchObject({ kind: 'certificateChoice', state: 'RUNNING', operation: 'addSignature', signingMethod: 'deviceLinkCertificateChoice' });
		await scan(out[0].json.deviceLink, 'QR', CO_SIGNER_DOC);
		const emitted = await pollUntilEmitted('co-sign');
		expect(emitted[0].json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK', documentNumber: CO_SIGNER_DOC, containerFileName: 'co.asice' });
		const verified = await run(
			{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'c' },
			{ items: [{ json: {}, binary: { c: emitted[0].binary!.signed } }] },
		);
		expect(verified.out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', signaturesCount: 2, validSignaturesCount: 2 });
	}, 90_000);

	test('a refused choice is not continued: Get Status reports it and keeps the record, the trigger emits the refusal once', async () => {
		const { out } = await run(choose({ tag: 'choose-refused' }), { items: files });
		const choiceId = out[0].json.sessionId as string;
		await scan(out[0].json.deviceLink, 'QR', REFUSING_DOC);
		await new Promise((r) => setTimeout(r, 200));
		const status = await run({ resource: 'session', operation: 'getStatus', sessionId: choiceId, validateStored: true }, { continueOnFail: true });
		expect(status.out[0].json).toMatchObject({ code: 'SMARTID_USER_REFUSED', sessionId: choiceId });
		expect(await store().get(choiceId)).toMatchObject({ kind: 'certificateChoice' });
		const emitted = await pollUntilEmitted('choose-refused');
		expect(emitted).toHaveLength(1);
		expect(emitted[0].json).toMatchObject({ sessionId: choiceId, kind: 'certificateChoice', endResult: 'USER_REFUSED', code: 'SMARTID_USER_REFUSED' });
		expect(emitted[0].binary).toBeUndefined();
		expect(await store().list({ tag: 'choose-refused' })).toEqual([]); // nothing left, no linked signature started
	}, 60_000);

	test('the choice is offered only on the container operations, and the signer fields are hidden for it', () => {
		const properties = node.description.properties.filter((p) => p.name === 'signingMethod');
		const values = (operation: string) =>
			properties
				.filter((p) => p.displayOptions?.show?.operation?.includes(operation))
				.flatMap((p) => (p.options as Array<{ value: string }>).map((o) => o.value));
		expect(values('buildAsice')).toEqual(['deviceLink', 'notification', 'deviceLinkCertificateChoice']);
		expect(values('addSignature')).toEqual(['deviceLink', 'notification', 'deviceLinkCertificateChoice']);
		expect(values('signHash')).toEqual(['deviceLink', 'notification']);
		const identify = node.description.properties.filter((p) => p.name === 'identifyBy' && p.displayOptions?.show?.resource?.includes('container'));
		expect(identify).toHaveLength(1);
		expect(identify[0].displayOptions?.hide).toEqual({ signingMethod: ['deviceLinkCertificateChoice'] });
	});
});

describe('n8n error conventions for signing', () => {
	test('a TSA answering HTTP 503 while the container is finished: NodeApiError with httpCode, item index, session id and what to do', async () => {
		const tsa = http.createServer((_req, res) => {
			res.writeHead(503, { 'content-type': 'text/plain' });
			res.end('down for maintenance');
		});
		await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
		const { port } = tsa.address() as AddressInfo;
		try {
			const credentials = { ...env.credentials, tsaUrl: `http://127.0.0.1:${port}/tsa` };
			const params = {
				resource: 'container',
				operation: 'buildAsice',
				filesFrom: 'eachItem',
				binaryPropertyNames: 'data',
				identifyBy: 'documentNumber',
				documentNumber: OK_DOC,
				interactionType: 'displayTextAndPIN',
				displayText: 'Sign the container',
				completion: 'wait',
				waitTimeoutSeconds: 30,
			};
			const items = [
				{ json: {}, binary: { data: binary(Buffer.from('tsa down'), 't.txt', 'text/plain') } },
				{ json: {}, binary: { data: binary(Buffer.from('tsa down 2'), 't2.txt', 'text/plain') } },
			];
			const soft = await run(params, { items, credentials, continueOnFail: true });
			expect(soft.out).toHaveLength(2);
			soft.out.forEach((item, n) => {
				expect(item.pairedItem).toEqual([{ item: n }]);
				expect(Object.keys(item.json).sort()).toEqual(['code', 'error', 'sessionId']);
				expect(item.json.code).toBe('ASICE_BUILD_TIMESTAMP_FAILED');
				expect(item.json.sessionId).toEqual(expect.any(String));
			});
			const error = await node.execute.call(executeContext({ params, credentials, items })).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(NodeApiError);
			const apiError = error as NodeApiError;
			expect(apiError.httpCode).toBe('503');
			expect(apiError.context.itemIndex).toBe(0);
			expect(apiError.context.sessionId).toEqual(expect.any(String));
			expect(apiError.description).toMatch(/TSA .*credential/);
		} finally {
			await new Promise((r) => tsa.close(r));
		}
	}, 90_000);

	test('the trigger with an unusable session store: NodeOperationError that says what to check, nothing lost', async () => {
		const notAFolder = path.join(env.folder, 'plain-file');
		await fs.writeFile(notAFolder, 'x');
		const ctx = pollContext({ credentials: { ...env.credentials, sessionFolder: notAFolder } });
		const error = await trigger.poll.call(ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.code).toBe('SMARTID_SESSION_STORE_UNAVAILABLE');
		expect((error as NodeOperationError).description).toMatch(/session store .*writable/);
	});
});
