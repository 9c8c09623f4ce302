import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { smartIdSigningCertificate } from '../../../lib/asice/sign/smart-id-signer';
import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkSignature, startNotificationSignature } from '../../../lib/flows/signature';
import { BOX_POSITIONS, type BoxPosition, type PadesLevel, type VisibleSignatureOptions } from '../../../lib/pdf';
import { preparePdf, startOrStore, type PdfSignatureSettings, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { deviceLinkSettings, startDeviceLinkSession } from '../../shared/device-link';
import { interactions, personTarget, signingMethod, startOptions, str } from '../../shared/params';
import { containerCertificateLevel } from './container-common';
import { binaryInputAccess, pdfInput } from './pdf-input';

const LEVELS: readonly PadesLevel[] = ['B-T', 'B-LT', 'B-LTA'];

/** PAdES level, visible signature and the /Reason and /Location texts from the node's parameters. */
export function pdfSignatureSettings(ctx: IExecuteFunctions, i: number): PdfSignatureSettings {
	const level = str(ctx, 'padesLevel', i, 'B-T') || 'B-T';
	if (!LEVELS.includes(level as PadesLevel)) throw new InvalidRequestError(`PAdES Level must be B-T, B-LT or B-LTA, not "${level}"`);
	const mode = str(ctx, 'visibleSignature', i, 'none') || 'none';
	const showPersonalCode = ctx.getNodeParameter('showPersonalCode', i, false) === true;
	let visible: VisibleSignatureOptions | undefined;
	if (mode === 'page') visible = { mode: 'page', showPersonalCode };
	else if (mode === 'box') {
		const page = Number(ctx.getNodeParameter('visiblePage', i, 0));
		if (!Number.isSafeInteger(page) || page < 0) throw new InvalidRequestError(`Page must be a whole number: 1 for the first page, 0 for the last (got ${String(page)})`);
		const position = str(ctx, 'visiblePosition', i, 'bottomRight') || 'bottomRight';
		if (!BOX_POSITIONS.includes(position as BoxPosition)) throw new InvalidRequestError(`Position must be one of ${BOX_POSITIONS.join(', ')}, not "${position}"`);
		visible = { mode: 'box', page, position: position as BoxPosition, showPersonalCode };
	} else if (mode !== 'none') throw new InvalidRequestError(`Visible Signature must be None, Signature Page or Box on a Page, not "${mode}"`);
	const o = ctx.getNodeParameter('pdfSignatureOptions', i, {}) as IDataObject;
	const text = (k: string) => (typeof o[k] === 'string' && (o[k] as string).trim() ? (o[k] as string).trim() : undefined);
	return { level: level as PadesLevel, visible, reason: text('reason'), location: text('location') };
}

/** The signed PDF's file name: the parameter, else the input's name, else `signed.pdf`. */
export function signedPdfName(parameter: string, inputName: string | undefined): string {
	const name = (parameter || inputName || 'signed.pdf').replace(/[/\\]/g, '_');
	return /\.pdf$/i.test(name) ? name : `${name}.pdf`;
}

/**
 * PDF → Sign PDF: signer certificate (by document number, or a certificate choice the person confirms for a
 * personal code), prepare the PAdES signature (phase 1: the partial PDF and its state), start the Smart-ID
 * signature over the digest of the signed attributes by notification (wait and finish, or store everything the
 * trigger needs) or by device link (stored; the link and QR code are returned at once).
 */
export async function signPdf(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const signal = this.getExecutionCancelSignal?.();
	const method = signingMethod(this, i);
	const target = personTarget(this, i);
	if (method === 'deviceLink' && !('documentNumber' in target)) {
		throw new InvalidRequestError(
			'Device-link signing of a PDF needs the Document Number (its certificate goes into the signature before the link is shown): set Identify Person By to Document Number',
		);
	}
	// Every parameter and the input are checked before the certificate request, so a mistake costs no Smart-ID call.
	if (method === 'deviceLink') deviceLinkSettings(this, i);
	const shown = interactions(this, i, method === 'deviceLink');
	const certificateLevel = containerCertificateLevel(this, i);
	const settings = pdfSignatureSettings(this, i);
	const property = str(this, 'pdfPropertyName', i, 'data') || 'data';
	const meta = this.helpers.assertBinaryData(i, property);
	// Streamed (input by reference, no bytes in the state) only where it is finished in this execution: Wait for
	// Completion by notification. Stored sessions outlive the execution and its binaries, so they stay self-contained
	// (so does any other completion, e.g. a Hosted Page, until its finishing step is given n8n's binary helpers).
	const byReference = method === 'notification' && (str(this, 'completion', i, 'wait') || 'wait') === 'wait';
	const input = await pdfInput(this, i, property, byReference);
	const fileName = signedPdfName(str(this, 'pdfFileName', i), meta.fileName);
	let prepared: Awaited<ReturnType<typeof preparePdf>>['prepared'];
	let state: Awaited<ReturnType<typeof preparePdf>>['state'];
	let certificate: Awaited<ReturnType<typeof smartIdSigningCertificate>>;
	try {
		certificate = await smartIdSigningCertificate({ ...runtime.config.relyingParty, client: runtime.client, target, trust: runtime.trust, certificateLevel, signal });
		({ prepared, state } = await preparePdf(input.source, certificate.certificate, { ...settings, chain: certificate.chain.slice(1).map((c) => c.raw) }, {
			fileName,
			outputBinaryPropertyName: str(this, 'outputBinaryPropertyName', i, 'data') || 'data',
			summary: { operation: 'signPdf', inputSize: input.size, visibleSignature: settings.visible?.mode ?? 'none' },
		}));
	} finally {
		await input.release();
	}
	const params = { hashAlgorithm: prepared.hashAlgorithm, digest: prepared.digestToSign, interactions: shown, certificateLevel, expectedCertificate: certificate.certificateBase64 };
	if (method === 'deviceLink') {
		return startDeviceLinkSession(this, i, runtime, async (link) => {
			const started = await startDeviceLinkSignature(runtime.client, runtime.flowConfig, { documentNumber: certificate.documentNumber }, { ...params, ...link }, { signal });
			return { sessionId: started.sessionID, kind: 'pdfSignature', context: started.context, pdf: state, secrets: started.deviceLink };
		});
	}
	const started = await startNotificationSignature(runtime.client, runtime.flowConfig, { documentNumber: certificate.documentNumber }, params, { signal });
	return startOrStore(runtime, { sessionId: started.sessionID, kind: 'pdfSignature', context: started.context, pdf: state }, { ...startOptions(this, i, { verificationCode: started.verificationCode }), binaryInput: binaryInputAccess(this) });
}
