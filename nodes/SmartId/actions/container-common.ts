import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { prepareSignature, type DataFileInput } from '../../../lib/asice/build';
import { smartIdSigningCertificate } from '../../../lib/asice/build/smart-id-signer';
import { startNotificationSignature } from '../../../lib/flows/signature';
import type { AsicePendingState, SessionOutcome } from '../../shared/complete';
import { interactions, personTarget, str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';
import { startOrWait } from '../../shared/session-flow';

type Level = 'ADVANCED' | 'QUALIFIED' | 'QSCD';

/** Production place / role from the Signature Options collection. */
function signatureOptions(ctx: IExecuteFunctions, i: number) {
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
 * person confirms for a personal code), prepare (phase 1), start the Smart-ID signature over H(SignedInfo), then
 * wait and finalize, or store everything the trigger needs to finalize later.
 */
export async function signContainer(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SmartIdRuntime,
	input: { files: DataFileInput[] } | { container: Buffer },
	fileName: string,
	summary: IDataObject,
): Promise<SessionOutcome> {
	const signal = ctx.getExecutionCancelSignal?.();
	const target = personTarget(ctx, i);
	const certificate = await smartIdSigningCertificate({
		...runtime.config.relyingParty,
		client: runtime.client,
		target,
		trust: runtime.trust,
		certificateLevel: 'QUALIFIED' as Level,
		signal,
	});
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-prepare-'));
	try {
		const { productionPlace, roles } = signatureOptions(ctx, i);
		const common = { signerCertificate: certificate.certificate, productionPlace, roles };
		let containerPath: string;
		let prepared;
		if ('files' in input) {
			containerPath = path.join(work, 'partial.asice');
			prepared = await prepareSignature({ ...common, files: input.files, workFile: containerPath });
		} else {
			containerPath = path.join(work, 'source.asice');
			await fs.writeFile(containerPath, input.container, { mode: 0o600 });
			prepared = await prepareSignature({ ...common, container: containerPath });
		}
		const started = await startNotificationSignature(
			runtime.client,
			runtime.flowConfig,
			{ documentNumber: certificate.documentNumber },
			{
				hashAlgorithm: prepared.hashAlgorithm,
				digest: prepared.digestToSign,
				interactions: interactions(ctx, i),
				certificateLevel: 'QUALIFIED',
				expectedCertificate: certificate.certificateBase64,
			},
			{ signal },
		);
		const state: AsicePendingState = {
			pending: prepared.pending,
			containerBase64: (await fs.readFile(containerPath)).toString('base64'),
			fileName,
			outputBinaryPropertyName: str(ctx, 'outputBinaryPropertyName', i, 'data') || 'data',
			summary: { ...summary, ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}) },
		};
		return await startOrWait(
			ctx,
			i,
			runtime,
			{ sessionId: started.sessionID, kind: 'asiceSignature', context: started.context, asicePending: state },
			{ verificationCode: started.verificationCode },
		);
	} finally {
		await fs.rm(work, { recursive: true, force: true });
	}
}
