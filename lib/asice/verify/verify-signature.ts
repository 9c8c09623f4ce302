import type { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { ValidationError } from '../../errors';
import { parseCertificate } from '../../pki/certificate';
import { buildChain, ChainError } from '../../pki/chain';
import { parseOcspResponse, verifyOcspResponse, type OcspVerification } from '../../pki/ocsp';
import type { TrustStore } from '../../pki/trust-store';
import { hashFromOid } from '../../pki/ocsp-tsp-crypto';
import { parseTimestampToken, verifyTimestampToken, type TimestampVerification } from '../../pki/timestamp';
import { C14N, C14nBudgetError, isC14nAlgorithm, type canonicalize } from '../c14n';
import { archiveTimestampInput } from './archive-input';
import { digestAlgorithm, signatureAlgorithm } from './algorithms';
import { relatedTrust } from './anchor-filter';
import { MAX_REFERENCES, MAX_TRANSFORMS, type VerifyContext } from './context';
import { Findings } from './findings';
import { dereferenceLocal } from './references';
import type { SignatureReport } from './report';
import { matchSigningCertificate, toCertificates } from './signing-certificate';
import { hash, verifySignatureValue } from './signature-value';
import { decodeReferenceUri, lenientReferenceName } from './uri';
import type { ParsedSignature } from './xades';

const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';
const BDOC_TM_POLICY = 'urn:oid:1.3.6.1.4.1.10015.1000.3.2.1';
const BDOC_POLICY_PREFIX = 'urn:oid:1.3.6.1.4.1.10015.1000.';
const FRESHNESS_MS = 15 * 60 * 1000;
const CORRUPT_TIMESTAMP_RULES = /^timestamp\.(malformed|signature|messageDigest|contentType|signedAttrs|signerInfo|signingCertificate\.mismatch)/;
// DigiDoc4j crypto policy end dates (spec §4.2 item 4), evaluated at best-signature-time.
const RSA_SHORT_KEY_END = Date.parse('2019-10-01T00:00:00Z');
const SHA224_END = Date.parse('2026-01-01T00:00:00Z');
const SHA1_END = Date.parse('2016-01-01T00:00:00Z');

/** A data reference as the container cross-check needs it. */
export interface DataReference {
	uri: string;
	/** Strictly decoded entry name, or null when the URI is malformed. */
	name: string | null;
	/** '+'-as-space reading, used only to match manifest entries like DigiDoc4j does. */
	lenientName: string | null;
	/** MimeType from the DataObjectFormat pointing at this reference, when any. */
	mimeType: string | null;
	/** True when the name resolved to a data file of the container. */
	resolved: boolean;
}

/** Per-signature outcome plus what the container-level checks need. */
export interface SignatureOutcome {
	report: SignatureReport;
	dataReferences: DataReference[];
}

function msg(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function sameCert(a: X509Certificate, b: X509Certificate): boolean {
	return a.raw.equals(b.raw);
}

function dedupe(certs: X509Certificate[]): X509Certificate[] {
	const out: X509Certificate[] = [];
	for (const c of certs) if (!out.some((o) => sameCert(o, c))) out.push(c);
	return out;
}

/** Issuer of `cert` among `pool` by name and signature (used when no trusted chain exists). */
function findIssuer(cert: X509Certificate, pool: X509Certificate[]): X509Certificate | null {
	for (const c of pool) {
		if (sameCert(c, cert)) continue;
		try {
			if (cert.checkIssued(c) && cert.verify(c.publicKey)) return c;
		} catch {
			// not this one
		}
	}
	return null;
}

/** TM nonce = DER DigestInfo(H(SignatureValue bytes)); tolerate one extra OCTET STRING wrapping (libdigidocpp). */
function tmNonceMatches(nonce: Buffer, signatureValue: Buffer): boolean {
	for (const candidate of [nonce, unwrapOctetString(nonce)]) {
		if (!candidate) continue;
		try {
			const parsed = asn1js.fromBER(candidate);
			if (parsed.offset === -1) continue;
			const seq = parsed.result as asn1js.Sequence;
			const [algId, digest] = seq.valueBlock.value as [asn1js.Sequence, asn1js.OctetString];
			const oid = (algId.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
			const alg = hashFromOid(oid);
			if (!alg) continue;
			const node = alg.toLowerCase().replace(/^sha-/, 'sha').replace(/^sha3(\d)/, 'sha3-$1');
			if (hash(node, signatureValue).equals(Buffer.from(digest.valueBlock.valueHexView))) return true;
		} catch {
			// not a DigestInfo
		}
	}
	return false;
}

function unwrapOctetString(der: Buffer): Buffer | null {
	try {
		const parsed = asn1js.fromBER(der);
		if (parsed.offset === -1 || !(parsed.result instanceof asn1js.OctetString)) return null;
		return Buffer.from(parsed.result.valueBlock.valueHexView);
	} catch {
		return null;
	}
}

function secondFloor(d: Date): number {
	return Math.floor(d.getTime() / 1000);
}

/** Verify one ds:Signature of the container (spec §4.2–4.3). Never throws for bad input; findings go in the report. */
export function verifySignature(sig: ParsedSignature, file: string, index: number, ctx: VerifyContext): SignatureOutcome {
	const f = new Findings();
	const container = ctx.container;
	for (const e of sig.formatErrors) f.add('FORMAT_ERROR', e);

	// 1. Exactly one SignedProperties reference: same-document ("#id"), XAdES Type, pointing at this signature's
	// xades:SignedProperties. A reference that reaches SignedProperties without the Type is refused too.
	const spRefs = sig.references.filter((r) => r.type === SIGNED_PROPERTIES_TYPE);
	if (spRefs.length === 0) f.add('SIGNED_PROPERTIES_MISSING', 'SignedProperties Reference element is missing.');
	if (spRefs.length > 1) f.add('MULTIPLE_SIGNED_PROPERTIES', 'Multiple signed properties: SignedInfo has more than one SignedProperties reference.');
	for (const r of spRefs) {
		if (!r.uri || !r.uri.startsWith('#') || r.uri.length < 2) {
			f.add('SIGNED_PROPERTIES_REFERENCE_INVALID', `The SignedProperties reference URI "${r.uri ?? ''}" is not a same-document reference ("#id").`);
			continue;
		}
		const target = sig.ids.get(r.uri.slice(1))?.[0];
		if (target && sig.signedProperties && target !== sig.signedProperties) {
			f.add('FORMAT_ERROR', 'The SignedProperties reference does not point at the signature\'s xades:SignedProperties.');
		}
	}
	for (const r of sig.references) {
		if (r.type === SIGNED_PROPERTIES_TYPE || !r.uri?.startsWith('#')) continue;
		const target = sig.ids.get(r.uri.slice(1))?.[0];
		if (target && target === sig.signedProperties) {
			f.add('SIGNED_PROPERTIES_REFERENCE_INVALID', `Reference "${r.uri}" covers xades:SignedProperties without the Type ${SIGNED_PROPERTIES_TYPE}.`);
		}
	}

	// 2. References (data files from the ZIP, same-document ones through c14n).
	const dataReferences: DataReference[] = [];
	const referenceBytes: Array<Buffer | null> = [];
	const resolvedEntries = new Set<string>();
	if (sig.references.length > MAX_REFERENCES) {
		f.add('TOO_MANY_REFERENCES', `SignedInfo has ${sig.references.length} references, above the limit of ${MAX_REFERENCES}; not verifying them.`);
	}
	for (const ref of sig.references.length > MAX_REFERENCES ? [] : sig.references) {
		referenceBytes.push(null);
		if (ref.transforms.length > MAX_TRANSFORMS) {
			f.add('TOO_MANY_TRANSFORMS', `Reference "${ref.uri ?? ''}" has ${ref.transforms.length} transforms, above the limit of ${MAX_TRANSFORMS}.`);
			continue;
		}
		if (ref.type === SIGNED_PROPERTIES_TYPE && !ref.uri?.startsWith('#')) continue; // refused above; never a data file
		const alg = digestAlgorithm(ref.digestMethod);
		if (!alg) {
			f.add('UNSUPPORTED_ALGORITHM', `DigestMethod "${ref.digestMethod}" is not supported.`);
			continue;
		}
		if (ref.uri === null) {
			f.add('FORMAT_ERROR', 'A Reference has no URI attribute.');
			continue;
		}
		let bytes: Buffer | null = null;
		let digest: Buffer | null = null;
		if (ref.uri.startsWith('#')) {
			const d = dereferenceLocal(sig, ref, ctx.c14n);
			if (!d.ok) {
				f.add(d.notFound ? 'REFERENCE_NOT_FOUND' : 'FORMAT_ERROR', d.reason);
				continue;
			}
			bytes = d.bytes;
		} else {
			const name = decodeReferenceUri(ref.uri);
			// Exactly one entry, by exact name: a lenient reading never resolves (DigiDoc4j: "+" is not a space).
			const entry = name === null ? undefined : container.dataFiles.find((e) => e.name === name);
			const mimeType = ref.id !== null ? (sig.dataObjectFormats.get(ref.id) ?? null) : null;
			dataReferences.push({ uri: ref.uri, name, lenientName: lenientReferenceName(ref.uri), mimeType, resolved: !!entry });
			if (entry) {
				if (resolvedEntries.has(entry.name)) f.add('REFERENCE_DUPLICATE', `Data file "${entry.name}" is referenced more than once by this signature.`);
				resolvedEntries.add(entry.name);
			}
			if (!entry) {
				f.add(
					'REFERENCE_NOT_FOUND',
					`The reference data object has not been found! Reference URI "${ref.uri}" matches no data file of the container ` +
						'(the reference name does not match the name of the document; note "+" is not a space in URIs).',
				);
				continue;
			}
			if (ref.transforms.length > 0) {
				f.add('UNSUPPORTED_ALGORITHM', `Transforms on the data file reference "${ref.uri}" are not supported.`);
				continue;
			}
			try {
				bytes = ctx.readDataFile(entry.name);
				digest = ctx.dataFileDigest(entry.name, alg);
			} catch (e) {
				f.add('REFERENCE_NOT_FOUND', `Data file "${entry.name}" cannot be read: ${msg(e)}`);
				continue;
			}
		}
		referenceBytes[referenceBytes.length - 1] = bytes;
		if (!ref.digestValue || !(digest ?? hash(alg, bytes)).equals(ref.digestValue)) {
			f.add('REFERENCE_DIGEST_MISMATCH', `The reference data object is not intact! Digest of "${ref.uri}" does not match.`);
		}
	}

	// 3. Signing certificate: the candidate whose digest SigningCertificate(V2) names (never just "a key in the file").
	const keyInfoCerts = toCertificates(sig.keyInfoCertificates);
	const valueCerts = toCertificates(sig.certificateValues);
	let signer: X509Certificate | null = null;
	if (!sig.signingCertificate) {
		f.add('SIGNING_CERTIFICATE_MISSING', 'The signature has no SigningCertificate(V2) property, so the signer is not bound.');
		signer = keyInfoCerts[0] ?? null;
	} else {
		outer: for (const cand of [...keyInfoCerts, ...valueCerts]) {
			for (const ref of sig.signingCertificate.certs) {
				const m = matchSigningCertificate(cand, ref);
				if (!m.digestMatches) continue;
				signer = cand;
				if (m.issuerSerialMatches === false) {
					f.add('SIGNING_CERTIFICATE_ISSUER_SERIAL_MISMATCH', 'The signing certificate issuer/serial in SigningCertificate does not match the certificate.');
				}
				break outer;
			}
		}
		if (!signer) {
			f.add('SIGNING_CERTIFICATE_MISMATCH', 'The signing certificate digest value does not match! No certificate in KeyInfo matches SigningCertificate.');
			signer = keyInfoCerts[0] ?? null;
		}
	}
	if (!signer) f.add('SIGNING_CERTIFICATE_MISSING', 'The signature carries no signer certificate in KeyInfo.');

	// 4. SignatureValue over canonical SignedInfo.
	if (sig.signedInfo && sig.c14n && sig.signatureValue && sig.signatureMethod && signer) {
		if (!isC14nAlgorithm(sig.c14n.algorithm)) {
			f.add('UNSUPPORTED_ALGORITHM', `CanonicalizationMethod "${sig.c14n.algorithm}" is not supported.`);
		} else {
			const si = ctx.c14n.get(sig.signedInfo, [{ algorithm: sig.c14n.algorithm, prefixes: sig.c14n.prefixes }]);
			const check = verifySignatureValue(sig.signatureMethod, sig.signatureMethodElement, si, sig.signatureValue, signer);
			if (!check.ok) {
				f.add(check.unsupported ? 'UNSUPPORTED_ALGORITHM' : 'SIGNATURE_VALUE_INVALID', `The signature is not intact! ${check.reason}`);
			}
		}
	}

	// Helper certificates for chains, OCSP and timestamps.
	// The container's own certificates; the trust store adds its anchors and intermediates itself.
	const pool = dedupe([...keyInfoCerts, ...valueCerts, ...(ctx.extraCertificates ?? [])]);

	// 5. Signature timestamps: imprint = H(c14n(ds:SignatureValue)), default inclusive C14N 1.0 (spec §2.3).
	const validTsTimes: Date[] = [];
	const allTsTimes: Date[] = [];
	const validTs: TimestampPoe[] = [];
	for (const ts of sig.signatureTimestamps) {
		if (ts.tokens.length !== 1 || !sig.signatureValueElement) continue;
		const step = ts.c14n ?? { algorithm: C14N.c14n10 };
		if (!isC14nAlgorithm(step.algorithm)) {
			f.add('TIMESTAMP_INVALID', `Signature has an invalid timestamp: CanonicalizationMethod "${step.algorithm}" is not supported.`);
			continue;
		}
		try {
			const token = parseTimestampToken(ts.tokens[0]);
			allTsTimes.push(token.genTime);
			const data = ctx.c14n.get(sig.signatureValueElement, [{ algorithm: step.algorithm, prefixes: step.prefixes }]);
			const v = withNarrowedTrust(ctx, [...token.certificates, ...pool], [], (trust) =>
				verifyTimestampToken(ts.tokens[0], { data, trust, certificates: pool }),
			);
			validTsTimes.push(v.genTime);
			validTs.push(poeOf(v, ctx));
		} catch (e) {
			if (e instanceof C14nBudgetError) throw e;
			if (e instanceof ValidationError && e.rule === 'timestamp.imprint.mismatch') {
				f.add('TIMESTAMP_IMPRINT_MISMATCH', 'The time-stamp message imprint is not intact! The timestamp does not cover this SignatureValue.');
			} else if (e instanceof ValidationError && CORRUPT_TIMESTAMP_RULES.test(e.rule)) {
				// Broken or altered token (as opposed to an untrusted TSA): a definite failure.
				f.add('TIMESTAMP_CORRUPT', `The timestamp token is corrupt or was altered: ${msg(e)}`);
			}
			f.add('TIMESTAMP_INVALID', `Signature has an invalid timestamp: ${msg(e)}`);
		}
	}
	validTsTimes.sort((a, b) => a.getTime() - b.getTime());
	allTsTimes.sort((a, b) => a.getTime() - b.getTime());

	// 6. Profile and policy.
	const policy = sig.policy;
	const isTm = sig.signatureTimestamps.length === 0 && policy !== null && policy !== 'implied' && policy.identifier.startsWith(BDOC_POLICY_PREFIX);
	if (isTm && policy && typeof policy === 'object') {
		if (policy.identifier !== BDOC_TM_POLICY) f.add('TM_POLICY_INVALID', `Wrong policy identifier: ${policy.identifier}`);
		else if (policy.qualifier !== 'OIDAsURN') f.add('TM_POLICY_INVALID', 'The BDOC policy identifier qualifier is not OIDAsURN.');
		else if (!policy.spuri) f.add('TM_POLICY_INVALID', 'The BDOC policy has no SPURI.');
	}
	if (policy === 'implied') f.add('POLICY_IMPLIED', 'Signature created with implied policy, additional conditions may apply!');
	let format = 'XAdES_BASELINE_B';
	if (isTm) format = 'XAdES_BASELINE_LT_TM';
	else if (sig.signatureTimestamps.length > 0) {
		format = sig.ocspValues.length > 0 ? (sig.archiveTimestamps.length > 0 ? 'XAdES_BASELINE_LTA' : 'XAdES_BASELINE_LT') : 'XAdES_BASELINE_T';
	}

	// 7. Archive timestamps (spec §2.4).
	const archives: TimestampPoe[] = [];
	for (const ats of sig.archiveTimestamps) {
		const v = verifyArchiveTimestamp(sig, ats, referenceBytes, ctx, pool, f);
		if (v) archives.push(poeOf(v, ctx));
	}
	archives.sort((a, b) => a.genTime.getTime() - b.genTime.getTime());
	// 7b. Long-term proof of existence: the signature timestamp must still be checkable at the validation time, or be
	// covered by an archive timestamp made while it was, and so on up to one that is checkable now.
	validTs.sort((a, b) => a.genTime.getTime() - b.genTime.getTime());
	if (!isTm && validTs.length > 0 && !poeHolds(validTs[0], archives, ctx.validationTime)) {
		const first = validTs[0];
		f.add(
			'TIMESTAMP_POE_EXPIRED',
			`The signature timestamp's TSA certificate path ("${first.tsa}") expired at ${first.validUntil!.toISOString()}, before the validation time ` +
				`${ctx.validationTime.toISOString()}, and no valid archive timestamp made before then covers it. Extend the signature (LTA) while its timestamps can still be checked.`,
		);
	}

	// 8. OCSP for the signer (needs the issuer), then best-signature-time.
	let best: Date = validTsTimes[0] ?? ctx.validationTime;
	let bestSource: SignatureReport['bestSignatureTimeSource'] = validTsTimes[0] ? 'SIGNATURE_TIMESTAMP' : 'VALIDATION_TIME';
	let chain: X509Certificate[] | null = null;
	let chainError: ChainError | null = null;
	const tryChain = (at: Date): void => {
		if (!signer) return;
		try {
			chain = buildChain(signer, { trust: ctx.trust, intermediates: pool, at }).chain;
			chainError = null;
		} catch (e) {
			if (!(e instanceof ChainError)) throw e;
			chainError = e;
		}
	};
	tryChain(best);
	let ocspReport: SignatureReport['ocsp'] = null;
	if (signer) {
		const issuer: X509Certificate | null =
			(chain as X509Certificate[] | null)?.[1] ?? findIssuer(signer, dedupe([...pool, ...ctx.trust.intermediates(), ...ctx.trust.anchors()]));
		const ocsp = checkOcsp(sig, signer, issuer, ctx, pool, f);
		if (ocsp.length > 0) {
			let chosen: OcspVerification;
			if (isTm) {
				chosen = ocsp[ocsp.length - 1];
				const nonce = chosen.nonce;
				if (!nonce || !sig.signatureValue || !tmNonceMatches(nonce, sig.signatureValue)) {
					f.add('TM_NONCE_INVALID', 'OCSP nonce is invalid: it does not hold the digest of this SignatureValue.');
				} else {
					best = chosen.producedAt;
					bestSource = 'OCSP_TIME_MARK';
				}
			} else if (allTsTimes.length > 0) {
				const t = allTsTimes[0];
				const after = ocsp.find((o) => secondFloor(o.producedAt) >= secondFloor(t));
				if (!after) {
					f.add('OCSP_BEFORE_TIMESTAMP', 'Timestamp time is after OCSP response production time: the OCSP response was produced before the signature timestamp.');
					chosen = ocsp[ocsp.length - 1];
				} else {
					chosen = after;
					if (after.producedAt.getTime() - t.getTime() > FRESHNESS_MS) {
						f.add(
							'OCSP_NOT_FRESH',
							"The time difference between the signature timestamp and the OCSP response exceeds 15 minutes, rendering the OCSP response not 'fresh'.",
						);
					}
				}
			} else chosen = ocsp[ocsp.length - 1];
			ocspReport = { status: chosen.status.toUpperCase(), producedAt: chosen.producedAt.toISOString() };
			// DSS RevocationIssuedAfterBestSignatureTime: the revocation answer must be issued (OCSP producedAt, and the
			// status it reports, thisUpdate) at or after best-signature-time (second precision). A time-mark's OCSP
			// defines that time itself; without a valid timestamp the best-signature-time is the validation time, so an
			// old GOOD answer proves nothing about today.
			if (!isTm && !f.has('OCSP_BEFORE_TIMESTAMP') && Math.min(secondFloor(chosen.producedAt), secondFloor(chosen.thisUpdate)) < secondFloor(best)) {
				f.add(
					'REVOCATION_BEFORE_BEST_SIGNATURE_TIME',
					`No revocation data issued after the best-signature-time (${best.toISOString()}${bestSource === 'VALIDATION_TIME' ? ', the validation time: the signature has no valid timestamp' : ''}); ` +
						`the OCSP response was produced at ${chosen.producedAt.toISOString()} (thisUpdate ${chosen.thisUpdate.toISOString()}).`,
				);
			}
			if (chosen.status === 'revoked') {
				const revokedAt = chosen.revocationTime;
				if (bestSource === 'VALIDATION_TIME' || isTm || !revokedAt || revokedAt.getTime() <= best.getTime()) {
					f.add('CERTIFICATE_REVOKED', `The certificate is revoked!${revokedAt ? ` (since ${revokedAt.toISOString()})` : ''}`);
				}
			} else if (chosen.status === 'unknown') {
				f.add('CERTIFICATE_STATUS_UNKNOWN', 'The OCSP responder does not know the signer certificate (status unknown).');
			}
		} else if (sig.ocspValues.length === 0) {
			f.add('OCSP_MISSING', 'No revocation data found for the certificate! The signature has no OCSP response.');
		}
		if (bestSource === 'OCSP_TIME_MARK') tryChain(best);
	}

	// 9. Signer chain at best-signature-time.
	const ce = chainError as ChainError | null;
	if (ce) {
		if (ce.rule === 'chain.untrusted') {
			f.add('CHAIN_UNTRUSTED', `Unable to build a certificate chain up to a trusted list! The certificate chain for signature is not trusted, it does not contain a trust anchor. ${ce.message}`);
		} else if (ce.rule === 'chain.expired' || ce.rule === 'chain.notYetValid') {
			f.add('CERTIFICATE_NOT_VALID_AT_SIGNING_TIME', `The certificate validation is not conclusive! ${ce.message}`);
		} else {
			f.add('CHAIN_INVALID', ce.message);
		}
	}

	// 9b. The signer certificate must allow nonRepudiation (libdigidocpp; DSS "not expected key-usage").
	const ku = signer ? safeParse(signer)?.keyUsage : null;
	if (signer && (!ku || !ku.nonRepudiation)) {
		f.add('SIGNER_KEY_USAGE', `The signer's certificate does not allow nonRepudiation (${ku ? 'KeyUsage lacks it' : 'no KeyUsage extension'}); it is not a signing certificate.`);
	}

	// 10. Cryptographic constraints at best-signature-time; without a trusted chain there is no proof of existence,
	// so (like DSS) they are judged at the validation time.
	const constraintTime = ce && ce.rule !== 'chain.expired' && ce.rule !== 'chain.notYetValid' ? ctx.validationTime : best;
	if (signer) {
		const key = signer.publicKey;
		const bits = key.asymmetricKeyDetails?.modulusLength;
		if ((key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && bits && bits < 2048 && constraintTime.getTime() >= RSA_SHORT_KEY_END) {
			f.add('WEAK_ALGORITHM', `The algorithm RSA with key size ${bits} is no longer considered reliable for signature creation!`);
		}
	}
	const sm = sig.signatureMethod ? signatureAlgorithm(sig.signatureMethod) : null;
	if (sm?.hash === 'sha224' && constraintTime.getTime() >= SHA224_END) f.add('WEAK_ALGORITHM', 'The algorithm SHA224 is no longer considered reliable for signature creation!');
	if (sm?.hash === 'sha1' && constraintTime.getTime() >= SHA1_END) f.add('WEAK_ALGORITHM', 'The algorithm SHA1 is no longer considered reliable for signature creation!');
	if (!sig.signingTime) f.add('SIGNING_TIME_MISSING', 'The signature has no SigningTime.');

	// 11. Which trust source, list and service trusted the signer (at best-signature-time).
	const trustedChain = chain as X509Certificate[] | null;
	const trustedBy = signer && trustedChain ? ctx.trustSource.explainSigner(signer, trustedChain, best, pool) : null;
	if (trustedBy && !trustedBy.grantedAtBestSignatureTime) {
		f.add('TRUSTED_LIST_SERVICE_NOT_GRANTED', `The signer's CA is trusted only through the EU trusted lists, and ${trustedBy.summary}.`);
	}

	const parsedSigner = signer ? safeParse(signer) : null;
	const qc = parsedSigner?.qcStatements;
	const { indication, subIndication } = f.indication();
	const report: SignatureReport = {
		id: sig.id ?? '',
		signatureFile: file,
		index,
		signatureFormat: format,
		signatureMethod: sig.signatureMethod ?? '',
		signatureLevel: qc ? (qc.compliance && qc.sscd ? 'QESIG' : qc.compliance ? 'ADESIG_QC' : 'ADESIG') : 'NA',
		signedBy: parsedSigner?.subject.CN ?? '',
		subjectDistinguishedName: { commonName: parsedSigner?.subject.CN ?? '', serialNumber: parsedSigner?.subject.serialNumber ?? '' },
		claimedSigningTime: sig.signingTime ? sig.signingTime.toISOString() : '',
		bestSignatureTime: best.toISOString(),
		bestSignatureTimeSource: bestSource,
		ocsp: ocspReport,
		trustedBy,
		archiveTimestamps: archives.map((a) => ({ genTime: a.genTime.toISOString(), tsa: a.tsa, tsaValidUntil: a.validUntil ? a.validUntil.toISOString() : null })),
		indication,
		subIndication,
		errors: f.errors.map(({ code, message }) => ({ code, message })),
		warnings: f.warnings,
		signatureScopes: dataReferences
			.filter((r) => r.resolved && r.name !== null)
			.map((r) => ({ name: r.name!, scope: 'FullSignatureScope' as const, content: 'Full document' })),
	};
	return { report, dataReferences };
}

/**
 * Run `fn` with anchors narrowed to the related ones; when that fails for a trust reason (untrusted, no issuer or
 * responder found, not authorised) retry once with the full store, so the narrowing never changes a verdict.
 */
function withNarrowedTrust<T>(ctx: VerifyContext, related: X509Certificate[], names: string[], fn: (trust: TrustStore) => T): T {
	try {
		return fn(relatedTrust(ctx.trust, related, names));
	} catch (e) {
		const rule = e instanceof ValidationError ? e.rule : '';
		if (e instanceof ValidationError && !/untrusted|notFound|authori[sz]|responder|chain/i.test(rule)) throw e;
		return fn(ctx.trust);
	}
}

function safeParse(cert: X509Certificate): ReturnType<typeof parseCertificate> | null {
	try {
		return parseCertificate(cert);
	} catch {
		return null;
	}
}

/** Verify every embedded OCSP response that is about `signer`; verified ones sorted by producedAt. */
function checkOcsp(
	sig: ParsedSignature,
	signer: X509Certificate,
	issuer: X509Certificate | null,
	ctx: VerifyContext,
	pool: X509Certificate[],
	f: Findings,
): OcspVerification[] {
	if (sig.ocspValues.length === 0) return [];
	if (!issuer) {
		f.add('OCSP_INVALID', 'The OCSP response cannot be checked: the signer certificate\'s issuer is not known.');
		return [];
	}
	const ok: OcspVerification[] = [];
	const problems: string[] = [];
	for (const der of sig.ocspValues) {
		try {
			const parsed = parseOcspResponse(der);
			const producedAt = parsed.basic?.producedAt ?? ctx.validationTime;
			const rid = parsed.basic?.responderId;
			const cn = rid && 'byName' in rid ? (/CN=([^,]+)/.exec(rid.byName)?.[1] ?? '') : '';
			ok.push(
				withNarrowedTrust(ctx, [...(parsed.basic?.certificates ?? []), issuer, ...pool], [cn], (trust) =>
					verifyOcspResponse(parsed, { certificate: signer, issuer, trust, responderCertificates: pool, at: producedAt, checkFreshness: false }),
				),
			);
		} catch (e) {
			problems.push(msg(e));
		}
	}
	if (ok.length === 0) f.add('OCSP_INVALID', `No acceptable revocation data for the certificate: ${problems.join(' / ')}`);
	return ok.sort((a, b) => a.producedAt.getTime() - b.producedAt.getTime());
}

/** ArchiveTimeStamp input (spec §2.4, {@link archiveTimestampInput}) and token verification; the verification when valid. */
function verifyArchiveTimestamp(
	sig: ParsedSignature,
	ats: ParsedSignature['archiveTimestamps'][number],
	referenceBytes: Array<Buffer | null>,
	ctx: VerifyContext,
	pool: X509Certificate[],
	f: Findings,
): TimestampVerification | null {
	if (ats.tokens.length !== 1) {
		f.add('ARCHIVE_TIMESTAMP_INVALID', `An ArchiveTimeStamp holds ${ats.tokens.length} tokens; exactly one is allowed.`);
		return null;
	}
	const step = ats.c14n ?? { algorithm: C14N.c14n10 };
	if (!isC14nAlgorithm(step.algorithm) || referenceBytes.some((b) => b === null)) {
		f.add('ARCHIVE_TIMESTAMP_INVALID', 'The archive timestamp input cannot be rebuilt (unsupported c14n or unresolved reference).');
		return null;
	}
	const c = (el: Parameters<typeof canonicalize>[0]): Buffer => ctx.c14n.get(el, [{ algorithm: step.algorithm, prefixes: step.prefixes }]);
	try {
		const token = parseTimestampToken(ats.tokens[0]);
		const data = archiveTimestampInput(sig, ats.element, referenceBytes as Buffer[], c);
		return withNarrowedTrust(ctx, [...token.certificates, ...pool], [], (trust) => verifyTimestampToken(ats.tokens[0], { data, trust, certificates: pool }));
	} catch (e) {
		if (e instanceof C14nBudgetError) throw e;
		if (e instanceof ValidationError && e.rule === 'timestamp.imprint.mismatch') {
			f.add('ARCHIVE_TIMESTAMP_IMPRINT_MISMATCH', 'The archive time-stamp message imprint is not intact! It does not cover this signature as it is now.');
		} else f.add('ARCHIVE_TIMESTAMP_INVALID', `The archive timestamp is not valid: ${msg(e)}`);
		return null;
	}
}

/** A verified timestamp as proof of existence: when it was made and until when its TSA path can be checked. */
interface TimestampPoe {
	genTime: Date;
	tsa: string;
	/** Earliest expiry of the TSA path's certificates that are not trust anchors; null for a listed TSA (DSS does not expire anchors). */
	validUntil: Date | null;
}

function poeOf(v: TimestampVerification, ctx: VerifyContext): TimestampPoe {
	const tsa = /(?:^|\n)CN=([^\n]+)/.exec(v.tsaCertificate.subject)?.[1] ?? v.tsaCertificate.subject;
	if (ctx.trust.isAnchorFor(v.tsaCertificate, 'tsa')) return { genTime: v.genTime, tsa, validUntil: null };
	const path = (v.chain ?? [v.tsaCertificate]).filter((c) => !ctx.trust.isAnchor(c));
	if (path.length === 0) return { genTime: v.genTime, tsa, validUntil: null };
	const until = Math.min(...path.map((c) => Date.parse(c.validTo)));
	return { genTime: v.genTime, tsa, validUntil: new Date(until) };
}

/**
 * True when `ts` can still be checked at `at`, or a later archive timestamp made while `ts`'s TSA path was valid
 * covers it and itself holds (EN 319 102-1 long-term validation; archive timestamps cover every earlier one).
 */
function poeHolds(ts: TimestampPoe, archives: TimestampPoe[], at: Date, depth = 0): boolean {
	if (ts.validUntil === null || ts.validUntil.getTime() > at.getTime()) return true;
	if (depth > 32) return false;
	// Same-second genTimes happen (extension right after signing); an archive timestamp never covers itself.
	return archives.some((a) => a !== ts && a.genTime.getTime() >= ts.genTime.getTime() && a.genTime.getTime() < ts.validUntil!.getTime() && poeHolds(a, archives, at, depth + 1));
}
