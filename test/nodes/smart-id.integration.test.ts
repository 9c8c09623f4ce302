import JSZip from 'jszip';
import { createHash } from 'node:crypto';

import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';

import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { executeContext, expectNoSecrets, pollContext, binary } from './harness';
import { OK_CODE, OK_COUNTRY, OK_DOC, REFUSED_PIN_DOC, WRONG_VC_DOC, simulatorVerifyTrust, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

let env: SimulatorEnv;
const node = new SmartId();
const trigger = new SmartIdTrigger();

beforeAll(async () => {
	env = await startSimulatorEnv();
}, 60_000);

afterAll(async () => {
	await env?.stop();
});

const auth = (extra: Record<string, unknown> = {}) => ({
	resource: 'authentication',
	operation: 'authenticate',
	flow: 'notification',
	identifyBy: 'personalCode',
	country: OK_COUNTRY,
	personalCode: OK_CODE,
	certificateLevel: 'QUALIFIED',
	hashAlgorithm: 'SHA-512',
	interactionType: 'displayTextAndPIN',
	displayText: 'Log in to n8n',
	completion: 'wait',
	waitTimeoutSeconds: 20,
	...extra,
});

async function run(params: Record<string, unknown>, opts: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {}) {
	const ctx = executeContext({ params, credentials: env.credentials, ...opts });
	const [out] = await node.execute.call(ctx);
	return { out, ctx };
}

async function poll(params: Record<string, unknown> = {}, mode: 'trigger' | 'manual' = 'trigger') {
	const ctx = pollContext({ params, credentials: env.credentials, mode });
	return trigger.poll.call(ctx);
}

describe('Authentication → Authenticate', () => {
	test('notification, wait: validated identity, verification code, paired item, no secrets', async () => {
		const { out } = await run(auth(), { items: [{ json: { a: 1 } }, { json: { a: 2 } }] });
		expect(out).toHaveLength(2);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json).toMatchObject({
				state: 'COMPLETE',
				endResult: 'OK',
				kind: 'authentication',
				documentNumber: OK_DOC,
				certificateLevel: 'QUALIFIED',
				flowType: 'Notification',
				interactionTypeUsed: 'displayTextAndPIN',
				identity: { personalCode: OK_CODE, country: OK_COUNTRY, dateOfBirth: '1905-04-04' },
			});
			expect(item.json.verificationCode).toMatch(/^\d{4}$/);
			expectNoSecrets(item);
		});
		expect(out[0].json.sessionId).not.toBe(out[1].json.sessionId);
	}, 60_000);

	test('hash algorithm: Options → Hash Algorithm, else the top-level value older workflows carry', async () => {
		const fromOptions = await run(auth({ hashAlgorithm: undefined, options: { hashAlgorithm: 'SHA-256' } }));
		expect(fromOptions.out[0].json).toMatchObject({ endResult: 'OK', hashAlgorithm: 'SHA-256' });
		const legacy = await run(auth({ hashAlgorithm: 'SHA-384' }));
		expect(legacy.out[0].json).toMatchObject({ endResult: 'OK', hashAlgorithm: 'SHA-384' });
		const refused = await run(auth({ options: { hashAlgorithm: 'MD5' } }), { continueOnFail: true });
		expect(refused.out[0].json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
	}, 60_000);

	test('notification by document number, start and continue → trigger emits it once with the correlation data', async () => {
		const { out } = await run(
			auth({ identifyBy: 'documentNumber', documentNumber: OK_DOC, completion: 'start', tag: 'auth-start', correlation: '{"orderId":42}' }),
		);
		const sessionId = out[0].json.sessionId as string;
		expect(out[0].json).toMatchObject({ state: 'RUNNING', kind: 'authentication', tag: 'auth-start', correlation: { orderId: 42 } });
		expect(out[0].json.verificationCode).toMatch(/^\d{4}$/);
		const store = new FileSessionStore({ folder: env.folder });
		expect((await store.get(sessionId))?.tag).toBe('auth-start');
		await new Promise((r) => setTimeout(r, 400)); // the simulated phone answers after 150 ms
		const emitted = await poll({ tag: 'auth-start' });
		expect(emitted?.[0]).toHaveLength(1);
		expect(emitted![0][0].json).toMatchObject({
			sessionId,
			endResult: 'OK',
			correlation: { orderId: 42 },
			identity: { personalCode: OK_CODE },
		});
		expect(await store.get(sessionId)).toBeUndefined();
		expect(await poll({ tag: 'auth-start' })).toBeNull(); // never twice
	}, 60_000);

	test('device link QR: link + PNG at once, secret kept only in the store, completed by the trigger after a scan', async () => {
		const { out } = await run(auth({ flow: 'deviceLink', deviceLinkType: 'QR', deviceLinkIdentifyBy: 'anonymous', tag: 'qr' }));
		const item = out[0];
		const sessionId = item.json.sessionId as string;
		expect(item.json).toMatchObject({ state: 'RUNNING', flow: 'deviceLink', deviceLinkType: 'QR' });
		expect(String(item.json.deviceLink)).toMatch(/deviceLinkType=QR&elapsedSeconds=\d+&sessionToken=.+&authCode=/);
		const png = Buffer.from(item.binary!.qr.data, 'base64');
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		const record = await new FileSessionStore({ folder: env.folder }).get(sessionId);
		expect(record?.secrets?.sessionSecret).toBeTruthy();
		expectNoSecrets(item, [record!.secrets!.sessionSecret]);
		// Act as the Smart-ID app: "scan" the QR link.
		const scan = await fetch(env.sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: item.json.deviceLink, flowType: 'QR' }),
		});
		expect(scan.status).toBeLessThan(300);
		let emitted = null;
		for (let n = 0; n < 20 && !emitted; n++) {
			emitted = await poll({ tag: 'qr' });
			if (!emitted) await new Promise((r) => setTimeout(r, 200));
		}
		expect(emitted![0][0].json).toMatchObject({ sessionId, endResult: 'OK', flowType: 'QR', documentNumber: OK_DOC });
		expectNoSecrets(emitted, [record!.secrets!.sessionSecret]);
	}, 60_000);

	test('device link identified by personal code: Get Device Link re-makes the QR each second; scanning a fresh link completes it', async () => {
		const { out } = await run(
			auth({ flow: 'deviceLink', deviceLinkType: 'QR', deviceLinkIdentifyBy: 'personalCode', country: OK_COUNTRY, personalCode: OK_CODE, tag: 'fresh' }),
		);
		const sessionId = out[0].json.sessionId as string;
		await new Promise((r) => setTimeout(r, 1100));
		const fresh = await run({ resource: 'session', operation: 'getDeviceLink', sessionId, deviceLinkType: 'QR', lang: 'est' });
		expect(fresh.out[0].json).toMatchObject({ sessionId, deviceLinkType: 'QR', validForSeconds: 1 });
		expect(String(fresh.out[0].json.deviceLink)).toMatch(/elapsedSeconds=[1-9]\d*&.*lang=est&authCode=/);
		expect(fresh.out[0].binary?.qr.mimeType).toBe('image/png');
		expect(fresh.out[0].json.deviceLink).not.toBe(out[0].json.deviceLink);
		const wrongType = await run({ resource: 'session', operation: 'getDeviceLink', sessionId, deviceLinkType: 'Web2App' }, { continueOnFail: true });
		expect(wrongType.out[0].json.code).toBe('SMARTID_INVALID_REQUEST');
		const scan = await fetch(env.sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: fresh.out[0].json.deviceLink, flowType: 'QR' }),
		});
		expect(scan.status).toBeLessThan(300);
		let emitted = null;
		for (let n = 0; n < 20 && !emitted; n++) {
			emitted = await poll({ tag: 'fresh' });
			if (!emitted) await new Promise((r) => setTimeout(r, 200));
		}
		expect(emitted![0][0].json).toMatchObject({ sessionId, endResult: 'OK', identity: { personalCode: OK_CODE } });
		const gone = await run({ resource: 'session', operation: 'getDeviceLink', sessionId }, { continueOnFail: true });
		expect(String(gone.out[0].json.error)).toMatch(/No pending device-link session/);
	}, 60_000);

	test('Web2App: validated with the userChallengeVerifier from the callback URL', async () => {
		const callback = 'https://rp.example.com/smart-id/callback?value=' + 'a'.repeat(24);
		const { out } = await run(auth({ flow: 'deviceLink', deviceLinkType: 'Web2App', deviceLinkIdentifyBy: 'anonymous', initialCallbackUrl: callback, tag: 'w2a' }));
		const sessionId = out[0].json.sessionId as string;
		expect(String(out[0].json.deviceLink)).not.toMatch(/elapsedSeconds/);
		const scan = await fetch(env.sim.mockDeviceLinkUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: out[0].json.deviceLink, flowType: 'Web2App' }),
		});
		const body = (await scan.json()) as { callbackUrl?: string };
		const verifier = new URL(body.callbackUrl!).searchParams.get('userChallengeVerifier')!;
		expect(verifier).toBeTruthy();
		await new Promise((r) => setTimeout(r, 300));
		const without = await run({ resource: 'session', operation: 'getStatus', sessionId, validateStored: true }, { continueOnFail: true });
		expect(without.out[0].json.code).toBe('SMARTID_VALIDATION_FAILED');
		const { out: status } = await run({ resource: 'session', operation: 'getStatus', sessionId, validateStored: true, userChallengeVerifier: verifier });
		expect(status[0].json).toMatchObject({ sessionId, validated: true, flowType: 'Web2App', endResult: 'OK' });
	}, 60_000);

	test('refused in the app: NodeOperationError with item index and session id; continue-on-fail gives { error, code, sessionId }', async () => {
		const params = auth({ identifyBy: 'documentNumber', documentNumber: REFUSED_PIN_DOC });
		const ctx = executeContext({ params, credentials: env.credentials, items: [{ json: {} }, { json: {} }] });
		const error = await node.execute.call(ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context).toMatchObject({ itemIndex: 0, code: 'SMARTID_USER_REFUSED_INTERACTION' });
		expect((error as Error).message).toMatch(/PIN/);
		const { out } = await run(params, { continueOnFail: true, items: [{ json: {} }, { json: {} }] });
		expect(out).toHaveLength(2);
		expect(out[1].pairedItem).toEqual([{ item: 1 }]);
		expect(out[1].json).toMatchObject({ code: 'SMARTID_USER_REFUSED_INTERACTION' });
		expect(out[1].json.sessionId).toMatch(/.+/);
		expect(String(out[1].json.error)).toMatch(/cancelled on the PIN entry/);
	}, 60_000);

	test('wrong verification code chosen: SMARTID_WRONG_VC', async () => {
		const { out } = await run(
			auth({ identifyBy: 'documentNumber', documentNumber: WRONG_VC_DOC, interactionType: 'confirmationMessageAndVerificationCodeChoice', displayText: 'Confirm login' }),
			{ continueOnFail: true },
		);
		expect(out[0].json.code).toBe('SMARTID_WRONG_VC');
	}, 60_000);

	test('wait mode gives up at the node timeout with an actionable error (the session keeps running)', async () => {
		const slowDoc = 'PNOLT-30303039914-MOCK-Q';
		const control = await fetch(`${env.sim.controlUrl}accounts/${slowDoc}/behaviour`, {
			method: 'PUT',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ endResult: 'OK', delayMs: 10_000 }),
		});
		expect(control.status).toBe(200);
		const started = Date.now();
		const error = await run(auth({ identifyBy: 'documentNumber', documentNumber: slowDoc, waitTimeoutSeconds: 2 })).catch((e: unknown) => e);
		expect(Date.now() - started).toBeLessThan(8000);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).context.code).toBe('SMARTID_POLL_DEADLINE');
		expect((error as NodeApiError).description).toMatch(/Start and continue/);
	}, 30_000);

	test('unknown person: NodeApiError with HTTP 404 and the account message', async () => {
		const error = await run(auth({ country: 'EE', personalCode: '30001019991' })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('404');
		expect((error as NodeApiError).context.code).toBe('SMARTID_ACCOUNT_NOT_FOUND');
	}, 30_000);
});

