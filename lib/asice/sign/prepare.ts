import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { Element } from '@xmldom/xmldom';
import { nodeHashName, type HashAlgorithm } from '../../hash-algorithm';
import { NS, childElements, parseXmlSafely } from '../xml';
import { FileSink, ZipWriter, type ZipCompression, type ZipWriterState } from '../zip/writer';
import { openZipEntry, readZipLayout, type ExistingZipEntry } from '../zip/writer-append';
import { validateZipEntryName } from '../zip/writer-names';
import { checkHashAlgorithm, checkReferenceDigest, checkSignatureScheme, type ReferenceDigestAlgorithm, type XadesSignatureScheme } from './algorithms';
import { AsiceBuildError } from './errors';
import { ASICE_MIMETYPE, manifestXml } from './manifest';
import { checkMediaType, compressionFor, guessMediaType } from './media-types';
import { PENDING_FORMAT, type PendingSignature } from './pending';
import { buildSignedParts } from './signed-info';
import { certificateFrom, checkRsaSigner, issuerSerialV2, type CertificateLike } from './signer-certificate';
import type { ProductionPlace, SignatureParameters, SignedFile } from './signature-xml';
import { dataFileUri } from './uri';
import { isXmlText } from './xml-text';

/** One data file to sign. Exactly one of `path`, `data` or `stream` gives the bytes; each is read once. */
export interface DataFileInput {
	/** Name inside the container (flat: no `/`). */
	name: string;
	/** Media type (`type/subtype`); guessed from the extension when absent. */
	mimeType?: string;
	path?: string;
	data?: Buffer | Uint8Array | string;
	/** Called once; the stream is consumed in one pass. */
	stream?: () => Readable | AsyncIterable<Buffer | Uint8Array>;
	/** Size in bytes when known (checked after reading). */
	size?: number;
	/** Override the media-type based choice (already-compressed types are stored, the rest deflated). */
	compression?: ZipCompression;
}

/** Options shared by new containers and added signatures. */
export interface PrepareCommonOptions {
	/** The signer's certificate (Smart-ID: from the certificate-by-document or certificate-choice session). */
	signerCertificate: CertificateLike;
	/** Hash of the signature (Smart-ID `hashAlgorithm`); default SHA-256. */
	hashAlgorithm?: HashAlgorithm;
	/** Default `rsassa-pss` (Smart-ID v3). */
	signatureScheme?: XadesSignatureScheme;
	/** Digest of data-file references and of the signing certificate; default SHA-256. */
	referenceDigest?: ReferenceDigestAlgorithm;
	productionPlace?: ProductionPlace;
	/** Claimed signer roles (xades:SignerRoleV2/ClaimedRoles). */
	roles?: string[];
	/** Claimed signing time (default now); written in whole seconds, UTC. */
	signingTime?: Date;
}

/** Prepare a signature for a new container holding `files`. */
export interface PrepareNewOptions extends PrepareCommonOptions {
	files: DataFileInput[];
	/** Where the partial container is written (default a new file in the OS temp directory). */
	workFile?: string;
	/** Refuse 0-byte files like DigiDoc4j ("Cannot sign empty datafile"); default false (they are signed, with a warning). */
	refuseEmptyFiles?: boolean;
}

/** Prepare one more signature over the data files of an existing ASiC-E container (left untouched). */
export interface PrepareAppendOptions extends PrepareCommonOptions {
	container: string;
}

/** Result of {@link prepareSignature}. */
export interface PreparedXadesSignature {
	/** Base64 H(canonical SignedInfo): send as Smart-ID `signatureProtocolParameters.digest`. */
	digestToSign: string;
	hashAlgorithm: HashAlgorithm;
	signatureScheme: XadesSignatureScheme;
	/** JSON-serializable state for {@link finalizeSignature}. */
	pending: PendingSignature;
	/** Non-fatal remarks (e.g. an empty data file). */
	warnings: string[];
}

/** @deprecated Old name of {@link PreparedXadesSignature} (nodes/ and lib/index.ts import it); use the new name. */
export type PreparedSignature = PreparedXadesSignature;

function invalid(message: string, details: Record<string, unknown> = {}): never {
	throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', message, details);
}

function checkDataFileName(name: string): void {
	validateZipEntryName(name);
	if (name.includes('/')) invalid(`The file name ${JSON.stringify(name)} contains "/"; container data files must have flat names (DigiDoc4 refuses sub-folders).`, { file: name });
	if (name === 'mimetype' || name.toLowerCase() === 'meta-inf') invalid(`The file name ${JSON.stringify(name)} is reserved in ASiC-E containers; rename the file.`, { file: name });
}

function checkText(value: string, what: string): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > 512 || !isXmlText(value)) {
		invalid(`${what} must be 1-512 characters of plain text (no control characters).`);
	}
	return value;
}

