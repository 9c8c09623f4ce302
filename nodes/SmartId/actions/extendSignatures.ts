import type { IExecuteFunctions } from 'n8n-workflow';

import { extendContainer, httpArchiveTimestamper } from '../../../lib/asice/extend';
import { InvalidRequestError } from '../../../lib/errors';
import type { SessionOutcome } from '../../../lib/sessions';
import { str } from '../../shared/params';
import { trustFromParameters } from './verification-trust';

/**
 * Container → Extend Signatures (LTA): add an archive timestamp (and missing certificate values) to every LT/LTA
 * signature, keeping every existing byte; the signatures are checked with the node's trust before and after.
 */
export async function extendSignatures(this: IExecuteFunctions, i: number): Promise<SessionOutcome> {
	const property = str(this, 'containerPropertyName', i, 'data') || 'data';
	const meta = this.helpers.assertBinaryData(i, property);
	const data = await this.helpers.getBinaryDataBuffer(i, property);
	const tsaUrl = str(this, 'archiveTsaUrl', i);
	if (!/^https?:\/\//.test(tsaUrl)) throw new InvalidRequestError('Archive TSA URL must be the http(s) address of an RFC 3161 timestamp service');
	const { source, validationTime } = await trustFromParameters(this, i);
	const result = await extendContainer(data, {
		trust: source,
		timestamper: httpArchiveTimestamper(tsaUrl, { trust: source.store }),
		...(validationTime ? { at: validationTime } : {}),
	});
	const vc = result.report.validationConclusion;
	return {
		json: {
			extended: true,
			indication: vc.indication,
			signaturesCount: vc.signaturesCount,
			signatures: result.signatures.map((s) => ({ ...s })),
			// When to extend again: before the earliest archive TSA certificate expires (null: listed TSA, no expiry rule).
			archiveTimestamps: vc.signatures.map((s) => ({ id: s.id, archiveTimestamps: s.archiveTimestamps })),
		},
		files: [
			{
				propertyName: str(this, 'outputBinaryPropertyName', i, 'data') || 'data',
				data: result.container,
				fileName: meta.fileName || 'container.asice',
				mimeType: meta.mimeType || 'application/vnd.etsi.asic-e+zip',
			},
		],
	};
}
