// Flow starters against a recording server on 127.0.0.1: what they send, what they return, and that bad input
// never reaches the network.
import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../lib/flows/authentication';
import { startDeviceLinkCertificateChoice } from '../../lib/flows/certificate-choice';
import { fetchValidatedSigningCertificate } from '../../lib/flows/complete';
import type { FlowConfig } from '../../lib/flows/flow-config';
import { startLinkedSignature, startNotificationSignature } from '../../lib/flows/signature';
import { DocumentUnusableError, getSigningCertificate } from '../../lib/flows/signing-certificate';
import { authenticationVerificationCode } from '../../lib/flows/verification-code';
import { TrustStore } from '../../lib/pki/trust-store';
import { SmartIdClient } from '../../lib/rp-api/client';
import { json, startServer, type TestServer } from '../rp-api/helpers/test-server';

const config: FlowConfig = {
	relyingPartyUUID: '00000000-0000-4000-8000-000000000000',
	relyingPartyName: 'DEMO',
	schemeName: 'smart-id-demo',
	brokeredRpName: 'Example RP',
};
const DOC = 'PNOEE-40504040001-DEM0-Q';
const PIN = [{ type: 'displayTextAndPIN' as const, displayText60: 'Log in?' }];
const DIGEST = Buffer.alloc(32, 9).toString('base64');

let server: TestServer;
let client: SmartIdClient;
beforeEach(async () => {
	server = await startServer((req, res) => {
		if (req.url.includes('/device-link/')) {
			json(res, 200, { sessionID: 'dl-1', sessionToken: 'tok', sessionSecret: 'c2Vzc2lvblNlY3JldA==', deviceLinkBase: 'https://smart-id.com/device-link/' });
		} else if (req.url.includes('/signature/certificate/')) {
			json(res, 200, { state: 'DOCUMENT_UNUSABLE' });
		} else if (req.url.includes('/signature/notification/linked/')) {
			json(res, 200, { sessionID: 'linked-1' });
		} else if (req.url.includes('/signature/notification/')) {
			json(res, 200, { sessionID: 'sig-1', vc: { type: 'numeric4', value: '0042' } });
		} else json(res, 200, { sessionID: 'n-1' });
	});
	client = new SmartIdClient({ baseUrl: server.baseUrl, retry: { maxAttempts: 1 } });
});
afterEach(async () => {
	client.close();
	await server.close();
});

it('notification authentication: VC from the rpChallenge sent, context with brokered name', async () => {
	const start = await startNotificationAuthentication(client, config, { documentNumber: DOC }, { interactions: PIN, certificateLevel: 'ADVANCED' });
	const sent = JSON.parse(server.requests[0].body);
	expect(start.sessionID).toBe('n-1');
	expect(start.verificationCode).toBe(authenticationVerificationCode(sent.signatureProtocolParameters.rpChallenge));
	expect(start.context).toEqual({
		schemeName: 'smart-id-demo',
		relyingPartyName: 'DEMO',
		brokeredRpName: 'Example RP',
		rpChallenge: sent.signatureProtocolParameters.rpChallenge,
		interactions: sent.interactions,
		requestedCertificateLevel: 'ADVANCED',
		hashAlgorithm: 'SHA-512',
		allowedFlowTypes: ['Notification'],
		expectedDocumentNumber: DOC,
	});
});

it('device-link authentication: secrets hold exactly what links need; context holds no secret', async () => {
	const before = Date.now();
	const start = await startDeviceLinkAuthentication(client, config, { anonymous: true }, {
		interactions: PIN,
		deviceLinkTypes: ['QR', 'App2App'],
		initialCallbackUrl: 'https://rp.example.com/cb?value=abcdefghijklmnopqrstuv',
	});
	const sent = JSON.parse(server.requests[0].body);
	expect(start.deviceLink).toMatchObject({
		sessionID: 'dl-1',
		sessionToken: 'tok',
		sessionSecret: 'c2Vzc2lvblNlY3JldA==',
		deviceLinkBase: 'https://smart-id.com/device-link/',
		sessionType: 'auth',
		signatureProtocol: 'ACSP_V2',
		digestOrRpChallenge: sent.signatureProtocolParameters.rpChallenge,
		interactions: sent.interactions,
		initialCallbackUrl: sent.initialCallbackUrl,
		brokeredRpName: 'Example RP',
		deviceLinkTypes: ['QR', 'App2App'],
	});
	expect(start.deviceLink.receivedAt).toBeGreaterThanOrEqual(before);
	expect(start.context.allowedFlowTypes).toEqual(['QR', 'App2App']);
	expect(JSON.stringify(start.context)).not.toContain('c2Vzc2lvblNlY3JldA==');
});

it('C1 secrets use the cert session type with empty protocol fields', async () => {
	const start = await startDeviceLinkCertificateChoice(client, config, { deviceLinkTypes: ['QR'] });
	expect(start.deviceLink).toMatchObject({ sessionType: 'cert', signatureProtocol: '', digestOrRpChallenge: '', interactions: '' });
	expect(start.context).toEqual({ requestedCertificateLevel: 'QUALIFIED', allowedFlowTypes: ['QR'] });
});

it('notification signature returns the server VC; linked signature allows the C1 flows plus Notification', async () => {
	const sig = await startNotificationSignature(client, config, { documentNumber: DOC }, { hashAlgorithm: 'SHA-256', digest: DIGEST, interactions: PIN, allowLegacyPkcs1: true });
	expect(sig.verificationCode).toBe('0042');
	expect(sig.context).toMatchObject({ digest: DIGEST, hashAlgorithm: 'SHA-256', allowedFlowTypes: ['Notification'], allowLegacyPkcs1: true, expectedDocumentNumber: DOC });
	const linked = await startLinkedSignature(client, config, DOC, 'c1-session', { hashAlgorithm: 'SHA-256', digest: DIGEST, interactions: PIN }, {
		requestedCertificateLevel: 'QUALIFIED',
		allowedFlowTypes: ['QR'],
	});
	expect(linked.sessionID).toBe('linked-1');
	expect(linked.context.allowedFlowTypes).toEqual(['Notification', 'QR']);
	expect(JSON.parse(server.requests[1].body).linkedSessionID).toBe('c1-session');
});

it('C3 DOCUMENT_UNUSABLE becomes a typed error (plain and validated lookups)', async () => {
	const err = await getSigningCertificate(client, config, DOC).catch((e: unknown) => e);
	expect(err).toBeInstanceOf(DocumentUnusableError);
	expect(err).toMatchObject({ code: 'SMARTID_DOCUMENT_UNUSABLE' });
	await expect(
		fetchValidatedSigningCertificate(client, config, DOC, {}, { trust: TrustStore.bundled('demo') }),
	).rejects.toMatchObject({ code: 'SMARTID_DOCUMENT_UNUSABLE' });
});

it('bad input is refused before any request is made', async () => {
	await expect(startNotificationAuthentication(client, config, { semanticsIdentifier: 'PNOEE-40504040002' }, { interactions: PIN })).rejects.toThrow(
		/wrong check digit/,
	);
	await expect(
		startDeviceLinkAuthentication(client, config, { anonymous: true }, { interactions: PIN, deviceLinkTypes: ['Web2App'] }),
	).rejects.toThrow(/initialCallbackUrl is missing/);
	await expect(
		startNotificationSignature(client, config, { documentNumber: DOC }, { hashAlgorithm: 'SHA-512', digest: DIGEST, interactions: PIN }),
	).rejects.toThrow(/32 bytes but SHA-512 digests are 64 bytes/);
	expect(server.requests).toHaveLength(0);
});
