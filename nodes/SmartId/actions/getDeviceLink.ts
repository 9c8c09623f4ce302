import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import type { DeviceLinkType } from '../../../lib/rp-api/types';
import { deviceLinkFiles, readPendingSession, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { str } from '../../shared/params';

/**
 * Session → Get Device Link: a fresh link (and QR PNG) for a pending device-link session of this credential, made
 * from the secrets kept in the session store. A page showing a QR code calls this once a second.
 */
export async function getDeviceLink(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const sessionId = str(this, 'sessionId', i);
	const deviceLinkType = str(this, 'deviceLinkType', i, 'QR') as DeviceLinkType;
	const session = await readPendingSession(runtime, sessionId);
	if (!session?.secrets) {
		throw new InvalidRequestError(
			`No pending device-link session ${sessionId} of this credential in the session store: it finished, expired, or was started with another credential`,
			{ sessionId },
		);
	}
	const { link, files } = await deviceLinkFiles(session.secrets, {
		deviceLinkType,
		lang: str(this, 'lang', i, 'eng') || 'eng',
		qrPropertyName: str(this, 'qrBinaryProperty', i, 'qr') || 'qr',
	});
	return {
		json: { sessionId, kind: session.kind, deviceLinkType, deviceLink: link, ...(deviceLinkType === 'QR' ? { validForSeconds: 1 } : {}) },
		files,
	};
}
