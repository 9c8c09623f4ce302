import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { prepareSignature, type DataFileInput, type PreparedSignature, type ProductionPlace } from '../../lib/asice/sign';
import type { CertificateChoiceResult } from '../../lib/validation';
import type { AsicePendingState } from './complete';

/** Production place / role of the XAdES signature (Signature Options collection). */
export interface SignatureOptions {
	productionPlace?: ProductionPlace;
	roles?: string[];
}

/** Where the data to sign comes from: new data files, or an existing container to add a signature to. */
export type ContainerInput = { files: DataFileInput[] } | { container: Buffer };

/**
 * Phase 1 of the build for a known signer certificate, in a private temp folder: the digest to sign plus the
 * state (pending JSON and the partial/source container bytes) that finishes it later in any process.
 */
export async function prepareContainer(
	input: ContainerInput,
	signerCertificate: CertificateChoiceResult['certificate'],
	options: SignatureOptions,
	output: { fileName: string; outputBinaryPropertyName: string; summary: IDataObject },
): Promise<{ prepared: PreparedSignature; state: AsicePendingState }> {
	const work = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-prepare-'));
	try {
		const common = { signerCertificate, productionPlace: options.productionPlace, roles: options.roles };
		let containerPath: string;
		let prepared: PreparedSignature;
		if ('files' in input) {
			containerPath = path.join(work, 'partial.asice');
			prepared = await prepareSignature({ ...common, files: input.files, workFile: containerPath });
		} else {
			containerPath = path.join(work, 'source.asice');
			await fs.writeFile(containerPath, input.container, { mode: 0o600 });
			prepared = await prepareSignature({ ...common, container: containerPath });
		}
		const state: AsicePendingState = {
			pending: prepared.pending,
			containerBase64: (await fs.readFile(containerPath)).toString('base64'),
			fileName: output.fileName,
			outputBinaryPropertyName: output.outputBinaryPropertyName,
			summary: { ...output.summary, ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}) },
		};
		return { prepared, state };
	} finally {
		await fs.rm(work, { recursive: true, force: true });
	}
}

