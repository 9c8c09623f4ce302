import type { IExecuteFunctions } from 'n8n-workflow';

import { completeSameDeviceCallback, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { str } from '../../shared/params';

/**
 * Session → Complete Same-Device Callback: the URL the browser returned to after a Web2App/App2App session is
 * checked (token, sessionSecretDigest, userChallengeVerifier) and the stored session completed with it.
 */
export async function completeCallback(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	return completeSameDeviceCallback(runtime, str(this, 'sessionId', i), str(this, 'callbackUrl', i), { signal: this.getExecutionCancelSignal?.() });
}
