import { parseXmlSafely, NS, childElements, XmlParseError } from '../xml';
import { readZip, type ZipArchive, type ZipEntry, type ZipLimits } from './reader';
import { ContainerReadError } from './reader-error';

/** The ASiC-E mimetype value. */
export const ASICE_MIMETYPE = 'application/vnd.etsi.asic-e+zip';

/** A non-fatal finding about the container layout. */
export interface ContainerNotice {
	code: string;
	message: string;
}

/** An opened ASiC-E container: layout checked, manifest parsed, nothing verified yet. */
export interface AsiceContainer {
	zip: ZipArchive;
	/** Data files (everything outside META-INF/ except mimetype and directories), in ZIP order. */
	dataFiles: ZipEntry[];
	/** manifest full-path → media-type, without the "/" entry. */
	manifest: Map<string, string>;
	/** Signature file names (META-INF/*signatures*.xml), in ZIP order. */
	signatureFiles: string[];
	/** Layout findings that do not prevent validation (DigiDoc4j-compatible leniency). */
	warnings: ContainerNotice[];
}

function readMimetype(zip: ZipArchive, warnings: ContainerNotice[]): void {
	const entry = zip.get('mimetype');
	if (!entry) {
		throw new ContainerReadError('ASICE_MIMETYPE_MISSING', 'The container has no "mimetype" entry, so it is not an ASiC-E container.');
	}
	let value = zip.read(entry).toString('utf8');
	if (value.charCodeAt(0) === 0xfeff) value = value.slice(1);
	value = value.trim();
	if (value.toLowerCase() !== ASICE_MIMETYPE) {
		throw new ContainerReadError('ASICE_MIMETYPE_INVALID', `The container mimetype is "${value.slice(0, 100)}", not ${ASICE_MIMETYPE}.`);
	}
	// DigiDoc4j reads containers where mimetype is not first/stored; libdigidocpp refuses. We warn (spec §1.1).
	if (entry.index !== 0) warnings.push({ code: 'MIMETYPE_NOT_FIRST', message: 'The mimetype entry is not the first entry of the ZIP.' });
	if (entry.method !== 0) warnings.push({ code: 'MIMETYPE_COMPRESSED', message: 'The mimetype entry is compressed; it should be stored.' });
	if (entry.localExtraLength !== 0) warnings.push({ code: 'MIMETYPE_EXTRA_FIELD', message: 'The mimetype entry carries a ZIP extra field.' });
}

function readManifest(zip: ZipArchive, warnings: ContainerNotice[]): Map<string, string> {
	const entry = zip.get('META-INF/manifest.xml');
	if (!entry) throw new ContainerReadError('ASICE_MANIFEST_MISSING', 'The container has no META-INF/manifest.xml.');
	let doc;
	try {
		doc = parseXmlSafely(zip.read(entry), { maxBytes: 1024 * 1024 });
	} catch (e) {
		if (e instanceof XmlParseError) {
			throw new ContainerReadError('ASICE_MANIFEST_INVALID', `META-INF/manifest.xml is not acceptable XML: ${e.message}`);
		}
		throw e;
	}
	const root = doc.documentElement!;
	if (root.namespaceURI !== NS.manifest || root.localName !== 'manifest') {
		throw new ContainerReadError('ASICE_MANIFEST_INVALID', 'META-INF/manifest.xml has no manifest:manifest root element.');
	}
	const out = new Map<string, string>();
	let rootEntry = false;
	for (const fe of childElements(root, NS.manifest, 'file-entry')) {
		const path = fe.getAttributeNS(NS.manifest, 'full-path') ?? '';
		const type = fe.getAttributeNS(NS.manifest, 'media-type') ?? '';
		if (path === '/') {
			rootEntry = true;
			continue;
		}
		if (out.has(path)) {
			throw new ContainerReadError('ASICE_MANIFEST_INVALID', `META-INF/manifest.xml lists "${path}" twice.`, { name: path });
		}
		out.set(path, type);
	}
	if (!rootEntry) warnings.push({ code: 'MANIFEST_NO_ROOT_ENTRY', message: 'META-INF/manifest.xml has no "/" entry.' });
	return out;
}

/**
 * Open an ASiC-E/BDOC container with hard ZIP limits: checks mimetype (present, correct; position/storage only
 * warned, like DigiDoc4j), parses the manifest and lists data and signature files.
 * @throws ContainerReadError when the container cannot be opened safely.
 */
export function openAsiceContainer(buf: Buffer, limits: ZipLimits = {}): AsiceContainer {
	const zip = readZip(buf, limits);
	const warnings: ContainerNotice[] = [];
	readMimetype(zip, warnings);
	const manifest = readManifest(zip, warnings);
	const dataFiles = zip.entries.filter((e) => !e.directory && e.name !== 'mimetype' && !e.name.startsWith('META-INF/'));
	const signatureFiles = zip.entries
		.filter((e) => !e.directory && /^META-INF\/[^/]*signatures[^/]*\.xml$/.test(e.name))
		.map((e) => e.name);
	return { zip, dataFiles, manifest, signatureFiles, warnings };
}