function commonParameters(options: PrepareCommonOptions): Omit<SignatureParameters, 'files'> {
	const cert = certificateFrom(options.signerCertificate, 'The signer certificate');
	checkRsaSigner(cert);
	const hashAlgorithm = checkHashAlgorithm(options.hashAlgorithm ?? 'SHA-256', 'hashAlgorithm');
	const signatureScheme = checkSignatureScheme(options.signatureScheme ?? 'rsassa-pss');
	const referenceDigest = checkReferenceDigest(options.referenceDigest ?? 'SHA-256');
	const time = options.signingTime ?? new Date();
	if (!(time instanceof Date) || Number.isNaN(time.getTime())) invalid('signingTime must be a valid date.');
	let productionPlace: ProductionPlace | undefined;
	if (options.productionPlace) {
		productionPlace = {};
		for (const key of ['city', 'streetAddress', 'stateOrProvince', 'postalCode', 'countryName'] as const) {
			const v = options.productionPlace[key];
			if (v !== undefined && v !== '') productionPlace[key] = checkText(v, `productionPlace.${key}`);
		}
		if (Object.keys(productionPlace).length === 0) productionPlace = undefined;
	}
	const roles = options.roles?.filter((r) => r !== '').map((r, i) => checkText(r, `roles[${i}]`));
	return {
		idBase: randomBytes(16).toString('hex'),
		signingTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
		signerCertificate: cert.raw.toString('base64'),
		issuerSerial: issuerSerialV2(cert).toString('base64'),
		hashAlgorithm,
		signatureScheme,
		referenceDigest,
		...(productionPlace ? { productionPlace } : {}),
		...(roles && roles.length > 0 ? { roles } : {}),
	};
}

