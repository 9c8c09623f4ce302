/**
 * Contract suite: the real RP API client (lib/rp-api), the flows (lib/flows), validation (lib/validation) and the
 * OCSP / TSA clients (lib/pki) against the offline simulator, through every endpoint and end result. If this
 * passes, the client and the simulator agree on the wire format of spec §2-§6 (both were written from the spec
 * by different people).
 */
import { X509Certificate } from 'node:crypto';
import { hashBytes } from '../../lib/hash-algorithm';
import {
	callbackUrlWithToken,
	completeAuthentication,
	completeCertificateChoice,
	completeSignature,
	createDeviceLink,
	fetchValidatedSigningCertificate,
	getSigningCertificate,
	newCallbackToken,
	startDeviceLinkAuthentication,
	startDeviceLinkCertificateChoice,
	startDeviceLinkSignature,
	startLinkedSignature,
	startNotificationAuthentication,
	startNotificationCertificateChoice,
	startNotificationSignature,
	verifySameDeviceCallback,
	DocumentUnusableError,
	type FlowConfig,
} from '../../lib/flows';
import { requestOcsp, requestTimestamp, TrustStore } from '../../lib/pki';
import {
	AccountNotFoundError,
	ClientTooOldError,
	MaintenanceError,
	NoSuitableAccountError,
	PersonShouldViewAppError,
	RelyingPartyForbiddenError,
	RelyingPartyUnauthorizedError,
	SessionNotFoundError,
	SmartIdClient,
	type Interaction,
} from '../../lib/rp-api';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import { SessionEndedError } from '../../lib/validation';
import { TEST_STATE_DIR } from '../simulator/helpers';

jest.setTimeout(120_000);

let sim: RunningSimulator;
let client: SmartIdClient;
let config: FlowConfig;
let trust: TrustStore;

const PIN: Interaction[] = [{ type: 'displayTextAndPIN', displayText60: 'Log in?' }];
const CONFIRM: Interaction[] = [{ type: 'confirmationMessage', displayText200: 'Sign the document?' }];
const poll = () => ({ poll: { deadline: Date.now() + 30_000, timeoutMs: 5000, minIntervalMs: 50 }, validation: { trust } });

beforeAll(async () => {
	sim = await startSimulator({ stateDir: TEST_STATE_DIR, notificationDelayMs: 100 });
	client = new SmartIdClient({ baseUrl: sim.baseUrl, retry: { baseDelayMs: 50, maxDelayMs: 200 } });
	config = { relyingPartyUUID: sim.relyingPartyUUID, relyingPartyName: sim.relyingPartyName, schemeName: sim.schemeName };
	trust = TrustStore.fromPem(sim.caPems, 'simulator');
});
afterAll(async () => {
	await sim.stop();
});

async function scan(documentNumber: string, deviceLink: string, flowType: string): Promise<{ status: number; body: { callbackUrl?: string } }> {
	const response = await fetch(sim.mockDeviceLinkUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ documentNumber, deviceLink, flowType }),
	});
	return { status: response.status, body: (await response.json()) as { callbackUrl?: string } };
}

function digestOf(text: string) {
	return hashBytes('SHA-512', Buffer.from(text)).toString('base64');
}

