import { InvalidRequestError } from '../errors';
import { startDeviceLinkSignature } from '../flows/signature';
import type { IdentityTarget } from '../rp-api/requests';
import type { DeviceLinkType, Interaction } from '../rp-api/types';
import { newPendingSession, savePendingSession, type PendingSession, type SessionRuntime } from '../sessions';

/** The session kinds a signing page shows: a bare hash, an ASiC-E container, a PDF. */
export type PageSignatureSession = Extract<PendingSession, { kind: 'signature' | 'asiceSignature' | 'pdfSignature' }>;

/** Which links a renewed session offers, and (for Web2App) where the app returns. */
export interface PageLinkRequest {
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/** Whether a stored session is one a signing page can renew. */
export function isPageSignature(session: PendingSession): session is PageSignatureSession {
	return session.kind === 'signature' || session.kind === 'asiceSignature' || session.kind === 'pdfSignature';
}

/** The interactions exactly as the first session sent them (Base64 of the JSON array), back as objects. */
function interactionsOf(encoded: string | undefined): Interaction[] {
	try {
		const list: unknown = JSON.parse(Buffer.from(encoded ?? '', 'base64').toString('utf8'));
		if (Array.isArray(list)) return list as Interaction[];
	} catch {
		// fall through: a record without readable interactions cannot be renewed
	}
	throw new InvalidRequestError('The signing session keeps no interactions to repeat, so no new code can be made for it');
}

/**
 * "New code" (or a first Web2App link) on a signing page: a fresh device-link signature session over the SAME
 * digest, for the same signer (document number or personal code of the first session), certificate level,
 * interactions and expected certificate, carrying the same prepared container or PDF state. Nothing is prepared
 * again, so the signature the person gives still fits the prepared document and no other certificate can slip in.
 * The new record is stored in the page's scope; the caller forgets the old one.
 */
export async function renewSignatureSession(runtime: SessionRuntime, old: PageSignatureSession, link: PageLinkRequest): Promise<PageSignatureSession> {
	const c = old.context;
	const target: IdentityTarget | undefined = c.expectedDocumentNumber
		? { documentNumber: c.expectedDocumentNumber }
		: c.expectedSemanticsIdentifier
			? { semanticsIdentifier: c.expectedSemanticsIdentifier }
			: undefined;
	if (!target) throw new InvalidRequestError('The signing session names no signer (document number or personal code), so no new code can be made for it');
	const started = await startDeviceLinkSignature(runtime.client, runtime.flowConfig, target, {
		hashAlgorithm: c.hashAlgorithm,
		digest: c.digest,
		interactions: interactionsOf(c.interactions),
		certificateLevel: c.requestedCertificateLevel,
		...(c.expectedCertificate ? { expectedCertificate: c.expectedCertificate } : {}),
		...(c.allowLegacyPkcs1 ? { allowLegacyPkcs1: true } : {}),
		deviceLinkTypes: link.deviceLinkTypes,
		...(link.initialCallbackUrl ? { initialCallbackUrl: link.initialCallbackUrl } : {}),
	});
	const base = { sessionId: started.sessionID, context: started.context, secrets: started.deviceLink };
	const fresh =
		old.kind === 'asiceSignature'
			? newPendingSession(runtime, { ...base, kind: 'asiceSignature', container: old.container })
			: old.kind === 'pdfSignature'
				? newPendingSession(runtime, { ...base, kind: 'pdfSignature', pdf: old.pdf })
				: newPendingSession(runtime, { ...base, kind: 'signature' });
	await savePendingSession(runtime, fresh);
	return fresh as PageSignatureSession;
}
