import type { IExecuteFunctions } from 'n8n-workflow';

import type { SessionOutcome, SessionRuntime } from '../../../lib/sessions';
import { signingMethod, str } from '../../shared/params';
import { chooseCertificateThenSign, signContainer } from './container-common';

/**
 * Container → Add Signature: one more Smart-ID signature over the data files of an existing ASiC-E, by a known
 * signer (notification or device link) or by whoever opens the link and chooses their certificate.
 */
export async function addSignature(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const method = signingMethod(this, i, true);
	const property = str(this, 'containerPropertyName', i, 'data') || 'data';
	const meta = this.helpers.assertBinaryData(i, property);
	const container = await this.helpers.getBinaryDataBuffer(i, property);
	const fileName = meta.fileName || 'signed.asice';
	const summary = { operation: 'addSignature' };
	if (method === 'deviceLinkCertificateChoice') return chooseCertificateThenSign(this, i, runtime, { input: { container }, fileName, summary });
	return signContainer(this, i, runtime, { input: { container }, fileName, summary });
}
