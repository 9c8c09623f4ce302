import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { createDeviceLink, deviceLinkQrPng } from '../../../lib/flows/device-link';
import type { DeviceLinkType } from '../../../lib/rp-api/types';
import type { SessionOutcome } from '../../shared/complete';
import { str } from '../../shared/params';
import type { SmartIdRuntime } from '../../shared/runtime';

/**
 * Session → Get Device Link: a fresh link (and QR PNG) for a pending device-link session of this credential, made
 * from the secrets kept in the session store. A page showing a QR code calls this once a second.
 */
export async function getDeviceLink(this: IExecuteFunctions, i: number, runtime: SmartIdRuntime): Promise<SessionOutcome> {
	const sessionId = str(this, 'sessionId', i);
	const deviceLinkType = str(this, 'deviceLinkType', i, 'QR') as DeviceLinkType;
	const record = await runtime.store.get(sessionId);
	if (!record || record.credentialKey !== runtime.config.credentialKey || !record.secrets) {
		throw new InvalidRequestError(
			`No pending device-link session ${sessionId} of this credential in the session store: it finished, expired, or was started with another credential`,
			{ sessionId },
		);
	}
	const link = createDeviceLink(record.secrets, { deviceLinkType, lang: str(this, 'lang', i, 'eng') || 'eng' });
	const outcome: SessionOutcome = {
		json: {
			sessionId,
			kind: record.kind,
			deviceLinkType,
			deviceLink: link,
			...(deviceLinkType === 'QR' ? { validForSeconds: 1 } : {}),
		},
	};
	if (deviceLinkType === 'QR') {
		outcome.files = [
			{
				propertyName: str(this, 'qrBinaryProperty', i, 'qr') || 'qr',
				data: await deviceLinkQrPng(link),
				fileName: `smart-id-${sessionId}.png`,
				mimeType: 'image/png',
			},
		];
	}
	return outcome;
}
