import { SmartIdError } from '../../errors';

/** Why an XML document was refused (stable, one per limit or rule). */
export type XmlErrorReason =
	| 'XML_TOO_LARGE'
	| 'XML_TOO_DEEP'
	| 'XML_TOO_MANY_NODES'
	| 'XML_DTD_FORBIDDEN'
	| 'XML_ENCODING_UNSUPPORTED'
	| 'XML_MALFORMED';

/**
 * An XML document was refused before or while parsing. `code` is `ASICE_XML_REFUSED`; `reason` says which rule
 * (size, depth, DTD/entities, encoding, well-formedness) the input broke.
 */
export class XmlParseError extends SmartIdError {
	readonly reason: XmlErrorReason;
	constructor(reason: XmlErrorReason, message: string, details: Record<string, unknown> = {}) {
		super('ASICE_XML_REFUSED', message, { ...details, reason });
		this.reason = reason;
	}
}
