import { randomUUID, type X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { buildChain } from '../../pki/chain';
import { parseOcspResponse } from '../../pki/ocsp';
import { parseTimestampToken, verifyTimestampToken } from '../../pki/timestamp';
import { requestTimestamp } from '../../pki/timestamp-client';
import type { TrustStore } from '../../pki/trust-store';
import { C14N } from '../c14n';
import { NS, childElements, descendants, parseXmlSafely } from '../xml';
import { openAsiceContainer, type AsiceContainer } from '../zip/reader-container';
import { ContainerReadError } from '../zip/reader-error';
import { XmlParseError } from '../xml';
import { verifyContainer, type Report, type VerifyOptions } from '../verify';
import { archiveTimestampInput } from '../verify/archive-input';
import { C14nCache } from '../verify/c14n-cache';
import { C14N_BUDGET_UNITS, SIGNATURE_FILE_MAX_BYTES } from '../verify/context';
import { dereferenceLocal } from '../verify/references';
import { toCertificates } from '../verify/signing-certificate';
import { decodeReferenceUri } from '../verify/uri';
import { parseSignature, type ParsedSignature } from '../verify/xades';
import { TrustSource } from '../../pki/trust-source';
import { ExtendError } from './errors';
import { rewriteEntries } from './zip-rewrite';

/** Returns an RFC 3161 TimeStampToken (DER) over `data` (SHA-256 imprint). */
export type ArchiveTimestamper = (data: Buffer) => Promise<Buffer>;

/** A timestamper backed by an RFC 3161 TSA over HTTP(S) (our verified client; chain checked when `trust` is given). */
export function httpArchiveTimestamper(url: string, options: { timeoutMs?: number; trust?: TrustStore } = {}): ArchiveTimestamper {
	return async (data) => (await requestTimestamp(url, { data }, { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.trust ? { trust: options.trust } : {}) })).tokenDer;
}

/** Options of {@link extendContainer}. */
export interface ExtendOptions {
	/** Where archive timestamps come from: a TSA URL or a function. */
	timestamper: ArchiveTimestamper;
	/** Trust used to check the signatures before (and after) extending, as for verification. */
	trust: VerifyOptions['trust'];
	/** Extra anchors (PEM). */
	anchors?: string[];
	/** Validation time for the checks (default now). */
	at?: Date;
	/** Modification time written for the rewritten signature entries (default now). */
	date?: Date;
}

/** What one extension did. */
export interface ExtendedSignature {
	signatureFile: string;
	id: string;
	/** genTime of the new archive timestamp. */
	archiveTimestampTime: string;
	/** True when CertificateValues were missing and were added (the chain and TSA certificates). */
	addedCertificateValues: boolean;
}

export interface ExtendResult {
	container: Buffer;
	signatures: ExtendedSignature[];
	/** Verification of the extended container with the same trust. */
	report: Report;
}

const XADES141 = 'http://uri.etsi.org/01903/v1.4.1#';
const USP_CLOSE = /<\/(?:([A-Za-z_][\w.-]*):)?UnsignedSignatureProperties\s*>/g;

/** "prefix:" of an element as written in the document ('' when it uses the default namespace). */
function prefixOf(el: Element): string {
	return el.prefix ? `${el.prefix}:` : '';
}

/** ds:* element name usable inside xades content: the document's ds prefix, or a local declaration. */
function dsName(sig: ParsedSignature, local: string): { open: string; close: string } {
	const p = sig.signedInfo?.prefix;
	return p ? { open: `${p}:${local}`, close: `${p}:${local}` } : { open: `ds:${local} xmlns:ds="${NS.ds}"`, close: `ds:${local}` };
}

function readContainer(buf: Buffer): AsiceContainer {
	try {
		return openAsiceContainer(buf);
	} catch (e) {
		if (e instanceof ContainerReadError || e instanceof XmlParseError) {
			throw new ExtendError('EXTEND_CONTAINER_INVALID', `The container cannot be read: ${e.message}`, { reason: e instanceof ContainerReadError ? e.reason : e.code });
		}
		throw e;
	}
}

/** The bytes each reference of `sig` covers, as the verifier rebuilds them. */
function referenceBytes(sig: ParsedSignature, container: AsiceContainer, cache: C14nCache): Buffer[] {
	return sig.references.map((ref) => {
		if (ref.uri?.startsWith('#')) {
			const d = dereferenceLocal(sig, ref, cache);
			if (!d.ok) throw new ExtendError('EXTEND_SIGNATURE_INVALID', `Reference "${ref.uri}" cannot be resolved: ${d.reason}`);
			return d.bytes;
		}
		const name = ref.uri === null ? null : decodeReferenceUri(ref.uri);
		const entry = name === null ? undefined : container.dataFiles.find((e) => e.name === name);
		if (!entry) throw new ExtendError('EXTEND_SIGNATURE_INVALID', `Reference "${ref.uri ?? ''}" matches no data file of the container.`);
		return container.zip.read(entry);
	});
}

