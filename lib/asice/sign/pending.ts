import { isStrictBase64 } from '../../encoding';
import { HASH_ALGORITHMS, digestLength, isHashAlgorithm, type HashAlgorithm } from '../../hash-algorithm';
import type { ZipEntryRecord, ZipWriterState } from '../zip/writer';
import { validateZipEntryName } from '../zip/writer-names';
import type { ReferenceDigestAlgorithm, XadesSignatureScheme } from './algorithms';
import { AsiceBuildError } from './errors';
import { checkMediaType } from './media-types';
import type { ProductionPlace, SignatureParameters, SignedFile } from './signature-xml';
import { dataFileUri } from './uri';
import { isXmlText } from './xml-text';

/** Format tag of {@link PendingSignature}; bumped when the shape changes. */
export const PENDING_FORMAT = 'n8n-nodes-smart-id/asice-pending@1';

/**
 * Everything {@link finalizeSignature} needs, as plain JSON (store it with the pending Smart-ID session).
 * It holds no secret: certificates, digests, names and the path of the partial container.
 */
export interface PendingSignature {
	format: typeof PENDING_FORMAT;
	/** `new`: a fresh container whose data part is already written to `partialContainer`; `append`: add a signature to an existing container. */
	mode: 'new' | 'append';
	/** new: the partial container written by prepare; append: the existing container (left untouched). */
	partialContainer: string;
	/** append only: what the existing container looked like, to refuse finishing if it changed meanwhile. */
	source?: { size: number; centralDirectorySha256: string };
	zip: ZipWriterState;
	/** Entry name of the new signature file, e.g. `META-INF/signatures0.xml`. */
	signatureFile: string;
	parameters: SignatureParameters;
	/** Base64 H(canonical SignedInfo): rebuilt and compared in finalize, so a modified state is detected. */
	digestToSign: string;
}

/** The state came back from storage (a database, a workflow's static data): every field is untrusted. */
function damaged(field: string, problem: string): never {
	throw new AsiceBuildError('ASICE_BUILD_PENDING_INVALID', `${field} ${problem}; the stored signature state is damaged: start the signature again.`, { field });
}

type Obj = Record<string, unknown>;

const has = (o: Obj, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key) && o[key] !== undefined;
const sub = (field: string, key: string): string => (field === 'the state' ? key : `${field}.${key}`);

/** A plain object with exactly the `required` fields and possibly the `optional` ones (an undefined value counts as absent). */
function object(value: unknown, field: string, required: readonly string[], optional: readonly string[] = []): Obj {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) damaged(field, 'is not an object');
	const o = value as Obj;
	for (const key of Object.keys(o)) {
		if (!required.includes(key) && !optional.includes(key) && o[key] !== undefined) damaged(sub(field, key), 'is not a field of this state format');
	}
	for (const key of required) if (!has(o, key)) damaged(sub(field, key), 'is missing');
	return o;
}

function array(value: unknown, field: string, options: { min?: number; max?: number } = {}): unknown[] {
	if (!Array.isArray(value)) damaged(field, 'is not a list');
	if (value.length < (options.min ?? 0)) damaged(field, options.min === 1 ? 'is empty' : `has fewer than ${options.min} items`);
	if (options.max !== undefined && value.length > options.max) damaged(field, `has more than ${options.max} items`);
	return value;
}

function string(value: unknown, field: string, options: { min?: number; max: number; pattern?: RegExp; what?: string }): string {
	if (typeof value !== 'string') damaged(field, 'is not text');
	if (value.length < (options.min ?? 1)) damaged(field, 'is empty');
	if (value.length > options.max) damaged(field, `is longer than ${options.max} characters`);
	if (value.includes('\0')) damaged(field, 'contains a NUL character');
	if (options.pattern && !options.pattern.test(value)) damaged(field, `is not ${options.what ?? 'in the expected form'}`);
	return value;
}

