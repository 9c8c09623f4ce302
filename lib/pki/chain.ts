import type { X509Certificate } from 'node:crypto';
import { ValidationError } from '../errors';
import { parseCertificate, toX509, type CertificateInput } from './certificate';
import { OID } from './oids';
import { trustUseLabel, type TrustStore, type TrustUse } from './trust-store';

/**
 * A certificate path could not be built to a trust anchor. `rule` says why:
 * `chain.untrusted` (no issuer found / ends at an unknown root), `chain.expired`, `chain.notYetValid`,
 * `chain.badSignature`, `chain.issuerNotCa`, `chain.issuerKeyUsage`, `chain.pathLength`, `chain.purpose`,
 * `chain.anchorUse` (the path reaches an anchor trusted for something else, e.g. a TSA or another CA).
 */
export class ChainError extends ValidationError {}

/** A path from the leaf (first) to the anchor (last; the leaf itself when it is an anchor). */
export interface ChainResult {
	chain: X509Certificate[];
	anchor: X509Certificate;
}

/** Extended key usage names `buildChain` understands in `purpose` (a dotted OID is accepted too). */
export const CHAIN_PURPOSES: Record<string, string> = {
	serverAuth: OID.ekuServerAuth,
	clientAuth: OID.ekuClientAuth,
	emailProtection: OID.ekuEmailProtection,
	timeStamping: OID.ekuTimeStamping,
	ocspSigning: OID.ekuOcspSigning,
	smartIdAuthentication: OID.ekuSmartIdAuthentication,
};

/** Options of {@link buildChain}. */
export interface BuildChainOptions {
	trust: TrustStore;
	/** Extra helper certificates (e.g. from a container's CertificateValues or an OCSP response). */
	intermediates?: (X509Certificate | Buffer)[];
	/** Validation time; every certificate on the path must be valid then. */
	at: Date;
	/** Required EKU of the leaf: a name from {@link CHAIN_PURPOSES} or a dotted OID. */
	purpose?: string;
	/** Maximum number of certificates in a path (default 10). */
	maxLength?: number;
	/**
	 * Which anchors count (issue 11 item 6): only those trusted for this use. Default from `purpose`:
	 * timeStamping → `tsa`, ocspSigning → `ocsp`, otherwise `signer`. Smart-ID answers use `smart-id`.
	 */
	use?: TrustUse;
}

function defaultUse(purpose: string | undefined): TrustUse {
	const oid = purpose === undefined ? undefined : (CHAIN_PURPOSES[purpose] ?? purpose);
	if (oid === OID.ekuTimeStamping) return 'tsa';
	if (oid === OID.ekuOcspSigning) return 'ocsp';
	return 'signer';
}

// When several paths fail, report the most telling reason.
const SEVERITY = [
	'chain.badSignature',
	'chain.expired',
	'chain.notYetValid',
	'chain.issuerNotCa',
	'chain.issuerKeyUsage',
	'chain.pathLength',
	'chain.anchorUse',
	'chain.untrusted',
];

interface Failure {
	rule: string;
	message: string;
	details: Record<string, unknown>;
}

function cn(cert: X509Certificate): string {
	return parseCertificate(cert).subject.CN ?? cert.subject.replace(/\n/g, ', ');
}

function validityFailure(cert: X509Certificate, at: Date): Failure | null {
	const view = parseCertificate(cert);
	if (at.getTime() < view.notBefore.getTime()) {
		return {
			rule: 'chain.notYetValid',
			message: `Certificate "${cn(cert)}" is not valid yet at ${at.toISOString()} (valid from ${view.notBefore.toISOString()}).`,
			details: { subject: cn(cert), notBefore: view.notBefore.toISOString(), at: at.toISOString() },
		};
	}
	if (at.getTime() > view.notAfter.getTime()) {
		return {
			rule: 'chain.expired',
			message: `Certificate "${cn(cert)}" had expired at ${at.toISOString()} (valid until ${view.notAfter.toISOString()}).`,
			details: { subject: cn(cert), notAfter: view.notAfter.toISOString(), at: at.toISOString() },
		};
	}
	return null;
}

/** True when `issuer`'s name (and key identifier, when both carry one) matches what `child` names as issuer. */
function namesIssuer(child: X509Certificate, issuer: X509Certificate): boolean {
	if (child.issuer !== issuer.subject) return false;
	const aki = parseCertificate(child).authorityKeyIdentifier;
	const ski = parseCertificate(issuer).subjectKeyIdentifier;
	return aki === null || ski === null || aki === ski;
}

function resolvePurpose(purpose: string): string {
	const oid = CHAIN_PURPOSES[purpose] ?? purpose;
	if (!/^\d+(\.\d+)+$/.test(oid)) {
		throw new ChainError('chain.purpose', `Unknown certificate purpose "${purpose}".`, { purpose });
	}
	return oid;
}

/**
 * Build and check a path from `leaf` to an anchor of `options.trust`: issuer names and key identifiers link,
 * every certificate is valid at `options.at`, every issuer is a CA (basicConstraints, keyCertSign, path length)
 * and every signature verifies (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256/384/521 via OpenSSL).
 * A leaf that is itself an anchor is trusted by itself.
 * @throws ChainError naming the broken rule.
 */
