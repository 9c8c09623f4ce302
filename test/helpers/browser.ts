/**
 * A real headless browser for the page and editor tests: Debian's chromium (installed by .ci/run) driven by
 * playwright-core, which downloads no browser of its own. The flags keep chromium off the network (this machine's
 * network is closed, and background connections otherwise fail by the dozen) and out of any shared profile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

/** Why the browser cannot run here, or null when it can. Under CI (E2E_REQUIRED=1) a missing browser is a failure. */
export function browserMissingReason(): string | null {
	return fs.existsSync(CHROMIUM_PATH) ? null : `no chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

/** Launch chromium (playwright gives it a fresh throwaway profile). Close it with `browser.close()`. */
export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** Decode the one QR code visible in a PNG screenshot; null when none is readable. */
export function decodeQrFromPng(png: Buffer): string | null {
	const image = PNG.sync.read(png);
	const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
	return code?.data ?? null;
}

/** Where a test writes screenshots and other artifacts: test-artifacts/<suite>/ under the repository (git-ignored). */
export function artifactDir(suite: string): string {
	const dir = path.resolve(__dirname, '../../test-artifacts', suite);
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}
