import type { IExecuteFunctions } from 'n8n-workflow';

import type { DataFileInput } from '../../../lib/asice/sign';
import { InvalidRequestError } from '../../../lib/errors';
import type { SessionOutcome, SessionRuntime } from '../../../lib/sessions';
import { signingMethod, str } from '../../shared/params';
import { chooseCertificateThenSign, signContainer } from './container-common';

/** The data files of the given items: every listed binary field (missing fields are an error naming them). */
export async function dataFilesOf(ctx: IExecuteFunctions, itemIndexes: number[], paramItem: number): Promise<DataFileInput[]> {
	const names = str(ctx, 'binaryPropertyNames', paramItem, 'data')
		.split(',')
		.map((n) => n.trim())
		.filter(Boolean);
	if (names.length === 0) throw new InvalidRequestError('Input Binary Fields is empty: name at least one binary field, e.g. data');
	const files: DataFileInput[] = [];
	for (const index of itemIndexes) {
		for (const name of names) {
			const meta = ctx.helpers.assertBinaryData(index, name);
			const data = await ctx.helpers.getBinaryDataBuffer(index, name);
			files.push({ name: meta.fileName || `${name}-${index}.bin`, mimeType: meta.mimeType || undefined, data });
		}
	}
	const seen = new Set<string>();
	for (const f of files) {
		if (seen.has(f.name)) {
			throw new InvalidRequestError(`Two data files are both named "${f.name}": rename one (container file names must be unique)`);
		}
		seen.add(f.name);
	}
	return files;
}

/**
 * Container → Build ASiC-E for the given items (one item, or all items into one container). "Let the Signer
 * Choose the Certificate" starts a device-link certificate choice (C1) and keeps the files with it; the linked
 * signature (S5) is started as soon as the trigger or Get Status sees the choice complete.
 */
export async function buildAsice(
	this: IExecuteFunctions,
	itemIndexes: number[],
	runtime: SessionRuntime,
): Promise<SessionOutcome> {
	const i = itemIndexes[0];
	const method = signingMethod(this, i, true);
	const files = await dataFilesOf(this, itemIndexes, i);
	const fileName = str(this, 'containerFileName', i, 'signed.asice') || 'signed.asice';
	const summary = { operation: 'buildAsice', dataFiles: files.map((f) => f.name) };
	if (method === 'deviceLinkCertificateChoice') return chooseCertificateThenSign(this, i, runtime, { input: { files }, fileName, summary });
	return signContainer(this, i, runtime, { input: { files }, fileName, summary });
}
