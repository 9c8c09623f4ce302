import { deviceLinkCertificateChoiceRequest, notificationCertificateChoiceRequest } from '../rp-api/requests';
import type { DeviceLinkType } from '../rp-api/types';
import type { CertificateChoiceContext } from '../validation/types';
import { deviceLinkSecretsOf, type DeviceLinkSecrets } from './device-link';
import type { FlowCallOptions, FlowClient, FlowConfig, RelyingPartyFlowConfig } from './flow-config';

/** Options of a certificate choice. */
export interface CertificateChoiceParams {
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	/** Default: a fresh random nonce. */
	nonce?: string;
	shareMdClientIpAddress?: boolean;
	capabilities?: string[];
}

/** A started notification certificate choice (C2). */
export interface NotificationCertificateChoiceStart {
	sessionID: string;
	context: CertificateChoiceContext;
}

/** A started device-link certificate choice (C1); must be followed by a linked signature (S5). */
export interface DeviceLinkCertificateChoiceStart {
	sessionID: string;
	context: CertificateChoiceContext;
	/** SECRET: store only server-side. */
	deviceLink: DeviceLinkSecrets;
}

/** C2: ask the person's phone which certificate (account) to sign with. */
export async function startNotificationCertificateChoice(
	client: FlowClient,
	config: RelyingPartyFlowConfig,
	semanticsIdentifier: string,
	params: CertificateChoiceParams = {},
	options: FlowCallOptions = {},
): Promise<NotificationCertificateChoiceStart> {
	const prepared = notificationCertificateChoiceRequest({ ...config, ...params }, semanticsIdentifier);
	const init = await client.send(prepared.request, options);
	return {
		sessionID: init.sessionID,
		context: {
			requestedCertificateLevel: prepared.certificateLevel,
			allowedFlowTypes: ['Notification'],
			...(prepared.expectedSemanticsIdentifier ? { expectedSemanticsIdentifier: prepared.expectedSemanticsIdentifier } : {}),
		},
	};
}

/** Options of a device-link certificate choice. */
export interface DeviceLinkCertificateChoiceParams extends CertificateChoiceParams {
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/** C1: anonymous device-link certificate choice; follow a completed one with `startLinkedSignature`. */
export async function startDeviceLinkCertificateChoice(
	client: FlowClient,
	config: FlowConfig,
	params: DeviceLinkCertificateChoiceParams,
	options: FlowCallOptions = {},
): Promise<DeviceLinkCertificateChoiceStart> {
	const prepared = deviceLinkCertificateChoiceRequest({ ...config, ...params });
	const init = await client.send(prepared.request, options);
	const receivedAt = Date.now();
	return {
		sessionID: init.sessionID,
		context: { requestedCertificateLevel: prepared.certificateLevel, allowedFlowTypes: [...params.deviceLinkTypes] },
		deviceLink: deviceLinkSecretsOf(init, receivedAt, {
			sessionType: 'cert',
			schemeName: config.schemeName,
			relyingPartyName: config.relyingPartyName,
			brokeredRpName: config.brokeredRpName,
			signatureProtocol: '',
			digestOrRpChallenge: '',
			interactions: '',
			initialCallbackUrl: prepared.initialCallbackUrl,
			deviceLinkTypes: params.deviceLinkTypes,
		}),
	};
}
