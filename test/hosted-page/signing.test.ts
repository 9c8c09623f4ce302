/**
 * Signing pages against the simulator (real loopback RP API, real sealed file store): "New code" and "Open
 * Smart-ID" start a new device-link signature session over the SAME digest, signer and expected certificate (never
 * a re-prepared one), the old session is forgotten, a scan of the new code finishes the page with the validated
 * signature as Sign Hash's "Wait for Completion" gives it; a forged Web2App return is refused before trust; what
 * cannot be renewed is refused by name. The download a finished page hands over is capped and never in a URL.
 */
import { randomBytes } from 'node:crypto';

import { createDeviceLink } from '../../lib/flows/device-link';
import { callbackUrlWithToken, newCallbackToken } from '../../lib/flows/same-device-callback';
import { startDeviceLinkSignature } from '../../lib/flows/signature';
import {
	answerPageRequest,
	HostedPage,
	hostedPageRuntime,
	isPageSignature,
	MAX_PAGE_DOWNLOAD_BYTES,
	pageDownloadOf,
	renderPage,
	renewSignatureSession,
	StatusWatch,
	type PageLinkRequest,
	type PageReply,
	type PageResult,
} from '../../lib/hosted-page';
import { newPendingSession, savePendingSession, settingsFromCredential, type PendingSession, type SessionRuntime } from '../../lib/sessions';
import { decodeQrFromPng } from '../helpers/browser';
import { startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';

const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
const PAGE_URL = 'https://n8n.example/webhook-waiting/42?signature=abc123';

let env: SimulatorEnv;
let runtime: SessionRuntime;

beforeAll(async () => {
	env = await startSimulatorEnv();
});
afterAll(async () => {
	await env?.stop();
});
beforeEach(() => {
	runtime = hostedPageRuntime(settingsFromCredential(env.credentials, { userFolder: env.folder }), String(Math.floor(Math.random() * 1e9)));
});
afterEach(async () => {
	await runtime.close();
});

/** A Sign Hash page's first session as the node stores it: QR only, for the document number. */
async function startHashSession(digest = randomBytes(32)): Promise<PendingSession> {
	const started = await startDeviceLinkSignature(runtime.client, runtime.flowConfig, { documentNumber: DEVICE_DOC }, {
		hashAlgorithm: 'SHA-256',
		digest: digest.toString('base64'),
		interactions: [{ type: 'displayTextAndPIN', displayText60: 'Sign the hash' }],
		certificateLevel: 'QUALIFIED',
		deviceLinkTypes: ['QR'],
	});
	const session = newPendingSession(runtime, { sessionId: started.sessionID, kind: 'signature', context: started.context, secrets: started.deviceLink });
	await savePendingSession(runtime, session);
	return session;
}

function linkRequest(https: boolean): PageLinkRequest {
	return https
		? { deviceLinkTypes: ['QR', 'Web2App'], initialCallbackUrl: callbackUrlWithToken(`${PAGE_URL}&hp=callback`, newCallbackToken()) }
		: { deviceLinkTypes: ['QR'] };
}

/** A signing page as the node wires it: renewal over the stored digest; Web2App by renewal on https. */
function signingPage(https = false, watch = new StatusWatch(1000)): HostedPage {
	return new HostedPage(
		runtime,
		{ relyingPartyName: 'DEMO', displayText: 'Sign the hash', action: 'sign', digest: { algorithm: 'SHA-256', hexPrefix: '00' } },
		watch,
		async (old) => {
			if (!old || !isPageSignature(old)) throw new Error('no signing session');
			return renewSignatureSession(runtime, old, linkRequest(https));
		},
		undefined,
		{ web2appByRenew: https },
	);
}

const get = (page: HostedPage, query: Record<string, string>, method = 'GET'): Promise<PageReply> =>
	answerPageRequest(page, { method, query: { signature: 'abc123', ...query } });

async function scan(link: string, flowType: 'QR' | 'Web2App'): Promise<Response> {
	return fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: DEVICE_DOC, deviceLink: link, flowType }),
	});
}

async function untilFinished(page: HostedPage): Promise<PageReply> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const reply = await get(page, { hp: 'status' });
		if (reply.result || Date.now() > deadline) return reply;
		await new Promise((r) => setTimeout(r, 200));
	}
}

