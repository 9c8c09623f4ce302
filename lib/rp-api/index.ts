/**
 * Smart-ID RP API v3 transport: identifiers, request builders that refuse bad input before sending, typed
 * HTTP errors, defensive response parsers and the HTTP client (keep-alive, timeouts, safe retries, TLS
 * public-key pinning, long polling). Trust decisions about responses belong to `lib/validation`.
 */

/** HTTP client of the RP API v3 and its options. */
export {
	SmartIdClient,
	type SmartIdClientOptions,
	type RetryOptions,
	type CallOptions,
	type PollOptions,
} from './client';

/** Request builders for A1-A5, S1-S5, C1-C3 and Q1, with the values a pending session must store. */
export {
	deviceLinkAuthenticationRequest,
	notificationAuthenticationRequest,
	deviceLinkSignatureRequest,
	notificationSignatureRequest,
	linkedSignatureRequest,
	deviceLinkCertificateChoiceRequest,
	notificationCertificateChoiceRequest,
	signingCertificateRequest,
	sessionStatusRequest,
	type EndpointId,
	type RetryClass,
	type PreparedRequest,
	type IdentityTarget,
	type DeviceLinkAuthTarget,
	type SessionRequestBase,
	type DeviceLinkRequestOptions,
	type AuthenticationRequestOptions,
	type SignatureRequestOptions,
	type CertificateChoiceRequestOptions,
	type SigningCertificateRequestOptions,
	type PreparedAuthentication,
	type PreparedSignatureRequest,
	type PreparedCertificateChoice,
} from './requests';

/** Semantics identifiers, document numbers and national check digits (EE, LT, LV, BE). */
export {
	parseSemanticsIdentifier,
	parseDocumentNumber,
	semanticsIdentifierOf,
	validatePersonalCode,
	isValidPersonalCode,
	InvalidIdentifierError,
	IDENTITY_TYPES,
	type IdentityType,
	type SemanticsIdentifier,
	type DocumentNumber,
} from './identifiers';

/** Typed errors of the transport: one class per HTTP status family, time-out, connection, pin, shape. */
export {
	RpApiError,
	HttpStatusError,
	BadRequestError,
	RelyingPartyUnauthorizedError,
	RelyingPartyForbiddenError,
	AccountNotFoundError,
	SessionNotFoundError,
	NoSuitableAccountError,
	PersonShouldViewAppError,
	ClientTooOldError,
	MaintenanceError,
	ServerError,
	UnexpectedStatusError,
	RequestTimeoutError,
	ConnectionError,
	PinMismatchError,
	MalformedResponseError,
	AbortedError,
	PollDeadlineError,
	END_USER_ACCOUNT_MESSAGE,
	errorForStatus,
	describeCall,
	parseProblemDetails,
	type ProblemDetails,
	type CallInfo,
} from './errors';

/** Response parsers: shape and type checks only; unknown fields ignored, unknown enum values kept. */
export {
	parseDeviceLinkSessionInit,
	parseNotificationSessionInit,
	parseNotificationSignatureInit,
	parseSessionStatus,
	parseCertificateByDocument,
} from './parse';

/** Interactions rules and their one-time Base64 encoding. */
export { encodeInteractions, type InteractionFlow } from './interactions';

/** Relying-party UUID / name checks. */
export { validateRelyingParty, MAX_RELYING_PARTY_NAME_BYTES, type RelyingParty } from './relying-party';

/** `initialCallbackUrl` rules for Web2App / App2App. */
export { validateInitialCallbackUrl, MAX_CALLBACK_URL_LENGTH } from './callback-url';

/** rpChallenge generation (64 CSPRNG bytes) and checks. */
export { generateRpChallenge, validateRpChallenge, RP_CHALLENGE_BYTES } from './rp-challenge';

/** Field checks shared by the builders (levels, hash vs digest, nonce, status time-out, session id). */
export {
	validateCertificateLevel,
	validateHashAlgorithm,
	validateDigest,
	generateNonce,
	validateNonce,
	validateCapabilities,
	validateStatusTimeout,
	validateSessionId,
	AUTH_CERTIFICATE_LEVELS,
	SIGNING_CERTIFICATE_LEVELS,
	MAX_NONCE_LENGTH,
	MIN_STATUS_TIMEOUT_MS,
	MAX_STATUS_TIMEOUT_MS,
} from './request-fields';

/** Base URL rules (https; http only on loopback for the simulator). */
export { validateBaseUrl, isLoopbackUrl } from './base-url';

/** TLS SPKI pinning (`sha256//…` pins, current + next). */
export { validatePins, spkiPin, pinningCheckServerIdentity } from './tls-pinning';

/** Wire types of the RP API v3 and the request-side contexts validation needs. */
export {
	FLOW_TYPES,
	INTERACTION_TYPES,
	DEVICE_LINK_TYPES,
	type RequestedCertificateLevel,
	type CertificateLevel,
	type FlowType,
	type InteractionType,
	type Interaction,
	type EndResult,
	type SignatureAlgorithmParameters,
	type SessionSignature,
	type SessionStatus,
	type DeviceLinkSessionInit,
	type NotificationSessionInit,
	type CertificateByDocumentResponse,
	type AuthenticationContext,
	type SignatureContext,
	type DeviceLinkType,
} from './types';
