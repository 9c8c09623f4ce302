import type { X509Certificate } from 'node:crypto';
import type { TrustStore } from '../../pki/trust-store';

/**
 * `trust` narrowed to anchors/intermediates that can plausibly be on the path of `related` certificates (same subject,
 * or the subject of one of their issuers). The OCSP/timestamp verifiers parse every certificate of the store they are
 * given, so a narrowed store keeps verification fast; callers retry with the full store when the narrowed one fails,
 * so the result never depends on this heuristic.
 */
export function relatedTrust(trust: TrustStore, related: X509Certificate[], names: string[] = []): TrustStore {
	const subjects = new Set<string>();
	for (const c of related) {
		subjects.add(c.subject);
		subjects.add(c.issuer);
	}
	const keep = (a: X509Certificate): boolean => subjects.has(a.subject) || names.some((n) => n.length > 0 && a.subject.includes(n));
	// Follow bundled intermediates upwards so their issuers (often the anchors) stay in.
	const intermediates: X509Certificate[] = [];
	for (let grown = true; grown; ) {
		grown = false;
		for (const c of trust.intermediates()) {
			if (intermediates.includes(c) || !keep(c)) continue;
			intermediates.push(c);
			if (!subjects.has(c.issuer)) {
				subjects.add(c.issuer);
				grown = true;
			}
		}
	}
	// Narrowing keeps every anchor's uses (TSA, OCSP service mapping, signer CA): it never widens trust.
	return trust.narrowed((c, isAnchor) => (isAnchor ? keep(c) : intermediates.includes(c)));
}
