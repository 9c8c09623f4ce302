import { isStrictBase64 } from '../encoding';
import { PdfSignError } from './errors';
import type { PdfHashAlgorithm } from './cms';
import { MAX_CONTENTS_BYTES } from './signature-revision';

/** Format tag of {@link PdfPendingSignature}; bumped when the shape changes. */
export const PDF_PENDING_FORMAT = 'n8n-nodes-smart-id/pdf-pending@1';

/** PAdES baseline level: B-T (signature timestamp), B-LT (+ DSS with certificates and OCSP), B-LTA (+ document timestamp). */
export type PadesLevel = 'B-T' | 'B-LT' | 'B-LTA';

/**
 * Everything {@link finalizePdfSignature} needs, as plain JSON (store it with the pending Smart-ID session). No
 * secret: certificates, digests, offsets and the path of the partial file (input + prepared update).
 */
export interface PdfPendingSignature {
	format: typeof PDF_PENDING_FORMAT;
	/** The partial output: the input bytes, then the update with a zero-filled /Contents. */
	partialFile: string;
	/** Its size when prepared; finalize refuses a file of another size. */
	partialSize: number;
	/** Size of the input, i.e. where the new revision starts. */
	inputSize: number;
	byteRange: [number, number, number, number];
	/** Bytes /Contents can hold. */
	contentsBytes: number;
	hashAlgorithm: PdfHashAlgorithm;
	signatureScheme: 'rsassa-pss';
	level: PadesLevel;
	fieldName: string;
	/** Base64 H(ByteRange bytes), the message-digest attribute. */
	messageDigest: string;
	/** Base64 DER. */
	signerCertificate: string;
	/** Base64 DER of the further certificates put into the CMS (the issuer chain). */
	certificates: string[];
	/** The /M time, ISO 8601 UTC whole seconds. */
	signingTime: string;
	/** Base64 H(DER signed attributes): rebuilt and compared in finalize, so a modified state is detected. */
	digestToSign: string;
}

type Obj = Record<string, unknown>;

function damaged(field: string, problem: string): never {
	throw new PdfSignError('PDF_PENDING_INVALID', `${field} ${problem}; the stored PDF signature state is damaged: start the signature again.`, { field });
}

const KEYS = ['format', 'partialFile', 'partialSize', 'inputSize', 'byteRange', 'contentsBytes', 'hashAlgorithm', 'signatureScheme', 'level', 'fieldName', 'messageDigest', 'signerCertificate', 'certificates', 'signingTime', 'digestToSign'] as const;
const HASH_BYTES: Record<PdfHashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const MAX_DER_BASE64 = 96 * 1024;

function int(v: unknown, field: string, min = 0): number {
	if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) damaged(field, `is not a whole number of at least ${min}`);
	return v;
}

function text(v: unknown, field: string, max: number, pattern?: RegExp): string {
	if (typeof v !== 'string' || v.length === 0) damaged(field, 'is not non-empty text');
	if (v.length > max) damaged(field, `is longer than ${max} characters`);
	if (v.includes('\0')) damaged(field, 'contains a NUL character');
	if (pattern && !pattern.test(v)) damaged(field, 'is not in the expected form');
	return v;
}

function b64(v: unknown, field: string, bytes?: number): string {
	const s = text(v, field, MAX_DER_BASE64);
	if (!isStrictBase64(s)) damaged(field, 'is not valid Base64');
	if (bytes !== undefined && Buffer.from(s, 'base64').length !== bytes) damaged(field, `is not ${bytes} bytes long`);
	return s;
}

/**
 * Parse and check a pending PDF signature state that came back from storage (JSON text or object): exactly the
 * fields prepare writes, each with its type, form and range, and offsets that fit together.
 * @throws PdfSignError `PDF_PENDING_INVALID` naming the first broken field.
 */
export function parsePdfPendingSignature(input: unknown): PdfPendingSignature {
	let value = input;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value) as unknown;
		} catch {
			damaged('the state', 'is not JSON');
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) damaged('the state', 'is not an object');
	const s = value as Obj;
	for (const key of Object.keys(s)) if (!(KEYS as readonly string[]).includes(key) && s[key] !== undefined) damaged(key, 'is not a field of this state format');
	for (const key of KEYS) if (s[key] === undefined) damaged(key, 'is missing');
	if (s.format !== PDF_PENDING_FORMAT) damaged('format', `is not ${JSON.stringify(PDF_PENDING_FORMAT)}`);
	const hashAlgorithm = s.hashAlgorithm as PdfHashAlgorithm;
	if (!(hashAlgorithm in HASH_BYTES)) damaged('hashAlgorithm', 'is not SHA-256, SHA-384 or SHA-512');
	if (s.signatureScheme !== 'rsassa-pss') damaged('signatureScheme', 'is not "rsassa-pss"');
	if (s.level !== 'B-T' && s.level !== 'B-LT' && s.level !== 'B-LTA') damaged('level', 'is not B-T, B-LT or B-LTA');
	const partialFile = text(s.partialFile, 'partialFile', 4096);
	const partialSize = int(s.partialSize, 'partialSize', 1);
	const inputSize = int(s.inputSize, 'inputSize', 1);
	const contentsBytes = int(s.contentsBytes, 'contentsBytes', 1024);
	if (contentsBytes > MAX_CONTENTS_BYTES) damaged('contentsBytes', `is above ${MAX_CONTENTS_BYTES}`);
	if (!Array.isArray(s.byteRange) || s.byteRange.length !== 4) damaged('byteRange', 'is not four numbers');
	const br = s.byteRange.map((n, i) => int(n, `byteRange[${i}]`)) as [number, number, number, number];
	if (br[0] !== 0 || br[1] <= inputSize || br[2] !== br[1] + 2 + 2 * contentsBytes || br[2] + br[3] !== partialSize || inputSize >= partialSize) {
		damaged('byteRange', 'does not fit the input size, the /Contents size and the partial file size');
	}
	const fieldName = text(s.fieldName, 'fieldName', 1024);
	const messageDigest = b64(s.messageDigest, 'messageDigest', HASH_BYTES[hashAlgorithm]);
	const signerCertificate = b64(s.signerCertificate, 'signerCertificate');
	if (!Array.isArray(s.certificates) || s.certificates.length > 16) damaged('certificates', 'is not a list of at most 16 certificates');
	const certificates = s.certificates.map((c, i) => b64(c, `certificates[${i}]`));
	const signingTime = text(s.signingTime, 'signingTime', 20, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
	if (new Date(signingTime).toISOString().replace(/\.000Z$/, 'Z') !== signingTime) damaged('signingTime', 'is not a real date and time');
	const digestToSign = b64(s.digestToSign, 'digestToSign', HASH_BYTES[hashAlgorithm]);
	return {
		format: PDF_PENDING_FORMAT,
		partialFile,
		partialSize,
		inputSize,
		byteRange: br,
		contentsBytes,
		hashAlgorithm,
		signatureScheme: 'rsassa-pss',
		level: s.level,
		fieldName,
		messageDigest,
		signerCertificate,
		certificates,
		signingTime,
		digestToSign,
	};
}
