import { randomBytes, type X509Certificate } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { digestLength, hashBytes } from '../../hash-algorithm';
import { verifyPkcs1Prehashed, verifyPssPrehashed } from '../../validation';
import { decodeBase64Strict } from '../../encoding';
import { parseOcspResponse, verifyOcspResponse } from '../../pki/ocsp';
import { verifyTimestampToken } from '../../pki/timestamp';
import type { TrustStore } from '../../pki/trust-store';
import { FileSink, ZipWriter } from '../zip/writer';
import { readZipLayout } from '../zip/writer-append';
import { AsiceBuildError } from './errors';
import { ASICE_MIMETYPE } from './manifest';
import { httpLtServices, ocspDer as ocspDerOf, priorOcspVerification, priorTimestampVerification, timestampDer, type LtServices } from './lt-services';
import { parsePendingSignature, type PendingSignature } from './pending';
import { centralDirectoryFingerprint } from './prepare';
import { buildSignedParts } from './signed-info';
import { certificateFrom, certificatesFrom, type CertificateLike } from './signer-certificate';
import { canonicalParts, signatureDocumentXml, signatureIds, unsignedPropertiesXml } from './signature-xml';

/** Options of {@link finalizeSignature}. */
export interface FinalizeOptions {
	/** Where the finished container goes: a file path (written atomically) or a stream. */
	out: string | Writable;
	/** RFC 3161 TSA URL (used when `services` is not given). */
	tsaUrl?: string;
	/** OCSP responder URL; default the signer certificate's AIA OCSP URL. */
	ocspUrl?: string;
	/**
	 * Custom timestamp/OCSP providers (tests, pinned agents); default HTTP to `tsaUrl`/`ocspUrl`. Their answers are
	 * verified here, except results of {@link httpLtServices} made with the same trust store (already verified).
	 */
	services?: LtServices;
	/** Anchors the TSA and the OCSP responder must chain to (and where the signer's issuer is looked up). */
	trust?: TrustStore;
	/** The signer's issuing CA; default: found among `certificates` and the trust store. */
	issuer?: CertificateLike;
	/** More certificates for CertificateValues (e.g. intermediate CAs). */
	certificates?: CertificateLike[];
	/** Per-request timeout for TSA and OCSP (default 10 s). */
	timeoutMs?: number;
	/** Archive comment; default names this package. */
	zipComment?: string;
}

/** What was written. */
export interface FinalizedSignature {
	/** Entry name of the new signature, e.g. `META-INF/signatures0.xml`. */
	signatureFile: string;
	/** ds:Signature Id. */
	signatureId: string;
	/** Size of the container in bytes. */
	size: number;
	/** Path of the container when `out` was a path. */
	path?: string;
	timestampTime: Date;
	ocspProducedAt: Date;
	/** The signature document as written (small: no data file content). */
	signatureXml: string;
}

function fail(code: 'ASICE_BUILD_PENDING_INVALID' | 'ASICE_BUILD_SIGNATURE_INVALID' | 'ASICE_BUILD_TIMESTAMP_FAILED' | 'ASICE_BUILD_OCSP_FAILED', message: string, cause?: unknown): never {
	throw new AsiceBuildError(code, message, {}, cause);
}

/** Verify the signature value over the canonical SignedInfo with the signer certificate's key before embedding it. */
export function checkReturnedSignatureValue(pending: PendingSignature, signatureValue: Buffer, canonicalSignedInfo: Buffer, signer: X509Certificate): void {
	const p = pending.parameters;
	const key = signer.publicKey;
	const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (signatureValue.length !== Math.ceil(modulusBits / 8)) {
		fail('ASICE_BUILD_SIGNATURE_INVALID', `The signature value is ${signatureValue.length} bytes, but the signer's ${modulusBits}-bit RSA key gives ${Math.ceil(modulusBits / 8)}-byte signatures; it was not made with this certificate.`);
	}
	// The prehashed verifiers of lib/validation check exactly what the remote signer was given: H(canonical SignedInfo).
	const digest = hashBytes(p.hashAlgorithm, canonicalSignedInfo);
	const ok =
		p.signatureScheme === 'rsassa-pss'
			? verifyPssPrehashed(key, p.hashAlgorithm, digest, signatureValue, digestLength(p.hashAlgorithm))
			: verifyPkcs1Prehashed(key, p.hashAlgorithm, digest, signatureValue);
	if (!ok) {
		fail(
			'ASICE_BUILD_SIGNATURE_INVALID',
			`The signature value does not verify as ${p.signatureScheme} with ${p.hashAlgorithm} over this signature's SignedInfo with the signer certificate; it was made for other data or with another key. Nothing was written.`,
		);
	}
}

function findIssuer(signer: X509Certificate, candidates: X509Certificate[]): X509Certificate | undefined {
	return candidates.find((c) => c.subject === signer.issuer && signer.checkIssued(c) && signer.verify(c.publicKey));
}

