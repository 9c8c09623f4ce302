import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { smartIdSigningCertificate } from '../../../lib/asice/sign/smart-id-signer';
import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkCertificateChoice } from '../../../lib/flows/certificate-choice';
import { startDeviceLinkSignature, startNotificationSignature } from '../../../lib/flows/signature';
import {
	linkedAsiceRequest,
	prepareContainer,
	startOrStore,
	type ContainerInput,
	type SessionOutcome,
	type SessionRuntime,
	type SignatureOptions,
} from '../../../lib/sessions';
import { deviceLinkSettings, startDeviceLinkSession } from '../../shared/device-link';
import { interactions, personTarget, signingMethod, startOptions, str } from '../../shared/params';

type Level = 'ADVANCED' | 'QUALIFIED' | 'QSCD';

/** What Build ASiC-E / Add Signature sign: the data files or container, the output file name, the result summary. */
export interface ContainerJob {
	input: ContainerInput;
	fileName: string;
	summary: Record<string, unknown>;
}

/** The Certificate Level parameter of the container operations (Qualified unless the workflow says otherwise). */
export function containerCertificateLevel(ctx: IExecuteFunctions, i: number): Level {
	const level = str(ctx, 'certificateLevel', i, 'QUALIFIED') || 'QUALIFIED';
	if (level !== 'QUALIFIED' && level !== 'ADVANCED' && level !== 'QSCD') {
		throw new InvalidRequestError(`Certificate Level must be Qualified, Advanced or QSCD, not "${level}"`);
	}
	return level;
}

/** Production place / role from the Signature Options collection. */
export function signatureOptions(ctx: IExecuteFunctions, i: number): SignatureOptions {
	const o = ctx.getNodeParameter('signatureOptions', i, {}) as IDataObject;
	const text = (k: string) => (typeof o[k] === 'string' && (o[k] as string).trim() ? (o[k] as string).trim() : undefined);
	const place = {
		city: text('city'),
		stateOrProvince: text('stateOrProvince'),
		postalCode: text('postalCode'),
		countryName: text('countryName'),
	};
	const role = text('role');
	return {
		productionPlace: Object.values(place).some(Boolean) ? place : undefined,
		roles: role ? [role] : undefined,
	};
}

/**
 * Shared by Build ASiC-E and Add Signature: signer certificate (C3 by document number, or a certificate choice the
 * person confirms for a personal code), prepare (phase 1), start the Smart-ID signature over H(SignedInfo) by
 * notification (then wait and finalize, or store everything the trigger needs) or by device link (stored; the
 * link and QR code are returned at once).
 */
export async function signContainer(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SessionRuntime,
	job: ContainerJob,
): Promise<SessionOutcome> {
	const { input, fileName, summary } = job;
	const signal = ctx.getExecutionCancelSignal?.();
	const method = signingMethod(ctx, i);
	const target = personTarget(ctx, i);
	// A device-link session must commit to the signer's certificate before anyone scans, and only a document
	// number gets it without a push to the phone.
	if (method === 'deviceLink' && !('documentNumber' in target)) {
		throw new InvalidRequestError(
			'Device-link signing of a container needs the Document Number (its certificate goes into the signature before the link is shown): set Identify Person By to Document Number',
		);
	}
	// Every parameter is checked before the certificate request, so a mistake costs no Smart-ID call.
	if (method === 'deviceLink') deviceLinkSettings(ctx, i);
	const shown = interactions(ctx, i, method === 'deviceLink');
	const certificateLevel = containerCertificateLevel(ctx, i);
	const certificate = await smartIdSigningCertificate({
		...runtime.config.relyingParty,
		client: runtime.client,
		target,
		trust: runtime.trust,
		certificateLevel,
		signal,
	});
	const { prepared, state } = await prepareContainer(input, certificate.certificate, signatureOptions(ctx, i), {
		fileName,
		outputBinaryPropertyName: str(ctx, 'outputBinaryPropertyName', i, 'data') || 'data',
		summary,
	});
	const params = {
		hashAlgorithm: prepared.hashAlgorithm,
		digest: prepared.digestToSign,
		interactions: shown,
		certificateLevel,
		expectedCertificate: certificate.certificateBase64,
	};
	if (method === 'deviceLink') {
		return startDeviceLinkSession(ctx, i, runtime, async (link) => {
			const started = await startDeviceLinkSignature(runtime.client, runtime.flowConfig, { documentNumber: certificate.documentNumber }, { ...params, ...link }, { signal });
			return { sessionId: started.sessionID, kind: 'asiceSignature', context: started.context, container: state, secrets: started.deviceLink };
		});
	}
	const started = await startNotificationSignature(runtime.client, runtime.flowConfig, { documentNumber: certificate.documentNumber }, params, {
		signal,
	});
	return startOrStore(
		runtime,
		{ sessionId: started.sessionID, kind: 'asiceSignature', context: started.context, container: state },
		startOptions(ctx, i, { verificationCode: started.verificationCode }),
	);
}

/**
 * "Let the Signer Choose the Certificate (QR)": start a device-link certificate choice (C1) for whoever opens the
 * link, keeping the data files or container and every signing setting with it. When the choice completes, the
 * trigger or Session → Get Status prepares the signature for the chosen certificate and starts the linked
 * signature (S5) in the same app.
 */
export async function chooseCertificateThenSign(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SessionRuntime,
	job: ContainerJob,
): Promise<SessionOutcome> {
	const certificateLevel = containerCertificateLevel(ctx, i);
	const request = linkedAsiceRequest(job.input, {
		fileName: job.fileName,
		outputBinaryPropertyName: str(ctx, 'outputBinaryPropertyName', i, 'data') || 'data',
		summary: job.summary,
		signatureOptions: signatureOptions(ctx, i),
		interactions: interactions(ctx, i, true),
		certificateLevel,
	});
	return startDeviceLinkSession(
		ctx,
		i,
		runtime,
		async (link) => {
			const started = await startDeviceLinkCertificateChoice(runtime.client, runtime.flowConfig, { certificateLevel, ...link }, { signal: ctx.getExecutionCancelSignal?.() });
			return { sessionId: started.sessionID, kind: 'certificateChoice', context: started.context, secrets: started.deviceLink, linkedSignature: request };
		},
		{ signingMethod: 'deviceLinkCertificateChoice', ...job.summary },
	);
}
