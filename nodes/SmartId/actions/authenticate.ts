import type { IExecuteFunctions } from 'n8n-workflow';

import { startDeviceLinkAuthentication, startNotificationAuthentication } from '../../../lib/flows/authentication';
import { createDeviceLink, deviceLinkQrPng } from '../../../lib/flows/device-link';
import type { HashAlgorithm } from '../../../lib/hash-algorithm';
import type { DeviceLinkType } from '../../../lib/rp-api/types';
import type { SessionOutcome } from '../../shared/complete';
import { identityTarget, interactions, personTarget, str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';
import { startOrWait } from '../../shared/session-flow';

/**
 * Authentication → Authenticate. Notification: wait or start-and-continue. Device link: always returns at once
 * with the link(s) and, for QR, a PNG; the Smart-ID Trigger (or Get Session Status) completes it. The
 * sessionSecret stays in the session store and is never output.
 */
export async function authenticate(this: IExecuteFunctions, i: number, runtime: SmartIdRuntime): Promise<SessionOutcome> {
	const params = {
		interactions: interactions(this, i),
		certificateLevel: str(this, 'certificateLevel', i, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED',
		hashAlgorithm: str(this, 'hashAlgorithm', i, 'SHA-512') as HashAlgorithm,
	};
	const signal = this.getExecutionCancelSignal?.();
	if (str(this, 'flow', i, 'notification') === 'deviceLink') {
		const deviceLinkType = str(this, 'deviceLinkType', i, 'QR') as DeviceLinkType;
		const initialCallbackUrl = deviceLinkType === 'QR' ? undefined : str(this, 'initialCallbackUrl', i);
		const started = await startDeviceLinkAuthentication(
			runtime.client,
			runtime.flowConfig,
			identityTarget(this, i, 'deviceLinkIdentifyBy'),
			{ ...params, deviceLinkTypes: [deviceLinkType], initialCallbackUrl },
			{ signal },
		);
		const link = createDeviceLink(started.deviceLink, { deviceLinkType });
		const outcome = await startOrWait(
			this,
			i,
			runtime,
			{ sessionId: started.sessionID, kind: 'authentication', context: started.context, secrets: started.deviceLink },
			{
				flow: 'deviceLink',
				deviceLinkType,
				deviceLink: link,
				...(deviceLinkType === 'QR'
					? { note: 'A QR link is valid for about one second after it was made; show it at once or re-create it.' }
					: {}),
			},
			true,
		);
		if (deviceLinkType === 'QR') {
			outcome.files = [
				{
					propertyName: str(this, 'qrBinaryProperty', i, 'qr') || 'qr',
					data: await deviceLinkQrPng(link),
					fileName: `smart-id-${started.sessionID}.png`,
					mimeType: 'image/png',
				},
			];
		}
		return outcome;
	}
	const started = await startNotificationAuthentication(runtime.client, runtime.flowConfig, personTarget(this, i), params, {
		signal,
	});
	return startOrWait(
		this,
		i,
		runtime,
		{ sessionId: started.sessionID, kind: 'authentication', context: started.context },
		{ flow: 'notification', verificationCode: started.verificationCode },
	);
}
