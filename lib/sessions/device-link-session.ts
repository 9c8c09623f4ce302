import { createDeviceLink, deviceLinkQrPng, type DeviceLinkSecrets } from '../flows/device-link';
import type { DeviceLinkType } from '../rp-api/types';
import type { ResultFile, SessionOutcome } from './outcome';
import type { SessionRuntime } from './runtime';
import { startOrStore } from './start';
import type { SessionLabels, StartedSession } from './stored-sessions';

/** A fresh device link and, for QR, its PNG (valid about one second: make it when it is shown). */
export async function deviceLinkFiles(
	secrets: DeviceLinkSecrets,
	options: { deviceLinkType: DeviceLinkType; lang?: string; qrPropertyName: string },
): Promise<{ link: string; files: ResultFile[] }> {
	const link = createDeviceLink(secrets, { deviceLinkType: options.deviceLinkType, ...(options.lang ? { lang: options.lang } : {}) });
	if (options.deviceLinkType !== 'QR') return { link, files: [] };
	return {
		link,
		files: [{ propertyName: options.qrPropertyName, data: await deviceLinkQrPng(link), fileName: `smart-id-${secrets.sessionID}.png`, mimeType: 'image/png' }],
	};
}

/**
 * Store a started device-link session (its secrets only in the stored record) and return at once with the link
 * and, for QR, a PNG of it. The trigger (or Get Status) finishes it; Get Device Link makes fresh links meanwhile.
 */
export async function storeDeviceLinkSession(
	runtime: SessionRuntime,
	started: StartedSession & { secrets: DeviceLinkSecrets },
	options: SessionLabels & { deviceLinkType: DeviceLinkType; qrPropertyName: string; extra?: Record<string, unknown> },
): Promise<SessionOutcome> {
	const { link, files } = await deviceLinkFiles(started.secrets, options);
	const outcome = await startOrStore(runtime, started, {
		mode: 'start',
		timeoutMs: 0,
		tag: options.tag,
		correlation: options.correlation,
		extra: {
			flow: 'deviceLink',
			deviceLinkType: options.deviceLinkType,
			deviceLink: link,
			...(options.deviceLinkType === 'QR' ? { note: 'A QR link is valid for about one second after it was made; show it at once or re-create it.' } : {}),
			...options.extra,
		},
	});
	return files.length ? { ...outcome, files } : outcome;
}
