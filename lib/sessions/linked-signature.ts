import { InvalidRequestError } from '../errors';
import { startLinkedSignature } from '../flows/signature';
import type { SessionStatus } from '../rp-api/types';
import { validateCertificateChoice } from '../validation';
import { prepareContainer, type ContainerInput } from './container';
import { baseJson, type SessionOutcome } from './outcome';
import type { LinkedAsiceRequest, PendingCertificateChoice } from './pending-session';
import { certificateJson } from './result-json';
import type { SessionRuntime } from './runtime';
import { newPendingSession, savePendingSession } from './stored-sessions';

/** Pack the data files or the container for the store, with every signing setting. */
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

/**
 * C1 completed: validate the chosen certificate, prepare the container for it, start the linked signature (S5)
 * at once (the app waits only briefly for it), and store the S5 session as a new pending ASiC-E signature with
 * the same tag and correlation data. The certificate choice is then done; the caller removes its record.
 * The outcome names the new session in `continuedAs` and is not a final result.
 */
export async function continueWithLinkedSignature(
	session: PendingCertificateChoice & { linkedSignature: LinkedAsiceRequest },
	status: SessionStatus,
	runtime: SessionRuntime,
): Promise<SessionOutcome> {
	const request = session.linkedSignature;
	const choice = validateCertificateChoice(status, session.context, { trust: runtime.trust });
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
		session.sessionId,
		{
			hashAlgorithm: prepared.hashAlgorithm,
			digest: prepared.digestToSign,
			interactions: request.interactions,
			certificateLevel: request.certificateLevel,
			expectedCertificate: choice.certificateBase64,
		},
		session.context,
	);
	await savePendingSession(
		runtime,
		newPendingSession(
			runtime,
			{ sessionId: started.sessionID, kind: 'asiceSignature', context: started.context, container: state, certificateChoiceSessionId: session.sessionId },
			{ tag: session.tag, correlation: session.correlation },
		),
	);
	const { certificate: _certificate, ...signer } = certificateJson(choice);
	return {
		json: {
			...baseJson(session),
			state: 'RUNNING',
			certificateChoice: 'OK',
			signatureSessionId: started.sessionID,
			...signer,
			note: 'The signer chose a certificate; the signature was started in their app. The Smart-ID Trigger emits the signed container under signatureSessionId.',
		},
		continuedAs: started.sessionID,
	};
}
