import { deflateSync } from 'node:zlib';
import * as QRCode from 'qrcode';
import { InvalidRequestError } from '../errors';

/** QR rendering options (spec §4.4): error correction L, 4-module quiet zone, ~10 px per module. */
export interface QrImageOptions {
	/** Pixels per module, 5..20. Default 10. */
	modulePx?: number;
}

const QUIET_ZONE = 4;

function modulePxOf(options: QrImageOptions): number {
	const modulePx = options.modulePx ?? 10;
	if (!Number.isInteger(modulePx) || modulePx < 5 || modulePx > 20) {
		throw new InvalidRequestError('QR module size must be a whole number of pixels between 5 and 20', {
			field: 'modulePx',
		});
	}
	return modulePx;
}

function matrix(text: string): { size: number; dark: (x: number, y: number) => boolean } {
	const modules = QRCode.create(text, { errorCorrectionLevel: 'L' }).modules;
	return { size: modules.size, dark: (x, y) => modules.get(y, x) === 1 };
}

/** Side length in modules (without quiet zone) of the QR code of `text`. */
export function qrModuleCount(text: string): number {
	return matrix(text).size;
}

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Buffer): number {
	let c = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
	return Buffer.concat([head, data, crc]);
}

/**
 * PNG image of a device link: 1-bit greyscale, black modules on white. Encoded here (deflate + CRC) rather than
 * through qrcode's PNG renderer, which is an order of magnitude slower and the QR must be redrawn every second.
 */
export function deviceLinkQrPng(link: string, options: QrImageOptions = {}): Buffer {
	const px = modulePxOf(options);
	const { size, dark } = matrix(link);
	const side = (size + 2 * QUIET_ZONE) * px;
	const rowBytes = Math.ceil(side / 8);
	const raw = Buffer.alloc((rowBytes + 1) * side, 0);
	for (let y = 0; y < side; y++) {
		const row = y * (rowBytes + 1); // filter byte 0 (None) at raw[row]
		const my = Math.floor(y / px) - QUIET_ZONE;
		for (let x = 0; x < side; x++) {
			const mx = Math.floor(x / px) - QUIET_ZONE;
			const black = mx >= 0 && my >= 0 && mx < size && my < size && dark(mx, my);
			// In 1-bit greyscale 1 = white.
			if (!black) raw[row + 1 + (x >> 3)] |= 0x80 >> (x & 7);
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(side, 0);
	ihdr.writeUInt32BE(side, 4);
	ihdr[8] = 1; // bit depth
	ihdr[9] = 0; // greyscale
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** `data:image/png;base64,…` URI of a device link's QR code, ready for an `<img src>`. */
export function deviceLinkQrDataUri(link: string, options: QrImageOptions = {}): string {
	return `data:image/png;base64,${deviceLinkQrPng(link, options).toString('base64')}`;
}

/** SVG image of a device link, sized like the PNG ((modules + 8) × module px). */
export async function deviceLinkQrSvg(link: string, options: QrImageOptions = {}): Promise<string> {
	const px = modulePxOf(options);
	const width = (qrModuleCount(link) + 2 * QUIET_ZONE) * px;
	return QRCode.toString(link, { errorCorrectionLevel: 'L', margin: QUIET_ZONE, width, type: 'svg' });
}