async function sourceOf(file: DataFileInput): Promise<{ source: Readable | AsyncIterable<Buffer | Uint8Array>; size?: number }> {
	const given = [file.path !== undefined, file.data !== undefined, file.stream !== undefined].filter(Boolean).length;
	if (given !== 1) invalid(`Give exactly one of path, data or stream for ${JSON.stringify(file.name)}.`, { file: file.name });
	if (file.path !== undefined) {
		let stat;
		try {
			stat = await fsp.stat(file.path);
		} catch (error) {
			throw new AsiceBuildError('ASICE_BUILD_INVALID_INPUT', `Cannot read ${JSON.stringify(file.path)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { file: file.name }, error);
		}
		if (!stat.isFile()) invalid(`${JSON.stringify(file.path)} is not a regular file.`, { file: file.name });
		return { source: createReadStream(file.path, { highWaterMark: 1 << 20 }), size: stat.size };
	}
	if (file.data !== undefined) {
		const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : Buffer.from(file.data);
		return { source: Readable.from([data]), size: data.length };
	}
	return { source: (file.stream as () => Readable | AsyncIterable<Buffer | Uint8Array>)(), size: file.size };
}

async function finishPrepare(pending: Omit<PendingSignature, 'digestToSign' | 'format'>, warnings: string[]): Promise<PreparedXadesSignature> {
	const parts = buildSignedParts(pending.parameters);
	const digestToSign = parts.digestToSign.toString('base64');
	return {
		digestToSign,
		hashAlgorithm: pending.parameters.hashAlgorithm,
		signatureScheme: pending.parameters.signatureScheme,
		pending: { format: PENDING_FORMAT, ...pending, digestToSign },
		warnings,
	};
}

/**
 * Phase 1 of signing. For a new container, streams every data file once (hash + compress) into a partial
 * container; for `container`, hashes the existing data files. Returns the digest to sign and the state for
 * {@link finalizeSignature}.
 */
export async function prepareSignature(options: PrepareNewOptions | PrepareAppendOptions): Promise<PreparedXadesSignature> {
	if ('container' in options && options.container !== undefined) return prepareAppend(options);
	return prepareNew(options as PrepareNewOptions);
}

async function prepareNew(options: PrepareNewOptions): Promise<PreparedXadesSignature> {
	if (!Array.isArray(options.files) || options.files.length === 0) invalid('Give at least one file to sign.');
	const common = commonParameters(options);
	const seen = new Set<string>();
	const files = options.files.map((f) => {
		checkDataFileName(f.name);
		if (seen.has(f.name)) invalid(`Two files are named ${JSON.stringify(f.name)}; names in a container must be unique.`, { file: f.name });
		seen.add(f.name);
		return { input: f, mimeType: checkMediaType(f.mimeType ?? guessMediaType(f.name), f.name) };
	});
	const workFile = options.workFile ?? path.join(os.tmpdir(), `smart-id-asice-${common.idBase}.partial`);
	const writer = new ZipWriter(await FileSink.open(workFile), { date: new Date(common.signingTime) });
	const warnings: string[] = [];
	const signed: SignedFile[] = [];
	try {
		await writer.addMimetype(ASICE_MIMETYPE);
		await writer.addBuffer('META-INF/manifest.xml', Buffer.from(manifestXml(files.map((f) => ({ name: f.input.name, mimeType: f.mimeType }))), 'utf8'));
		for (const { input, mimeType } of files) {
			const { source, size } = await sourceOf(input);
			const added = await writer.addStream(input.name, source, {
				compression: input.compression ?? compressionFor(mimeType),
				digests: [common.referenceDigest],
				expectedSize: size,
			});
			if (added.record.size === 0) {
				if (options.refuseEmptyFiles) invalid(`${JSON.stringify(input.name)} is empty; empty files cannot be signed with this setting.`, { file: input.name });
				warnings.push(`Data file ${JSON.stringify(input.name)} is empty; DigiDoc4j reports a warning for empty data files.`);
			}
			signed.push({ name: input.name, mimeType, uri: dataFileUri(input.name), digest: (added.digests[common.referenceDigest] as Buffer).toString('base64') });
		}
	} catch (error) {
		await writer.abort();
		await fsp.rm(workFile, { force: true });
		throw error;
	}
	// Close the partial file without a central directory; finalize reopens it (possibly in another process).
	const state: ZipWriterState = await writer.suspend();
	return finishPrepare({ mode: 'new', partialContainer: workFile, zip: state, signatureFile: 'META-INF/signatures0.xml', parameters: { ...common, files: signed } }, warnings);
}

async function readSmallEntry(container: string, entry: ExistingZipEntry, limit: number): Promise<Buffer> {
	const stream = await openZipEntry(container, entry, limit);
	const parts: Buffer[] = [];
	for await (const chunk of stream) parts.push(chunk as Buffer);
	return Buffer.concat(parts);
}

/** SHA-256 over the central directory records: a cheap fingerprint of an existing container's layout. */
export function centralDirectoryFingerprint(entries: ExistingZipEntry[]): string {
	const hash = createHash('sha256');
	for (const e of entries) hash.update(e.central);
	return hash.digest('hex');
}

async function prepareAppend(options: PrepareAppendOptions): Promise<PreparedXadesSignature> {
	const common = commonParameters(options);
	const container = options.container;
	const layout = await readZipLayout(container);
	const entries = layout.entries;
	if (entries.length === 0 || entries[0].name !== 'mimetype') invalid(`${container} does not start with a "mimetype" entry; it is not an ASiC-E container this tool can extend.`);
	const mimetype = (await readSmallEntry(container, entries[0], 1024)).toString('utf8').trim();
	if (mimetype !== ASICE_MIMETYPE) invalid(`${container} has mimetype ${JSON.stringify(mimetype)}, not ${ASICE_MIMETYPE}.`);
	const names = new Set<string>();
	for (const e of entries) {
		if (names.has(e.name)) invalid(`${container} has two entries named ${JSON.stringify(e.name)}; refusing to sign it.`);
		names.add(e.name);
	}
	const manifests = entries.filter((e) => e.name === 'META-INF/manifest.xml');
	if (manifests.length !== 1) invalid(`${container} must have exactly one META-INF/manifest.xml.`);
	const manifest = parseXmlSafely(await readSmallEntry(container, manifests[0], 4 << 20));
	const mediaTypes = new Map<string, string>();
	for (const el of childElements(manifest.documentElement as unknown as Element, NS.manifest, 'file-entry')) {
		const fullPath = el.getAttributeNS(NS.manifest, 'full-path');
		const type = el.getAttributeNS(NS.manifest, 'media-type');
		if (fullPath && fullPath !== '/' && !fullPath.endsWith('/')) mediaTypes.set(fullPath, type ?? '');
	}
	const dataEntries = entries.filter((e) => e.name !== 'mimetype' && !e.name.startsWith('META-INF/') && !e.name.endsWith('/'));
	if (dataEntries.length === 0) invalid(`${container} has no data files to sign.`);
	for (const e of dataEntries) {
		validateZipEntryName(e.name);
		if (!mediaTypes.has(e.name)) invalid(`${container}: ${JSON.stringify(e.name)} is not listed in the manifest; the container is inconsistent.`);
	}
	for (const listed of mediaTypes.keys()) {
		if (!names.has(listed)) invalid(`${container}: the manifest lists ${JSON.stringify(listed)} but the ZIP has no such file.`);
	}
	const signed: SignedFile[] = [];
	const warnings: string[] = [];
	for (const e of dataEntries) {
		const hash = createHash(nodeHashName(common.referenceDigest));
		for await (const chunk of await openZipEntry(container, e)) hash.update(chunk as Buffer);
		if (e.size === 0) warnings.push(`Data file ${JSON.stringify(e.name)} is empty; DigiDoc4j reports a warning for empty data files.`);
		signed.push({ name: e.name, mimeType: checkMediaType(mediaTypes.get(e.name), e.name), uri: dataFileUri(e.name), digest: hash.digest('base64') });
	}
	const numbers = entries.map((e) => /^META-INF\/signatures(\d+)\.xml$/.exec(e.name)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
	let n = numbers.length > 0 ? Math.max(...numbers) + 1 : 0;
	while (names.has(`META-INF/signatures${n}.xml`)) n++;
	const zip: ZipWriterState = {
		position: layout.centralDirectoryOffset,
		entries: [],
		rawCentral: entries.map((e) => e.central.toString('base64')),
		names: [...names],
	};
	return finishPrepare(
		{
			mode: 'append',
			partialContainer: path.resolve(container),
			source: { size: layout.fileSize, centralDirectorySha256: centralDirectoryFingerprint(entries) },
			zip,
			signatureFile: `META-INF/signatures${n}.xml`,
			parameters: { ...common, files: signed },
		},
		warnings,
	);
}