describe('Certificate → Get Signing Certificate', () => {
	test('by document number', async () => {
		const { out } = await run({ resource: 'certificate', operation: 'getSigningCertificate', certificateSource: 'documentNumber', documentNumber: OK_DOC, certificateLevel: 'QUALIFIED' });
		expect(out[0].json).toMatchObject({ source: 'documentNumber', documentNumber: OK_DOC, identity: { personalCode: OK_CODE } });
		expect(String(out[0].json.certificate)).toMatch(/^MII/);
	}, 30_000);

	test('certificate choice, wait', async () => {
		const { out } = await run({
			resource: 'certificate',
			operation: 'getSigningCertificate',
			certificateSource: 'certificateChoice',
			// Another account: the simulator (wrongly, spec §10.14 says only after C1) expects a linked signature after
			// any certificate choice, which would break the other tests' notification signatures on OK_DOC.
			identifyBy: 'personalCode',
			country: 'BE',
			personalCode: '05040400032',
			certificateLevel: 'QUALIFIED',
			completion: 'wait',
			waitTimeoutSeconds: 20,
		});
		expect(out[0].json).toMatchObject({ kind: 'certificateChoice', endResult: 'OK', documentNumber: 'PNOBE-05040400032-DEMO-Q' });
	}, 30_000);
});