describe('authentication', () => {
	it('A4 notification by semantics identifier validates end to end and yields the identity', async () => {
		const start = await startNotificationAuthentication(client, config, { semanticsIdentifier: 'PNOEE-40504040001' }, { interactions: PIN });
		expect(start.verificationCode).toMatch(/^\d{4}$/);
		const result = await completeAuthentication(client, start.sessionID, start.context, poll());
		expect(result.flowType).toBe('Notification');
		expect(result.signatureScheme).toBe('RSASSA-PSS');
		expect(result.documentNumber).toBe('PNOEE-40504040001-DEM0-Q');
		expect(result.certificateLevel).toBe('QUALIFIED');
		expect(result.identity).toMatchObject({
			semanticsIdentifier: 'PNOEE-40504040001',
			country: 'EE',
			identityNumber: '40504040001',
			givenName: 'OK',
			surname: 'TEST',
		});
		// SK's mock quirk reproduced: the auth certificate's DOB attribute differs from the code (spec §7.3).
		expect(result.identity.dateOfBirth).toBe('1999-01-01');
		expect(result.identity.dateOfBirthSource).toBe('certificate');
	});

	it('A5 notification by document (RSA-issued LV certificate, SHA3-512)', async () => {
		const start = await startNotificationAuthentication(
			client,
			config,
			{ documentNumber: 'PNOLV-050405-10009-DEM0-Q' },
			{ interactions: PIN, hashAlgorithm: 'SHA3-512' },
		);
		const result = await completeAuthentication(client, start.sessionID, start.context, poll());
		expect(result.hashAlgorithm).toBe('SHA3-512');
		expect(result.identity.country).toBe('LV');
		// The issuing CAs are anchors too (caPems), so the chain stops at the RSA issuing CA.
		expect(result.chain[1].subject).toContain('EID-Q 2024R');
	});

	it('A1 anonymous QR device link', async () => {
		const start = await startDeviceLinkAuthentication(client, config, { anonymous: true }, { interactions: PIN, deviceLinkTypes: ['QR'] });
		const link = createDeviceLink(start.deviceLink, { deviceLinkType: 'QR' });
		expect((await scan('PNOBE-04040400287-MOCK-Q', link, 'QR')).status).toBe(200);
		const result = await completeAuthentication(client, start.sessionID, start.context, poll());
		expect(result.flowType).toBe('QR');
		expect(result.identity.semanticsIdentifier).toBe('PNOBE-04040400287');
	});

	it('A2 Web2App by semantics identifier: callback checked, verifier passed to validation', async () => {
		const token = newCallbackToken();
		const initialCallbackUrl = callbackUrlWithToken('https://rp.example/smart-id/callback', token);
		const start = await startDeviceLinkAuthentication(
			client,
			config,
			{ semanticsIdentifier: 'PNOLT-40404040009' },
			{ interactions: PIN, deviceLinkTypes: ['Web2App'], initialCallbackUrl },
		);
		const answer = await scan('PNOLT-40404040009-MOCK-Q', createDeviceLink(start.deviceLink, { deviceLinkType: 'Web2App' }), 'Web2App');
		expect(answer.status).toBe(200);
		const checked = verifySameDeviceCallback(answer.body.callbackUrl as string, {
			token,
			sessionSecret: start.deviceLink.sessionSecret,
			sessionType: 'auth',
		});
		const options = poll();
		const result = await completeAuthentication(client, start.sessionID, start.context, {
			...options,
			validation: { ...options.validation, userChallengeVerifier: checked.userChallengeVerifier },
		});
		expect(result.flowType).toBe('Web2App');
		// Without the verifier the same answer must be refused (the check can fail).
		await expect(completeAuthentication(client, start.sessionID, start.context, poll())).rejects.toThrow();
	});

	it('A3 App2App by document number', async () => {
		const token = newCallbackToken();
		const start = await startDeviceLinkAuthentication(
			client,
			config,
			{ documentNumber: 'PNOEE-61101019999-MOCK-Q' },
			{ interactions: CONFIRM, deviceLinkTypes: ['App2App'], initialCallbackUrl: callbackUrlWithToken('https://rp.example/app', token) },
		);
		const answer = await scan('PNOEE-61101019999-MOCK-Q', createDeviceLink(start.deviceLink, { deviceLinkType: 'App2App' }), 'App2App');
		const { userChallengeVerifier } = verifySameDeviceCallback(answer.body.callbackUrl as string, {
			token,
			sessionSecret: start.deviceLink.sessionSecret,
			sessionType: 'auth',
		});
		const options = poll();
		const result = await completeAuthentication(client, start.sessionID, start.context, {
			...options,
			validation: { ...options.validation, userChallengeVerifier },
		});
		expect(result.interactionTypeUsed).toBe('confirmationMessage');
		expect(result.identity.age).toBeLessThan(18);
	});

	it('a tampered device link ends as SessionEndedError SMARTID_PROTOCOL_FAILURE', async () => {
		const start = await startDeviceLinkAuthentication(client, config, { anonymous: true }, { interactions: PIN, deviceLinkTypes: ['QR'] });
		const link = createDeviceLink(start.deviceLink, { deviceLinkType: 'QR' }).replace('lang=eng', 'lang=est');
		expect((await scan('PNOEE-40404040009-MOCK-Q', link, 'QR')).status).toBe(400);
		await expect(completeAuthentication(client, start.sessionID, start.context, poll())).rejects.toMatchObject({
			code: 'SMARTID_PROTOCOL_FAILURE',
		});
	});
});