async function moveFile(from: string, to: string): Promise<void> {
	try {
		await fsp.rename(from, to);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
		await fsp.copyFile(from, to);
		await fsp.rm(from, { force: true });
	}
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Phase 2 of signing: check `signatureValue` (Base64, as Smart-ID returns it) against the pending SignedInfo,
 * timestamp the canonical ds:SignatureValue, then fetch OCSP for the signer (after the timestamp), embed
 * certificates and the OCSP response (XAdES baseline LT) and write the container.
 */
export async function finalizeSignature(pendingInput: PendingSignature | string, signatureValueBase64: string, options: FinalizeOptions): Promise<FinalizedSignature> {
	const pending = parsePendingSignature(pendingInput);
	const p = pending.parameters;
	const parts = buildSignedParts(p);
	if (parts.digestToSign.toString('base64') !== pending.digestToSign) {
		fail('ASICE_BUILD_PENDING_INVALID', 'The pending signature state was modified: its SignedInfo no longer hashes to the digest that was signed. Start the signing again.');
	}
	let signatureValue: Buffer;
	try {
		signatureValue = decodeBase64Strict(signatureValueBase64, 'The signature value');
	} catch (error) {
		fail('ASICE_BUILD_SIGNATURE_INVALID', 'The signature value is not valid Base64.', error);
	}
	const signer = certificateFrom(p.signerCertificate, 'The signer certificate');
	checkReturnedSignatureValue(pending, signatureValue, parts.canonicalSignedInfo, signer);

	const extra = certificatesFrom(options.certificates, 'An extra certificate');
	const issuer = options.issuer !== undefined ? certificateFrom(options.issuer, 'The issuer certificate') : findIssuer(signer, [...extra, ...(options.trust ? [...options.trust.anchors(), ...options.trust.intermediates()] : [])]);
	if (!issuer) {
		fail('ASICE_BUILD_OCSP_FAILED', `The issuing CA of the signer certificate ("${signer.issuer.replace(/\n/g, ', ')}") is not known; pass it as "issuer" or add it to the trust store, so OCSP can be asked.`);
	}
	const services =
		options.services ?? httpLtServices({ tsaUrl: options.tsaUrl, ocspUrl: options.ocspUrl, trust: options.trust, timeoutMs: options.timeoutMs, responderCertificates: extra });

	// 1. Signature timestamp over the canonical ds:SignatureValue, exactly as it will be saved.
	const signatureValueB64 = signatureValue.toString('base64');
	const withValue = signatureDocumentXml({ idBase: p.idBase, signedInfo: parts.signedInfoXml, signatureValue: signatureValueB64, signerCertificate: p.signerCertificate, signedProperties: parts.signedPropertiesXml });
	const canonicalValue = canonicalParts(withValue).signatureValue;
	let tokenDer: Buffer;
	let ts;
	try {
		const answer = await services.timestamp(canonicalValue);
		tokenDer = timestampDer(answer);
		// Our own TSA client verified the token already (same data, same trust); anything else is verified here.
		ts = priorTimestampVerification(answer, canonicalValue, options.trust) ?? verifyTimestampToken(tokenDer, { data: canonicalValue, trust: options.trust, at: new Date() });
	} catch (error) {
		fail('ASICE_BUILD_TIMESTAMP_FAILED', `Could not get a valid signature timestamp: ${(error as Error).message}`, error);
	}

	// 2. OCSP for the signer, produced after the timestamp (validators reject OCSP older than the timestamp).
	let ocspDer: Buffer | undefined;
	let ocsp;
	const notBefore = Math.floor(ts.genTime.getTime() / 1000) * 1000;
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const answer = await services.ocsp(signer, issuer);
			ocspDer = ocspDerOf(answer);
			ocsp =
				priorOcspVerification(answer, signer, issuer, options.trust) ??
				verifyOcspResponse(parseOcspResponse(ocspDer), { certificate: signer, issuer, trust: options.trust, responderCertificates: extra, at: new Date() });
		} catch (error) {
			fail('ASICE_BUILD_OCSP_FAILED', `Could not get a valid OCSP response for the signer certificate: ${(error as Error).message}`, error);
		}
		if (ocsp.producedAt.getTime() >= notBefore) break;
		if (attempt === 2) {
			fail('ASICE_BUILD_OCSP_FAILED', `The OCSP response was produced at ${ocsp.producedAt.toISOString()}, before the timestamp (${ts.genTime.toISOString()}); validators reject that. Check the clocks of the TSA and the OCSP responder.`);
		}
		await sleep(1100);
	}
	if (!ocsp || !ocspDer) fail('ASICE_BUILD_OCSP_FAILED', 'No OCSP response.');
	if (ocsp.status !== 'good') {
		fail('ASICE_BUILD_OCSP_FAILED', `The OCSP responder says the signer certificate is ${ocsp.status}${ocsp.revocationTime ? ` (since ${ocsp.revocationTime.toISOString()})` : ''}; the signature cannot be completed.`);
	}

	// 3. CertificateValues: signer's CA (+ extras), TSA chain, OCSP responder; each once, never the signer itself.
	const seen = new Set<string>([signer.fingerprint256]);
	const certificates: Buffer[] = [];
	for (const cert of [issuer, ...extra, ts.tsaCertificate, ...(ts.chain ?? []), ocsp.responder]) {
		if (seen.has(cert.fingerprint256)) continue;
		seen.add(cert.fingerprint256);
		certificates.push(cert.raw);
	}
	const signatureXml = signatureDocumentXml({
		idBase: p.idBase,
		signedInfo: parts.signedInfoXml,
		signatureValue: signatureValueB64,
		signerCertificate: p.signerCertificate,
		signedProperties: parts.signedPropertiesXml,
		unsignedProperties: unsignedPropertiesXml(p.idBase, { timestampToken: tokenDer, certificates, ocspResponses: [ocspDer] }),
	});
	// The final document must still give the bytes that were signed and timestamped.
	const finalParts = canonicalParts(signatureXml);
	if (!finalParts.signedInfo.equals(parts.canonicalSignedInfo) || !finalParts.signatureValue.equals(canonicalValue)) {
		fail('ASICE_BUILD_PENDING_INVALID', 'Internal error: the final signature document does not canonicalize to the signed bytes.');
	}

	const written = await writeContainer(pending, Buffer.from(signatureXml, 'utf8'), options);
	return {
		signatureFile: pending.signatureFile,
		signatureId: signatureIds(p.idBase).signature,
		size: written.size,
		...(written.path ? { path: written.path } : {}),
		timestampTime: ts.genTime,
		ocspProducedAt: ocsp.producedAt,
		signatureXml,
	};
}

