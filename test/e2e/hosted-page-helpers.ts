/**
 * What the hosted-page browser tests share: an https front for n8n (so pages offer Web2App), reading a node's items
 * from an execution, the execution id of a page URL, and a screenshot decoded from its pixels.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

import type { Page } from 'playwright-core';

import { decodeQrFromPng } from '../helpers/browser';
import type { ApiExecution, N8nItem } from './harness';

/**
 * An https front for n8n (self-signed certificate made with openssl): Smart-ID returns only to https callbacks, so
 * n8n's WEBHOOK_URL points here and the page offers Web2App. Plain pass-through of method, path, headers and body.
 */
export async function startTlsFront(dir: string, target: () => number): Promise<{ server: https.Server; port: number }> {
	const key = path.join(dir, 'front.key');
	const cert = path.join(dir, 'front.crt');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
	const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
		const upstream = http.request({ host: '127.0.0.1', port: target(), method: req.method, path: req.url, headers: req.headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, port: (server.address() as AddressInfo).port };
}

export function itemsOf(execution: ApiExecution, nodeName: string): N8nItem[] {
	return execution.data?.resultData.runData[nodeName]?.at(-1)?.data?.main?.[0] ?? [];
}

export function executionIdOf(pageUrl: string): string {
	return new URL(pageUrl).pathname.split('/').filter(Boolean).pop() ?? '';
}

/** Screenshot of the page (to `file`) and the link decoded from its pixels. */
export async function shotAndDecode(page: Page, file: string): Promise<string> {
	// Evaluated in the page (a string, so this file needs no DOM typings). The page hides a code it could not
	// refresh for 3 s (SK's rule), which a loaded machine can cause: wait until one is shown. Polled from here:
	// waitForFunction's in-page polling compiles the string with eval, which the page's CSP (rightly) forbids.
	const shown = "(() => { const img = document.getElementById('qr'); return !!img && img.complete && img.naturalWidth > 0 && img.style.visibility !== 'hidden' && !img.classList.contains('hidden'); })()";
	const deadline = Date.now() + 15_000;
	while (!(await page.evaluate(shown))) {
		if (Date.now() > deadline) throw new Error(`no QR code shown on the page for ${path.basename(file)}`);
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
	const png = await page.screenshot({ path: file, fullPage: true });
	const link = decodeQrFromPng(png);
	if (!link) throw new Error(`no QR code readable in ${path.basename(file)}`);
	return link;
}
