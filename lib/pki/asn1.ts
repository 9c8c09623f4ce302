/** ASN.1 decoding helpers that turn asn1js/pkijs failures into ValidationError with a rule (OCSP, TSP, certificates). */
import * as asn1js from 'asn1js';
import { ValidationError } from '../errors';

/** Parse BER/DER; throws ValidationError(rule) with `what` in the message when it is not one complete ASN.1 value. */
export function parseAsn1(der: Uint8Array, rule: string, what: string): asn1js.AsnType {
	if (!(der instanceof Uint8Array) || der.length === 0) {
		throw new ValidationError(rule, `${what} is empty; pass the DER bytes.`);
	}
	let parsed: ReturnType<typeof asn1js.fromBER>;
	try {
		parsed = asn1js.fromBER(new Uint8Array(der));
	} catch (error) {
		// asn1js throws (e.g. RangeError) on some malformed string types instead of reporting an error.
		throw new ValidationError(rule, `${what} is not valid DER/BER (${error instanceof Error ? error.message : String(error)}).`);
	}
	if (parsed.offset === -1 || parsed.offset !== der.length) {
		throw new ValidationError(rule, `${what} is not valid DER/BER (${parsed.result.error || 'trailing bytes'}).`);
	}
	return parsed.result;
}

/** Run a pkijs schema constructor, turning its exceptions into ValidationError(rule). */
export function fromSchema<T>(build: () => T, rule: string, what: string): T {
	try {
		return build();
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new ValidationError(rule, `${what} does not have the expected ASN.1 structure (${reason}).`);
	}
}