describe('Signature → Sign Hash', () => {
	const sign = (extra: Record<string, unknown>) => ({
		resource: 'signature',
		operation: 'signHash',
		hashAlgorithm: 'SHA-256',
		identifyBy: 'documentNumber',
		documentNumber: OK_DOC,
		certificateLevel: 'QUALIFIED',
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the contract',
		completion: 'wait',
		waitTimeoutSeconds: 20,
		...extra,
	});

	test('hex hash, wait: a validated RSASSA-PSS signature over exactly that digest', async () => {
		const digest = createHash('sha256').update('contract v1').digest();
		const { out } = await run(sign({ hashSource: 'hex', hash: digest.toString('hex') }));
		expect(out[0].json).toMatchObject({ kind: 'signature', endResult: 'OK', signatureScheme: 'RSASSA-PSS', hashAlgorithm: 'SHA-256', digest: digest.toString('base64') });
		expect(out[0].json.verificationCode).toMatch(/^\d{4}$/);
	}, 30_000);

	test('hash of a binary field, start and continue → trigger emits the signature', async () => {
		const file = Buffer.from('%PDF-1.4 pretend contract');
		const { out } = await run(sign({ hashSource: 'binary', binaryPropertyName: 'doc', hashAlgorithm: 'SHA-512', completion: 'start', tag: 'sign-bin' }), {
			items: [{ json: {}, binary: { doc: binary(file, 'contract.pdf', 'application/pdf') } }],
		});
		expect(out[0].json.digest).toBe(createHash('sha512').update(file).digest('base64'));
		await new Promise((r) => setTimeout(r, 400));
		const emitted = await poll({ tag: 'sign-bin' });
		expect(emitted![0][0].json).toMatchObject({ sessionId: out[0].json.sessionId, kind: 'signature', endResult: 'OK', hashAlgorithm: 'SHA-512' });
	}, 30_000);

	test('a hash of the wrong length is refused before anything is sent', async () => {
		const { out } = await run(sign({ hashSource: 'hex', hash: 'abcd' }), { continueOnFail: true });
		expect(out[0].json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST', sessionId: null });
		expect(String(out[0].json.error)).toMatch(/2 bytes but SHA-256 gives 32/);
	});
});

describe('Container → Build / Add Signature / Verify', () => {
	const signing = {
		identifyBy: 'documentNumber',
		documentNumber: OK_DOC,
		interactionType: 'displayTextAndPIN',
		displayText: 'Sign the container',
		completion: 'wait',
		waitTimeoutSeconds: 30,
		outputBinaryPropertyName: 'container',
	};
	const files = [
		{ json: { n: 1 }, binary: { data: binary(Buffer.from('first file'), 'one.txt', 'text/plain') } },
		{ json: { n: 2 }, binary: { data: binary(Buffer.from('second file'), 'two.txt', 'text/plain') } },
	];

	test('build (all items into one), verify, add a signature, verify again', async () => {
		const { out } = await run(
			{ resource: 'container', operation: 'buildAsice', filesFrom: 'allItems', binaryPropertyNames: 'data', containerFileName: 'both.asice', ...signing },
			{ items: files },
		);
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0].json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK', dataFiles: ['one.txt', 'two.txt'], containerFileName: 'both.asice' });
		const container = out[0].binary!.container;
		expect(container).toMatchObject({ fileName: 'both.asice', mimeType: 'application/vnd.etsi.asic-e+zip' });

		const verified = await run(
			{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'container', outputDataFiles: true },
			{ items: [{ json: {}, binary: { container } }] },
		);
		expect(verified.out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', valid: true, signaturesCount: 1 });
		expect(Buffer.from(verified.out[0].binary!.file_1.data, 'base64').toString()).toBe('second file');

		const added = await run(
			{ resource: 'container', operation: 'addSignature', containerPropertyName: 'container', ...signing },
			{ items: [{ json: {}, binary: { container } }] },
		);
		const twice = await run(
			{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'container' },
			{ items: [{ json: {}, binary: { container: added.out[0].binary!.container } }] },
		);
		expect(twice.out[0].json).toMatchObject({ indication: 'TOTAL-PASSED', signaturesCount: 2, validSignaturesCount: 2 });
	}, 90_000);

	test('Output Data Files withholds the files of a container that does not verify (unsigned extra file, hidden local entry)', async () => {
		const { out } = await run(
			{ resource: 'container', operation: 'buildAsice', filesFrom: 'allItems', binaryPropertyNames: 'data', containerFileName: 'both.asice', ...signing },
			{ items: files },
		);
		const signed = Buffer.from(out[0].binary!.container.data, 'base64');
		const forgeries = {
			// An extra data file no signature covers, added by re-zipping (JSZip writes a clean central directory).
			unsignedFile: await (async () => {
				const zip = await JSZip.loadAsync(signed);
				zip.file('three.txt', 'nobody signed this');
				return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' });
			})(),
			// Bytes between the last local entry and the central directory: a streaming extractor would see them.
			hiddenEntry: (() => {
				const eocd = signed.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
				const cdOffset = signed.readUInt32LE(eocd + 16);
				const junk = Buffer.from('PK\x03\x04hidden');
				const forged = Buffer.concat([signed.subarray(0, cdOffset), junk, signed.subarray(cdOffset)]);
				forged.writeUInt32LE(cdOffset + junk.length, eocd + junk.length + 16);
				return forged;
			})(),
		};
		for (const [name, bytes] of Object.entries(forgeries)) {
			const verified = await run(
				{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'container', outputDataFiles: true },
				{ items: [{ json: {}, binary: { container: binary(bytes, `${name}.asice`, 'application/vnd.etsi.asic-e+zip') } }] },
			);
			expect(verified.out[0].json.valid).toBe(false);
			expect(verified.out[0].json.dataFilesWithheld).toMatch(/only for TOTAL-PASSED/);
			expect(Object.keys(verified.out[0].binary ?? {})).toEqual([]);
		}
	}, 90_000);

	test('build per item, start and continue → the trigger emits the finished container as a binary', async () => {
		const { out } = await run(
			{ resource: 'container', operation: 'buildAsice', filesFrom: 'eachItem', binaryPropertyNames: 'data', containerFileName: 'x.asice', ...signing, completion: 'start', tag: 'asice' },
			{ items: files },
		);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out.every((o) => o.json.state === 'RUNNING')).toBe(true);
		await new Promise((r) => setTimeout(r, 500));
		const emitted = (await poll({ tag: 'asice' }))![0];
		expect(emitted).toHaveLength(2);
		for (const item of emitted) {
			expect(item.json).toMatchObject({ kind: 'asiceSignature', endResult: 'OK' });
			const verified = await run(
				{ resource: 'container', operation: 'verifyContainer', ...simulatorVerifyTrust(env.sim), containerPropertyName: 'data' },
				{ items: [{ json: {}, binary: { data: item.binary!.container } }] },
			);
			expect(verified.out[0].json.indication).toBe('TOTAL-PASSED');
		}
	}, 90_000);

	test('a missing binary field is an error naming the field', async () => {
		const { out } = await run(
			{ resource: 'container', operation: 'buildAsice', filesFrom: 'eachItem', binaryPropertyNames: 'nope', ...signing },
			{ items: files, continueOnFail: true },
		);
		expect(out).toHaveLength(2);
		expect(String(out[0].json.error)).toMatch(/nope/);
	}, 30_000);
});

