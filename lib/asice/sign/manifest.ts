import { escapeAttribute } from './xml-text';

import { ASICE_MIMETYPE } from '../zip/reader-container';

/** The ASiC-E container media type (the exact content of the `mimetype` entry), defined once with the reader. */
export { ASICE_MIMETYPE };

/**
 * META-INF/manifest.xml (ODF 1.2): the `/` entry with the container type, then one entry per data file with
 * the raw ZIP name (no URI encoding) and the same media type the signature's DataObjectFormat declares.
 */
export function manifestXml(files: { name: string; mimeType: string }[]): string {
	const entries = files
		.map((f) => `<manifest:file-entry manifest:full-path="${escapeAttribute(f.name)}" manifest:media-type="${escapeAttribute(f.mimeType)}"/>`)
		.join('');
	return (
		'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' +
		'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="${ASICE_MIMETYPE}"/>` +
		entries +
		'</manifest:manifest>'
	);
}
