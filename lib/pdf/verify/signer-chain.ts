import type { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { relatedTrust } from '../../asice/verify/anchor-filter';
import type { SignatureReport } from '../../asice/verify/report';
import { ValidationError } from '../../errors';
import { buildChain, ChainError } from '../../pki/chain';
import { parseOcspResponse, verifyOcspResponse, type OcspVerification } from '../../pki/ocsp';
import { certView, sameBytes, serialBytes, toBuffer, unsignedInteger, verifySignature } from '../../pki/ocsp-tsp-crypto';
import type { TrustStore } from '../../pki/trust-store';
import type { PdfFindings } from './findings';

/** Inputs of {@link checkSignerChain}. */
export interface SignerChainInput {
	signer: X509Certificate;
	/** CMS certificates, DSS certificates: helpers, never anchors. */
	pool: X509Certificate[];
	trust: TrustStore;
	best: Date;
	bestSource: SignatureReport['bestSignatureTimeSource'];
	/** OCSPResponse DER (DSS and adbe-revocationInfoArchival). */
	ocsp: Buffer[];
	/** CRL DER (DSS and adbe-revocationInfoArchival). */
	crls: Buffer[];
	validationTime: Date;
}

/** What the chain and revocation check found. */
export interface SignerChainOutcome {
	chain: X509Certificate[] | null;
	ocsp: SignatureReport['ocsp'];
	/** True when revocation data about the signer was found and verified (OCSP or CRL). */
	revocationFound: boolean;
}

const sec = (d: Date): number => Math.floor(d.getTime() / 1000);

function sameCert(a: X509Certificate, b: X509Certificate): boolean {
	return a.raw.equals(b.raw);
}

/** The certificate in `pool` that issued `cert` (name match and signature check). */
function findIssuer(cert: X509Certificate, pool: X509Certificate[]): X509Certificate | null {
	for (const c of pool) {
		if (sameCert(c, cert) || c.subject !== cert.issuer) continue;
		try {
			if (cert.verify(c.publicKey)) return c;
		} catch {
			// not this one
		}
	}
	return null;
}

/** OCSP answers about `signer` that verify (responder authorised by its issuer, delegated, or a trusted OCSP anchor). */
function verifiedOcsp(input: SignerChainInput, issuer: X509Certificate, problems: string[]): OcspVerification[] {
	const ok: OcspVerification[] = [];
	for (const der of input.ocsp) {
		try {
			const parsed = parseOcspResponse(der);
			const single = parsed.basic?.responses ?? [];
			// Skip answers about other certificates quietly (a DSS holds the whole chain's answers).
			const serial = serialBytes(certView(input.signer));
			if (single.length > 0 && !single.some((s) => sameBytes(s.certId.serialNumber, serial))) continue;
			const opts = { certificate: input.signer, issuer, responderCertificates: input.pool, at: parsed.basic?.producedAt ?? input.validationTime, checkFreshness: false };
			try {
				ok.push(verifyOcspResponse(parsed, { ...opts, trust: relatedTrust(input.trust, [...(parsed.basic?.certificates ?? []), issuer, ...input.pool]) }));
			} catch (e) {
				if (!(e instanceof ValidationError)) throw e;
				ok.push(verifyOcspResponse(parsed, { ...opts, trust: input.trust }));
			}
		} catch (e) {
			problems.push(e instanceof Error ? e.message : String(e));
		}
	}
	return ok.sort((a, b) => a.producedAt.getTime() - b.producedAt.getTime());
}

/** A CRL of `issuer` (signature checked) that lists or clears `signer`; null when the CRL is about another CA. */
function crlStatus(der: Buffer, signer: X509Certificate, issuer: X509Certificate): { thisUpdate: Date; revokedAt: Date | null } | null {
	const asn = asn1js.fromBER(der);
	if (asn.offset === -1) throw new Error('a DSS CRL is not DER');
	const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
	if (!sameBytes(toBuffer(crl.issuer.toSchema().toBER()), toBuffer(certView(issuer).asn.subject.toSchema().toBER()))) return null;
	if (!verifySignature(crl.signatureAlgorithm, crl.tbsView, toBuffer(crl.signatureValue.valueBlock.valueHexView), issuer.publicKey, 'pdf.crl.signature')) {
		throw new Error(`the CRL of "${issuer.subject.replace(/\n/g, ', ')}" does not verify with the CA's key`);
	}
	const serial = serialBytes(certView(signer));
	const entry = (crl.revokedCertificates ?? []).find((r) => sameBytes(unsignedInteger(r.userCertificate.valueBlock.valueHexView), serial));
	return { thisUpdate: crl.thisUpdate.value, revokedAt: entry ? entry.revocationDate.value : null };
}

/**
 * The signer's chain to a trust anchor at best-signature-time (lib/pki buildChain) and its revocation status from
 * the document's own validation data: OCSP (chosen as the first produced at or after best-signature-time, as the
 * container verifier does) or, without OCSP, a CRL of the issuer. Missing revocation data is a warning (a B-T
 * signature); revocation data that exists but predates best-signature-time leaves the signature undecided.
 */
export function checkSignerChain(input: SignerChainInput, f: PdfFindings): SignerChainOutcome {
	const { signer, best } = input;
	let chain: X509Certificate[] | null = null;
	try {
		chain = buildChain(signer, { trust: input.trust, intermediates: input.pool, at: best }).chain;
	} catch (e) {
		if (!(e instanceof ChainError)) throw e;
		if (e.rule === 'chain.untrusted') {
			f.add('CHAIN_UNTRUSTED', `The signer's certificate chain does not reach a trust anchor (give its root with the anchors option, or use trusted lists): ${e.message}`);
		} else if (e.rule === 'chain.expired' || e.rule === 'chain.notYetValid') {
			f.add('CERTIFICATE_NOT_VALID_AT_SIGNING_TIME', `The certificate validation is not conclusive at best-signature-time ${best.toISOString()}: ${e.message}`);
		} else f.add('CHAIN_INVALID', e.message);
	}
	const issuer = chain?.[1] ?? findIssuer(signer, [...input.pool, ...input.trust.intermediates(), ...input.trust.anchors()]);
	const outcome: SignerChainOutcome = { chain, ocsp: null, revocationFound: false };
	if (!issuer) {
		if (input.ocsp.length + input.crls.length > 0) f.add('OCSP_INVALID', "The revocation data cannot be checked: the signer certificate's issuer is not known.");
		else f.add('REVOCATION_DATA_MISSING', 'The document holds no revocation data for the signer (no DSS, no archived OCSP/CRL): a B-B or B-T signature, whose certificate status at signing time the file does not prove.');
		return outcome;
	}
	const problems: string[] = [];
	const answers = verifiedOcsp(input, issuer, problems);
	if (answers.length > 0) {
		outcome.revocationFound = true;
		const chosen = answers.find((o) => Math.min(sec(o.producedAt), sec(o.thisUpdate)) >= sec(best)) ?? answers[answers.length - 1];
		outcome.ocsp = { status: chosen.status.toUpperCase(), producedAt: chosen.producedAt.toISOString() };
		if (Math.min(sec(chosen.producedAt), sec(chosen.thisUpdate)) < sec(best)) {
			f.add(
				'REVOCATION_BEFORE_BEST_SIGNATURE_TIME',
				`No revocation data issued after the best-signature-time (${best.toISOString()}${input.bestSource === 'VALIDATION_TIME' ? ', the validation time: the signature has no valid timestamp' : ''}); the latest OCSP response was produced at ${chosen.producedAt.toISOString()}.`,
			);
		}
		if (chosen.status === 'revoked') {
			const at = chosen.revocationTime;
			if (input.bestSource === 'VALIDATION_TIME' || !at || at.getTime() <= best.getTime()) f.add('CERTIFICATE_REVOKED', `The signer's certificate is revoked${at ? ` since ${at.toISOString()}` : ''}.`);
		} else if (chosen.status === 'unknown') f.add('CERTIFICATE_STATUS_UNKNOWN', 'The OCSP responder does not know the signer certificate (status unknown).');
		return outcome;
	}
	const crlProblems: string[] = [];
	for (const der of input.crls) {
		try {
			const status = crlStatus(der, signer, issuer);
			if (!status) continue;
			outcome.revocationFound = true;
			if (status.revokedAt && (input.bestSource === 'VALIDATION_TIME' || status.revokedAt.getTime() <= best.getTime())) {
				f.add('CERTIFICATE_REVOKED', `The issuer's CRL lists the signer's certificate as revoked since ${status.revokedAt.toISOString()}.`);
			} else if (sec(status.thisUpdate) < sec(best)) {
				f.add('REVOCATION_BEFORE_BEST_SIGNATURE_TIME', `The CRL (thisUpdate ${status.thisUpdate.toISOString()}) was issued before the best-signature-time ${best.toISOString()}.`);
			}
			return outcome;
		} catch (e) {
			crlProblems.push(e instanceof Error ? e.message : String(e));
		}
	}
	if (problems.length > 0) f.add('OCSP_INVALID', `No acceptable OCSP response for the signer: ${problems.slice(0, 3).join(' / ')}`);
	if (crlProblems.length > 0) f.add('CRL_INVALID', `No acceptable CRL for the signer: ${crlProblems.slice(0, 3).join(' / ')}`);
	if (problems.length + crlProblems.length > 0) return outcome;
	f.add('REVOCATION_DATA_MISSING', 'The document holds no revocation data for the signer (no DSS entry, no archived OCSP/CRL): a B-B or B-T signature, whose certificate status at signing time the file does not prove.');
	return outcome;
}
