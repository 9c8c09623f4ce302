import type { SmartIdClient } from '../../rp-api/client';
import type { RelyingParty } from '../../rp-api/relying-party';
import { notificationCertificateChoiceRequest, notificationSignatureRequest, signingCertificateRequest } from '../../rp-api/requests';
import type { Interaction, SessionStatus, SignatureContext } from '../../rp-api/types';
import type { TrustStore } from '../../pki/trust-store';
import { validateCertificateByDocument, validateCertificateChoice, validateSignature } from '../../validation';
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
	const rp: RelyingParty = { relyingPartyUUID: options.relyingPartyUUID, relyingPartyName: options.relyingPartyName };
	const level = options.certificateLevel ?? 'QUALIFIED';
	if ('documentNumber' in options.target) {
		const response = await options.client.send(signingCertificateRequest({ ...rp, certificateLevel: level }, options.target.documentNumber), { signal: options.signal });
		return validateCertificateByDocument(response, options.target.documentNumber, { requestedCertificateLevel: level }, { trust: options.trust });
	}
	const prepared = notificationCertificateChoiceRequest({ ...rp, certificateLevel: level }, options.target.semanticsIdentifier);
	const init = await options.client.send(prepared.request, { signal: options.signal });
	const status = await options.client.pollUntilComplete(init.sessionID, { deadline: Date.now() + (options.timeoutMs ?? 120_000), signal: options.signal });
	return validateCertificateChoice(
		status,
		{ requestedCertificateLevel: level, allowedFlowTypes: ['Notification'], expectedSemanticsIdentifier: prepared.expectedSemanticsIdentifier },
		{ trust: options.trust },
	);
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
	const level = options.certificateLevel ?? 'QUALIFIED';
	const prepared = notificationSignatureRequest(
		{
			relyingPartyUUID: options.relyingPartyUUID,
			relyingPartyName: options.relyingPartyName,
			certificateLevel: level,
			hashAlgorithm: request.hashAlgorithm,
			digest: request.digest,
			interactions: options.interactions ?? DEFAULT_INTERACTIONS,
		},
		{ documentNumber: options.documentNumber },
	);
	const init = await options.client.send(prepared.request, { signal: options.signal });
	return {
		sessionID: init.sessionID,
		...(init.vc?.value ? { verificationCode: init.vc.value } : {}),
		context: {
			digest: prepared.digest,
			hashAlgorithm: prepared.hashAlgorithm,
			requestedCertificateLevel: level,
			interactions: prepared.interactions,
			allowedFlowTypes: ['Notification'],
			expectedDocumentNumber: options.documentNumber,
			expectedCertificate: request.signerCertificate,
			allowLegacyPkcs1: options.allowLegacyPkcs1,
		},
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
