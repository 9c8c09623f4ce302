/**
 * Same-device (Web2App/App2App) authentication completes (issue 11 item 8): started through the node in device-link
 * mode (stored, "Start and Continue"), the simulator's mock app answers and returns the callback URL the browser would
 * open, and Session → Complete Same-Device Callback checks it (value token, sessionSecretDigest, userChallengeVerifier)
 * and completes the stored session. Edited callbacks are refused with their rule and leave the session pending;
 * a callback is used once.
 */
import { callbackUrlWithToken, newCallbackToken } from '../../lib/flows';
import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { executeContext, expectNoSecrets, pollContext } from './harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from './simulator-env';

let env: SimulatorEnv;
const node = new SmartId();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	env = await startSimulatorEnv();
}, 60_000);
afterAll(() => env?.stop());

async function run(params: Record<string, unknown>, continueOnFail = false) {
	const [out] = await node.execute.call(executeContext({ params, credentials: env.credentials, continueOnFail }));
	return out[0].json;
}

/** Start a same-device authentication through the node, let the mock app answer; the callback URL it returns. */
async function sameDevice(deviceLinkType: 'Web2App' | 'App2App', tag: string, callback = callbackUrlWithToken('https://rp.example.com/smart-id/return', newCallbackToken())) {
	const started = await run({
		resource: 'authentication',
		operation: 'authenticate',
		flow: 'deviceLink',
		deviceLinkType,
		deviceLinkIdentifyBy: 'anonymous',
		initialCallbackUrl: callback,
		interactionType: 'displayTextAndPIN',
		displayText: 'Log in',
		tag,
	});
	const res = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: OK_DOC, deviceLink: started.deviceLink, flowType: deviceLinkType }),
	});
	expect(res.status).toBe(200);
	const { callbackUrl } = (await res.json()) as { callbackUrl: string };
	return { sessionId: started.sessionId as string, callbackUrl };
}

const complete = (sessionId: string, callbackUrl: string, continueOnFail = false) =>
	run({ resource: 'session', operation: 'completeCallback', sessionId, callbackUrl }, continueOnFail);

test.each(['Web2App', 'App2App'] as const)('%s: the callback completes the stored authentication once', async (type) => {
	const { sessionId, callbackUrl } = await sameDevice(type, `sd-${type}`);
	const json = await complete(sessionId, callbackUrl);
	expect(json).toMatchObject({
		sessionId,
		kind: 'authentication',
		state: 'COMPLETE',
		endResult: 'OK',
		flowType: type,
		callback: 'verified',
		documentNumber: OK_DOC,
		identity: { personalCode: '40504040001' },
	});
	expectNoSecrets(json);
	// Used once: the record is gone, a replay is refused and the trigger has nothing left to emit.
	const replay = await complete(sessionId, callbackUrl, true);
	expect(replay).toMatchObject({ code: 'SMARTID_INVALID_REQUEST', sessionId, error: expect.stringMatching(/completed already/) });
	expect(await new SmartIdTrigger().poll.call(pollContext({ credentials: env.credentials, params: { tag: `sd-${type}` } }))).toBeNull();
}, 30_000);

test('edited callbacks are refused with their rule and leave the session pending; the real one still completes it', async () => {
	const { sessionId, callbackUrl } = await sameDevice('Web2App', 'sd-edit');
	const other = await sameDevice('Web2App', 'sd-other');
	const edit = (name: string, value: string | null, from = callbackUrl) => {
		const url = new URL(from);
		if (value === null) url.searchParams.delete(name);
		else url.searchParams.set(name, value);
		return url.toString();
	};
	const otherParam = (name: string) => new URL(other.callbackUrl).searchParams.get(name)!;
	const secret = (await new FileSessionStore({ folder: env.folder }).get(sessionId))!.secrets!.sessionSecret;
	const cases: Array<[string, RegExp]> = [
		[edit('value', 'x'.repeat(43)), /callback token does not belong to this browser session/], // callback.value.matchesSession
		[edit('value', otherParam('value')), /callback token does not belong to this browser session/],
		[edit('sessionSecretDigest', otherParam('sessionSecretDigest')), /sessionSecretDigest differs/], // callback.sessionSecretDigest.matchesSession
		[edit('userChallengeVerifier', null), /has no userChallengeVerifier/], // callback.userChallengeVerifier.present
		// A verifier of another session passes the callback checks but not ACSP_V2 validation.
		[edit('userChallengeVerifier', otherParam('userChallengeVerifier')), /does not belong to this authentication/], // callback.userChallenge.mismatch
	];
	for (const [url, reason] of cases) {
		const json = await complete(sessionId, url, true);
		expect(json).toMatchObject({ code: 'SMARTID_VALIDATION_FAILED', sessionId });
		expect(String(json.error)).toMatch(reason);
		expect(JSON.stringify(json)).not.toContain(secret);
	}
	expect(await complete(sessionId, callbackUrl)).toMatchObject({ sessionId, endResult: 'OK', callback: 'verified' });
}, 30_000);

test('a session started without a value token in its Callback URL is refused with what to do', async () => {
	const { sessionId, callbackUrl } = await sameDevice('Web2App', 'sd-plain', 'https://rp.example.com/smart-id/return');
	await sleep(50);
	const json = await complete(sessionId, callbackUrl, true);
	expect(json).toMatchObject({ code: 'SMARTID_INVALID_REQUEST', error: expect.stringMatching(/value=<token>/) });
}, 30_000);
