import { createHash, X509Certificate } from 'node:crypto';
import { checkServerIdentity as defaultCheckServerIdentity, type PeerCertificate } from 'node:tls';
import { InvalidRequestError } from '../errors';
import { PinMismatchError } from './errors';

/** `sha256//` + Base64 SHA-256 of the DER SubjectPublicKeyInfo (curl `--pinnedpubkey` format, spec §1). */
const PIN_RE = /^sha256\/\/[A-Za-z0-9+/]{43}=$/;

/** Check and normalise a pin list; at least one pin, each in `sha256//<base64>` form. */
export function validatePins(pins: unknown): string[] {
	if (!Array.isArray(pins) || pins.length === 0) {
		throw new InvalidRequestError('TLS pins list is empty: give the current and the next pin of SK\'s server key', {
			field: 'pins',
		});
	}
	return pins.map((pin, i) => {
		const p = typeof pin === 'string' ? pin.trim() : pin;
		if (typeof p !== 'string' || !PIN_RE.test(p)) {
			throw new InvalidRequestError(
				`TLS pin #${i + 1} is not of the form sha256//<44 Base64 characters> (SHA-256 of the server's SubjectPublicKeyInfo)`,
				{ field: 'pins' },
			);
		}
		return p;
	});
}

/** The pin of a DER SubjectPublicKeyInfo. */
export function spkiPin(spkiDer: Uint8Array): string {
	return `sha256//${createHash('sha256').update(spkiDer).digest('base64')}`;
}

/**
 * A `checkServerIdentity` for `tls.connect` / `https.Agent`: the usual host-name check, then the server key
 * must match one of `pins`. Node calls it on every new TLS connection (the agent disables session reuse so
 * no connection skips it).
 */
export function pinningCheckServerIdentity(pins: string[]): (host: string, cert: PeerCertificate) => Error | undefined {
	const allowed = new Set(validatePins(pins));
	return (host, cert) => {
		const hostError = defaultCheckServerIdentity(host, cert);
		if (hostError) return hostError;
		// `cert.pubkey` is the bare key (e.g. an EC point), not the SubjectPublicKeyInfo: re-derive SPKI from the DER.
		let presented: string;
		try {
			presented = spkiPin(new X509Certificate(cert.raw).publicKey.export({ type: 'spki', format: 'der' }));
		} catch {
			return new PinMismatchError(host, '(unreadable certificate)', [...allowed]);
		}
		return allowed.has(presented) ? undefined : new PinMismatchError(host, presented, [...allowed]);
	};
}
