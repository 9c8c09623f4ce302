/**
 * Smart-ID flows on top of the RP API client: authentication, certificate choice, signing-certificate lookup,
 * signature; device links with authCode and QR images; same-device callback checks; completion (long poll +
 * validation). Starters return JSON-serialisable contexts to store with a pending session. `sessionSecret`
 * appears only inside `DeviceLinkSecrets`, which is SECRET and belongs in the server-side session store.
 */

/** Relying-party + environment settings of a flow, and the client surface flows use. */
export { type FlowConfig, type FlowClient, type FlowCallOptions } from './flow-config';

/** Authentication: notification (A4/A5, RP-computed VC) and device link (A1-A3). */
export {
	startNotificationAuthentication,
	startDeviceLinkAuthentication,
	type AuthenticationParams,
	type DeviceLinkAuthenticationParams,
	type NotificationAuthenticationStart,
	type DeviceLinkAuthenticationStart,
} from './authentication';

/** Certificate choice: notification (C2) and anonymous device link (C1, followed by a linked signature). */
export {
	startNotificationCertificateChoice,
	startDeviceLinkCertificateChoice,
	type CertificateChoiceParams,
	type DeviceLinkCertificateChoiceParams,
	type NotificationCertificateChoiceStart,
	type DeviceLinkCertificateChoiceStart,
} from './certificate-choice';

/** Signing-certificate lookup by document number (C3), unvalidated. */
export { getSigningCertificate, DocumentUnusableError, type SigningCertificate } from './signing-certificate';

/** Signature: notification (S3/S4, server VC), device link (S1/S2), linked (S5). */
export {
	startNotificationSignature,
	startDeviceLinkSignature,
	startLinkedSignature,
	type SignatureParams,
	type DeviceLinkSignatureParams,
	type SignatureStart,
	type NotificationSignatureStart,
	type DeviceLinkSignatureStart,
} from './signature';

/** Completion: long poll until COMPLETE, then lib/validation; plus C3 with certificate validation. */
export {
	completeAuthentication,
	completeSignature,
	completeCertificateChoice,
	fetchValidatedSigningCertificate,
	type CompletionOptions,
	type PollingClient,
} from './complete';

/** Device links (QR / Web2App / App2App) with authCode; `DeviceLinkSecrets` is SECRET. */
export {
	createDeviceLink,
	unprotectedDeviceLink,
	elapsedSecondsSince,
	deviceLinkSecretsOf,
	type DeviceLinkSecrets,
	type DeviceLinkSessionParams,
	type DeviceLinkOptions,
} from './device-link';

/** QR images of device links: PNG (Buffer), PNG data URI, SVG; error correction L, 4-module quiet zone. */
export { deviceLinkQrPng, deviceLinkQrDataUri, deviceLinkQrSvg, qrModuleCount, type QrImageOptions } from './qr-image';

/** Same-device callback (Web2App/App2App): token, sessionSecretDigest and userChallengeVerifier checks. */
export {
	verifySameDeviceCallback,
	newCallbackToken,
	callbackUrlWithToken,
	constantTimeEquals,
	CallbackMismatchError,
	type CallbackInput,
	type CallbackExpectation,
	type CallbackCheckResult,
} from './same-device-callback';

/** authCode payload and HMAC (spec §4.3). */
export { authCodePayload, computeAuthCode, type AuthCodeInput, type DeviceLinkSessionType } from './auth-code';

/** Verification codes: of raw bytes, and of a notification authentication's rpChallenge (spec §5.5). */
export { verificationCodeOf, authenticationVerificationCode } from './verification-code';

/** Callback digests: `sessionSecretDigest` and `userChallenge` of a verifier (spec §4.5). */
export { sessionSecretDigest, userChallengeOf } from './callback-digests';
