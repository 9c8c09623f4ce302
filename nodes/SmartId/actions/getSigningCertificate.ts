import type { IExecuteFunctions } from 'n8n-workflow';

import { startNotificationCertificateChoice } from '../../../lib/flows/certificate-choice';
import { fetchValidatedSigningCertificate } from '../../../lib/flows/signing-certificate';
import { InvalidRequestError } from '../../../lib/errors';
import { certificateJson, startOrStore, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { personTarget, startOptions, str } from '../../shared/params';

type Level = 'ADVANCED' | 'QUALIFIED' | 'QSCD';

/** Certificate → Get Signing Certificate: by document number (C3, immediate) or certificate choice (C2). */
export async function getSigningCertificate(
	this: IExecuteFunctions,
	i: number,
	runtime: SessionRuntime,
): Promise<SessionOutcome> {
	const certificateLevel = str(this, 'certificateLevel', i, 'QUALIFIED') as Level;
	const signal = this.getExecutionCancelSignal?.();
	if (str(this, 'certificateSource', i, 'documentNumber') === 'documentNumber') {
		const documentNumber = str(this, 'documentNumber', i);
		const result = await fetchValidatedSigningCertificate(
			runtime.client,
			runtime.flowConfig,
			documentNumber,
			{ certificateLevel },
			{ trust: runtime.trust },
			{ signal },
		);
		return { json: { source: 'documentNumber', ...certificateJson(result) } };
	}
	const target = personTarget(this, i);
	if (!('semanticsIdentifier' in target)) {
		throw new InvalidRequestError('Certificate choice addresses a person: choose "Personal Code and Country"');
	}
	const started = await startNotificationCertificateChoice(
		runtime.client,
		runtime.flowConfig,
		target.semanticsIdentifier,
		{ certificateLevel },
		{ signal },
	);
	return startOrStore(
		runtime,
		{ sessionId: started.sessionID, kind: 'certificateChoice', context: started.context },
		startOptions(this, i, { source: 'certificateChoice' }),
	);
}
