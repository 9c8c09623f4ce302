/**
 * `sessionSecret` never leaves the server-side session store: device-link flows and the Smart-ID node / trigger
 * operations run against the simulator (happy paths, refusals, tampered callbacks, corrupt store files), and
 * EVERYTHING they produce is captured: node output items (JSON and binary metadata), thrown errors (message,
 * description, context, cause chain, stack), continue-on-fail items, trigger logger calls, console.* and
 * process stdout/stderr. No captured text may contain any session secret in Base64, base64url or hex form.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { INodeExecutionData } from 'n8n-workflow';

import {
	callbackUrlWithToken,
	completeAuthentication,
	createDeviceLink,
	newCallbackToken,
	startDeviceLinkAuthentication,
	verifySameDeviceCallback,
} from '../../lib/flows';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import { FileSessionStore } from '../../lib/sessions';
import { SmartId } from '../../nodes/SmartId/SmartId.node';
import { SmartIdTrigger } from '../../nodes/SmartIdTrigger/SmartIdTrigger.node';
import { executeContext, pollContext } from '../nodes/harness';
import { OK_DOC, startSimulatorEnv, type SimulatorEnv } from '../nodes/simulator-env';

let env: SimulatorEnv;
let store: FileSessionStore;
const node = new SmartId();
const trigger = new SmartIdTrigger();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every piece of text the code under test produced. */
const captured: string[] = [];
/** Every session secret that existed during the run (read from the store and from lib/flows starts). */
const secrets = new Set<string>();
const restore: Array<() => void> = [];

beforeAll(async () => {
	env = await startSimulatorEnv();
	store = new FileSessionStore({ folder: env.folder });
	for (const stream of [process.stdout, process.stderr]) {
		const original = stream.write.bind(stream);
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			captured.push(String(chunk));
			return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
		}) as typeof stream.write;
		restore.push(() => (stream.write = original as typeof stream.write));
	}
	for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		const spy = jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' ')));
		restore.push(() => spy.mockRestore());
	}
}, 60_000);

afterAll(async () => {
	for (const undo of restore.reverse()) undo();
	await env?.stop();
});

/** Text of an error with everything n8n could show or log about it. */
function errorText(error: unknown): string {
	const parts: string[] = [];
	for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
		const err = e as Error & { description?: unknown; context?: unknown; details?: unknown; messages?: unknown };
		parts.push(String(err.message), String(err.stack), String(err.description ?? ''));
		for (const field of [err.context, err.details, err.messages]) {
			try {
				parts.push(JSON.stringify(field) ?? '');
			} catch {
				parts.push(String(field));
			}
		}
		try {
			parts.push(JSON.stringify(e));
		} catch {
			/* circular: the fields above are enough */
		}
	}
	return parts.join('\n');
}

async function remember(sessionId: string): Promise<void> {
	const secret = (await store.get(sessionId))?.secrets?.sessionSecret;
	if (secret) secrets.add(secret);
}

/** Run the node; capture its items or its error (and the continue-on-fail item). */
async function run(params: Record<string, unknown>, items?: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const ctx = executeContext({ credentials: env.credentials, params, items });
	try {
		const [out] = await node.execute.call(ctx);
		captured.push(JSON.stringify(out));
		return out;
	} catch (error) {
		captured.push(errorText(error));
		const cof = executeContext({ credentials: env.credentials, params, items, continueOnFail: true });
		const [out] = await node.execute.call(cof);
		captured.push(JSON.stringify(out));
		return out;
	}
}

async function poll(tag: string, mode: 'trigger' | 'manual' = 'trigger') {
	const ctx = pollContext({ credentials: env.credentials, params: { tag }, mode });
	try {
		const out = await trigger.poll.call(ctx);
		captured.push(JSON.stringify(out));
		return out;
	} catch (error) {
		captured.push(errorText(error));
		return null;
	} finally {
		// n8n's Logger type has no `verbose`, but a logger may still carry it: read every level that exists.
		const logger = ctx.logger as unknown as Record<string, jest.Mock | undefined>;
		for (const level of ['warn', 'info', 'debug', 'error', 'verbose']) {
			const calls = logger[level]?.mock?.calls;
			if (calls) captured.push(JSON.stringify(calls));
		}
	}
}

