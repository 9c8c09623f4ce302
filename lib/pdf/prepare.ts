import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodeHash, signedAttributes, type PdfHashAlgorithm } from './cms';
import { checkSigningAllowed } from './doc-mdp';
import { PdfDocument } from './document';
import { PdfSignError } from './errors';
import { pdfDate, textString, type PdfObject } from './objects';
import { PDF_PENDING_FORMAT, type PadesLevel, type PdfPendingSignature } from './pending';
import { buildSignatureRevision, cadesSignatureEntries } from './signature-revision';
import { copyAndHash, hashFile } from './stream-hash';
import { placeVisibleSignature, type VisibleSignatureOptions, type WidgetPlacement } from './visible/placement';

/** A certificate as node object, DER bytes, PEM text or Base64 DER text. */
export type PdfCertificateLike = X509Certificate | Buffer | Uint8Array | string;

/** Options of {@link preparePdfSignature}. */
export interface PreparePdfOptions {
	/** Hash of the message digest and of the signature (default SHA-256). */
	hashAlgorithm?: PdfHashAlgorithm;
	/** B-T (default): signature timestamp; B-LT: plus DSS with certificates, OCSP and VRI; B-LTA: plus a document timestamp. */
	level?: PadesLevel;
	/** Sign this existing empty signature field; default: add a new invisible field `Signature<n>`. */
	fieldName?: string;
	/** Optional /Reason, /Location, /ContactInfo and /Name of the signature dictionary. */
	reason?: string;
	location?: string;
	contactInfo?: string;
	name?: string;
	/** Issuer chain to put into the CMS (recommended: the signer's CA). */
	certificates?: PdfCertificateLike[];
	/** Bytes reserved for the CMS in /Contents (default 32 768; the hex string is twice that). */
	contentsBytes?: number;
	/** The /M time (default now), whole seconds. */
	signingTime?: Date;
	/** Where the partial file goes (default a new file in the system temp folder). */
	partialFile?: string;
	/** A visible signature (signature page or box); default invisible. Not with `fieldName`. */
	visible?: VisibleSignatureOptions;
	/**
	 * Write no partial file: hash the input where it lies and return only the update (`update`) plus the input's
	 * SHA-256, for callers that keep the input elsewhere (an n8n binary on disk). The partial file to finish is then
	 * the input followed by `update`; `pending.partialFile` names the input until the caller builds it.
	 */
	updateOnly?: boolean;
}

/** Result of {@link preparePdfSignature}. */
export interface PreparedPdfSignature {
	/** Base64 digest for the remote signer (Smart-ID RAW_DIGEST_SIGNATURE): H(DER signed attributes). */
	digestToSign: string;
	hashAlgorithm: PdfHashAlgorithm;
	signatureScheme: 'rsassa-pss';
	/** The JSON-safe state for {@link finalizePdfSignature}. */
	pending: PdfPendingSignature;
	/** What a visible signature shows: its reference letter and signer name. */
	visible?: { letter: string; name: string; personalCodeShown: boolean };
	/** With `updateOnly`: the bytes that follow the input (the new revision with its zero-filled /Contents). */
	update?: Buffer;
	/** With `updateOnly`: Base64 SHA-256 of the input as it was hashed. */
	inputSha256?: string;
}

/** Parse one certificate from any {@link PdfCertificateLike}. */
export function pdfCertificate(input: PdfCertificateLike, what: string): X509Certificate {
	if (input instanceof X509Certificate) return input;
	try {
		if (typeof input === 'string') {
			const body = input.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
			return new X509Certificate(Buffer.from(body, 'base64'));
		}
		return new X509Certificate(Buffer.from(input));
	} catch (error) {
		throw new PdfSignError('PDF_INVALID_INPUT', `${what} is not a readable X.509 certificate (PEM, DER or Base64 DER).`, { what }, error);
	}
}

/** Room the CMS needs beyond its certificates: attributes, RSA signature, and a timestamp token with its TSA chain. */
const CMS_OVERHEAD = 1024 + 512 + 12 * 1024;

/**
 * Phase 1 of signing a PDF (PAdES, SubFilter ETSI.CAdES.detached): read the input's structure from its tail,
 * stream the input into a partial file while hashing it, append an incremental update with the signature
 * dictionary (a zero-filled /Contents), field, widget and form changes, and return the digest of the signed
 * attributes for the remote signer with a JSON state. The input is never modified; an encrypted or unreadable
 * input is refused before anything is written.
 */
