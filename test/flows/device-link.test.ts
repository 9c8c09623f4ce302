// Device links (spec §4.2-4.4): exact parameter order, authCode vectors, QR staleness, QR images.
import { inflateSync } from 'node:zlib';
import { authCodePayload, computeAuthCode } from '../../lib/flows/auth-code';
import { createDeviceLink, elapsedSecondsSince, type DeviceLinkSecrets } from '../../lib/flows/device-link';
import { deviceLinkQrDataUri, deviceLinkQrPng, deviceLinkQrSvg, qrModuleCount } from '../../lib/flows/qr-image';
import { readFixtureJson } from '../helpers/fixtures';

interface Vector {
	id: string;
	sessionSecret: string;
	relyingPartyName?: string;
	rpChallenge?: string;
	interactions?: string;
	deviceLinkBase?: string;
	sessionToken?: string;
	deviceLinkType?: 'QR';
	elapsedSeconds?: number;
	sessionType?: 'auth';
	lang?: string;
	expectedDeviceLink?: string;
}
const vectors = readFixtureJson<{ vectors: Vector[] }>('smartid-v3/authcode-vectors.json').vectors;
const real = vectors.find((v) => v.id === 'rust-real-params-qr')!;

function secretsFromVector(extra: Partial<DeviceLinkSecrets> = {}): DeviceLinkSecrets {
	return {
		sessionID: 'sess',
		sessionToken: real.sessionToken!,
		sessionSecret: real.sessionSecret,
		deviceLinkBase: real.deviceLinkBase!,
		receivedAt: 1_700_000_000_000,
		sessionType: 'auth',
		schemeName: 'smart-id-demo',
		relyingPartyName: real.relyingPartyName!,
		signatureProtocol: 'ACSP_V2',
		digestOrRpChallenge: real.rpChallenge!,
		interactions: real.interactions!,
		deviceLinkTypes: ['QR'],
		...extra,
	};
}

describe('device links', () => {
	it('reproduces the real-parameter QR vector exactly', () => {
		const link = createDeviceLink(secretsFromVector(), { deviceLinkType: 'QR', lang: real.lang, now: 1_700_000_000_000 + 999 });
		expect(link).toBe(real.expectedDeviceLink);
	});

	it('elapsedSeconds is whole seconds since the init response, floored, never negative', () => {
		expect(elapsedSecondsSince(1000, 1999)).toBe(0);
		expect(elapsedSecondsSince(1000, 3999)).toBe(2);
		expect(elapsedSecondsSince(5000, 1000)).toBe(0);
		const link = createDeviceLink(secretsFromVector(), { deviceLinkType: 'QR', now: 1_700_000_000_000 + 7_500 });
		expect(link).toContain('?deviceLinkType=QR&elapsedSeconds=7&sessionToken=');
		expect(link).not.toBe(createDeviceLink(secretsFromVector(), { deviceLinkType: 'QR', now: 1_700_000_000_000 + 8_000 }));
	});

	it('Web2App: no elapsedSeconds, callback URL inside the authCode; QR of the same session: callback empty', () => {
		const callback = 'https://rp.example.com/cb?value=RrKjjT4aggzu27YBddX1bQ';
		const secrets = secretsFromVector({ deviceLinkTypes: ['QR', 'Web2App', 'App2App'], initialCallbackUrl: callback });
		const web = createDeviceLink(secrets, { deviceLinkType: 'Web2App', lang: 'est' });
		const unprotected =
			'https://sid.demo.sk.ee/device-link?deviceLinkType=Web2App&sessionToken=UhZj7BX4XWp6ZPQwI29ZoT6o&sessionType=auth&version=1.0&lang=est';
		const payload = authCodePayload({
			schemeName: 'smart-id-demo',
			signatureProtocol: 'ACSP_V2',
			digestOrRpChallenge: real.rpChallenge!,
			relyingPartyName: real.relyingPartyName!,
			interactions: real.interactions!,
			initialCallbackUrl: callback,
			unprotectedDeviceLink: unprotected,
		});
		expect(web).toBe(`${unprotected}&authCode=${computeAuthCode(real.sessionSecret, payload)}`);
		const app = createDeviceLink(secrets, { deviceLinkType: 'App2App', lang: 'est' });
		expect(app).toContain('deviceLinkType=App2App&sessionToken=');
		// The QR link of a session that has a callback must still produce the vector's authCode (callback field empty).
		expect(createDeviceLink(secrets, { deviceLinkType: 'QR', lang: 'eng', now: secrets.receivedAt })).toBe(real.expectedDeviceLink);
	});

	it('certificate-choice links leave protocol, digest and interactions empty', () => {
		const secrets = secretsFromVector({ sessionType: 'cert', signatureProtocol: '', digestOrRpChallenge: '', interactions: '', relyingPartyName: 'DEMO' });
		const link = createDeviceLink(secrets, { deviceLinkType: 'QR', now: secrets.receivedAt });
		const unprotected = link.slice(0, link.indexOf('&authCode='));
		expect(unprotected).toContain('&sessionType=cert&version=1.0&lang=eng');
		const payload = `smart-id-demo|||REVNTw==||||${unprotected}`;
		expect(link.endsWith(`&authCode=${computeAuthCode(real.sessionSecret, payload)}`)).toBe(true);
	});

	it('uses deviceLinkBase verbatim (trailing slash kept)', () => {
		const link = createDeviceLink(secretsFromVector({ deviceLinkBase: 'https://smart-id.com/device-link/' }), {
			deviceLinkType: 'QR',
			now: 1_700_000_000_000,
		});
		expect(link.startsWith('https://smart-id.com/device-link/?deviceLinkType=QR&elapsedSeconds=0&')).toBe(true);
	});

	it('refuses link kinds the session was not created for, and bad lang', () => {
		expect(() => createDeviceLink(secretsFromVector(), { deviceLinkType: 'Web2App' })).toThrow(/created for QR links/);
		expect(() => createDeviceLink(secretsFromVector({ deviceLinkTypes: ['Web2App'] }), { deviceLinkType: 'Web2App' })).toThrow(
			/needs the session to have been created with an initialCallbackUrl/,
		);
		expect(() => createDeviceLink(secretsFromVector(), { deviceLinkType: 'QR', lang: 'en' })).toThrow(/three-letter/);
	});
});

