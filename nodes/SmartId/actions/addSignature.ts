import type { IExecuteFunctions } from 'n8n-workflow';

import type { SessionOutcome } from '../../shared/complete';
import { str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';
import { signContainer } from './container-common';

/** Container → Add Signature: one more Smart-ID signature over the data files of an existing ASiC-E. */
export async function addSignature(this: IExecuteFunctions, i: number, runtime: SmartIdRuntime): Promise<SessionOutcome> {
	const property = str(this, 'containerPropertyName', i, 'data') || 'data';
	const meta = this.helpers.assertBinaryData(i, property);
	const container = await this.helpers.getBinaryDataBuffer(i, property);
	return signContainer(this, i, runtime, { container }, meta.fileName || 'signed.asice', { operation: 'addSignature' });
}
