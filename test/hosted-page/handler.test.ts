/**
 * The hosted page's per-request logic against the simulator (real loopback RP API, real sealed file store): what a
 * page hit answers, that links are made server-side and never expose sessionSecret, that hostile requests are
 * refused with a named code, that a forged Web2App return is refused before anything is trusted, and that a scan
 * finishes the page exactly once with the validated identity.
 */
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../lib/flows/authentication';
import { createDeviceLink } from '../../lib/flows/device-link';
import { callbackUrlWithToken, newCallbackToken } from '../../lib/flows/same-device-callback';
import { answerPageRequest, HostedPage, hostedPageRuntime, StatusWatch, type PageReply } from '../../lib/hosted-page';
import type { DeviceLinkType } from '../../lib/rp-api/types';
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

async function startSession(types: DeviceLinkType[] = ['QR']): Promise<PendingSession> {
	const callback = types.includes('Web2App') ? { initialCallbackUrl: callbackUrlWithToken(`${PAGE_URL}&hp=callback`, newCallbackToken()) } : {};
	const started = await startDeviceLinkAuthentication(runtime.client, runtime.flowConfig, { documentNumber: DEVICE_DOC }, {
		interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in <b>now</b>' }],
		certificateLevel: 'QUALIFIED',
		hashAlgorithm: 'SHA-512',
		deviceLinkTypes: types,
		...callback,
	});
	const session = newPendingSession(runtime, { sessionId: started.sessionID, kind: 'authentication', context: started.context, secrets: started.deviceLink });
	await savePendingSession(runtime, session);
	return session;
}

function pageOf(startNew?: () => Promise<PendingSession>, notify?: ConstructorParameters<typeof HostedPage>[4]): HostedPage {
	return new HostedPage(runtime, { relyingPartyName: 'DEMO', displayText: 'Log in <script>alert(1)</script>', action: 'authenticate' }, new StatusWatch(1000), startNew, notify);
}

/** "Send to my phone" as the node wires it: a notification authentication stored in the page's scope. */
async function notifyPerson(person: { country: string; personalCode: string }) {
	const started = await startNotificationAuthentication(runtime.client, runtime.flowConfig, { semanticsIdentifier: `PNO${person.country}-${person.personalCode}` }, {
		interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in' }],
		certificateLevel: 'QUALIFIED',
		hashAlgorithm: 'SHA-512',
	});
	const session = newPendingSession(runtime, { sessionId: started.sessionID, kind: 'authentication', context: started.context });
	await savePendingSession(runtime, session);
	return { session, verificationCode: started.verificationCode };
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

async function until(page: HostedPage, query: Record<string, string>, done: (r: PageReply) => boolean): Promise<PageReply> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const reply = await get(page, query);
		if (done(reply) || Date.now() > deadline) return reply;
		await new Promise((r) => setTimeout(r, 200));
	}
}

