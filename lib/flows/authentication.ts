import {
	deviceLinkAuthenticationRequest,
	notificationAuthenticationRequest,
	type DeviceLinkAuthTarget,
	type IdentityTarget,
	type PreparedAuthentication,
} from '../rp-api/requests';
import type { HashAlgorithm } from '../hash-algorithm';
import type { AuthenticationContext, DeviceLinkType, FlowType, Interaction } from '../rp-api/types';
import { deviceLinkSecretsOf, type DeviceLinkSecrets } from './device-link';
import type { FlowCallOptions, FlowClient, FlowConfig } from './flow-config';
import { authenticationVerificationCode } from './verification-code';

/** Options of an authentication (both kinds). */
export interface AuthenticationParams {
	interactions: Interaction[];
	certificateLevel?: 'ADVANCED' | 'QUALIFIED';
	/** Default SHA-512. */
	hashAlgorithm?: HashAlgorithm;
	shareMdClientIpAddress?: boolean;
	capabilities?: string[];
}

/** A started notification authentication. */
export interface NotificationAuthenticationStart {
	sessionID: string;
	/** Show it to the person at once: the phone shows the same 4 digits (spec §5.5). */
	verificationCode: string;
	/** Store with the pending session; validation needs it. Contains no secret. */
	context: AuthenticationContext;
}

/** A started device-link authentication. */
export interface DeviceLinkAuthenticationStart {
	sessionID: string;
	/** Store with the pending session; validation needs it. Contains no secret. */
	context: AuthenticationContext;
	/** SECRET: store only server-side; needed to make links and to check the callback. */
	deviceLink: DeviceLinkSecrets;
}

function authContext(
	config: FlowConfig,
	prepared: Omit<PreparedAuthentication<unknown>, 'request'>,
	allowedFlowTypes: FlowType[],
): AuthenticationContext {
	const context: AuthenticationContext = {
		schemeName: config.schemeName,
		relyingPartyName: config.relyingPartyName,
		rpChallenge: prepared.rpChallenge,
		interactions: prepared.interactions,
		requestedCertificateLevel: prepared.certificateLevel,
		hashAlgorithm: prepared.hashAlgorithm,
		allowedFlowTypes,
	};
	if (config.brokeredRpName) context.brokeredRpName = config.brokeredRpName;
	if (prepared.initialCallbackUrl) context.initialCallbackUrl = prepared.initialCallbackUrl;
	if (prepared.expectedSemanticsIdentifier) context.expectedSemanticsIdentifier = prepared.expectedSemanticsIdentifier;
	if (prepared.expectedDocumentNumber) context.expectedDocumentNumber = prepared.expectedDocumentNumber;
	return context;
}

/**
 * Start a notification (push) authentication by semantics identifier (A4) or document number (A5). SK
 * recommends it only for devices that completed a device-link flow before (anti-phishing).
 */
export async function startNotificationAuthentication(
	client: FlowClient,
	config: FlowConfig,
	target: IdentityTarget,
	params: AuthenticationParams,
	options: FlowCallOptions = {},
): Promise<NotificationAuthenticationStart> {
	const prepared = notificationAuthenticationRequest({ ...config, ...params }, target);
	const init = await client.send(prepared.request, options);
	return {
		sessionID: init.sessionID,
		verificationCode: authenticationVerificationCode(prepared.rpChallenge),
		context: authContext(config, prepared, ['Notification']),
	};
}

/** Options of a device-link authentication. */
export interface DeviceLinkAuthenticationParams extends AuthenticationParams {
	/** Link kinds the page will offer; Web2App/App2App need `initialCallbackUrl`. */
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/** Start a device-link authentication: anonymous (A1), by semantics identifier (A2) or by document number (A3). */
export async function startDeviceLinkAuthentication(
	client: FlowClient,
	config: FlowConfig,
	target: DeviceLinkAuthTarget,
	params: DeviceLinkAuthenticationParams,
	options: FlowCallOptions = {},
): Promise<DeviceLinkAuthenticationStart> {
	const prepared = deviceLinkAuthenticationRequest({ ...config, ...params }, target);
	const init = await client.send(prepared.request, options);
	const receivedAt = Date.now();
	return {
		sessionID: init.sessionID,
		context: authContext(config, prepared, [...params.deviceLinkTypes]),
		deviceLink: deviceLinkSecretsOf(init, receivedAt, {
			sessionType: 'auth',
			schemeName: config.schemeName,
			relyingPartyName: config.relyingPartyName,
			brokeredRpName: config.brokeredRpName,
			signatureProtocol: 'ACSP_V2',
			digestOrRpChallenge: prepared.rpChallenge,
			interactions: prepared.interactions,
			initialCallbackUrl: prepared.initialCallbackUrl,
			deviceLinkTypes: params.deviceLinkTypes,
		}),
	};
}