describe('signing pages: new code and Web2App over the same digest', () => {
	it('"New code" starts a new session over the same digest and signer, forgets the old one, and its scan finishes the page', async () => {
		const digest = randomBytes(32);
		const old = await startHashSession(digest);
		const page = signingPage();
		expect(String((await get(page, {})).body)).toContain('id="newcode"');
		const renewed = await get(page, { hp: 'new' }, 'POST');
		expect(JSON.parse(String(renewed.body)).state).toBe('waiting');
		const current = await page.session(0);
		if (!current || current.kind !== 'signature' || old.kind !== 'signature') throw new Error('no renewed signature session');
		expect(current.sessionId).not.toBe(old.sessionId);
		expect(current.context.digest).toBe(digest.toString('base64'));
		expect(current.context.expectedDocumentNumber).toBe(DEVICE_DOC);
		expect(current.context.interactions).toBe(old.context.interactions);
		expect(await runtime.store.get(old.sessionId)).toBeUndefined();

		// The old code is dead for the page: its link no longer comes from the page, and the new one is scanned.
		const qr = decodeQrFromPng((await get(page, { hp: 'qr' })).body as Buffer);
		if (!qr) throw new Error('no QR decoded');
		expect(new URL(qr).searchParams.get('sessionToken')).toBe(current.secrets?.sessionToken);
		expect((await scan(qr, 'QR')).status).toBe(200);
		const done = await untilFinished(page);
		expect(done.result?.state).toBe('success');
		// As Sign Hash's "Wait for Completion": the validated signature and the digest that was signed.
		expect(done.result?.outcome.json).toMatchObject({ kind: 'signature', endResult: 'OK', digest: digest.toString('base64'), documentNumber: DEVICE_DOC });
		expect(done.result?.outcome.json.signatureValue).toEqual(expect.any(String));
		expect(await runtime.store.get(current.sessionId)).toBeUndefined();
	});

	it('on https, "Open Smart-ID" moves a QR-only signing session to one with Web2App; a forged return is refused, the real one finishes', async () => {
		const old = await startHashSession();
		const page = signingPage(true);
		const html = String((await get(page, {})).body);
		expect(html).toContain('hp=open');
		const open = await get(page, { hp: 'open' });
		expect(open.status).toBe(302);
		const current = await page.session(0);
		if (!current?.secrets) throw new Error('no renewed session');
		expect(current.sessionId).not.toBe(old.sessionId);
		expect(current.secrets.deviceLinkTypes).toEqual(['QR', 'Web2App']);
		expect(open.headers.Location).toBe(createDeviceLink(current.secrets, { deviceLinkType: 'Web2App' }));
		// A second tap reuses the session that already offers Web2App (no new Smart-ID session per tap).
		await get(page, { hp: 'open' });
		expect((await page.session(0))?.sessionId).toBe(current.sessionId);

		const answer = await scan(String(open.headers.Location), 'Web2App');
		const { callbackUrl } = (await answer.json()) as { callbackUrl: string };
		const query = Object.fromEntries(new URL(callbackUrl).searchParams);
		const forged = await get(page, { ...query, sessionSecretDigest: 'A'.repeat(43) });
		expect(forged.status).toBe(400);
		expect(forged.result).toBeUndefined();
		const done = await get(page, query);
		expect(done.result?.state).toBe('success');
		expect(done.result?.outcome.json).toMatchObject({ kind: 'signature', endResult: 'OK', callback: 'verified' });
	});

	it('"New code" after the person already answered keeps the answered session, which then finishes the page', async () => {
		const old = await startHashSession();
		const watch = new StatusWatch(1000);
		const page = signingPage(false, watch);
		const qr = decodeQrFromPng((await get(page, { hp: 'qr' })).body as Buffer);
		if (!qr) throw new Error('no QR decoded');
		expect((await scan(qr, 'QR')).status).toBe(200);
		const deadline = Date.now() + 10_000;
		while (watch.peek(runtime.client, old.sessionId).status?.state !== 'COMPLETE' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
		await get(page, { hp: 'new' }, 'POST');
		expect((await page.session(0))?.sessionId).toBe(old.sessionId);
		expect((await untilFinished(page)).result?.state).toBe('success');
	});

	it('refuses to renew what is not a signing session (a login record), by name', async () => {
		expect(isPageSignature({ kind: 'authentication' } as PendingSession)).toBe(false);
		const old = await startHashSession();
		if (old.kind !== 'signature') throw new Error('unexpected kind');
		const broken = { ...old, context: { ...old.context, interactions: Buffer.from('not json').toString('base64') } };
		await expect(renewSignatureSession(runtime, broken, linkRequest(false))).rejects.toMatchObject({ code: 'SMARTID_INVALID_REQUEST' });
		const anonymous = { ...old, context: { ...old.context, expectedDocumentNumber: undefined, expectedSemanticsIdentifier: undefined } };
		await expect(renewSignatureSession(runtime, anonymous, linkRequest(false))).rejects.toThrow(/names no signer/);
	});
});

describe('download from the finished page', () => {
	const result = (data: Buffer, failed = false): PageResult => ({
		state: failed ? 'error' : 'success',
		failed,
		outcome: { json: {}, files: [{ propertyName: 'data', data, fileName: 'contract.asice', mimeType: 'application/vnd.etsi.asic-e+zip' }] },
	});

	it('hands the signed file over only when asked, only on success, and only up to the cap', () => {
		const data = Buffer.from('PK signed bytes');
		expect(pageDownloadOf(result(data), false)).toBeUndefined();
		expect(pageDownloadOf(result(data, true), true)).toBeUndefined();
		expect(pageDownloadOf(result(data), true)).toEqual({ fileName: 'contract.asice', mimeType: 'application/vnd.etsi.asic-e+zip', size: data.length, base64: data.toString('base64') });
		const big = Buffer.alloc(MAX_PAGE_DOWNLOAD_BYTES + 1);
		expect(pageDownloadOf(result(big), true)).toEqual({ fileName: 'contract.asice', size: big.length, tooLarge: true });
	});

	it('a final page carries the file for the nonce\'d script (Blob link), escaped, never as a URL', () => {
		const html = renderPage({
			state: 'success',
			relyingPartyName: 'DEMO',
			displayText: 'Sign',
			action: 'sign',
			base: '?signature=abc',
			nonce: 'n0nce',
			qr: false,
			web2app: false,
			newCodeAfterSeconds: 0,
			offerDownload: true,
			download: { fileName: '</script><b>x.asice', mimeType: 'application/zip', size: 3, base64: 'AAEC' },
		});
		expect(html).toContain('<script nonce="n0nce">');
		expect(html).toContain('id="dl-box"');
		expect(html).not.toContain('</script><b>');
		expect(html).not.toMatch(/href="data:|href="blob:/);
		expect(html).toContain('createObjectURL');
	});
});