function integer(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) damaged(field, `is not a whole number from 0 to ${max}`);
	return value;
}

function oneOf<T extends string | number>(value: unknown, field: string, allowed: readonly T[]): T {
	if (!allowed.includes(value as T)) damaged(field, `is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
	return value as T;
}

/** Strict Base64; with `bytes`, of exactly that many decoded bytes. */
function base64(value: unknown, field: string, options: { bytes?: number; maxChars: number }): string {
	const s = string(value, field, { max: options.maxChars });
	if (!isStrictBase64(s)) damaged(field, 'is not valid Base64');
	if (options.bytes !== undefined && Buffer.from(s, 'base64').length !== options.bytes) damaged(field, `is not ${options.bytes} bytes long`);
	return s;
}

/** Plain text that goes into the signed XML (what prepare's checkText accepts). */
function xmlText(value: unknown, field: string): string {
	const s = string(value, field, { max: 512 });
	if (!isXmlText(s)) damaged(field, 'contains characters XML does not allow');
	return s;
}

function entryName(value: unknown, field: string): string {
	const s = string(value, field, { max: 0xffff });
	try {
		validateZipEntryName(s);
	} catch {
		damaged(field, 'is not a valid ZIP entry name');
	}
	return s;
}

const HASHES: readonly HashAlgorithm[] = HASH_ALGORITHMS;
const REFERENCE_DIGESTS: readonly ReferenceDigestAlgorithm[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const SCHEMES: readonly XadesSignatureScheme[] = ['rsassa-pss', 'rsassa-pkcs1-v1_5'];
const PLACE_KEYS = ['city', 'streetAddress', 'stateOrProvince', 'postalCode', 'countryName'] as const;
/** prepare writes whole seconds, UTC. */
const SIGNING_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SIGNATURE_FILE = /^META-INF\/[^/]*signatures[^/]*\.xml$/;
/** A certificate or an IssuerSerial far above any real one is not ours. */
const MAX_DER_BASE64 = 96 * 1024;
/** 46-byte fixed part plus name, extra field and comment of up to 64 KiB each. */
const MAX_CENTRAL_BASE64 = Math.ceil((46 + 3 * 0xffff) / 3) * 4;
const MAX_PATH = 4096;

function signedFile(value: unknown, field: string, referenceDigest: ReferenceDigestAlgorithm): SignedFile {
	const f = object(value, field, ['name', 'mimeType', 'uri', 'digest']);
	const name = entryName(f.name, `${field}.name`);
	if (name === 'mimetype' || name.startsWith('META-INF/')) damaged(`${field}.name`, 'names a container control file, not a data file');
	let mimeType: string;
	try {
		mimeType = checkMediaType(f.mimeType, name);
	} catch {
		damaged(`${field}.mimeType`, 'is not a "type/subtype" media type');
	}
	// The URI is derived from the name; a mismatch means one of them was edited.
	const uri = string(f.uri, `${field}.uri`, { max: 3 * 4 * 0xffff });
	if (uri !== dataFileUri(name)) damaged(`${field}.uri`, 'does not match the file name');
	const digest = base64(f.digest, `${field}.digest`, { bytes: digestLength(referenceDigest), maxChars: 100 });
	return { name, mimeType, uri, digest };
}

function parameters(value: unknown): SignatureParameters {
	const field = 'parameters';
	const p = object(value, field, ['idBase', 'signingTime', 'signerCertificate', 'issuerSerial', 'hashAlgorithm', 'signatureScheme', 'referenceDigest', 'files'], ['productionPlace', 'roles']);
	const idBase = string(p.idBase, `${field}.idBase`, { max: 32, pattern: /^[0-9a-f]{32}$/, what: '32 lower-case hex characters' });
	const signingTime = string(p.signingTime, `${field}.signingTime`, { max: 20, pattern: SIGNING_TIME, what: 'a UTC time like 2026-01-02T03:04:05Z' });
	const time = new Date(signingTime);
	if (Number.isNaN(time.getTime()) || time.toISOString().replace(/\.000Z$/, 'Z') !== signingTime) damaged(`${field}.signingTime`, 'is not a real date and time');
	const signerCertificate = base64(p.signerCertificate, `${field}.signerCertificate`, { maxChars: MAX_DER_BASE64 });
	const issuerSerial = base64(p.issuerSerial, `${field}.issuerSerial`, { maxChars: MAX_DER_BASE64 });
	if (!isHashAlgorithm(p.hashAlgorithm)) damaged(`${field}.hashAlgorithm`, `is not one of ${HASHES.join(', ')}`);
	const hashAlgorithm = p.hashAlgorithm;
	const signatureScheme = oneOf(p.signatureScheme, `${field}.signatureScheme`, SCHEMES);
	if (signatureScheme === 'rsassa-pkcs1-v1_5' && !REFERENCE_DIGESTS.includes(hashAlgorithm as ReferenceDigestAlgorithm)) {
		damaged(`${field}.hashAlgorithm`, 'is a SHA-3 hash, which RSA PKCS#1 v1.5 signatures do not use');
	}
	const referenceDigest = oneOf(p.referenceDigest, `${field}.referenceDigest`, REFERENCE_DIGESTS);
	const seen = new Set<string>();
	const files = array(p.files, `${field}.files`, { min: 1 }).map((f, i) => {
		const file = signedFile(f, `${field}.files[${i}]`, referenceDigest);
		if (seen.has(file.name)) damaged(`${field}.files[${i}].name`, 'repeats an earlier file name');
		seen.add(file.name);
		return file;
	});
	const out: SignatureParameters = { idBase, signingTime, signerCertificate, issuerSerial, hashAlgorithm, signatureScheme, referenceDigest, files };
	if (has(p, 'productionPlace')) {
		const placeField = `${field}.productionPlace`;
		const place = object(p.productionPlace, placeField, [], PLACE_KEYS);
		const productionPlace: ProductionPlace = {};
		// prepare leaves out empty parts and an empty place altogether.
		for (const key of PLACE_KEYS) if (has(place, key)) productionPlace[key] = xmlText(place[key], `${placeField}.${key}`);
		if (Object.keys(productionPlace).length === 0) damaged(placeField, 'is empty');
		out.productionPlace = productionPlace;
	}
	if (has(p, 'roles')) out.roles = array(p.roles, `${field}.roles`, { min: 1 }).map((r, i) => xmlText(r, `${field}.roles[${i}]`));
	return out;
}

function zipEntry(value: unknown, field: string): ZipEntryRecord {
	const e = object(value, field, ['name', 'method', 'crc32', 'compressedSize', 'size', 'offset', 'dosTime', 'dosDate', 'flags']);
	return {
		name: entryName(e.name, `${field}.name`),
		method: oneOf(e.method, `${field}.method`, [0, 8] as const),
		crc32: integer(e.crc32, `${field}.crc32`, 0xffffffff),
		compressedSize: integer(e.compressedSize, `${field}.compressedSize`),
		size: integer(e.size, `${field}.size`),
		offset: integer(e.offset, `${field}.offset`),
		dosTime: integer(e.dosTime, `${field}.dosTime`, 0xffff),
		dosDate: integer(e.dosDate, `${field}.dosDate`, 0xffff),
		flags: integer(e.flags, `${field}.flags`, 0xffff),
	};
}

function zipState(value: unknown, mode: PendingSignature['mode']): ZipWriterState {
	const z = object(value, 'zip', ['position', 'entries', 'rawCentral', 'names']);
	const position = integer(z.position, 'zip.position');
	// new: prepare wrote mimetype, manifest and the data files itself; append: it copies the existing central directory.
	const entries = array(z.entries, 'zip.entries', mode === 'new' ? { min: 2 } : { max: 0 }).map((e, i) => zipEntry(e, `zip.entries[${i}]`));
	const rawCentral = array(z.rawCentral, 'zip.rawCentral', mode === 'append' ? { min: 1 } : { max: 0 }).map((r, i) => base64(r, `zip.rawCentral[${i}]`, { maxChars: MAX_CENTRAL_BASE64 }));
	const names = array(z.names, 'zip.names', { min: 1 }).map((n, i) => string(n, `zip.names[${i}]`, { max: 0xffff }));
	const nameSet = new Set(names);
	if (nameSet.size !== names.length) damaged('zip.names', 'lists a name twice');
	let end = 0;
	entries.forEach((e, i) => {
		if (!nameSet.has(e.name)) damaged(`zip.entries[${i}].name`, 'is not in zip.names');
		if (e.offset < end || e.offset + e.compressedSize > position) damaged(`zip.entries[${i}].offset`, 'does not fit between the previous entry and zip.position');
		end = e.offset + e.compressedSize;
	});
	if (mode === 'new') {
		if (entries[0].name !== 'mimetype') damaged('zip.entries[0].name', 'is not "mimetype"');
		// The writer's names are exactly the entries it wrote.
		if (names.length !== entries.length) damaged('zip.names', 'does not list exactly the written entries');
	}
	return { position, entries, rawCentral, names };
}

function parseJson(input: unknown): unknown {
	if (typeof input !== 'string') return input;
	try {
		return JSON.parse(input) as unknown;
	} catch {
		damaged('the state', 'is not JSON');
	}
}

/**
 * Parse and check a pending state that came back from storage (JSON text or object): every field, nested
 * ones included, must have the type, form and length prepare writes, so {@link finalizeSignature} never sees a
 * malformed state. Returns a fresh copy holding only the checked fields.
 * @throws AsiceBuildError `ASICE_BUILD_PENDING_INVALID` naming the first broken field.
 */
export function parsePendingSignature(input: unknown): PendingSignature {
	const s = object(parseJson(input), 'the state', ['format', 'mode', 'partialContainer', 'zip', 'signatureFile', 'parameters', 'digestToSign'], ['source']);
	if (s.format !== PENDING_FORMAT) damaged('format', `is not ${JSON.stringify(PENDING_FORMAT)}`);
	const mode = oneOf(s.mode, 'mode', ['new', 'append'] as const);
	const partialContainer = string(s.partialContainer, 'partialContainer', { max: MAX_PATH });
	let source: PendingSignature['source'];
	if (mode === 'append') {
		if (!has(s, 'source')) damaged('source', 'is missing (an added signature must record the container it extends)');
		const src = object(s.source, 'source', ['size', 'centralDirectorySha256']);
		source = {
			size: integer(src.size, 'source.size'),
			centralDirectorySha256: string(src.centralDirectorySha256, 'source.centralDirectorySha256', { max: 64, pattern: /^[0-9a-f]{64}$/, what: 'a SHA-256 in lower-case hex' }),
		};
	} else if (has(s, 'source')) {
		damaged('source', 'is set for a new container');
	}
	const zip = zipState(s.zip, mode);
	const signatureFile = string(s.signatureFile, 'signatureFile', { max: 255, pattern: SIGNATURE_FILE, what: 'a META-INF signature file name' });
	if (zip.names.includes(signatureFile)) damaged('signatureFile', 'is already in the container');
	const params = parameters(s.parameters);
	params.files.forEach((f, i) => {
		if (!zip.names.includes(f.name)) damaged(`parameters.files[${i}].name`, 'is not in the container');
	});
	const digestToSign = base64(s.digestToSign, 'digestToSign', { bytes: digestLength(params.hashAlgorithm), maxChars: 100 });
	return { format: PENDING_FORMAT, mode, partialContainer, ...(source ? { source } : {}), zip, signatureFile, parameters: params, digestToSign };
}