describe('QR images', () => {
	const link = real.expectedDeviceLink!;

	it('PNG: signature, and size (modules + 2×4 quiet zone) × 10 px', async () => {
		const png = deviceLinkQrPng(link);
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		const modules = qrModuleCount(link);
		expect(modules).toBeGreaterThanOrEqual(21);
		expect(png.readUInt32BE(16)).toBe((modules + 8) * 10); // IHDR width
		expect(png.readUInt32BE(20)).toBe((modules + 8) * 10); // IHDR height
		const small = deviceLinkQrPng(link, { modulePx: 5 });
		expect(small.readUInt32BE(16)).toBe((modules + 8) * 5);
		expect(deviceLinkQrDataUri(link).startsWith('data:image/png;base64,iVBORw0KGgo')).toBe(true);
	});

	it('SVG: a standalone image of the same size', async () => {
		const svg = await deviceLinkQrSvg(link);
		const size = (qrModuleCount(link) + 8) * 10;
		expect(svg.startsWith('<svg')).toBe(true);
		expect(svg).toContain(`width="${size}"`);
		expect(svg).toContain(`viewBox="0 0 ${qrModuleCount(link) + 8} ${qrModuleCount(link) + 8}"`);
	});

	it('refuses a module size outside 5..20 px', async () => {
		expect(() => deviceLinkQrPng(link, { modulePx: 3 })).toThrow(/between 5 and 20/);
		await expect(deviceLinkQrSvg(link, { modulePx: 21 })).rejects.toThrow(/between 5 and 20/);
	});

	it('PNG pixels follow the QR matrix (decoded here: quiet zone white, finder pattern black)', () => {
		const png = deviceLinkQrPng(link);
		const idat = png.subarray(33 + 8, 33 + 8 + png.readUInt32BE(33));
		const side = png.readUInt32BE(16);
		const raw = inflateSync(idat);
		const rowBytes = Math.ceil(side / 8);
		const pixelBlack = (x: number, y: number) => ((raw[y * (rowBytes + 1) + 1 + (x >> 3)] >> (7 - (x & 7))) & 1) === 0;
		expect(pixelBlack(5, 5)).toBe(false); // quiet zone
		expect(pixelBlack(45, 45)).toBe(true); // top-left finder pattern corner (module 4,4 → px 40..49)
		expect(pixelBlack(45 + 10 * 6, 45)).toBe(true); // finder pattern is 7 modules wide
		expect(pixelBlack(45 + 10 * 7, 45)).toBe(false); // separator
	});
});