async function scan(deviceLink: string, flowType: string): Promise<{ status: number; callbackUrl?: string }> {
	const res = await fetch(env.sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber: OK_DOC, deviceLink, flowType }),
	});
	const body = (await res.json()) as { callbackUrl?: string };
	return { status: res.status, callbackUrl: body.callbackUrl };
}

const auth = (extra: Record<string, unknown>) => ({
	resource: 'authentication',
	operation: 'authenticate',
	flow: 'deviceLink',
	deviceLinkIdentifyBy: 'anonymous',
	interactionType: 'displayTextAndPIN',
	displayText: 'Log in',
	completion: 'start',
	...extra,
});

test('node and trigger: QR and Web2App device links, refreshed links, status, refusals, tampering, emission', async () => {
	const qr = (await run(auth({ deviceLinkType: 'QR', tag: 'leak' })))[0];
	const qrId = qr.json.sessionId as string;
	await remember(qrId);
	const callback = callbackUrlWithToken('https://rp.example.com/cb', newCallbackToken());
	const w2a = (await run(auth({ deviceLinkType: 'Web2App', initialCallbackUrl: callback, tag: 'leak' })))[0];
	const w2aId = w2a.json.sessionId as string;
	await remember(w2aId);
	const other = (await run(auth({ deviceLinkType: 'Web2App', initialCallbackUrl: callback, tag: 'leak-other' })))[0];
	await remember(other.json.sessionId as string);
	expect(secrets.size).toBe(3);

	await sleep(1100);
	const fresh = (await run({ resource: 'session', operation: 'getDeviceLink', sessionId: qrId, deviceLinkType: 'QR' }))[0];
	expect(String(fresh.json.deviceLink)).toContain('authCode=');
	const refused = (await run({ resource: 'session', operation: 'getDeviceLink', sessionId: qrId, deviceLinkType: 'App2App' }))[0];
	expect(refused.json.code).toBe('SMARTID_INVALID_REQUEST');
	await run({ resource: 'session', operation: 'getStatus', sessionId: qrId, validateStored: true });
	await poll('leak', 'manual');
	expect(await poll('leak')).toBeNull(); // all still running

	expect((await scan(String(fresh.json.deviceLink), 'QR')).status).toBe(200);
	const w2aScan = await scan(String(w2a.json.deviceLink), 'Web2App');
	const otherScan = await scan(String(other.json.deviceLink), 'Web2App');
	captured.push(String(w2aScan.callbackUrl), String(otherScan.callbackUrl)); // what the RP's web page receives
	await sleep(300);
	// Another session's verifier: a validation failure with its message and description captured.
	const wrongVerifier = new URL(otherScan.callbackUrl!).searchParams.get('userChallengeVerifier');
	const mismatch = (await run({ resource: 'session', operation: 'getStatus', sessionId: w2aId, validateStored: true, userChallengeVerifier: wrongVerifier }))[0];
	expect(mismatch.json.code).toBe('SMARTID_VALIDATION_FAILED');
	// A link scanned again after the session ended: the mock app refuses it.
	expect((await scan(String(fresh.json.deviceLink), 'QR')).status).toBe(409);

	const emitted = await poll('leak');
	expect(emitted![0].map((i) => i.json.sessionId).sort()).toEqual([qrId, w2aId].sort());
	await run({ resource: 'session', operation: 'getDeviceLink', sessionId: qrId, deviceLinkType: 'QR' }); // gone now
	expect(secrets.size).toBe(3);
}, 60_000);

test('a corrupt session-store file holding a secret: the errors and logs about it do not quote it', async () => {
	const started = (await run(auth({ deviceLinkType: 'QR', tag: 'corrupt' })))[0];
	const id = started.json.sessionId as string;
	await remember(id);
	const file = path.join(env.folder, 'records', `${id}.json`);
	const text = await fs.readFile(file, 'utf8');
	expect(text).toContain('sessionSecret'); // the store keeps it (server side), as designed
	// Cut the JSON right after the secret: JSON.parse messages quote the text around the error position.
	const cut = text.indexOf('sessionSecret');
	await fs.writeFile(file, text.slice(0, cut + 70) + '\u0000garbage');
	await run({ resource: 'session', operation: 'getDeviceLink', sessionId: id, deviceLinkType: 'QR' });
	await run({ resource: 'session', operation: 'getStatus', sessionId: id, validateStored: true });
	await poll('corrupt');
	await poll('corrupt', 'manual');
	await fs.rm(file, { force: true });
}, 30_000);

