import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { finalizeSignature, parsePendingSignature, prepareSignature, type DataFileInput, type PreparedSignature } from '../asice/sign';
import type { CertificateChoiceResult } from '../validation';
import type { ResultFile } from './outcome';
import type { AsicePendingState, ResultSummary, SignatureOptions } from './pending-session';
import type { SessionRuntime } from './runtime';

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
	output: { fileName: string; outputBinaryPropertyName: string; summary: ResultSummary },
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

/** Write the stored container bytes to a private temp folder, finalize there (TSA, OCSP), return the finished container. */
export async function finalizeContainer(state: AsicePendingState, signatureValueBase64: string, runtime: SessionRuntime): Promise<ResultFile & { data: Buffer }> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-asice-'));
	try {
		const partial = path.join(dir, 'partial.asice');
		await fs.writeFile(partial, Buffer.from(state.containerBase64, 'base64'), { mode: 0o600 });
		const pending = parsePendingSignature({ ...state.pending, partialContainer: partial });
		const out = path.join(dir, `${randomBytes(6).toString('hex')}.asice`);
		await finalizeSignature(pending, signatureValueBase64, {
			out,
			tsaUrl: runtime.config.tsaUrl,
			ocspUrl: runtime.config.ocspUrl,
			trust: runtime.trust,
		});
		return {
			propertyName: state.outputBinaryPropertyName,
			data: await fs.readFile(out),
			fileName: state.fileName,
			mimeType: 'application/vnd.etsi.asic-e+zip',
		};
	} finally {
		await fs.rm(dir, { recursive: true, force: true });
	}
}
