import type { ZipCompression } from '../zip/writer';
import { ASICE_MIMETYPE } from '../zip/reader-container';
import { AsiceBuildError } from './errors';

const BY_EXTENSION: Record<string, string> = {
	txt: 'text/plain',
	csv: 'text/csv',
	html: 'text/html',
	htm: 'text/html',
	xml: 'application/xml',
	json: 'application/json',
	pdf: 'application/pdf',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	odt: 'application/vnd.oasis.opendocument.text',
	ods: 'application/vnd.oasis.opendocument.spreadsheet',
	rtf: 'application/rtf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	svg: 'image/svg+xml',
	mp3: 'audio/mpeg',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	zip: 'application/zip',
	gz: 'application/gzip',
	'7z': 'application/x-7z-compressed',
	asice: ASICE_MIMETYPE,
	sce: ASICE_MIMETYPE,
	bdoc: ASICE_MIMETYPE,
	asics: 'application/vnd.etsi.asic-s+zip',
};

/** Media type from the file extension, `application/octet-stream` when unknown (what DigiDoc4j does). */
export function guessMediaType(name: string): string {
	const dot = name.lastIndexOf('.');
	const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
	return BY_EXTENSION[ext] ?? 'application/octet-stream';
}

/** RFC 2045 token characters. */
const TOKEN = "[A-Za-z0-9!#$&^_.+\\-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\r\\n]*"))*$`);

/** Refuse media types that are not `type/subtype` (libdigidocpp refuses them when adding a file). */
export function checkMediaType(value: unknown, fileName: string): string {
	if (typeof value !== 'string' || value.length > 255 || !MEDIA_TYPE.test(value)) {
		throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `The media type of ${JSON.stringify(fileName)} must look like "type/subtype" (e.g. "application/pdf"), got ${JSON.stringify(value)}.`, {
			file: fileName,
		});
	}
	return value;
}

/**
 * Already-compressed formats are stored: deflating them again costs CPU and gains nothing. Everything else
 * (PDF included: it often has uncompressed parts) is `auto`: deflated unless its first bytes do not compress.
 */
export function compressionFor(mediaType: string): ZipCompression {
	const base = mediaType.split(';')[0].trim().toLowerCase();
	if (base.startsWith('video/')) return 'store';
	if (base.startsWith('audio/') && base !== 'audio/wav' && base !== 'audio/x-wav') return 'store';
	if (['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/heic'].includes(base)) return 'store';
	if (
		[
			'application/zip',
			'application/gzip',
			'application/x-7z-compressed',
			'application/x-bzip2',
			'application/x-xz',
			'application/zstd',
			ASICE_MIMETYPE,
			'application/vnd.etsi.asic-s+zip',
		].includes(base)
	) {
		return 'store';
	}
	if (base.startsWith('application/vnd.openxmlformats-officedocument.') || base.startsWith('application/vnd.oasis.opendocument.')) return 'store';
	return 'auto';
}
