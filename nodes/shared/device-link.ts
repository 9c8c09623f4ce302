import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../lib/errors';
import { createDeviceLink, deviceLinkQrPng } from '../../lib/flows/device-link';
import type { DeviceLinkType } from '../../lib/rp-api/types';
import type { SessionOutcome } from './complete';
import { str } from './params';
import type { SmartIdRuntime } from './runtime';
import { startOrWait, type StartedSession } from './session-flow';

const DEVICE_LINK_TYPES: readonly DeviceLinkType[] = ['QR', 'Web2App', 'App2App'];

/** Device Link Type and (for Web2App/App2App) Callback URL of a device-link operation. */
export function deviceLinkSettings(ctx: IExecuteFunctions, i: number): { deviceLinkType: DeviceLinkType; initialCallbackUrl?: string } {
	const deviceLinkType = str(ctx, 'deviceLinkType', i, 'QR') as DeviceLinkType;
	if (!DEVICE_LINK_TYPES.includes(deviceLinkType)) {
		throw new InvalidRequestError(`Device Link Type must be QR, Web2App or App2App, not "${deviceLinkType}"`);
	}
	if (deviceLinkType === 'QR') return { deviceLinkType };
	const initialCallbackUrl = str(ctx, 'initialCallbackUrl', i);
	if (!initialCallbackUrl) {
		throw new InvalidRequestError(`Callback URL is empty: ${deviceLinkType} needs the HTTPS address the app returns to`);
	}
	return { deviceLinkType, initialCallbackUrl };
}

/**
 * Store a started device-link session (its secrets only in the store's `secrets` field) and return at once with
 * the link and, for QR, a PNG of it. The Smart-ID Trigger or Session → Get Status finishes the session, and
 * Session → Get Device Link makes fresh links while it runs.
 */
export async function deviceLinkOutcome(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SmartIdRuntime,
	started: StartedSession & { secrets: NonNullable<StartedSession['secrets']> },
	deviceLinkType: DeviceLinkType,
	extra: IDataObject = {},
): Promise<SessionOutcome> {
	const link = createDeviceLink(started.secrets, { deviceLinkType });
	const outcome = await startOrWait(
		ctx,
		i,
		runtime,
		started,
		{
			flow: 'deviceLink',
			deviceLinkType,
			deviceLink: link,
			...(deviceLinkType === 'QR'
				? { note: 'A QR link is valid for about one second after it was made; show it at once or re-create it.' }
				: {}),
			...extra,
		},
		true,
	);
	if (deviceLinkType === 'QR') {
		outcome.files = [
			{
				propertyName: str(ctx, 'qrBinaryProperty', i, 'qr') || 'qr',
				data: await deviceLinkQrPng(link),
				fileName: `smart-id-${started.sessionId}.png`,
				mimeType: 'image/png',
			},
		];
	}
	return outcome;
}