describe('Session → Get Status', () => {
	test('a stored, completed session is validated (and stays for the trigger)', async () => {
		const started = await run(auth({ completion: 'start', tag: 'status' }));
		const sessionId = started.out[0].json.sessionId as string;
		await new Promise((r) => setTimeout(r, 400));
		const { out } = await run({ resource: 'session', operation: 'getStatus', sessionId, validateStored: true });
		expect(out[0].json).toMatchObject({ sessionId, state: 'COMPLETE', endResult: 'OK', validated: true, identity: { personalCode: OK_CODE } });
		expect((await poll({ tag: 'status' }))![0]).toHaveLength(1);
	}, 30_000);

	test('raw status without validation', async () => {
		const started = await run(auth({ completion: 'start', tag: 'raw' }));
		const { out } = await run({ resource: 'session', operation: 'getStatus', sessionId: started.out[0].json.sessionId, validateStored: false });
		expect(['RUNNING', 'COMPLETE']).toContain(out[0].json.state);
		expect(out[0].json.validated).toBeUndefined();
	}, 30_000);
});

describe('credential test', () => {
	test('OK against the simulator; plain errors for a wrong RP and an unreachable URL', async () => {
		const test = (data: Record<string, unknown>) => node.methods.credentialTest.smartIdApiTest.call({} as never, { id: '1', name: 'x', type: 'smartIdApi', data } as never);
		expect(await test(env.credentials)).toEqual({ status: 'OK', message: expect.stringMatching(/reachable/) });
		const wrongRp = await test({ ...env.credentials, relyingPartyUuid: '11111111-1111-4111-8111-111111111111' });
		expect(wrongRp.status).toBe('Error');
		expect(wrongRp.message).toMatch(/401|UUID/);
		const down = await test({ ...env.credentials, baseUrl: 'http://127.0.0.1:1/smart-id-rp/v3/' });
		expect(down).toMatchObject({ status: 'Error', message: expect.stringMatching(/connect/i) });
	}, 30_000);
});
