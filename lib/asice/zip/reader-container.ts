import { parseXmlSafely, NS, childElements, XmlParseError } from '../xml';
import { readZip, type ZipArchive, type ZipEntry, type ZipLimits } from './reader';
import type { ContainerFindingCode } from '../verify/codes';
import { ContainerReadError } from './reader-error';

const MANIFEST = 'META-INF/manifest.xml';
/** Signature files: META-INF/<anything>signatures<anything>.xml, not in a sub-folder (spec §1.4). */
const SIGNATURE_FILE = /^META-INF\/[^/]*signatures[^/]*\.xml$/;

/** The ASiC-E mimetype value. */
export const ASICE_MIMETYPE = 'application/vnd.etsi.asic-e+zip';

/** A non-fatal finding about the container layout. */
export interface ContainerNotice {
	/** One of the verifier's container codes (lib/asice/verify/codes.ts). */
	code: ContainerFindingCode;
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
	/** Entries under META-INF/ that are neither the manifest nor a signature file (no signature covers them). */
	otherMetaInf: ZipEntry[];
	/** Layout errors that make the container invalid but still let its signatures be verified and reported. */
	errors: ContainerNotice[];
	/** Layout findings that do not prevent validation (DigiDoc4j-compatible leniency). */
	warnings: ContainerNotice[];
}

/**
 * The name a file gets on a file system that folds case, Unicode normalisation and trailing dots/spaces
 * (Windows, macOS), and where "name:stream" writes into "name" (NTFS alternate data streams): two entries with the
 * same key overwrite each other, or hide in one another, when extracted.
 */
export function extractionKey(name: string): string {
	return name
		.normalize('NFC')
		.split('/')
		.map((seg) => seg.replace(/:.*$/, '').replace(/[. ]+$/, ''))
		.join('/')
		.toLowerCase();
}

/** Pairs of distinct entries that would land on the same path (or a file where another needs a folder). */
function nameCollisions(zip: ZipArchive): ContainerNotice[] {
	const out: ContainerNotice[] = [];
	const files = new Map<string, string>();
	const dirs = new Map<string, string>();
	for (const e of zip.entries) {
		const key = extractionKey(e.directory ? e.name.slice(0, -1) : e.name);
		const segs = key.split('/');
		for (let i = 1; i < segs.length; i++) if (!dirs.has(segs.slice(0, i).join('/'))) dirs.set(segs.slice(0, i).join('/'), e.name);
		if (e.directory) {
			if (!dirs.has(key)) dirs.set(key, e.name);
			continue;
		}
		const other = files.get(key);
		if (other !== undefined) {
			out.push({ code: 'ENTRY_NAME_COLLISION', message: `Entries "${other}" and "${e.name}" extract to the same file (case, Unicode normalisation or trailing dot/space); one would silently replace the other.` });
		} else files.set(key, e.name);
	}
	for (const [key, name] of files) {
		const d = dirs.get(key);
		if (d !== undefined) out.push({ code: 'ENTRY_NAME_COLLISION', message: `Entry "${name}" extracts to the path entry "${d}" needs as a folder.` });
	}
	return out;
}

function readMimetype(zip: ZipArchive, errors: ContainerNotice[], warnings: ContainerNotice[]): void {
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
	// DigiDoc4j reads containers where mimetype is not first; libdigidocpp refuses ("required mimetype not found"),
	// and so do we: the file type is recognised by "mimetype" at offset 0 (spec §1.1). The signatures are still reported.
	if (entry.offset !== 0) {
		errors.push({ code: 'MIMETYPE_NOT_FIRST', message: `The mimetype entry is not the first entry of the ZIP (it starts at offset ${entry.offset}, not 0).` });
	}
	if (entry.method !== 0) warnings.push({ code: 'MIMETYPE_COMPRESSED', message: 'The mimetype entry is compressed; it should be stored.' });
	if (entry.localExtraLength !== 0) warnings.push({ code: 'MIMETYPE_EXTRA_FIELD', message: 'The mimetype entry carries a ZIP extra field.' });
}

function readManifest(zip: ZipArchive, warnings: ContainerNotice[]): Map<string, string> {
	const entry = zip.get(MANIFEST);
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
	const errors: ContainerNotice[] = nameCollisions(zip);
	readMimetype(zip, errors, warnings);
	const manifest = readManifest(zip, warnings);
	const dataFiles = zip.entries.filter((e) => !e.directory && e.name !== 'mimetype' && !e.name.startsWith('META-INF/'));
	const signatureFiles = zip.entries.filter((e) => !e.directory && SIGNATURE_FILE.test(e.name)).map((e) => e.name);
	const otherMetaInf = zip.entries.filter((e) => !e.directory && e.name.startsWith('META-INF/') && e.name !== MANIFEST && !SIGNATURE_FILE.test(e.name));
	return { zip, dataFiles, manifest, signatureFiles, otherMetaInf, errors, warnings };
}
