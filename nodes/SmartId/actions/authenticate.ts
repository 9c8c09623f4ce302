import type { IExecuteFunctions } from 'n8n-workflow';

import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../../lib/flows/authentication';
import { InvalidRequestError } from '../../../lib/errors';
import { isHashAlgorithm, type HashAlgorithm } from '../../../lib/hash-algorithm';
import { startOrStore, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { startDeviceLinkSession } from '../../shared/device-link';
import { identityTarget, interactions, personTarget, startOptions, str } from '../../shared/params';

/**
 * Authentication → Authenticate. Notification: wait or start-and-continue. Device link: always returns at once
 * with the link(s) and, for QR, a PNG; the Smart-ID Trigger (or Get Session Status) completes it. The
 * sessionSecret stays in the session store and is never output.
 */
export async function authenticate(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const deviceLink = str(this, 'flow', i, 'notification') === 'deviceLink';
	const params = {
		interactions: interactions(this, i, deviceLink),
		certificateLevel: str(this, 'certificateLevel', i, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED',
		hashAlgorithm: loginHashAlgorithm(this, i),
	};
	const signal = this.getExecutionCancelSignal?.();
	if (deviceLink) {
		return startDeviceLinkSession(this, i, runtime, async (link) => {
			const started = await startDeviceLinkAuthentication(runtime.client, runtime.flowConfig, identityTarget(this, i, 'deviceLinkIdentifyBy'), { ...params, ...link }, { signal });
			return { sessionId: started.sessionID, kind: 'authentication', context: started.context, secrets: started.deviceLink };
		});
	}
	const started = await startNotificationAuthentication(runtime.client, runtime.flowConfig, personTarget(this, i), params, {
		signal,
	});
	return startOrStore(
		runtime,
		{ sessionId: started.sessionID, kind: 'authentication', context: started.context },
		startOptions(this, i, { flow: 'notification', verificationCode: started.verificationCode }),
	);
}

/** Options → Hash Algorithm; a top-level hashAlgorithm is where workflows made before the Options collection keep it. */
function loginHashAlgorithm(ctx: IExecuteFunctions, i: number): HashAlgorithm {
	const options = ctx.getNodeParameter('options', i, {}) as { hashAlgorithm?: unknown };
	const chosen = typeof options.hashAlgorithm === 'string' && options.hashAlgorithm ? options.hashAlgorithm : str(ctx, 'hashAlgorithm', i, 'SHA-512');
	if (!isHashAlgorithm(chosen)) throw new InvalidRequestError(`Unknown hash algorithm "${chosen}": choose one of Options → Hash Algorithm`);
	return chosen;
}
