// Every flow end to end against the offline simulator (real HTTP on loopback, real keys): start, links / push,
// mock app scan, long poll, validation with the simulator's CA as the only trust anchor.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../lib/flows/authentication';
import { startDeviceLinkCertificateChoice, startNotificationCertificateChoice } from '../../lib/flows/certificate-choice';
import {
	completeAuthentication,
	completeCertificateChoice,
	completeSignature,
	fetchValidatedSigningCertificate,
} from '../../lib/flows/complete';
import { createDeviceLink } from '../../lib/flows/device-link';
import type { FlowConfig } from '../../lib/flows/flow-config';
import { callbackUrlWithToken, newCallbackToken, verifySameDeviceCallback } from '../../lib/flows/same-device-callback';
import { startDeviceLinkSignature, startLinkedSignature, startNotificationSignature } from '../../lib/flows/signature';
import { getSigningCertificate } from '../../lib/flows/signing-certificate';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import type { Interaction } from '../../lib/rp-api/types';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';

jest.setTimeout(60_000);

const STATE_DIR = process.env.SMARTID_SIMULATOR_TEST_STATE ?? path.join(os.tmpdir(), 'smart-id-simulator-test-state');
const NOTIFY_DOC = 'PNOEE-40504040001-DEM0-Q';
const NOTIFY_ID = 'PNOEE-40504040001';
const DEVICE_DOC = 'PNOEE-40404040009-MOCK-Q';
const REFUSING_ID = 'PNOEE-30403039917';
const PIN: Interaction[] = [{ type: 'displayTextAndPIN', displayText60: 'Log in to the flows test?' }];
const CONFIRM: Interaction[] = [{ type: 'confirmationMessage', displayText200: 'Sign the flows test document?' }];

let sim: RunningSimulator;
let client: SmartIdClient;
let config: FlowConfig;
let trust: TrustStore;
const poll = () => ({ deadline: Date.now() + 30_000, timeoutMs: 5000, minIntervalMs: 50 });

beforeAll(async () => {
	sim = await startSimulator({ stateDir: STATE_DIR, notificationDelayMs: 100, prewarm: [NOTIFY_DOC, DEVICE_DOC, 'PNOLT-40504040001-MOCK-Q'] });
	client = new SmartIdClient({ baseUrl: sim.baseUrl });
	config = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, schemeName: sim.schemeName };
	trust = TrustStore.fromPem(sim.caPems, 'simulator');
});

afterAll(async () => {
	client?.close();
	await sim?.stop();
});

async function scan(link: string, flowType: string, documentNumber = DEVICE_DOC): Promise<{ callbackUrl?: string }> {
	const res = await fetch(sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber, deviceLink: link, flowType }),
	});
	const body = (await res.json()) as { callbackUrl?: string };
	expect(res.status).toBe(200);
	return body;
}

/** The context goes through JSON (the session store) before completion, proving it is serialisable. */
const stored = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('authentication', () => {
	it('notification by semantics identifier: RP-computed VC, validated identity', async () => {
		const start = await startNotificationAuthentication(client, config, { semanticsIdentifier: NOTIFY_ID }, { interactions: PIN });
		expect(start.verificationCode).toMatch(/^\d{4}$/);
		expect(start.context).toMatchObject({ allowedFlowTypes: ['Notification'], expectedSemanticsIdentifier: NOTIFY_ID });
		const result = await completeAuthentication(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.identity.semanticsIdentifier).toBe(NOTIFY_ID);
		expect(result.documentNumber).toBe(NOTIFY_DOC);
		expect(result.flowType).toBe('Notification');
	});

	it('notification by document number', async () => {
		const start = await startNotificationAuthentication(client, config, { documentNumber: NOTIFY_DOC }, { interactions: PIN, hashAlgorithm: 'SHA3-512' });
		const result = await completeAuthentication(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.hashAlgorithm).toBe('SHA3-512');
	});

	it('anonymous QR device link: link made from the stored secrets, scanned by the mock app', async () => {
		const start = await startDeviceLinkAuthentication(client, config, { anonymous: true }, { interactions: PIN, deviceLinkTypes: ['QR'] });
		expect(JSON.stringify(start.context)).not.toContain(start.deviceLink.sessionSecret);
		const link = createDeviceLink(stored(start.deviceLink), { deviceLinkType: 'QR' });
		expect((await scan(link, 'QR')).callbackUrl).toBeUndefined();
		const result = await completeAuthentication(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.flowType).toBe('QR');
		expect(result.documentNumber).toBe(DEVICE_DOC);
	});

	it('identified Web2App device link with the same-device callback check', async () => {
		const token = newCallbackToken();
		const start = await startDeviceLinkAuthentication(
			client,
			config,
			{ documentNumber: DEVICE_DOC },
			{ interactions: PIN, deviceLinkTypes: ['QR', 'Web2App'], initialCallbackUrl: callbackUrlWithToken('https://rp.example.com/cb', token) },
		);
		const { callbackUrl } = await scan(createDeviceLink(start.deviceLink, { deviceLinkType: 'Web2App' }), 'Web2App');
		expect(callbackUrl).toBeDefined();
		const { userChallengeVerifier } = verifySameDeviceCallback(callbackUrl!, { token, sessionSecret: start.deviceLink.sessionSecret, sessionType: 'auth' });
		const result = await completeAuthentication(client, start.sessionID, stored(start.context), {
			poll: poll(),
			validation: { trust, userChallengeVerifier },
		});
		expect(result.flowType).toBe('Web2App');
	});

	it('a refusing account ends with SMARTID_USER_REFUSED', async () => {
		const start = await startNotificationAuthentication(client, config, { semanticsIdentifier: REFUSING_ID }, { interactions: PIN });
		await expect(
			completeAuthentication(client, start.sessionID, start.context, { poll: poll(), validation: { trust } }),
		).rejects.toMatchObject({ code: 'SMARTID_USER_REFUSED' });
	});
});