export async function preparePdfSignature(input: string | Uint8Array, signerCertificate: PdfCertificateLike, options: PreparePdfOptions = {}): Promise<PreparedPdfSignature> {
	if (typeof input !== 'string') {
		// Bytes in memory (e.g. a small n8n binary): through a temporary file, so there is one code path.
		const temp = path.join(os.tmpdir(), `smart-id-pdf-${randomBytes(8).toString('hex')}.input`);
		await fsp.writeFile(temp, input, { flag: 'wx' });
		try {
			return await preparePdfSignature(temp, signerCertificate, options);
		} finally {
			await fsp.rm(temp, { force: true });
		}
	}
	const hashAlgorithm = options.hashAlgorithm ?? 'SHA-256';
	if (!['SHA-256', 'SHA-384', 'SHA-512'].includes(hashAlgorithm)) throw new PdfSignError('PDF_INVALID_INPUT', `hashAlgorithm must be SHA-256, SHA-384 or SHA-512 (got ${JSON.stringify(hashAlgorithm)}).`);
	const level = options.level ?? 'B-T';
	if (!['B-T', 'B-LT', 'B-LTA'].includes(level)) throw new PdfSignError('PDF_INVALID_INPUT', `level must be B-T, B-LT or B-LTA (got ${JSON.stringify(level)}).`);
	const signer = pdfCertificate(signerCertificate, 'The signer certificate');
	const keyType = signer.publicKey.asymmetricKeyType;
	if (keyType !== 'rsa' && keyType !== 'rsa-pss') throw new PdfSignError('PDF_INVALID_INPUT', `The signer certificate has a ${String(keyType)} key; only RSA (Smart-ID, RSASSA-PSS) is supported.`);
	const chain = (options.certificates ?? []).map((c, i) => pdfCertificate(c, `Certificate ${i + 1} of the chain`));
	const contentsBytes = options.contentsBytes ?? 32 * 1024;
	const needed = signer.raw.length + chain.reduce((n, c) => n + c.raw.length, 0) + CMS_OVERHEAD;
	if (contentsBytes < needed) {
		throw new PdfSignError('PDF_PLACEHOLDER_TOO_SMALL', `contentsBytes ${contentsBytes} is too small: the certificates alone need about ${needed} bytes with a timestamp; reserve at least that.`, { contentsBytes, needed });
	}
	const signingTime = new Date(Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000);
	if (Number.isNaN(signingTime.getTime())) throw new PdfSignError('PDF_INVALID_INPUT', 'signingTime is not a valid date.');
	const extra: [string, PdfObject][] = [];
	for (const [key, value] of [['Name', options.name], ['Reason', options.reason], ['Location', options.location], ['ContactInfo', options.contactInfo]] as const) {
		if (value !== undefined && value !== '') {
			if (value.length > 1000) throw new PdfSignError('PDF_INVALID_INPUT', `${key} is longer than 1000 characters.`);
			extra.push([key, textString(value)]);
		}
	}

	let doc: PdfDocument;
	try {
		doc = await PdfDocument.open(input);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
			throw new PdfSignError('PDF_INVALID_INPUT', `The input PDF ${input} cannot be read (${(error as NodeJS.ErrnoException).code}).`, {}, error);
		}
		throw error;
	}
	let revision;
	let placement: WidgetPlacement | undefined;
	const inputSize = doc.file.size;
	const visible = options.visible;
	try {
		await checkSigningAllowed(doc);
		const place = visible
			? async (newNum: () => number) => (placement = await placeVisibleSignature(doc, newNum, visible, signer, signingTime))
			: undefined;
		revision = await buildSignatureRevision(doc, cadesSignatureEntries(pdfDate(signingTime), extra), contentsBytes, options.fieldName, undefined, place);
	} finally {
		await doc.close();
	}

	const hash = createHash(nodeHash(hashAlgorithm));
	let partialFile: string;
	let inputSha256: string | undefined;
	if (options.updateOnly) {
		// Hash in place, no copy; the input's own SHA-256 comes from the same pass when the algorithm is SHA-256.
		partialFile = path.resolve(input);
		const own = hashAlgorithm === 'SHA-256' ? undefined : createHash('sha256');
		const hashed = await hashFile(input, own ? [hash, own] : [hash]);
		if (hashed !== inputSize) throw new PdfSignError('PDF_INVALID_INPUT', `The input PDF changed while it was read (${inputSize} bytes, then ${hashed}).`);
		inputSha256 = (own ?? hash.copy()).digest('base64');
	} else {
		partialFile = path.resolve(options.partialFile ?? path.join(os.tmpdir(), `smart-id-pdf-${randomBytes(8).toString('hex')}.partial`));
		const out = await fsp.open(partialFile, 'wx');
		try {
			const copied = await copyAndHash(input, out, hash);
			if (copied !== inputSize) throw new PdfSignError('PDF_INVALID_INPUT', `The input PDF changed while it was read (${inputSize} bytes, then ${copied}).`);
			await out.write(revision.bytes, 0, revision.bytes.length, inputSize);
			await out.close();
		} catch (error) {
			await out.close().catch(() => undefined);
			await fsp.rm(partialFile, { force: true });
			throw error;
		}
	}
	const br = revision.byteRange;
	hash.update(revision.bytes.subarray(0, br[1] - inputSize));
	hash.update(revision.bytes.subarray(br[2] - inputSize));
	const messageDigest = hash.digest();
	const attributes = signedAttributes(hashAlgorithm, messageDigest, signer.raw);
	const digestToSign = createHash(nodeHash(hashAlgorithm)).update(attributes).digest().toString('base64');
	const pending: PdfPendingSignature = {
		format: PDF_PENDING_FORMAT,
		partialFile,
		partialSize: inputSize + revision.bytes.length,
		inputSize,
		byteRange: revision.byteRange,
		contentsBytes,
		hashAlgorithm,
		signatureScheme: 'rsassa-pss',
		level,
		fieldName: revision.fieldName,
		messageDigest: messageDigest.toString('base64'),
		signerCertificate: signer.raw.toString('base64'),
		certificates: chain.map((c) => c.raw.toString('base64')),
		signingTime: signingTime.toISOString().replace(/\.000Z$/, 'Z'),
		digestToSign,
	};
	const shown = placement ? { visible: { letter: placement.label.letter, name: placement.label.name, personalCodeShown: placement.label.personalCode !== undefined } } : {};
	const updateOnly = options.updateOnly ? { update: revision.bytes, inputSha256 } : {};
	return { digestToSign, hashAlgorithm, signatureScheme: 'rsassa-pss', pending, ...shown, ...updateOnly };
}
