import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { verifyDocument as verify } from '../../../lib/pdf/verify'; // containers and PDFs, by their first bytes
import { openAsiceContainer } from '../../../lib/asice/zip/reader-container';
import { guessMediaType } from '../../../lib/asice/sign';
import type { ResultFile, SessionOutcome } from '../../../lib/sessions';
import { str } from '../../shared/params';
import { trustFromParameters } from './verification-trust';

/**
 * Container → Verify Container: the SiVa-like report as JSON, optionally the data files as binaries. Trust comes
 * from the node's parameters (SK live / demo / both, EU trusted lists, extra PEMs); no credential is used.
 */
export async function verifyContainer(this: IExecuteFunctions, i: number): Promise<SessionOutcome> {
	const property = str(this, 'containerPropertyName', i, 'data') || 'data';
	const meta = this.helpers.assertBinaryData(i, property);
	const data = await this.helpers.getBinaryDataBuffer(i, property);
	const { source, validationTime } = await trustFromParameters(this, i);
	const report = await verify(data, { trust: source, filename: meta.fileName || 'container.asice', ...(validationTime ? { at: validationTime } : {}) });
	const conclusion = report.validationConclusion;
	const valid = conclusion.indication === 'TOTAL-PASSED';
	const wantFiles = this.getNodeParameter('outputDataFiles', i, false) === true;
	const files: ResultFile[] = [];
	// Files leave the node only from a container that verified: a workflow must never pass on bytes nobody signed.
	if (wantFiles && valid && conclusion.format !== 'pdf') {
		const container = openAsiceContainer(data);
		container.dataFiles.forEach((entry, n) => {
			files.push({
				propertyName: `file_${n}`,
				data: container.zip.read(entry),
				fileName: entry.name,
				mimeType: container.manifest.get(entry.name) ?? guessMediaType(entry.name),
			});
		});
	}
	return {
		json: {
			indication: conclusion.indication,
			valid,
			...(wantFiles && !valid ? { dataFilesWithheld: `Data files are output only for TOTAL-PASSED containers; this one is ${conclusion.indication} (see report)` } : {}),
			signaturesCount: conclusion.signaturesCount,
			validSignaturesCount: conclusion.validSignaturesCount,
			trust: { choice: source.choice, ...(source.eu ? { trustedLists: source.eu as unknown as IDataObject } : {}) },
			report: report as unknown as IDataObject,
		},
		files,
	};
}
