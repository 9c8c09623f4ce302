import { createHash, type X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { decodeBase64Strict } from '../encoding';
import { parseOcspResponse, verifyOcspResponse, type OcspVerification } from '../pki/ocsp';
import { verifyTimestampToken, type TimestampVerification } from '../pki/timestamp';
import type { TrustStore } from '../pki/trust-store';
import { verifyPssPrehashed } from '../validation';
import { nodeHash, signedAttributes, signedData } from './cms';
import { PdfDocument } from './document';
import { buildDssUpdate } from './dss';
import { PdfSignError, type PdfSignErrorCode } from './errors';
import { httpPdfLtServices, type PdfLtServices } from './lt-services';
import { parsePdfPendingSignature, type PdfPendingSignature } from './pending';
import { pdfCertificate, type PdfCertificateLike } from './prepare';
import { buildSignatureRevision, docTimestampEntries } from './signature-revision';
import { hashRanges } from './stream-hash';

/** Options of {@link finalizePdfSignature}. */
export interface FinalizePdfOptions {
	/** Where the signed PDF goes (the partial file is moved there); default: it stays at the partial file's path. */
	out?: string;
	/** Timestamp and OCSP providers; default HTTP to `tsaUrl` / `ocspUrl`. Every answer is verified here. */
	services?: PdfLtServices;
	tsaUrl?: string;
	ocspUrl?: string;
	/** Anchors the TSA and OCSP responder must chain to, and where the signer's issuer is looked up. */
	trust?: TrustStore;
	/** The signer's issuing CA (B-LT/B-LTA: OCSP needs it); default: the CMS chain or the trust store. */
	issuer?: PdfCertificateLike;
	/** Bytes reserved for the document timestamp of B-LTA (default 16 384). */
	docTimestampBytes?: number;
	timeoutMs?: number;
}

/** What was written. */
export interface FinalizedPdfSignature {
	path: string;
	size: number;
	fieldName: string;
	/** Size of the CMS in /Contents, and the reservation. */
	cmsBytes: number;
	contentsBytes: number;
	timestampTime: Date;
	ocspProducedAt?: Date;
	docTimestampTime?: Date;
}

function fail(code: 'PDF_PENDING_INVALID' | 'PDF_SIGNATURE_INVALID' | 'PDF_TIMESTAMP_FAILED' | 'PDF_OCSP_FAILED' | 'PDF_PLACEHOLDER_TOO_SMALL', message: string, cause?: unknown): never {
	throw new PdfSignError(code, message, {}, cause);
}

/** The partial file must be exactly what prepare wrote around an untouched zero-filled /Contents. */
async function checkPartial(p: PdfPendingSignature): Promise<void> {
	let handle;
	try {
		handle = await fsp.open(p.partialFile, 'r');
	} catch (error) {
		fail('PDF_PENDING_INVALID', `The partial file ${p.partialFile} of this pending signature cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); start the signing again.`, error);
	}
	try {
		const { size } = await handle.stat();
		const hole = Buffer.alloc(p.contentsBytes * 2 + 2);
		await handle.read(hole, 0, hole.length, p.byteRange[1]);
		const zeros = hole.subarray(1, hole.length - 1);
		if (size !== p.partialSize || hole[0] !== 0x3c || hole[hole.length - 1] !== 0x3e || zeros.some((b) => b !== 0x30)) {
			fail('PDF_PENDING_INVALID', `${p.partialFile} is not the partial PDF this pending signature wrote (or it was finished already); refusing to modify it.`);
		}
	} finally {
		await handle.close();
	}
}

async function writeContents(file: string, at: number, reserved: number, der: Buffer, what: string): Promise<void> {
	if (der.length > reserved) {
		fail('PDF_PLACEHOLDER_TOO_SMALL', `The ${what} is ${der.length} bytes but only ${reserved} were reserved in /Contents; prepare again with contentsBytes of at least ${der.length + 2048}.`);
	}
	const handle = await fsp.open(file, 'r+');
	try {
		await handle.write(Buffer.from(der.toString('hex').toUpperCase(), 'latin1'), 0, der.length * 2, at + 1);
	} finally {
		await handle.close();
	}
}

async function appendTo(file: string, bytes: Buffer): Promise<number> {
	await fsp.appendFile(file, bytes);
	return (await fsp.stat(file)).size;
}

function findIssuer(signer: X509Certificate, candidates: X509Certificate[]): X509Certificate | undefined {
	return candidates.find((c) => c.subject === signer.issuer && signer.checkIssued(c) && signer.verify(c.publicKey));
}

/** A document timestamp (SubFilter ETSI.RFC3161) over the whole file as it is now: PAdES B-LTA. */
async function addDocumentTimestamp(file: string, services: PdfLtServices, trust: TrustStore | undefined, reserved: number): Promise<TimestampVerification> {
	const doc = await PdfDocument.open(file);
	let revision;
	try {
		revision = await buildSignatureRevision(doc, docTimestampEntries(), reserved, undefined);
	} finally {
		await doc.close();
	}
	const priorSize = (await fsp.stat(file)).size;
	const br = revision.byteRange;
	// Hash the prior file (streamed), then the update around its /Contents.
	const streamed = createHash('sha256');
	await hashRanges(file, [[0, priorSize]], streamed);
	streamed.update(revision.bytes.subarray(0, br[1] - priorSize));
	streamed.update(revision.bytes.subarray(br[2] - priorSize));
	const imprint = streamed.digest();
	let token: Buffer;
	let verification: TimestampVerification;
	try {
		token = await services.timestamp(imprint);
		verification = verifyTimestampToken(token, { imprint, trust, at: new Date() });
	} catch (error) {
		fail('PDF_TIMESTAMP_FAILED', `Could not get a valid document timestamp: ${(error as Error).message}`, error);
	}
	await appendTo(file, revision.bytes);
	await writeContents(file, br[1], reserved, token, 'document timestamp token');
	return verification;
}

/**
 * The part of phase 2 that writes nothing: rebuild and check the signed attributes, verify the signature value,
 * run `checkTarget` (the bytes the CMS goes into), timestamp the value (B-T) and build the CMS.
 */
async function signatureCms(p: PdfPendingSignature, signatureValueBase64: string, options: FinalizePdfOptions, checkTarget: () => Promise<void>) {
	const signer = pdfCertificate(p.signerCertificate, 'The signer certificate');
	const chain = p.certificates.map((c, i) => pdfCertificate(c, `Chain certificate ${i + 1}`));
	const attributes = signedAttributes(p.hashAlgorithm, Buffer.from(p.messageDigest, 'base64'), signer.raw);
	const digest = createHash(nodeHash(p.hashAlgorithm)).update(attributes).digest();
	if (digest.toString('base64') !== p.digestToSign) fail('PDF_PENDING_INVALID', 'The pending PDF signature state was modified: its signed attributes no longer hash to the digest that was signed. Start the signing again.');
	let signature: Buffer;
	try {
		signature = decodeBase64Strict(signatureValueBase64, 'The signature value');
	} catch (error) {
		fail('PDF_SIGNATURE_INVALID', 'The signature value is not valid Base64.', error);
	}
	const bits = signer.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
	if (signature.length !== Math.ceil(bits / 8) || !verifyPssPrehashed(signer.publicKey, p.hashAlgorithm, digest, signature, digest.length)) {
		fail('PDF_SIGNATURE_INVALID', `The signature value does not verify as RSASSA-PSS with ${p.hashAlgorithm} over this PDF signature's signed attributes with the signer certificate; it was made for other data or with another key. Nothing was written.`);
	}
	await checkTarget();
	const services = options.services ?? httpPdfLtServices({ tsaUrl: options.tsaUrl, ocspUrl: options.ocspUrl, trust: options.trust, timeoutMs: options.timeoutMs });

	// B-T: signature-time-stamp over the signature value.
	let token: Buffer;
	let ts: TimestampVerification;
	try {
		const imprint = createHash('sha256').update(signature).digest();
		token = await services.timestamp(imprint);
		ts = verifyTimestampToken(token, { imprint, trust: options.trust, at: new Date() });
	} catch (error) {
		fail('PDF_TIMESTAMP_FAILED', `Could not get a valid signature timestamp: ${(error as Error).message}`, error);
	}
	const cms = signedData({ hashAlgorithm: p.hashAlgorithm, signedAttributes: attributes, signature, signerDer: signer.raw, certificates: chain.map((c) => c.raw), timestampToken: token });
	if (cms.length > p.contentsBytes) {
		fail('PDF_PLACEHOLDER_TOO_SMALL', `The CMS signature with its timestamp is ${cms.length} bytes but only ${p.contentsBytes} were reserved in /Contents; prepare again with contentsBytes of at least ${cms.length + 2048}.`);
	}
	return { signer, chain, services, cms, ts };
}

/** What {@link finalizePdfUpdate} produced: the update with the CMS in place, to be written after the untouched input. */
export interface FinalizedPdfUpdate {
	update: Buffer;
	/** Size of input + update. */
	size: number;
	fieldName: string;
	cmsBytes: number;
	contentsBytes: number;
	timestampTime: Date;
}

/**
 * Phase 2 for a B-T signature prepared with `updateOnly`, without the input: check the update (its size and the
 * zero-filled /Contents), verify the value, timestamp it and return a copy of the update with the CMS written in.
 * The signed PDF is the input (unchanged, the caller checks it is the one prepared) followed by `update`.
 * B-LT/B-LTA need the whole file (the DSS and document timestamp are further revisions): use
 * {@link finalizePdfSignature} on input + update joined in a partial file.
 */
export async function finalizePdfUpdate(pendingInput: PdfPendingSignature | string, update: Buffer, signatureValueBase64: string, options: FinalizePdfOptions = {}): Promise<FinalizedPdfUpdate> {
	const p = parsePdfPendingSignature(pendingInput);
	if (p.level !== 'B-T') fail('PDF_PENDING_INVALID', `finalizePdfUpdate finishes B-T signatures only (this one is ${p.level}); join the input and the update in a file and use finalizePdfSignature.`);
	const at = p.byteRange[1] - p.inputSize;
	const { cms, ts } = await signatureCms(p, signatureValueBase64, options, async () => {
		const hole = update.subarray(at, at + p.contentsBytes * 2 + 2);
		if (update.length !== p.partialSize - p.inputSize || hole[0] !== 0x3c || hole[hole.length - 1] !== 0x3e || hole.subarray(1, -1).some((b) => b !== 0x30)) {
			fail('PDF_PENDING_INVALID', 'The update is not the one this pending signature prepared (size or /Contents placeholder differ); refusing to write into it.');
		}
	});
	const signed = Buffer.from(update);
	signed.write(cms.toString('hex').toUpperCase(), at + 1, 'latin1');
	return { update: signed, size: p.partialSize, fieldName: p.fieldName, cmsBytes: cms.length, contentsBytes: p.contentsBytes, timestampTime: ts.genTime };
}

/**
 * Phase 2 of signing a PDF: check `signatureValue` (Base64 RSASSA-PSS over the prepared digest, as Smart-ID
 * returns it) with the signer's key, timestamp it (B-T), build the CMS and write it into the reserved /Contents
 * (the file size does not change, so the ByteRange stays exact). B-LT then appends a revision with the /DSS
 * (certificates, OCSP for the signer taken after the timestamp, VRI); B-LTA also a document timestamp.
 */
export async function finalizePdfSignature(pendingInput: PdfPendingSignature | string, signatureValueBase64: string, options: FinalizePdfOptions = {}): Promise<FinalizedPdfSignature> {
	const p = parsePdfPendingSignature(pendingInput);
	const { signer, chain, services, cms, ts } = await signatureCms(p, signatureValueBase64, options, () => checkPartial(p));
	// B-LT: OCSP for the signer, produced after the timestamp, fetched before anything is written (so a failure
	// leaves the partial file as it was and finalize can be retried).
	let ocspProducedAt: Date | undefined;
	let dss: { certificates: Buffer[]; ocspResponses: Buffer[] } | undefined;
	if (p.level !== 'B-T') {
		const extraIssuer = options.issuer !== undefined ? [pdfCertificate(options.issuer, 'The issuer certificate')] : [];
		const candidates = [...extraIssuer, ...chain, ...(options.trust ? [...options.trust.anchors(), ...options.trust.intermediates()] : [])];
		const issuer = findIssuer(signer, candidates);
		if (!issuer) fail('PDF_OCSP_FAILED', `The issuing CA of the signer certificate ("${signer.issuer.replace(/\n/g, ', ')}") is not known; pass it as "issuer", in the chain, or in the trust store, so OCSP can be asked.`);
		const notBefore = Math.floor(ts.genTime.getTime() / 1000) * 1000;
		for (let attempt = 0; ; attempt++) {
			let ocspDer: Buffer;
			let ocsp: OcspVerification;
			try {
				ocspDer = await services.ocsp(signer, issuer);
				ocsp = verifyOcspResponse(parseOcspResponse(ocspDer), { certificate: signer, issuer, trust: options.trust, at: new Date() });
			} catch (error) {
				fail('PDF_OCSP_FAILED', `Could not get a valid OCSP response for the signer certificate: ${(error as Error).message}`, error);
			}
			if (ocsp.status !== 'good') fail('PDF_OCSP_FAILED', `The OCSP responder says the signer certificate is ${ocsp.status}; the signature cannot be made long-term.`);
			if (ocsp.producedAt.getTime() >= notBefore) {
				ocspProducedAt = ocsp.producedAt;
				const certificates = [signer.raw, ...chain.map((c) => c.raw), issuer.raw, ts.tsaCertificate.raw, ...(ts.chain ?? []).map((c) => c.raw), ocsp.responder.raw];
				dss = { certificates, ocspResponses: [ocspDer] };
				break;
			}
			if (attempt === 2) fail('PDF_OCSP_FAILED', `The OCSP response was produced at ${ocsp.producedAt.toISOString()}, before the timestamp (${ts.genTime.toISOString()}); validators reject that. Check the clocks of the TSA and the OCSP responder.`);
			await new Promise((resolve) => setTimeout(resolve, 1100));
		}
	}

	await writeContents(p.partialFile, p.byteRange[1], p.contentsBytes, cms, 'CMS signature with its timestamp');
	let docTimestampTime: Date | undefined;
	if (dss) {
		const doc = await PdfDocument.open(p.partialFile);
		let update: Buffer;
		try {
			update = await buildDssUpdate(doc, { ...dss, signatureCms: cms });
		} finally {
			await doc.close();
		}
		await appendTo(p.partialFile, update);
		if (p.level === 'B-LTA') {
			try {
				docTimestampTime = (await addDocumentTimestamp(p.partialFile, services, options.trust, options.docTimestampBytes ?? 16 * 1024)).genTime;
			} catch (error) {
				const why = error instanceof Error ? error.message : String(error);
				throw new PdfSignError(error instanceof PdfSignError ? (error.code as PdfSignErrorCode) : 'PDF_TIMESTAMP_FAILED', `${why} The signature itself is complete (PAdES B-LT) in ${p.partialFile}; add the document timestamp later.`, { partialFile: p.partialFile }, error);
			}
		}
	}

	let target = p.partialFile;
	if (options.out !== undefined) {
		target = path.resolve(options.out);
		try {
			await fsp.rename(p.partialFile, target);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
			await fsp.copyFile(p.partialFile, target);
			await fsp.rm(p.partialFile, { force: true });
		}
	}
	const size = (await fsp.stat(target)).size;
	return { path: target, size, fieldName: p.fieldName, cmsBytes: cms.length, contentsBytes: p.contentsBytes, timestampTime: ts.genTime, ...(ocspProducedAt ? { ocspProducedAt } : {}), ...(docTimestampTime ? { docTimestampTime } : {}) };
}

/** Give up a pending PDF signature: remove its partial file (only when it still is the untouched partial file). */
export async function discardPdfSignature(pendingInput: PdfPendingSignature | string): Promise<void> {
	const p = parsePdfPendingSignature(pendingInput);
	try {
		await checkPartial(p);
	} catch {
		return;
	}
	await fsp.rm(p.partialFile, { force: true });
}
