import type { IDataObject } from 'n8n-workflow';

import { InvalidRequestError } from '../../lib/errors';
import { startLinkedSignature } from '../../lib/flows/signature';
import type { PendingSessionRecord } from '../../lib/sessions';
import type { Interaction, SessionStatus } from '../../lib/rp-api/types';
import { validateCertificateChoice, type CertificateChoiceContext } from '../../lib/validation';
import { baseJson, type SessionOutcome } from './complete';
import { prepareContainer, type ContainerInput, type SignatureOptions } from './container-prepare';
import { PENDING_LIFETIME_MS } from './lifetime';
import { certificateJson } from './results';
import type { SmartIdRuntime } from './runtime';

/** `meta.then` of a device-link certificate choice (C1) whose signature (S5) signs an ASiC-E container. */
export const THEN_ASICE = 'asiceSignature';

/**
 * What a "Let the Signer Choose the Certificate" signing keeps with its certificate-choice record until the
 * signer is known: the data files (Build ASiC-E) or the container (Add Signature), and every signing setting
 * (no secret; the device-link secrets are in the record's `secrets`).
 */
export interface LinkedAsiceRequest {
	files?: Array<{ name: string; mimeType?: string; dataBase64: string }>;
	containerBase64?: string;
	fileName: string;
	outputBinaryPropertyName: string;
	summary: IDataObject;
	signatureOptions: SignatureOptions;
	interactions: Interaction[];
	certificateLevel: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
}

/** Pack the data files or the container for the store. */
export function linkedAsiceRequest(input: ContainerInput, rest: Omit<LinkedAsiceRequest, 'files' | 'containerBase64'>): LinkedAsiceRequest {
	if ('container' in input) return { ...rest, containerBase64: input.container.toString('base64') };
	return {
		...rest,
		files: input.files.map((f) => {
			if (f.data === undefined) throw new InvalidRequestError(`Data file ${f.name} has no content to keep until the signer is known`);
			const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : Buffer.from(f.data);
			return { name: f.name, ...(f.mimeType ? { mimeType: f.mimeType } : {}), dataBase64: data.toString('base64') };
		}),
	};
}

/** True when a certificate-choice record continues with a linked ASiC-E signature. */
export function continuesWithSignature(record: PendingSessionRecord): boolean {
	return record.kind === 'certificateChoice' && record.meta?.then === THEN_ASICE;
}

function requestOf(record: PendingSessionRecord): LinkedAsiceRequest {
	const request = record.asicePending as LinkedAsiceRequest | undefined;
	const hasInput = Array.isArray(request?.files) || typeof request?.containerBase64 === 'string';
	if (!request || !hasInput || !Array.isArray(request.interactions)) {
		throw new InvalidRequestError(`Pending session ${record.sessionId} has nothing to sign stored with it: start the signing again`);
	}
	return request;
}

/**
 * C1 completed: validate the chosen certificate, prepare the container for it, start the linked signature (S5)
 * at once (the app waits only briefly for it), and store the S5 session as a new pending ASiC-E signature with
 * the same tag and correlation data. The certificate-choice record is then done; the caller removes it.
 * The outcome names the new session in `continuedAs` and is not a final result.
 */
export async function continueWithLinkedSignature(
	record: PendingSessionRecord,
	status: SessionStatus,
	runtime: SmartIdRuntime,
): Promise<SessionOutcome> {
	const request = requestOf(record);
	const context = record.context as CertificateChoiceContext;
	const choice = validateCertificateChoice(status, context, { trust: runtime.trust });
	const input: ContainerInput =
		typeof request.containerBase64 === 'string'
			? { container: Buffer.from(request.containerBase64, 'base64') }
			: { files: (request.files ?? []).map((f) => ({ name: f.name, mimeType: f.mimeType, data: Buffer.from(f.dataBase64, 'base64') })) };
	const { prepared, state } = await prepareContainer(input, choice.certificate, request.signatureOptions, {
		fileName: request.fileName,
		outputBinaryPropertyName: request.outputBinaryPropertyName,
		summary: request.summary,
	});
	const started = await startLinkedSignature(
		runtime.client,
		runtime.flowConfig,
		choice.documentNumber,
		record.sessionId,
		{
			hashAlgorithm: prepared.hashAlgorithm,
			digest: prepared.digestToSign,
			interactions: request.interactions,
			certificateLevel: request.certificateLevel,
			expectedCertificate: choice.certificateBase64,
		},
		context,
	);
	const now = Date.now();
	await runtime.store.put({
		sessionId: started.sessionID,
		kind: 'asiceSignature',
		credentialKey: record.credentialKey,
		...(record.tag ? { tag: record.tag } : {}),
		...(record.correlation !== undefined ? { correlation: record.correlation } : {}),
		createdAt: new Date(now).toISOString(),
		expiresAt: new Date(now + PENDING_LIFETIME_MS).toISOString(),
		context: started.context,
		asicePending: state,
		meta: { certificateChoiceSessionId: record.sessionId },
	});
	const { certificate: _certificate, ...signer } = certificateJson(choice);
	return {
		json: {
			...baseJson(record),
			state: 'RUNNING',
			certificateChoice: 'OK',
			signatureSessionId: started.sessionID,
			...signer,
			note: 'The signer chose a certificate; the signature was started in their app. The Smart-ID Trigger emits the signed container under signatureSessionId.',
		},
		continuedAs: started.sessionID,
	};
}