describe('hosted page requests', () => {
	it('serves the page under a strict, sandboxed, uncached policy, with the request text escaped and no secret', async () => {
		const session = await startSession();
		const reply = await get(pageOf(), {});
		expect(reply.status).toBe(200);
		const csp = reply.headers['Content-Security-Policy'];
		expect(csp).toMatch(/^sandbox allow-downloads allow-forms .*allow-scripts/);
		const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
		expect(nonce).toBeTruthy();
		expect(csp).toContain("default-src 'none'");
		expect(reply.headers['Cache-Control']).toBe('no-store, max-age=0');
		const html = String(reply.body);
		expect(html).toContain(`<script nonce="${nonce}">`);
		expect(html).toContain('Log in &lt;script&gt;alert(1)&lt;/script&gt;');
		expect(html).not.toContain('<script>alert(1)');
		expect(html).not.toContain(session.secrets?.sessionSecret);
		expect(html).not.toContain('hp=open'); // no Web2App offered for an http-only page
		expect(reply.result).toBeUndefined();
	});

	it('makes each QR image server-side from the stored session: the decoded link carries the authCode of that second', async () => {
		const session = await startSession();
		const reply = await get(pageOf(), { hp: 'qr' });
		expect(reply.headers['Content-Type']).toBe('image/png');
		expect(reply.headers['Access-Control-Allow-Origin']).toBe('*');
		const link = decodeQrFromPng(reply.body as Buffer);
		if (!link || !session.secrets) throw new Error('no QR code decoded');
		const elapsed = Number(new URL(link).searchParams.get('elapsedSeconds'));
		expect(link).toBe(createDeviceLink(session.secrets, { deviceLinkType: 'QR', now: session.secrets.receivedAt + elapsed * 1000 + 1 }));
	});

	it('answers a waiting state hit with qr=1 with the next QR image inline (one n8n hit a second per page)', async () => {
		const session = await startSession();
		const reply = await get(pageOf(), { hp: 'status', qr: '1' });
		const body = JSON.parse(String(reply.body)) as { state: string; qr?: string };
		expect(body.state).toBe('waiting');
		const png = Buffer.from((body.qr ?? '').replace(/^data:image\/png;base64,/, ''), 'base64');
		const link = decodeQrFromPng(png);
		expect(link).toMatch(/authCode=/);
		expect(String(reply.body)).not.toContain(session.secrets?.sessionSecret);
	});

	it.each([
		['an unknown resource', { hp: '../../etc/passwd' }, 'GET', 400],
		['a new code by GET', { hp: 'new' }, 'GET', 405],
		['the page by POST', {}, 'POST', 405],
		['a Web2App link the session does not offer', { hp: 'open' }, 'GET', 410],
	])('refuses %s with a named code', async (_name, query, method, status) => {
		await startSession();
		const reply = await get(pageOf(), query, method);
		expect(reply.status).toBe(status);
		expect(JSON.parse(String(reply.body)).code).toMatch(/^SMARTID_HOSTED_PAGE_(BAD_REQUEST|GONE)$/);
		expect(reply.result).toBeUndefined();
	});

	it('answers "gone" and never resumes when the page has no session', async () => {
		const reply = await get(pageOf(), { hp: 'status' });
		expect(JSON.parse(String(reply.body))).toMatchObject({ state: 'gone', title: 'This page is closed' });
		expect(reply.result).toBeUndefined();
	});

	it('keeps its sessions out of the credential scope the Smart-ID Trigger lists', async () => {
		const session = await startSession();
		const own = settingsFromCredential(env.credentials, { userFolder: env.folder }).credentialKey;
		const listed = await runtime.store.list({ credentialKey: own });
		expect(listed.map((r) => r.sessionId)).not.toContain(session.sessionId);
		expect((await runtime.store.list({ credentialKey: runtime.config.credentialKey })).map((r) => r.sessionId)).toEqual([session.sessionId]);
	});

	it('a QR scan finishes the page once: success words, the validated identity to resume with, the record removed', async () => {
		const session = await startSession();
		const page = pageOf();
		const link = decodeQrFromPng((await get(page, { hp: 'qr' })).body as Buffer);
		expect((await scan(link ?? '', 'QR')).status).toBe(200);
		const reply = await until(page, { hp: 'status' }, (r) => JSON.parse(String(r.body)).state !== 'waiting');
		expect(JSON.parse(String(reply.body))).toMatchObject({ state: 'success', title: 'Done' });
		expect(reply.result?.outcome.json).toMatchObject({ sessionId: session.sessionId, endResult: 'OK', documentNumber: DEVICE_DOC });
		expect(JSON.stringify(reply.result)).not.toContain(session.secrets?.sessionSecret);
		expect(await runtime.store.get(session.sessionId)).toBeUndefined();
		// Any later hit of this process says the same, without a second result to resume with twice.
		const again = await get(page, { hp: 'status' });
		expect(JSON.parse(String(again.body)).state).toBe('success');
	});

	it('refuses a forged Web2App return before trusting it, then accepts the real one with its verifier', async () => {
		const session = await startSession(['QR', 'Web2App']);
		const page = pageOf();
		const open = await get(page, { hp: 'open' });
		expect(open.status).toBe(302);
		const answer = await scan(open.headers.Location, 'Web2App');
		expect(answer.status).toBe(200);
		const { callbackUrl } = (await answer.json()) as { callbackUrl: string };
		const query = (url: string) => Object.fromEntries(new URL(url).searchParams);
		// The status poll alone must not finish a same-device answer (it lacks the callback's verifier).
		for (let i = 0; i < 10; i++) {
			const polled = await get(page, { hp: 'status' });
			expect(JSON.parse(String(polled.body)).state).toBe('waiting');
			await new Promise((r) => setTimeout(r, 150));
		}
		const forged = await get(page, { ...query(callbackUrl), sessionSecretDigest: 'A'.repeat(43) });
		expect(forged.status).toBe(400);
		expect(forged.result).toBeUndefined();
		expect(await runtime.store.get(session.sessionId)).toBeDefined();
		const real = await get(page, query(callbackUrl));
		expect(real.status).toBe(200);
		expect(real.result?.outcome.json).toMatchObject({ endResult: 'OK', callback: 'verified', documentNumber: DEVICE_DOC });
	}, 40_000);

	it('"Send to my phone": a notification replaces the code, the page gets the verification code, the answer finishes the page', async () => {
		const old = await startSession();
		const page = pageOf(undefined, notifyPerson);
		expect(String((await get(page, {})).body)).toContain('Send to my phone');
		const bad = await answerPageRequest(page, { method: 'POST', query: { signature: 'abc123', hp: 'notify' }, body: { country: 'XX', personalCode: '<script>' } });
		expect(bad.status).toBe(400);
		expect(JSON.parse(String(bad.body)).code).toBe('SMARTID_HOSTED_PAGE_BAD_REQUEST');
		const sent = await answerPageRequest(page, { method: 'POST', query: { signature: 'abc123', hp: 'notify' }, body: { country: 'lt', personalCode: '40504040001' } });
		expect(sent.status).toBe(200);
		expect(JSON.parse(String(sent.body)).verificationCode).toMatch(/^\d{4}$/);
		expect(await runtime.store.get(old.sessionId)).toBeUndefined();
		// A second push within 30 s is refused: the URL must not become a way to make phones ring at will.
		const again = await answerPageRequest(page, { method: 'POST', query: { signature: 'abc123', hp: 'notify' }, body: { country: 'LT', personalCode: '40504040001' } });
		expect(again.status).toBe(429);
		const reply = await until(page, { hp: 'status' }, (r) => JSON.parse(String(r.body)).state !== 'waiting');
		expect(JSON.parse(String(reply.body)).state).toBe('success');
		expect(reply.result?.outcome.json).toMatchObject({ endResult: 'OK', documentNumber: 'PNOLT-40504040001-MOCK-Q' });
	}, 30_000);

	it('a page without "Send to my phone" refuses it', async () => {
		await startSession();
		const page = pageOf();
		expect(String((await get(page, {})).body)).not.toContain('Send to my phone');
		const reply = await answerPageRequest(page, { method: 'POST', query: { signature: 'abc123', hp: 'notify' }, body: { country: 'LT', personalCode: '40504040001' } });
		expect(reply.status).toBe(404);
		expect(reply.result).toBeUndefined();
	});

	it('"New code" replaces the session and forgets the old one', async () => {
		const old = await startSession();
		const page = pageOf(() => startSession());
		const reply = await get(page, { hp: 'new' }, 'POST');
		expect(JSON.parse(String(reply.body)).state).toBe('waiting');
		const current = await page.session(0);
		expect(current?.sessionId).not.toBe(old.sessionId);
		expect(await runtime.store.get(old.sessionId)).toBeUndefined();
	});
});
