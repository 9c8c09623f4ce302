/**
 * Same-device (Web2App) callback URL tampering, end to end: real device-link authentications on the simulator,
 * the mock app returns the callback URL the browser would open, and an attacker edits it (token, sessionSecretDigest,
 * userChallengeVerifier) or swaps in parts of another session's callback. Each edit is refused with its rule by
 * verifySameDeviceCallback or by completeAuthentication; the untouched callback passes both.
 */
import { ValidationError } from '../../lib/errors';
import {
	callbackUrlWithToken,
	CallbackMismatchError,
	completeAuthentication,
	createDeviceLink,
	newCallbackToken,
	startDeviceLinkAuthentication,
	verifySameDeviceCallback,
	type DeviceLinkAuthenticationStart,
} from '../../lib/flows';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { TEST_STATE_DIR } from '../simulator/helpers';

const DOC = 'PNOLT-40504040001-MOCK-Q';

let sim: RunningSimulator;
let client: SmartIdClient;
let trust: TrustStore;

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 50, prewarm: [DOC] });
	client = new SmartIdClient({ baseUrl: sim.baseUrl });
	trust = TrustStore.fromPem(sim.caPems, 'simulator');
}, 60_000);

afterAll(async () => {
	client?.close();
	await sim?.stop();
});

interface Web2App {
	token: string;
	start: DeviceLinkAuthenticationStart;
	callback: URL;
}

/** Start a Web2App authentication, let the mock app accept it, return the callback URL it sends the browser to. */
async function web2app(): Promise<Web2App> {
	const token = newCallbackToken();
	const start = await startDeviceLinkAuthentication(
		client,
		{ relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, schemeName: sim.schemeName },
		{ anonymous: true },
		{ interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in' }], deviceLinkTypes: ['Web2App'], initialCallbackUrl: callbackUrlWithToken('https://rp.example.com/cb', token) },
	);
	const res = await fetch(sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: DOC, deviceLink: createDeviceLink(start.deviceLink, { deviceLinkType: 'Web2App' }), flowType: 'Web2App' }),
	});
	expect(res.status).toBe(200);
	const body = (await res.json()) as { callbackUrl: string };
	return { token, start, callback: new URL(body.callbackUrl) };
}

const expectation = (s: Web2App) => ({ token: s.token, sessionSecret: s.start.deviceLink.sessionSecret, sessionType: 'auth' as const });

function callbackRule(url: URL, s: Web2App): string {
	try {
		verifySameDeviceCallback(url, expectation(s));
	} catch (error) {
		expect(error).toBeInstanceOf(CallbackMismatchError);
		return (error as CallbackMismatchError).rule;
	}
	return 'accepted';
}

async function completionRule(s: Web2App, userChallengeVerifier: string | undefined): Promise<string> {
	const error = await completeAuthentication(client, s.start.sessionID, s.start.context, {
		poll: { deadline: Date.now() + 5000, timeoutMs: 1000 },
		validation: { trust, userChallengeVerifier },
	}).then(() => undefined, (e: unknown) => e);
	if (error === undefined) return 'accepted';
	expect(error).toBeInstanceOf(ValidationError);
	return (error as ValidationError).rule;
}

let a: Web2App;
let b: Web2App;

beforeAll(async () => {
	[a, b] = [await web2app(), await web2app()];
}, 30_000);

const edited = (url: URL, edit: (p: URLSearchParams) => void): URL => {
	const copy = new URL(url);
	edit(copy.searchParams);
	return copy;
};

test('the untouched callback passes the callback check and the authentication validates with its verifier', async () => {
	const { userChallengeVerifier } = verifySameDeviceCallback(a.callback, expectation(a));
	expect(userChallengeVerifier).toMatch(/^[A-Za-z0-9_-]+$/);
	expect(await completionRule(a, userChallengeVerifier)).toBe('accepted');
});

test.each([
	['token replaced', (p: URLSearchParams) => p.set('value', newCallbackToken()), 'callback.value.matchesSession'],
	['token removed', (p: URLSearchParams) => p.delete('value'), 'callback.value.matchesSession'],
	['token repeated (parameter pollution)', (p: URLSearchParams) => p.append('value', 'x'), 'callback.value.repeated'],
	["sessionSecretDigest of another session", (p: URLSearchParams) => p.set('sessionSecretDigest', b.callback.searchParams.get('sessionSecretDigest')!), 'callback.sessionSecretDigest.matchesSession'],
	['sessionSecretDigest removed', (p: URLSearchParams) => p.delete('sessionSecretDigest'), 'callback.sessionSecretDigest.matchesSession'],
	['sessionSecretDigest repeated', (p: URLSearchParams) => p.append('sessionSecretDigest', 'x'), 'callback.sessionSecretDigest.repeated'],
	['userChallengeVerifier removed', (p: URLSearchParams) => p.delete('userChallengeVerifier'), 'callback.userChallengeVerifier.present'],
	['userChallengeVerifier with characters outside base64url', (p: URLSearchParams) => p.set('userChallengeVerifier', 'abc/def+'), 'callback.userChallengeVerifier.format'],
] as Array<[string, (p: URLSearchParams) => void, string]>)('callback with %s → refused', (_name, edit, rule) => {
	expect(callbackRule(edited(a.callback, edit), a)).toBe(rule);
});

test("another session's whole callback opened in this browser session → refused (token differs)", () => {
	expect(callbackRule(b.callback, a)).toBe('callback.value.matchesSession');
});

test("this session's token with another session's digest and verifier (callbacks spliced) → refused by the digest", () => {
	const spliced = edited(b.callback, (p) => p.set('value', a.token));
	expect(callbackRule(spliced, a)).toBe('callback.sessionSecretDigest.matchesSession');
});

test("a well-formed verifier of another session passes the URL check but not validation → callback.userChallenge.mismatch", async () => {
	const swapped = edited(a.callback, (p) => p.set('userChallengeVerifier', b.callback.searchParams.get('userChallengeVerifier')!));
	const { userChallengeVerifier } = verifySameDeviceCallback(swapped, expectation(a));
	expect(await completionRule(a, userChallengeVerifier)).toBe('callback.userChallenge.mismatch');
	expect(await completionRule(a, `${a.callback.searchParams.get('userChallengeVerifier')}A`)).toBe('callback.userChallenge.mismatch');
});

test('validating a Web2App authentication without the verifier is refused → callback.userChallengeVerifier.missing', async () => {
	expect(await completionRule(b, undefined)).toBe('callback.userChallengeVerifier.missing');
	// ...and with it, the same answer validates: the refusal was about the missing binding only.
	expect(await completionRule(b, b.callback.searchParams.get('userChallengeVerifier')!)).toBe('accepted');
});