describe('signing', () => {
	const data = Buffer.from('flows test document', 'utf8');
	const digest = createHash('sha512').update(data).digest('base64');

	it('C3 certificate, then notification signature by document number with the server VC', async () => {
		const cert = await getSigningCertificate(client, config, NOTIFY_DOC);
		expect(cert.certificate).toMatch(/^MII/);
		const checked = await fetchValidatedSigningCertificate(client, config, NOTIFY_DOC, {}, { trust });
		expect(checked.certificateBase64).toBe(cert.certificate);
		const start = await startNotificationSignature(client, config, { documentNumber: NOTIFY_DOC }, {
			hashAlgorithm: 'SHA-512',
			digest,
			interactions: CONFIRM,
			expectedCertificate: cert.certificate,
		});
		expect(start.verificationCode).toMatch(/^\d{4}$/);
		const result = await completeSignature(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.signature.length).toBeGreaterThan(256);
		expect(result.certificateBase64).toBe(cert.certificate);
	});

	it('notification certificate choice (C2) by semantics identifier', async () => {
		// Another person than the signing tests use: the simulator (wrongly, see report) makes any OK certificate
		// choice wait for a linked signature, which would end a following S3/S4 with EXPECTED_LINKED_SESSION.
		const choice = await startNotificationCertificateChoice(client, config, 'PNOLT-40504040001', { certificateLevel: 'QSCD' });
		expect(choice.context).toMatchObject({ requestedCertificateLevel: 'QSCD', expectedSemanticsIdentifier: 'PNOLT-40504040001' });
		const chosen = await completeCertificateChoice(client, choice.sessionID, stored(choice.context), { poll: poll(), validation: { trust } });
		expect(chosen.documentNumber).toBe('PNOLT-40504040001-MOCK-Q');
		expect(chosen.identity.country).toBe('LT');
	});

	it('notification signature by semantics identifier (S3)', async () => {
		const start = await startNotificationSignature(client, config, { semanticsIdentifier: NOTIFY_ID }, { hashAlgorithm: 'SHA-512', digest, interactions: CONFIRM });
		const result = await completeSignature(client, start.sessionID, start.context, { poll: poll(), validation: { trust } });
		expect(result.documentNumber).toBe(NOTIFY_DOC);
	});

	it('device-link signature (S2) over QR', async () => {
		const start = await startDeviceLinkSignature(client, config, { documentNumber: DEVICE_DOC }, {
			hashAlgorithm: 'SHA-512',
			digest,
			interactions: CONFIRM,
			deviceLinkTypes: ['QR'],
		});
		await scan(createDeviceLink(start.deviceLink, { deviceLinkType: 'QR' }), 'QR');
		const result = await completeSignature(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.flowType).toBe('QR');
	});

	it('anonymous device-link certificate choice (C1) followed by the linked signature (S5)', async () => {
		const choice = await startDeviceLinkCertificateChoice(client, config, { deviceLinkTypes: ['QR'] });
		await scan(createDeviceLink(choice.deviceLink, { deviceLinkType: 'QR' }), 'QR');
		const chosen = await completeCertificateChoice(client, choice.sessionID, stored(choice.context), { poll: poll(), validation: { trust } });
		expect(chosen.documentNumber).toBe(DEVICE_DOC);
		const start = await startLinkedSignature(client, config, chosen.documentNumber, choice.sessionID, {
			hashAlgorithm: 'SHA-512',
			digest,
			interactions: CONFIRM,
			expectedCertificate: chosen.certificateBase64,
		}, choice.context);
		const result = await completeSignature(client, start.sessionID, stored(start.context), { poll: poll(), validation: { trust } });
		expect(result.documentNumber).toBe(DEVICE_DOC);
	});
});