async function writeContainer(pending: PendingSignature, signatureXml: Buffer, options: FinalizeOptions): Promise<{ size: number; path?: string }> {
	const comment = options.zipComment ?? 'n8n-nodes-smart-id';
	const date = new Date(pending.parameters.signingTime);
	let working: string;
	if (pending.mode === 'append') {
		const layout = await readZipLayout(pending.partialContainer);
		if (!pending.source || layout.fileSize !== pending.source.size || centralDirectoryFingerprint(layout.entries) !== pending.source.centralDirectorySha256) {
			fail('ASICE_BUILD_PENDING_INVALID', `${pending.partialContainer} changed after the signature was prepared; prepare the signature again.`);
		}
		const dir = typeof options.out === 'string' ? path.dirname(path.resolve(options.out)) : path.dirname(pending.partialContainer);
		working = path.join(dir, `.smart-id-${randomBytes(6).toString('hex')}.partial`);
		await fsp.copyFile(pending.partialContainer, working);
	} else {
		await checkPartialContainer(pending);
		working = pending.partialContainer;
	}
	try {
		const writer = new ZipWriter(await FileSink.open(working, { resumeAt: pending.zip.position }), { date, state: pending.zip });
		await writer.addBuffer(pending.signatureFile, signatureXml);
		const size = await writer.finish(comment);
		if (typeof options.out === 'string') {
			const target = path.resolve(options.out);
			await moveFile(working, target);
			return { size, path: target };
		}
		await pipeline(createReadStream(working, { highWaterMark: 1 << 20 }), options.out);
		await fsp.rm(working, { force: true });
		return { size };
	} catch (error) {
		// A new-mode partial file stays (finalize truncates it back and can be retried); an append copy is dropped.
		if (pending.mode === 'append') await fsp.rm(working, { force: true });
		throw error;
	}
}

/**
 * The pending state names a file that finalize truncates and extends, so refuse anything that is not a partial
 * ASiC-E of at least the recorded size (a tampered state must not be able to cut an arbitrary file).
 */
async function checkPartialContainer(pending: PendingSignature): Promise<void> {
	let head: Buffer;
	let size: number;
	try {
		const handle = await fsp.open(pending.partialContainer, 'r');
		try {
			size = (await handle.stat()).size;
			head = Buffer.alloc(38 + ASICE_MIMETYPE.length);
			await handle.read(head, 0, head.length, 0);
		} finally {
			await handle.close();
		}
	} catch (error) {
		fail('ASICE_BUILD_PENDING_INVALID', `The partial container ${pending.partialContainer} of this pending signature cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); it was removed or moved. Start the signing again.`, error);
	}
	if (head.readUInt32LE(0) !== 0x04034b50 || head.subarray(30, 38).toString('latin1') !== 'mimetype' || head.subarray(38).toString('latin1') !== ASICE_MIMETYPE || size < pending.zip.position) {
		fail('ASICE_BUILD_PENDING_INVALID', `${pending.partialContainer} is not the partial container this pending signature wrote; refusing to modify it.`);
	}
}

/** Give up a pending signature: remove its partial container (new containers only; an existing container is left alone). */
export async function discardPendingSignature(pendingInput: PendingSignature | string): Promise<void> {
	const pending = parsePendingSignature(pendingInput);
	if (pending.mode !== 'new') return;
	try {
		await checkPartialContainer(pending);
	} catch {
		return; // already gone, or not ours: nothing to remove
	}
	await fsp.rm(pending.partialContainer, { force: true });
}