describe('end results map to SessionEndedError', () => {
	const cases: Array<[string, string, string | undefined]> = [
		['PNOEE-30403039917-MOCK-Q', 'USER_REFUSED', undefined],
		['PNOEE-30403039928-MOCK-Q', 'USER_REFUSED_INTERACTION', 'displayTextAndPIN'],
		['PNOEE-30403039939-MOCK-Q', 'USER_REFUSED_INTERACTION', 'verificationCodeChoice'],
		['PNOEE-30403039946-MOCK-Q', 'USER_REFUSED_INTERACTION', 'confirmationMessage'],
		['PNOEE-30403039950-MOCK-Q', 'USER_REFUSED_INTERACTION', 'confirmationMessageAndVerificationCodeChoice'],
		['PNOEE-30403039972-MOCK-Q', 'WRONG_VC', undefined],
		['PNOEE-30403039983-MOCK-Q', 'TIMEOUT', undefined],
		...['DOCUMENT_UNUSABLE', 'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP', 'PROTOCOL_FAILURE', 'SERVER_ERROR', 'USER_REFUSED_CERT_CHOICE', 'ACCOUNT_UNUSABLE'].map(
			(r): [string, string, string | undefined] => [`simulator:${r}`, r, undefined],
		),
	];
	it.each(cases)('%s → SMARTID_%s', async (doc, endResult, interaction) => {
		const documentNumber = doc.startsWith('simulator:')
			? sim.accounts.find((a) => a.listedFor === 'simulator' && a.behaviour.endResult === endResult)!.documentNumber
			: doc;
		const start = await startNotificationSignature(client, config, { documentNumber }, { hashAlgorithm: 'SHA-512', digest: digestOf('x'), interactions: CONFIRM });
		const error = await completeSignature(client, start.sessionID, start.context, poll()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SessionEndedError);
		expect((error as SessionEndedError).code).toBe(`SMARTID_${endResult}`);
		expect((error as SessionEndedError).interaction).toBe(interaction);
	});
});