export function buildChain(leafInput: X509Certificate | Buffer | CertificateInput, options: BuildChainOptions): ChainResult {
	const leaf = toX509(leafInput);
	const at = options.at;
	if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
		throw new ChainError('chain.time', 'The validation time is not a valid date.');
	}
	const leafValidity = validityFailure(leaf, at);
	if (options.purpose !== undefined) {
		const oid = resolvePurpose(options.purpose);
		if (!parseCertificate(leaf).extendedKeyUsages.includes(oid)) {
			throw new ChainError(
				'chain.purpose',
				`Certificate "${cn(leaf)}" is not issued for ${options.purpose} (extended key usage ${oid} missing).`,
				{ subject: cn(leaf), purpose: options.purpose },
			);
		}
	}
	const trust = options.trust;
	const use = options.use ?? defaultUse(options.purpose);
	if (leafValidity) {
		// An expired leaf that has no trusted path at all is first of all untrusted (like DSS: no chain, no verdict
		// on its dates); with a trusted path, its dates are the reason.
		const untrusted = untrustedReason(leaf, options, use);
		const reason = untrusted ?? leafValidity;
		throw new ChainError(reason.rule, reason.message, reason.details);
	}
	if (trust.isAnchorFor(leaf, use)) return { chain: [leaf], anchor: leaf };

	const pool = [...trust.anchors(), ...(options.intermediates ?? []).map((c) => toX509(c)), ...trust.intermediates()];
	const maxLength = options.maxLength ?? 10;
	const failures: Failure[] = [];

	const extend = (path: X509Certificate[]): ChainResult | null => {
		const current = path[path.length - 1];
		if (trust.isAnchorFor(current, use)) {
			if (path.length > 1) return { chain: path, anchor: current };
		} else {
			const otherUses = trust.usesOf(current);
			if (otherUses.length > 0) failures.push(anchorUseFailure(leaf, current, use, otherUses));
		}
		if (path.length >= maxLength) {
			failures.push({ rule: 'chain.untrusted', message: 'The certificate path is too long.', details: {} });
			return null;
		}
		const candidates = pool.filter((c) => !path.some((p) => p.raw.equals(c.raw)) && namesIssuer(current, c));
		if (candidates.length === 0) {
			const selfSigned = current.issuer === current.subject;
			failures.push({
				rule: 'chain.untrusted',
				message: selfSigned
					? `Certificate "${cn(current)}" is self-signed and is not a trust anchor.`
					: `No trusted issuer "${current.issuer.replace(/\n/g, ', ')}" found for "${cn(current)}". Add the issuing CA as a trust anchor or intermediate.`,
				details: { subject: cn(current), issuer: current.issuer.replace(/\n/g, ', ') },
			});
			return null;
		}
		for (const issuer of candidates) {
			const failure = linkFailure(current, issuer, path.length - 1, at);
			if (failure) {
				failures.push(failure);
				continue;
			}
			const result = extend([...path, issuer]);
			if (result) return result;
		}
		return null;
	};

	const result = extend([leaf]);
	if (result) return result;
	failures.sort((a, b) => SEVERITY.indexOf(a.rule) - SEVERITY.indexOf(b.rule));
	const worst = failures[0];
	throw new ChainError(worst.rule, worst.message, worst.details);
}

/** Why `leaf` has no path to an anchor for `use` (ignoring its own dates), or null when one exists. */
function untrustedReason(leaf: X509Certificate, options: BuildChainOptions, use: TrustUse): Failure | null {
	if (options.trust.isAnchorFor(leaf, use)) return null;
	const leafView = parseCertificate(leaf);
	// Judge the path at a time inside the leaf's validity: only "is there any trusted path" matters here.
	const inside = new Date(Math.min(Math.max(options.at.getTime(), leafView.notBefore.getTime()), leafView.notAfter.getTime()));
	try {
		buildChain(leaf, { ...options, at: inside, purpose: undefined, use });
		return null;
	} catch (e) {
		if (!(e instanceof ChainError) || (e.rule !== 'chain.untrusted' && e.rule !== 'chain.anchorUse')) return null;
		return { rule: e.rule, message: e.message, details: e.details ?? {} };
	}
}

function anchorUseFailure(leaf: X509Certificate, anchor: X509Certificate, use: TrustUse, otherUses: TrustUse[]): Failure {
	const trustedFor = otherUses.map(trustUseLabel).join(', ');
	return {
		rule: 'chain.anchorUse',
		message: `Certificate "${cn(leaf)}" chains to "${cn(anchor)}", which is trusted for ${trustedFor} only, not for ${trustUseLabel(use)}.`,
		details: { subject: cn(leaf), anchor: cn(anchor), use, trustedFor: otherUses },
	};
}

function linkFailure(child: X509Certificate, issuer: X509Certificate, intermediatesBelow: number, at: Date): Failure | null {
	const view = parseCertificate(issuer);
	const subject = cn(issuer);
	if (!view.basicConstraints?.ca) {
		return {
			rule: 'chain.issuerNotCa',
			message: `"${subject}" issued "${cn(child)}" but is not a CA certificate (basicConstraints CA is not set).`,
			details: { issuer: subject },
		};
	}
	if (view.keyUsage && !view.keyUsage.keyCertSign) {
		return {
			rule: 'chain.issuerKeyUsage',
			message: `"${subject}" is not allowed to sign certificates (keyUsage keyCertSign missing).`,
			details: { issuer: subject },
		};
	}
	if (view.basicConstraints.pathLength !== undefined && intermediatesBelow > view.basicConstraints.pathLength) {
		return {
			rule: 'chain.pathLength',
			message: `"${subject}" allows at most ${view.basicConstraints.pathLength} intermediate CA(s) below it.`,
			details: { issuer: subject },
		};
	}
	const validity = validityFailure(issuer, at);
	if (validity) return validity;
	let ok = false;
	try {
		ok = child.verify(issuer.publicKey);
	} catch {
		ok = false;
	}
	if (!ok) {
		return {
			rule: 'chain.badSignature',
			message: `The signature on "${cn(child)}" does not verify with the key of "${subject}".`,
			details: { subject: cn(child), issuer: subject },
		};
	}
	return null;
}
