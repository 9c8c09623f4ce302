import { createHmac } from 'node:crypto';
import { base64OfUtf8, base64UrlNoPad, decodeBase64Strict } from '../encoding';

/** Session type of a device link (`sessionType=` parameter, spec §4.2). */
export type DeviceLinkSessionType = 'auth' | 'sign' | 'cert';

/** Inputs of the authCode payload (spec §4.3). Empty fields keep their `|` separators. */
export interface AuthCodeInput {
	schemeName: string;
	/** `ACSP_V2` for auth, `RAW_DIGEST_SIGNATURE` for sign, empty for certificate choice. */
	signatureProtocol: '' | 'ACSP_V2' | 'RAW_DIGEST_SIGNATURE';
	/** rpChallenge (auth) or digest (sign), Base64 exactly as sent; empty for certificate choice. */
	digestOrRpChallenge: string;
	relyingPartyName: string;
	brokeredRpName?: string;
	/** Interactions Base64 string exactly as sent; empty for certificate choice. */
	interactions: string;
	/** The request's callback URL for Web2App/App2App links; must be empty for QR links. */
	initialCallbackUrl: string;
	unprotectedDeviceLink: string;
}

/** The exact UTF-8 string that authCode is the HMAC of. */
export function authCodePayload(input: AuthCodeInput): string {
	return [
		input.schemeName,
		input.signatureProtocol,
		input.digestOrRpChallenge,
		base64OfUtf8(input.relyingPartyName),
		input.brokeredRpName ? base64OfUtf8(input.brokeredRpName) : '',
		input.interactions,
		input.initialCallbackUrl,
		input.unprotectedDeviceLink,
	].join('|');
}

/** authCode = base64url(HMAC-SHA256(base64decode(sessionSecret), payload)), 43 characters. */
export function computeAuthCode(sessionSecret: string, payload: string): string {
	const key = decodeBase64Strict(sessionSecret, 'sessionSecret');
	return base64UrlNoPad(createHmac('sha256', key).update(payload, 'utf8').digest());
}