describe('signing', () => {
	it('S3 notification signature by semantics identifier: RAW_DIGEST PSS validated against the digest', async () => {
		const digest = digestOf('contract data');
		const start = await startNotificationSignature(client, config, { semanticsIdentifier: 'PNOEE-40504040001' }, { hashAlgorithm: 'SHA-512', digest, interactions: CONFIRM });
		expect(start.verificationCode).toMatch(/^\d{4}$/);
		const result = await completeSignature(client, start.sessionID, start.context, poll());
		expect(result.signatureScheme).toBe('RSASSA-PSS');
		expect(result.saltLength).toBe(64);
		expect(result.signature.length).toBeGreaterThanOrEqual(512);
		expect(result.identity.semanticsIdentifier).toBe('PNOEE-40504040001');
	});

	it('C3 then S4 with expectedCertificate (what a container build does)', async () => {
		const signing = await fetchValidatedSigningCertificate(client, config, 'PNOBE-05040400032-DEMO-Q', {}, { trust });
		expect(signing.certificateLevel).toBe('QUALIFIED');
		const start = await startNotificationSignature(
			client,
			config,
			{ documentNumber: 'PNOBE-05040400032-DEMO-Q' },
			{ hashAlgorithm: 'SHA-256', digest: hashBytes('SHA-256', Buffer.from('x')).toString('base64'), interactions: CONFIRM, expectedCertificate: signing.certificateBase64 },
		);
		const result = await completeSignature(client, start.sessionID, start.context, poll());
		expect(result.certificateBase64).toBe(signing.certificateBase64);
	});

	it('C3 for an unusable document throws DocumentUnusableError; unknown document AccountNotFoundError', async () => {
		const unusable = sim.accounts.find((a) => a.behaviour.endResult === 'DOCUMENT_UNUSABLE')!;
		await expect(getSigningCertificate(client, config, unusable.documentNumber)).rejects.toBeInstanceOf(DocumentUnusableError);
		await expect(getSigningCertificate(client, config, 'PNOEE-10101010005-ZZZZ-Q')).rejects.toBeInstanceOf(AccountNotFoundError);
	});

	it('S2 device-link signature (QR)', async () => {
		const start = await startDeviceLinkSignature(
			client,
			config,
			{ documentNumber: 'PNOLV-040404-10003-DEMO-Q' },
			{ hashAlgorithm: 'SHA-384', digest: hashBytes('SHA-384', Buffer.from('dl')).toString('base64'), interactions: PIN, deviceLinkTypes: ['QR'] },
		);
		expect((await scan('PNOLV-040404-10003-DEMO-Q', createDeviceLink(start.deviceLink, { deviceLinkType: 'QR' }), 'QR')).status).toBe(200);
		const result = await completeSignature(client, start.sessionID, start.context, poll());
		expect(result.flowType).toBe('QR');
	});

	it('S1 device-link signature by semantics identifier (Web2App, callback without verifier)', async () => {
		const token = newCallbackToken();
		const start = await startDeviceLinkSignature(
			client,
			config,
			{ semanticsIdentifier: 'PNOEE-40404040009' },
			{
				hashAlgorithm: 'SHA3-512',
				digest: hashBytes('SHA3-512', Buffer.from('web2app')).toString('base64'),
				interactions: CONFIRM,
				deviceLinkTypes: ['Web2App'],
				initialCallbackUrl: callbackUrlWithToken('https://rp.example/signed', token),
			},
		);
		const answer = await scan('PNOEE-40404040009-MOCK-Q', createDeviceLink(start.deviceLink, { deviceLinkType: 'Web2App' }), 'Web2App');
		const checked = verifySameDeviceCallback(answer.body.callbackUrl as string, { token, sessionSecret: start.deviceLink.sessionSecret, sessionType: 'sign' });
		expect(checked.userChallengeVerifier).toBeUndefined();
		const result = await completeSignature(client, start.sessionID, start.context, poll());
		expect(result.flowType).toBe('Web2App');
		expect(result.hashAlgorithm).toBe('SHA3-512');
	});

	it('C2 notification certificate choice', async () => {
		const start = await startNotificationCertificateChoice(client, config, 'PNOLT-40504040001');
		const result = await completeCertificateChoice(client, start.sessionID, start.context, poll());
		expect(result.documentNumber).toBe('PNOLT-40504040001-MOCK-Q');
		expect(result.flowType).toBe('Notification');
	});

	it('C1 device-link certificate choice followed by the S5 linked signature', async () => {
		const choice = await startDeviceLinkCertificateChoice(client, config, { deviceLinkTypes: ['QR'] });
		expect((await scan('PNOEE-40404040009-MOCK-Q', createDeviceLink(choice.deviceLink, { deviceLinkType: 'QR' }), 'QR')).status).toBe(200);
		const chosen = await completeCertificateChoice(client, choice.sessionID, choice.context, poll());
		expect(chosen.documentNumber).toBe('PNOEE-40404040009-MOCK-Q');
		const start = await startLinkedSignature(
			client,
			config,
			chosen.documentNumber,
			choice.sessionID,
			{ hashAlgorithm: 'SHA-512', digest: digestOf('linked'), interactions: CONFIRM, expectedCertificate: chosen.certificateBase64 },
			choice.context,
		);
		const result = await completeSignature(client, start.sessionID, start.context, poll());
		expect(result.documentNumber).toBe('PNOEE-40404040009-MOCK-Q');
	});

	it('legacy PKCS#1 v1.5 answers are refused unless allowed (spec §6.3)', async () => {
		const legacy = sim.accounts.find((a) => a.behaviour.legacyPkcs1)!;
		const params = { hashAlgorithm: 'SHA-512' as const, digest: digestOf('legacy'), interactions: CONFIRM };
		const refused = await startNotificationSignature(client, config, { documentNumber: legacy.documentNumber }, params);
		await expect(completeSignature(client, refused.sessionID, refused.context, poll())).rejects.toMatchObject({ code: 'SMARTID_VALIDATION_FAILED' });
		const allowed = await startNotificationSignature(client, config, { documentNumber: legacy.documentNumber }, { ...params, nonce: 'allowed', allowLegacyPkcs1: true });
		const options = poll();
		const result = await completeSignature(client, allowed.sessionID, allowed.context, { ...options, validation: { ...options.validation, allowLegacyPkcs1: true } });
		expect(result.signatureScheme).toBe('RSASSA-PKCS1-v1_5');
	});
});

