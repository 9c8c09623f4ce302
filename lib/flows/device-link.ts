import { InvalidRequestError } from '../errors';
import type { DeviceLinkSessionInit, DeviceLinkType } from '../rp-api/types';
import { authCodePayload, computeAuthCode, type AuthCodeInput, type DeviceLinkSessionType } from './auth-code';

/**
 * SECRET. Everything needed to make device links for one device-link session, including `sessionSecret`
 * (the authCode HMAC key). Keep it only in the server-side pending-session store; never put it into node
 * output, logs, error messages or a browser. It is JSON-serialisable so the store can hold it.
 */
export interface DeviceLinkSecrets extends DeviceLinkSessionParams {
	sessionID: string;
	sessionToken: string;
	/** SECRET: Base64 HMAC key of authCode; also what `sessionSecretDigest` in the callback is derived from. */
	sessionSecret: string;
	/** As returned by the API; used verbatim (it may or may not end with `/`). */
	deviceLinkBase: string;
	/** Epoch ms when the init response was received: QR `elapsedSeconds` counts from here. */
	receivedAt: number;
}

/** What to build the secrets from (the request side), next to the init response. */
export interface DeviceLinkSessionParams {
	sessionType: DeviceLinkSessionType;
	schemeName: string;
	relyingPartyName: string;
	brokeredRpName?: string;
	signatureProtocol: AuthCodeInput['signatureProtocol'];
	/** rpChallenge (auth) or digest (sign) exactly as sent; empty for certificate choice. */
	digestOrRpChallenge: string;
	/** Interactions Base64 string exactly as sent; empty for certificate choice. */
	interactions: string;
	/** Exactly as sent; present only when Web2App/App2App links were offered. */
	initialCallbackUrl?: string;
	/** Link kinds offered when the session was created; no other kind may be produced. */
	deviceLinkTypes: DeviceLinkType[];
}

/** Combine an init response (received at `receivedAt`) with the request-side values into {@link DeviceLinkSecrets}. */
export function deviceLinkSecretsOf(
	init: DeviceLinkSessionInit,
	receivedAt: number,
	params: DeviceLinkSessionParams,
): DeviceLinkSecrets {
	const secrets: DeviceLinkSecrets = {
		sessionID: init.sessionID,
		sessionToken: init.sessionToken,
		sessionSecret: init.sessionSecret,
		deviceLinkBase: init.deviceLinkBase,
		receivedAt,
		sessionType: params.sessionType,
		schemeName: params.schemeName,
		relyingPartyName: params.relyingPartyName,
		signatureProtocol: params.signatureProtocol,
		digestOrRpChallenge: params.digestOrRpChallenge,
		interactions: params.interactions,
		deviceLinkTypes: [...params.deviceLinkTypes],
	};
	if (params.brokeredRpName) secrets.brokeredRpName = params.brokeredRpName;
	if (params.initialCallbackUrl) secrets.initialCallbackUrl = params.initialCallbackUrl;
	return secrets;
}

/** Options of {@link createDeviceLink}. */
export interface DeviceLinkOptions {
	deviceLinkType: DeviceLinkType;
	/** ISO 639-2 three-letter code of the UI language (also the fallback page's language). Default `eng`. */
	lang?: string;
	/** Current time in epoch ms (tests). Default `Date.now()`. */
	now?: number;
}

/** Whole seconds since the init response arrived, floored; 0 if the clock went backwards. */
export function elapsedSecondsSince(receivedAt: number, now: number): number {
	return Math.max(0, Math.floor((now - receivedAt) / 1000));
}

/** The link without authCode, with the parameters in the exact order of spec §4.2. */
export function unprotectedDeviceLink(
	secrets: Pick<DeviceLinkSecrets, 'deviceLinkBase' | 'sessionToken' | 'sessionType' | 'receivedAt'>,
	options: DeviceLinkOptions,
): string {
	const lang = options.lang ?? 'eng';
	if (!/^[a-z]{3}$/.test(lang)) {
		throw new InvalidRequestError(`lang "${lang}" is not a three-letter ISO 639-2 code such as eng, est, lit, lav, rus`, {
			field: 'lang',
		});
	}
	const type = options.deviceLinkType;
	const elapsed =
		type === 'QR' ? `&elapsedSeconds=${elapsedSecondsSince(secrets.receivedAt, options.now ?? Date.now())}` : '';
	return (
		`${secrets.deviceLinkBase}?deviceLinkType=${type}${elapsed}` +
		`&sessionToken=${secrets.sessionToken}&sessionType=${secrets.sessionType}&version=1.0&lang=${lang}`
	);
}

/**
 * Build a device link (QR, Web2App or App2App) with its authCode. A QR link is only valid for about a second:
 * make a new one every second. The callback URL enters the authCode only for Web2App/App2App links.
 */
export function createDeviceLink(secrets: DeviceLinkSecrets, options: DeviceLinkOptions): string {
	const type = options.deviceLinkType;
	if (!secrets.deviceLinkTypes.includes(type)) {
		throw new InvalidRequestError(
			`this session was created for ${secrets.deviceLinkTypes.join('/')} links; a ${type} link cannot be made for it`,
			{ field: 'deviceLinkType' },
		);
	}
	const sameDevice = type === 'Web2App' || type === 'App2App';
	if (sameDevice && !secrets.initialCallbackUrl) {
		throw new InvalidRequestError(`a ${type} link needs the session to have been created with an initialCallbackUrl`, {
			field: 'initialCallbackUrl',
		});
	}
	const link = unprotectedDeviceLink(secrets, options);
	const payload = authCodePayload({
		schemeName: secrets.schemeName,
		signatureProtocol: secrets.signatureProtocol,
		digestOrRpChallenge: secrets.digestOrRpChallenge,
		relyingPartyName: secrets.relyingPartyName,
		brokeredRpName: secrets.brokeredRpName,
		interactions: secrets.interactions,
		initialCallbackUrl: sameDevice ? (secrets.initialCallbackUrl ?? '') : '',
		unprotectedDeviceLink: link,
	});
	return `${link}&authCode=${computeAuthCode(secrets.sessionSecret, payload)}`;
}

// QR rendering lives in qr-image.ts; re-exported here because device-link consumers use both.
export { deviceLinkQrDataUri, deviceLinkQrPng, deviceLinkQrSvg, qrModuleCount, type QrImageOptions } from './qr-image';
