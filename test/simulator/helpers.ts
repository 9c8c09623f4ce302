import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { authCodePayload, computeAuthCode, type DeviceLinkSessionType } from '../../lib/flows/auth-code';
/**
 * One warm state dir shared by every simulator test file (and kept between runs): RSA key generation is the slow
 * part, the state dir's locks make sharing it between parallel jest workers safe.
 */
export const TEST_STATE_DIR = process.env.SMARTID_SIMULATOR_TEST_STATE ?? path.join(os.tmpdir(), 'smart-id-simulator-test-state');


/** Parsed JSON from the simulator: tests read fields freely and assert on them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A tiny HTTP client for the tests: JSON in, status + parsed body + content type out. */
export async function call(
	url: string,
	init: { method?: string; body?: unknown; raw?: Buffer; contentType?: string } = {},
): Promise<{ status: number; body: Json; contentType: string; ms: number }> {
	const started = Date.now();
	const response = await fetch(url, {
		method: init.method ?? (init.body !== undefined || init.raw ? 'POST' : 'GET'),
		headers: init.body !== undefined ? { 'content-type': 'application/json' } : init.contentType ? { 'content-type': init.contentType } : {},
		body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
	});
	const contentType = response.headers.get('content-type') ?? '';
	const buffer = Buffer.from(await response.arrayBuffer());
	const body = contentType.includes('json') ? JSON.parse(buffer.toString('utf8')) : buffer;
	return { status: response.status, body, contentType, ms: Date.now() - started };
}

/** Base64 of a JSON interactions array, built once like a real RP does. */
export function interactions(list: Array<Record<string, string>>): string {
	return Buffer.from(JSON.stringify(list), 'utf8').toString('base64');
}

export const PIN_INTERACTION = interactions([{ type: 'displayTextAndPIN', displayText60: 'Log in to the simulator?' }]);

export function rpChallenge(): string {
	return randomBytes(64).toString('base64');
}

/** Build a device link exactly as spec §4.2/§4.3 say (the mock app recomputes the authCode from its session). */
export function deviceLink(input: {
	deviceLinkBase: string;
	type: 'QR' | 'Web2App' | 'App2App';
	elapsedSeconds?: number;
	sessionToken: string;
	sessionType: DeviceLinkSessionType;
	sessionSecret: string;
	schemeName: string;
	signatureProtocol: '' | 'ACSP_V2' | 'RAW_DIGEST_SIGNATURE';
	digestOrRpChallenge: string;
	relyingPartyName: string;
	interactions: string;
	initialCallbackUrl?: string;
	lang?: string;
}): string {
	const unprotected =
		`${input.deviceLinkBase}?deviceLinkType=${input.type}` +
		(input.type === 'QR' ? `&elapsedSeconds=${input.elapsedSeconds ?? 0}` : '') +
		`&sessionToken=${input.sessionToken}&sessionType=${input.sessionType}&version=1.0&lang=${input.lang ?? 'eng'}`;
	const payload = authCodePayload({
		schemeName: input.schemeName,
		signatureProtocol: input.signatureProtocol,
		digestOrRpChallenge: input.digestOrRpChallenge,
		relyingPartyName: input.relyingPartyName,
		interactions: input.interactions,
		initialCallbackUrl: input.type === 'QR' ? '' : (input.initialCallbackUrl ?? ''),
		unprotectedDeviceLink: unprotected,
	});
	return `${unprotected}&authCode=${computeAuthCode(input.sessionSecret, payload)}`;
}

/** `openssl verify` of a leaf (Base64 DER) against the simulator's CA PEM files; returns openssl's output. */
export function opensslVerifyChain(leafBase64: string, caPemPaths: string[], workDir: string): string {
	const leaf = `${workDir}/leaf-${randomBytes(4).toString('hex')}.pem`;
	fs.writeFileSync(leaf, new X509Certificate(Buffer.from(leafBase64, 'base64')).toString());
	const bundle = `${workDir}/cas.pem`;
	fs.writeFileSync(bundle, caPemPaths.map((p) => fs.readFileSync(p, 'utf8')).join(''));
	return execFileSync('openssl', ['verify', '-CAfile', bundle, leaf], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function sha(algorithm: string, data: string | Buffer): Buffer {
	return createHash(algorithm).update(data).digest();
}