/** Certificates an LT signature needs for long-term checks but lacks (signer chain, TSA and OCSP responder certificates). */
function missingCertificates(sig: ParsedSignature, store: TrustStore): X509Certificate[] {
	const have = toCertificates([...sig.keyInfoCertificates]);
	const pool: X509Certificate[] = [];
	for (const ts of sig.signatureTimestamps) for (const t of ts.tokens) pool.push(...parseTimestampToken(t).certificates);
	for (const o of sig.ocspValues) {
		try {
			pool.push(...(parseOcspResponse(o).basic?.certificates ?? []));
		} catch {
			// a broken OCSP response was already refused by the verification before
		}
	}
	const signer = have[0];
	if (signer) {
		try {
			pool.push(...buildChain(signer, { trust: store, intermediates: pool, at: new Date(signer.validFrom) }).chain.slice(1));
		} catch {
			// no chain: the certificates found in the tokens are still worth keeping
		}
	}
	const out: X509Certificate[] = [];
	for (const c of pool) if (![...have, ...out].some((h) => h.raw.equals(c.raw))) out.push(c);
	return out;
}

/**
 * Extend every LT/LTA signature of an ASiC-E container with a new xades141:ArchiveTimeStamp (exclusive c14n, the
 * form DigiDoc4j and libdigidocpp write), adding CertificateValues when missing. Only the signature XML entries
 * are rewritten, and inside them only new elements are inserted at the end of UnsignedSignatureProperties: every
 * existing byte of the XML and every other ZIP entry (local header and data) stays as it was. Signatures are
 * verified first (TOTAL-FAILED ones are refused) and the result is verified again before it is returned.
 */
