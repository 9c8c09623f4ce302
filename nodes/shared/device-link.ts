import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../lib/errors';
import type { DeviceLinkSecrets } from '../../lib/flows/device-link';
import type { DeviceLinkType } from '../../lib/rp-api/types';
import { storeDeviceLinkSession, type SessionOutcome, type SessionRuntime, type StartedSession } from '../../lib/sessions';
import { labels, str } from './params';

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

/** What a device-link starter gets from the item: the link type to offer and its callback URL. */
export interface DeviceLinkRequest {
	deviceLinkTypes: DeviceLinkType[];
	initialCallbackUrl?: string;
}

/**
 * Read the link settings, start the session with them (`start` calls lib/flows), store it with this item's tag
 * and correlation data and return the link (and QR PNG) at once.
 */
export async function startDeviceLinkSession(
	ctx: IExecuteFunctions,
	i: number,
	runtime: SessionRuntime,
	start: (link: DeviceLinkRequest) => Promise<StartedSession & { secrets: DeviceLinkSecrets }>,
	extra: Record<string, unknown> = {},
): Promise<SessionOutcome> {
	const { deviceLinkType, initialCallbackUrl } = deviceLinkSettings(ctx, i);
	const started = await start({ deviceLinkTypes: [deviceLinkType], initialCallbackUrl });
	const qrPropertyName = str(ctx, 'qrBinaryProperty', i, 'qr') || 'qr';
	return storeDeviceLinkSession(runtime, started, { ...labels(ctx, i), deviceLinkType, qrPropertyName, extra });
}