test('lib/flows directly: device links, callback checks with tampered URLs, validation errors', async () => {
	const client = new SmartIdClient({ baseUrl: env.sim.baseUrl });
	const config = { relyingPartyUUID: env.sim.relyingPartyUUID, relyingPartyName: env.sim.relyingPartyName, schemeName: env.sim.schemeName };
	const token = newCallbackToken();
	const start = await startDeviceLinkAuthentication(client, config, { anonymous: true }, {
		interactions: [{ type: 'displayTextAndPIN', displayText60: 'Log in' }],
		deviceLinkTypes: ['QR', 'Web2App'],
		initialCallbackUrl: callbackUrlWithToken('https://rp.example.com/cb', token),
	});
	secrets.add(start.deviceLink.sessionSecret);
	captured.push(JSON.stringify({ sessionID: start.sessionID, context: start.context })); // what an RP may log
	const attempt = (f: () => unknown) => {
		try {
			captured.push(JSON.stringify(f()));
		} catch (error) {
			captured.push(errorText(error));
		}
	};
	attempt(() => createDeviceLink(start.deviceLink, { deviceLinkType: 'App2App' }));
	attempt(() => createDeviceLink({ ...start.deviceLink, initialCallbackUrl: undefined }, { deviceLinkType: 'Web2App' }));
	const { callbackUrl } = await scan(createDeviceLink(start.deviceLink, { deviceLinkType: 'Web2App' }), 'Web2App');
	const url = new URL(callbackUrl!);
	const expected = { token, sessionSecret: start.deviceLink.sessionSecret, sessionType: 'auth' as const };
	const variants = [
		(u: URL) => u.searchParams.set('value', 'x'.repeat(43)),
		(u: URL) => u.searchParams.set('sessionSecretDigest', 'A'.repeat(43)),
		(u: URL) => u.searchParams.delete('userChallengeVerifier'),
		(u: URL) => u.searchParams.append('sessionSecretDigest', 'B'.repeat(43)),
		(u: URL) => u.searchParams.set('userChallengeVerifier', 'not base64url!'),
	];
	for (const tamper of variants) {
		const copy = new URL(url);
		tamper(copy);
		attempt(() => verifySameDeviceCallback(copy, expected));
	}
	const ok = verifySameDeviceCallback(url, expected);
	await completeAuthentication(client, start.sessionID, start.context, {
		poll: { deadline: Date.now() + 5000, timeoutMs: 1000 },
		validation: { trust: TrustStore.fromPem(env.sim.caPems), userChallengeVerifier: `${ok.userChallengeVerifier}x` },
	}).catch((error: unknown) => captured.push(errorText(error)));
	client.close();
}, 30_000);

/** The forms of each secret found in `text` (first characters only, so a failure does not print it). */
function leaks(text: string): string[] {
	const found: string[] = [];
	for (const secret of secrets) {
		const bytes = Buffer.from(secret, 'base64');
		for (const form of [secret, bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase()]) {
			if (text.includes(form)) found.push(`${form.slice(0, 6)}…`);
		}
	}
	return found;
}

test('nothing captured above contains a session secret (Base64, base64url or hex)', () => {
	expect(secrets.size).toBeGreaterThanOrEqual(5);
	const text = captured.join('\n');
	// The capture saw the runs: items, errors from tampering and the corrupt file, trigger logs.
	expect(text).toMatch(/authCode=/);
	expect(text).toMatch(/SMARTID_VALIDATION_FAILED/);
	expect(text).toMatch(/callback\.sessionSecretDigest\.matchesSession/);
	expect(text).toMatch(/not a valid record/);
	expect(leaks(text)).toEqual([]);
	expect(text).not.toMatch(/"sessionSecret"\s*:\s*"[^"[]/);
	// The check itself works: a planted hex form of a secret is found.
	const planted = Buffer.from([...secrets][0], 'base64').toString('hex');
	expect(leaks(`${text} ${planted}`)).toHaveLength(1);
});
