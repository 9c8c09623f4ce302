import type { SmartIdClient } from '../../rp-api/client';
import type { RelyingParty } from '../../rp-api/relying-party';
import type { Interaction, SessionStatus, SignatureContext } from '../../rp-api/types';
import type { TrustStore } from '../../pki/trust-store';
import { completeCertificateChoice } from '../../flows/complete';
import { startNotificationCertificateChoice } from '../../flows/certificate-choice';
import type { RelyingPartyFlowConfig } from '../../flows/flow-config';
import { startNotificationSignature } from '../../flows/signature';
import { fetchValidatedSigningCertificate } from '../../flows/signing-certificate';
import { validateSignature } from '../../validation';
import type { CertificateChoiceResult } from '../../validation';
import { AsiceBuildError } from './errors';
import type { DigestSigner, DigestSigningRequest } from './build-asice';

/** Who signs: a known document number (certificate by C3) or a person (certificate choice by C2). */
export type SmartIdSignerTarget = { documentNumber: string } | { semanticsIdentifier: string };

/** Options of {@link smartIdDigestSigner} and {@link smartIdSigningCertificate}. */
export interface SmartIdSignerOptions extends RelyingParty {
	client: SmartIdClient;
	target: SmartIdSignerTarget;
	/** Anchors the user's certificate must chain to (the environment's bundled store, usually). */
	trust: TrustStore;
	certificateLevel?: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
	/** What the phone shows; default a short "sign the document" PIN prompt. */
	interactions?: Interaction[];
	/** Called with the verification code as soon as the session starts (show it to the person). */
	onVerificationCode?: (code: string) => void;
	/** Give up after this long per session (default 120 s, as long as a user can take). */
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Accept SK demo's legacy PKCS#1 v1.5 answers. */
	allowLegacyPkcs1?: boolean;
}

const DEFAULT_INTERACTIONS: Interaction[] = [{ type: 'displayTextAndPIN', displayText60: 'Sign the document' }];

/**
 * The signer's certificate, validated (chain, level, signing purpose): by document number without user
 * interaction (C3), or by a notification certificate choice (C2) the person confirms in the app.
 */
export async function smartIdSigningCertificate(options: SmartIdSignerOptions): Promise<CertificateChoiceResult> {
	const level = options.certificateLevel ?? 'QUALIFIED';
	const call = { signal: options.signal };
	if ('documentNumber' in options.target) {
		return fetchValidatedSigningCertificate(options.client, relyingPartyOf(options), options.target.documentNumber, { certificateLevel: level }, { trust: options.trust }, call);
	}
	const started = await startNotificationCertificateChoice(options.client, relyingPartyOf(options), options.target.semanticsIdentifier, { certificateLevel: level }, call);
	return completeCertificateChoice(options.client, started.sessionID, started.context, {
		poll: { deadline: Date.now() + (options.timeoutMs ?? 120_000), signal: options.signal },
		validation: { trust: options.trust },
	});
}

/** The relying party part of the signer options, as lib/flows takes it. */
function relyingPartyOf(options: RelyingParty): RelyingPartyFlowConfig {
	return { relyingPartyUUID: options.relyingPartyUUID, relyingPartyName: options.relyingPartyName };
}

/** What to keep between starting a Smart-ID signature session and validating its result (JSON-serializable). */
export interface StartedSmartIdSignature {
	sessionID: string;
	/** Four digits the phone shows; display it to the person. */
	verificationCode?: string;
	/** Exactly what validation needs, incl. the digest and interactions string as sent. */
	context: SignatureContext;
}

/**
 * Start a notification RAW_DIGEST_SIGNATURE session for a prepared signature (asynchronous use: store the
 * result with the pending signature, poll later, then {@link completeSmartIdSignature}).
 */
export async function startSmartIdSignature(
	options: Omit<SmartIdSignerOptions, 'target' | 'trust'> & { documentNumber: string },
	request: DigestSigningRequest,
): Promise<StartedSmartIdSignature> {
	if (request.signatureScheme !== 'rsassa-pss' && !options.allowLegacyPkcs1) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', 'Smart-ID signs with RSASSA-PSS; prepare the signature with signatureScheme "rsassa-pss".');
	}
	const started = await startNotificationSignature(
		options.client,
		relyingPartyOf(options),
		{ documentNumber: options.documentNumber },
		{
			certificateLevel: options.certificateLevel ?? 'QUALIFIED',
			hashAlgorithm: request.hashAlgorithm,
			digest: request.digest,
			interactions: options.interactions ?? DEFAULT_INTERACTIONS,
			expectedCertificate: request.signerCertificate,
			...(options.allowLegacyPkcs1 ? { allowLegacyPkcs1: true } : {}),
		},
		{ signal: options.signal },
	);
	return {
		sessionID: started.sessionID,
		...(started.verificationCode ? { verificationCode: started.verificationCode } : {}),
		context: started.context,
	};
}

/**
 * Validate a completed session of {@link startSmartIdSignature} (end result, certificate = the one the XAdES
 * commits to, RSASSA-PSS over the digest) and return the Base64 signature value for finalizeSignature.
 */
export function completeSmartIdSignature(status: SessionStatus, started: StartedSmartIdSignature, trust: TrustStore): string {
	return validateSignature(status, started.context, { trust, allowLegacyPkcs1: started.context.allowLegacyPkcs1 }).signatureBase64;
}

/**
 * A {@link DigestSigner} backed by a Smart-ID notification signature session (RAW_DIGEST_SIGNATURE): start the
 * session for the document number, hand out the verification code, long-poll, and validate the answer
 * (end result, certificate = the one in the signature, RSASSA-PSS over the digest) before returning it.
 */
export function smartIdDigestSigner(options: SmartIdSignerOptions & { documentNumber: string }): DigestSigner {
	return async (request) => {
		const started = await startSmartIdSignature(options, request);
		if (started.verificationCode) options.onVerificationCode?.(started.verificationCode);
		const status = await options.client.pollUntilComplete(started.sessionID, { deadline: Date.now() + (options.timeoutMs ?? 120_000), signal: options.signal });
		return completeSmartIdSignature(status, started, options.trust);
	};
}