export async function extendContainer(input: Buffer, options: ExtendOptions): Promise<ExtendResult> {
	const container = readContainer(input);
	const verifyOptions: VerifyOptions = { trust: options.trust, ...(options.anchors ? { anchors: options.anchors } : {}), ...(options.at ? { at: options.at } : {}) };
	const before = await verifyContainer(input, verifyOptions);
	const vc = before.validationConclusion;
	const refused = vc.containerErrors.find((e) => e.code === 'CONTAINER_UNREADABLE' || e.code === 'VERIFIER_ERROR' || e.code.startsWith('ZIP_'));
	if (refused) throw new ExtendError('EXTEND_CONTAINER_INVALID', `The container is refused: ${refused.code} ${refused.message}`);
	if (vc.signaturesCount === 0) throw new ExtendError('EXTEND_NOT_LT', 'The container has no signatures to extend.');
	for (const s of vc.signatures) {
		if (s.indication === 'TOTAL-FAILED') {
			throw new ExtendError('EXTEND_SIGNATURE_INVALID', `Signature ${s.id || `${s.signatureFile}#${s.index}`} does not verify (${s.errors.map((e) => e.code).join(', ')}); it is not extended.`, {
				signatureFile: s.signatureFile,
			});
		}
		if (s.signatureFormat !== 'XAdES_BASELINE_LT' && s.signatureFormat !== 'XAdES_BASELINE_LTA') {
			throw new ExtendError('EXTEND_NOT_LT', `Signature ${s.id || `${s.signatureFile}#${s.index}`} is ${s.signatureFormat || 'unreadable'}; only XAdES LT and LTA signatures (signature timestamp + OCSP) can be extended.`, {
				signatureFile: s.signatureFile,
			});
		}
	}
	const source = options.trust instanceof TrustSource ? options.trust : null;
	const store = source ? source.store : typeof options.trust === 'string' ? TrustSource.sk(options.trust).store : (options.trust as TrustStore);

	const replaced = new Map<string, Buffer>();
	const done: ExtendedSignature[] = [];
	for (const file of container.signatureFiles) {
		const original = container.zip.read(container.zip.get(file)!);
		const text = original.toString('utf8');
		if (!Buffer.from(text, 'utf8').equals(original)) throw new ExtendError('EXTEND_XML_UNSUPPORTED', `${file} is not UTF-8; it cannot be extended without re-encoding it.`);
		const doc = parseXmlSafely(original, { maxBytes: SIGNATURE_FILE_MAX_BYTES });
		const sigEls = childElements(doc.documentElement!, NS.ds, 'Signature');
		const usps = descendants(doc.documentElement!, NS.xades, 'UnsignedSignatureProperties');
		const closes = [...text.matchAll(USP_CLOSE)];
		if (closes.length !== usps.length || usps.length !== sigEls.length) {
			throw new ExtendError('EXTEND_XML_UNSUPPORTED', `${file}: expected one UnsignedSignatureProperties end tag per signature (${sigEls.length}), found ${closes.length}.`);
		}
		// Insert from the end so earlier offsets stay valid; each insertion carries a placeholder for its token.
		let edited = text;
		const tokens: string[] = [];
		for (let i = sigEls.length - 1; i >= 0; i--) {
			const sig = parseSignature(sigEls[i]);
			const usp = sig.unsignedSignatureProperties;
			if (!usp || usps.indexOf(usp) !== i) throw new ExtendError('EXTEND_XML_UNSUPPORTED', `${file}: signature ${i} has no UnsignedSignatureProperties of its own.`);
			const placeholder = `SMARTIDATS${i}X${randomUUID().replace(/-/g, '')}`;
			if (text.includes(placeholder)) throw new ExtendError('EXTEND_XML_UNSUPPORTED', `${file}: placeholder collision.`);
			tokens[i] = placeholder;
			// New xades elements use the prefix (or default namespace) the signature already uses for xades.
			const enc = (local: string): string => `${prefixOf(usp)}${local}`;
			let insert = '';
			const missing = sig.certificateValues.length === 0 ? missingCertificates(sig, store) : [];
			if (missing.length > 0) {
				insert += `<${enc('CertificateValues')}>${missing.map((c) => `<${enc('EncapsulatedX509Certificate')}>${c.raw.toString('base64')}</${enc('EncapsulatedX509Certificate')}>`).join('')}</${enc('CertificateValues')}>`;
			}
			const cm = dsName(sig, 'CanonicalizationMethod');
			const id = randomUUID();
			insert +=
				`<xades141:ArchiveTimeStamp xmlns:xades141="${XADES141}" Id="ATS-${id}"><${cm.open} Algorithm="${C14N.exc}"/>` +
				`<${enc('EncapsulatedTimeStamp')} Id="ETS-${id}">${placeholder}</${enc('EncapsulatedTimeStamp')}></xades141:ArchiveTimeStamp>`;
			const at = closes[i].index!;
			edited = edited.slice(0, at) + insert + edited.slice(at);
			done.unshift({ signatureFile: file, id: sig.id ?? '', archiveTimestampTime: '', addedCertificateValues: missing.length > 0 });
		}
		// Stamp: rebuild each signature's archive input from the edited document (the new element excluded).
		const editedDoc = parseXmlSafely(Buffer.from(edited, 'utf8'), { maxBytes: SIGNATURE_FILE_MAX_BYTES });
		const editedSigs = childElements(editedDoc.documentElement!, NS.ds, 'Signature');
		const cache = new C14nCache(C14N_BUDGET_UNITS);
		const mine = done.filter((d) => d.signatureFile === file);
		for (let i = 0; i < editedSigs.length; i++) {
			const sig = parseSignature(editedSigs[i]);
			const last = childElements(sig.unsignedSignatureProperties!).at(-1)!;
			if (last.localName !== 'ArchiveTimeStamp' || !last.textContent?.includes(tokens[i])) {
				throw new ExtendError('EXTEND_XML_UNSUPPORTED', `${file}: the new archive timestamp did not land at the end of signature ${i}'s unsigned properties.`);
			}
			const data = archiveTimestampInput(sig, last, referenceBytes(sig, container, cache), (el) => cache.get(el, [{ algorithm: C14N.exc }]));
			let token: Buffer;
			try {
				token = await options.timestamper(data);
				const v = verifyTimestampToken(token, { data });
				mine[i].archiveTimestampTime = v.genTime.toISOString();
			} catch (e) {
				throw new ExtendError('EXTEND_TIMESTAMP_FAILED', `The archive timestamp for ${file} signature ${i} failed: ${(e as Error).message}`, {}, e);
			}
			edited = edited.replace(tokens[i], token.toString('base64'));
		}
		replaced.set(file, Buffer.from(edited, 'utf8'));
	}
	const out = await rewriteEntries(input, container.zip, replaced, options.date);
	const report = await verifyContainer(out, verifyOptions);
	for (const s of report.validationConclusion.signatures) {
		const bad = s.errors.find((e) => e.code.startsWith('ARCHIVE_TIMESTAMP'));
		if (bad || s.signatureFormat !== 'XAdES_BASELINE_LTA') {
			throw new ExtendError('EXTEND_SELF_CHECK_FAILED', `The extended signature ${s.id} does not verify as LTA (${bad ? `${bad.code}: ${bad.message}` : s.signatureFormat}); nothing was written.`);
		}
	}
	return { container: out, signatures: done, report };
}
