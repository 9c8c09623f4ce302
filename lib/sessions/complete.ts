import type { SessionStatus } from '../rp-api/types';
import { validateAuthentication, validateCertificateChoice, validateSignature } from '../validation';
import { finalizeContainer } from './container';
import { continueWithLinkedSignature } from './linked-signature';
import { finalizePdf } from './pdf';
import type { BinaryInputAccess } from './pdf-input';
import { baseJson, type SessionOutcome } from './outcome';
import type { PendingSession } from './pending-session';
import { authenticationJson, certificateJson, signatureJson } from './result-json';
import type { SessionRuntime } from './runtime';

/** Options of {@link completeSession}. */
export interface CompleteOptions {
	/** From a checked same-device callback (Web2App/App2App authentication). */
	userChallengeVerifier?: string;
	/** Reads n8n binaries by id: only a streamed PDF state (input by reference) needs it. */
	binaryInput?: BinaryInputAccess;
}

/**
 * Validate a COMPLETE session status against the stored request and produce the result; an ASiC-E or PDF signature
 * is finalized here (timestamp, OCSP, container or PDF), a certificate choice with a linked signature continues into it.
 * The relying party and scheme the payload is checked against are the credential's, never the record's.
 * Throws SessionEndedError / ValidationError / build errors.
 */
export async function completeSession(
	session: PendingSession,
	status: SessionStatus,
	runtime: SessionRuntime,
	options: CompleteOptions = {},
): Promise<SessionOutcome> {
	const validation = { trust: runtime.trust, userChallengeVerifier: options.userChallengeVerifier };
	const base = { ...baseJson(session), state: 'COMPLETE', endResult: 'OK' };
	switch (session.kind) {
		case 'authentication': {
			const { relyingPartyName, schemeName } = runtime.flowConfig;
			const result = validateAuthentication(status, { ...session.context, relyingPartyName, schemeName }, validation);
			return { json: { ...base, ...authenticationJson(result) } };
		}
		case 'signature': {
			const result = validateSignature(status, session.context, validation);
			return { json: { ...base, ...signatureJson(result) } };
		}
		case 'certificateChoice': {
			if (session.linkedSignature) return continueWithLinkedSignature({ ...session, linkedSignature: session.linkedSignature }, status, runtime);
			const result = validateCertificateChoice(status, session.context, validation);
			return { json: { ...base, ...certificateJson(result) } };
		}
		case 'asiceSignature': {
			const result = validateSignature(status, session.context, validation);
			const file = await finalizeContainer(session.container, result.signatureBase64, runtime);
			return {
				json: { ...base, ...session.container.summary, ...signatureJson(result), containerFileName: file.fileName, containerSize: file.data.length },
				files: [file],
			};
		}
		case 'pdfSignature': {
			const result = validateSignature(status, session.context, validation);
			const { file, facts } = await finalizePdf(session.pdf, result.signatureBase64, runtime, options.binaryInput);
			return { json: { ...base, ...session.pdf.summary, ...signatureJson(result), pdfFileName: file.fileName, ...facts }, files: [file] };
		}
	}
}
