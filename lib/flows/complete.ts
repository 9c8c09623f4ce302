import type { PollOptions, SmartIdClient } from '../rp-api/client';
import type { AuthenticationContext, SignatureContext } from '../rp-api/types';
import { validateAuthentication, validateCertificateChoice, validateSignature } from '../validation';
import type {
	AuthenticationResult,
	CertificateChoiceContext,
	CertificateChoiceResult,
	SignatureResult,
	ValidationOptions,
} from '../validation/types';

/** The part of the client completion needs. */
export type PollingClient = Pick<SmartIdClient, 'pollUntilComplete'>;

/** How long to wait and how to validate. */
export interface CompletionOptions {
	poll: PollOptions;
	validation: ValidationOptions;
}

/**
 * Wait for an authentication to finish and validate it (ACSP_V2 signature, certificate chain, level, purpose,
 * identity). For Web2App/App2App pass the callback's `userChallengeVerifier` in `validation`.
 * @throws SessionEndedError for a non-OK end result, ValidationError when the answer must not be trusted,
 * PollDeadlineError / AbortedError / RpApiError from polling.
 */
export async function completeAuthentication(
	client: PollingClient,
	sessionID: string,
	context: AuthenticationContext,
	options: CompletionOptions,
): Promise<AuthenticationResult> {
	const status = await client.pollUntilComplete(sessionID, options.poll);
	return validateAuthentication(status, context, options.validation);
}

/** Wait for a signature session to finish and validate it (RAW_DIGEST_SIGNATURE against the digest sent). */
export async function completeSignature(
	client: PollingClient,
	sessionID: string,
	context: SignatureContext,
	options: CompletionOptions,
): Promise<SignatureResult> {
	const status = await client.pollUntilComplete(sessionID, options.poll);
	return validateSignature(status, context, options.validation);
}

/** Wait for a certificate choice (C1/C2) to finish and validate the chosen signing certificate. */
export async function completeCertificateChoice(
	client: PollingClient,
	sessionID: string,
	context: CertificateChoiceContext,
	options: CompletionOptions,
): Promise<CertificateChoiceResult> {
	const status = await client.pollUntilComplete(sessionID, options.poll);
	return validateCertificateChoice(status, context, options.validation);
}

/** C3 plus validation; lives with the plain lookup in ./signing-certificate (re-exported here for existing imports). */
export { fetchValidatedSigningCertificate } from './signing-certificate';