describe('HTTP errors map to typed client errors', () => {
	const target = { semanticsIdentifier: 'PNOEE-40504040001' };

	it('401, 403 (name, ADVANCED), 404 account, 404 session', async () => {
		await expect(
			startNotificationAuthentication(client, { ...config, relyingPartyUUID: '11111111-1111-4111-8111-111111111111' }, target, { interactions: PIN }),
		).rejects.toBeInstanceOf(RelyingPartyUnauthorizedError);
		await expect(startNotificationAuthentication(client, { ...config, relyingPartyName: 'NOT DEMO' }, target, { interactions: PIN })).rejects.toBeInstanceOf(
			RelyingPartyForbiddenError,
		);
		await expect(startNotificationAuthentication(client, config, target, { interactions: PIN, certificateLevel: 'ADVANCED' })).rejects.toBeInstanceOf(
			RelyingPartyForbiddenError,
		);
		await expect(startNotificationAuthentication(client, config, { semanticsIdentifier: 'PNOEE-10101010005' }, { interactions: PIN })).rejects.toBeInstanceOf(
			AccountNotFoundError,
		);
		await expect(client.getSessionStatus('00000000-0000-4000-8000-000000000999', 1000)).rejects.toBeInstanceOf(SessionNotFoundError);
	});

	it('injected 471, 472, 480 and persistent 580 become their typed errors; a single 580 on C3 is retried', async () => {
		const fault = (status: number, times = 1) =>
			fetch(`${sim.controlUrl}faults`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ kind: 'status', status, target: 'rp-api', times }),
			});
		await fault(471);
		await expect(startNotificationAuthentication(client, config, target, { interactions: PIN })).rejects.toBeInstanceOf(NoSuitableAccountError);
		await fault(472);
		await expect(startNotificationAuthentication(client, config, target, { interactions: PIN })).rejects.toBeInstanceOf(PersonShouldViewAppError);
		await fault(480);
		await expect(startNotificationAuthentication(client, config, target, { interactions: PIN })).rejects.toBeInstanceOf(ClientTooOldError);
		await fault(580, 10);
		await expect(getSigningCertificate(client, config, 'PNOEE-40504040001-DEM0-Q')).rejects.toBeInstanceOf(MaintenanceError);
		await fetch(`${sim.controlUrl}faults`, { method: 'DELETE' });
		await fault(580, 1);
		expect((await getSigningCertificate(client, config, 'PNOEE-40504040001-DEM0-Q')).documentNumber).toBe('PNOEE-40504040001-DEM0-Q');
	});

	it('ADVANCED flows work for the Basic relying party', async () => {
		const basic: FlowConfig = { ...sim.basicRelyingParty, schemeName: sim.schemeName };
		const start = await startNotificationAuthentication(client, basic, { semanticsIdentifier: 'PNOLV-050404-19993' }, { interactions: PIN, certificateLevel: 'ADVANCED' });
		const result = await completeAuthentication(client, start.sessionID, start.context, poll());
		expect(result.certificateLevel).toBe('ADVANCED');
	});
});

describe('OCSP and TSA clients against the simulator services', () => {
	it('requestOcsp: good, then revoked after the control API revokes the certificate', async () => {
		const certs = (await (await fetch(`${sim.controlUrl}accounts/PNOLT-40504040001-MOCK-Q/certificates`)).json()) as {
			sign: { pem: string; issuerPem: string; serialNumber: string };
		};
		const leaf = new X509Certificate(certs.sign.pem);
		const issuer = new X509Certificate(certs.sign.issuerPem);
		const good = await requestOcsp(undefined, leaf, issuer, { trust });
		expect(good.status).toBe('good');
		expect(good.url).toBe(sim.ocspUrl);
		await fetch(`${sim.controlUrl}certificates/revoke`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ serialNumber: certs.sign.serialNumber, reason: 1 }),
		});
		const revoked = await requestOcsp(sim.ocspUrl, leaf, issuer, { trust });
		expect(revoked.status).toBe('revoked');
		expect(revoked.revocationTime).toBeInstanceOf(Date);
	});

	it('requestTimestamp: the token verifies with the simulator root as anchor', async () => {
		const data = Buffer.from('signature value to timestamp');
		const result = await requestTimestamp(sim.tsaUrl, data, { trust });
		expect(result.genTime.getTime()).toBeGreaterThan(Date.now() - 60_000);
		expect(result.tsaCertificate.subject).toContain('TIMESTAMPING UNIT');
	});
});
