import type { HashAlgorithm } from '../hash-algorithm';
import {
	deviceLinkSignatureRequest,
	linkedSignatureRequest,
	notificationSignatureRequest,
	type IdentityTarget,
	type PreparedSignatureRequest,
} from '../rp-api/requests';
import {
	FLOW_TYPES,
	type DeviceLinkType,
	type FlowType,
	type Interaction,
	type SignatureContext,
} from '../rp-api/types';
import type { CertificateChoiceContext } from '../validation/types';
import { deviceLinkSecretsOf, type DeviceLinkSecrets } from './device-link';
import type { FlowCallOptions, FlowClient, FlowConfig, RelyingPartyFlowConfig } from './flow-config';

/** Options of a signature (all kinds). */
export interface SignatureParams {
	hashAlgorithm: HashAlgorithm;
	/** Base64 of hash(dataToSign). */
	digest: string;
	interactions: Interaction[];
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	nonce?: string;
	shareMdClientIpAddress?: boolean;
	capabilities?: string[];
	/** Base64 DER of the certificate the signed object commits to (e.g. XAdES SigningCertificateV2). */
	expectedCertificate?: string;
	/** Accept the legacy PKCS#1 v1.5 answer (spec §6.3). */
	allowLegacyPkcs1?: boolean;
}

/** A started signature session. */
export interface SignatureStart {
	sessionID: string;
	/** Store with the pending session; validation needs it. Contains no secret. */
	context: SignatureContext;
}

/** A started notification signature: the server chose the verification code. */
export interface NotificationSignatureStart extends SignatureStart {
	/** Show it to the person: the phone shows the same 4 digits. */
	verificationCode: string;
}

/** A started device-link signature. */
export interface DeviceLinkSignatureStart extends SignatureStart {
	/** SECRET: store only server-side. */
	deviceLink: DeviceLinkSecrets;
}

function signatureContext(
	prepared: Omit<PreparedSignatureRequest<unknown>, 'request'>,
	params: SignatureParams,
	allowedFlowTypes: FlowType[],
): SignatureContext {
	const context: SignatureContext = {
		digest: prepared.digest,
		hashAlgorithm: prepared.hashAlgorithm,
		requestedCertificateLevel: prepared.certificateLevel,
		interactions: prepared.interactions,
		allowedFlowTypes,
	};
	if (prepared.expectedSemanticsIdentifier) context.expectedSemanticsIdentifier = prepared.expectedSemanticsIdentifier;
	if (prepared.expectedDocumentNumber) context.expectedDocumentNumber = prepared.expectedDocumentNumber;
	if (params.expectedCertificate) context.expectedCertificate = params.expectedCertificate;
	if (params.allowLegacyPkcs1) context.allowLegacyPkcs1 = true;
	return context;
}

/** S3/S4: notification signature by semantics identifier or document number. */
export async function startNotificationSignature(
	client: FlowClient,
	config: RelyingPartyFlowConfig,
	target: IdentityTarget,
	params: SignatureParams,
	options: FlowCallOptions = {},
): Promise<NotificationSignatureStart> {
	const prepared = notificationSignatureRequest({ ...config, ...params }, target);
	const init = await client.send(prepared.request, options);
	return {
		sessionID: init.sessionID,
		verificationCode: init.vc.value,
		context: signatureContext(prepared, params, ['Notification']),
	};
}

/** Options of a device-link signature. */
export interface DeviceLinkSignatureParams extends SignatureParams {
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/** S1/S2: device-link signature by semantics identifier or document number. */
export async function startDeviceLinkSignature(
	client: FlowClient,
	config: FlowConfig,
	target: IdentityTarget,
	params: DeviceLinkSignatureParams,
	options: FlowCallOptions = {},
): Promise<DeviceLinkSignatureStart> {
	const prepared = deviceLinkSignatureRequest({ ...config, ...params }, target);
	const init = await client.send(prepared.request, options);
	const receivedAt = Date.now();
	return {
		sessionID: init.sessionID,
		context: signatureContext(prepared, params, [...params.deviceLinkTypes]),
		deviceLink: deviceLinkSecretsOf(init, receivedAt, {
			sessionType: 'sign',
			schemeName: config.schemeName,
			relyingPartyName: config.relyingPartyName,
			brokeredRpName: config.brokeredRpName,
			signatureProtocol: 'RAW_DIGEST_SIGNATURE',
			digestOrRpChallenge: prepared.digest,
			interactions: prepared.interactions,
			initialCallbackUrl: prepared.initialCallbackUrl,
			deviceLinkTypes: params.deviceLinkTypes,
		}),
	};
}

/**
 * S5: linked signature after a COMPLETE device-link certificate choice (C1). `documentNumber` is the
 * `result.documentNumber` of that session. The answer's flowType is accepted as Notification or one of the
 * link kinds the C1 session offered (which one SK reports is not documented).
 */
export async function startLinkedSignature(
	client: FlowClient,
	config: FlowConfig,
	documentNumber: string,
	linkedSessionID: string,
	params: SignatureParams,
	certificateChoice?: CertificateChoiceContext,
	options: FlowCallOptions = {},
): Promise<SignatureStart> {
	const prepared = linkedSignatureRequest({ ...config, ...params }, documentNumber, linkedSessionID);
	const init = await client.send(prepared.request, options);
	const flows: FlowType[] = certificateChoice
		? [...new Set<FlowType>(['Notification', ...(certificateChoice.allowedFlowTypes ?? FLOW_TYPES)])]
		: [...FLOW_TYPES];
	return { sessionID: init.sessionID, context: signatureContext(prepared, params, flows) };
}
