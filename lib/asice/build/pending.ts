import { isHashAlgorithm } from '../../hash-algorithm';
import type { ZipWriterState } from '../zip-writer';
import { AsiceBuildError } from './errors';
import type { SignatureParameters } from './signature-xml';

/** Format tag of {@link PendingSignature}; bumped when the shape changes. */
export const PENDING_FORMAT = 'n8n-nodes-smart-id/asice-pending@1';

/**
 * Everything {@link finalizeSignature} needs, as plain JSON (store it with the pending Smart-ID session).
 * It holds no secret: certificates, digests, names and the path of the partial container.
 */
export interface PendingSignature {
	format: typeof PENDING_FORMAT;
	/** `new`: a fresh container whose data part is already written to `partialContainer`; `append`: add a signature to an existing container. */
	mode: 'new' | 'append';
	/** new: the partial container written by prepare; append: the existing container (left untouched). */
	partialContainer: string;
	/** append only: what the existing container looked like, to refuse finishing if it changed meanwhile. */
	source?: { size: number; centralDirectorySha256: string };
	zip: ZipWriterState;
	/** Entry name of the new signature file, e.g. `META-INF/signatures0.xml`. */
	signatureFile: string;
	parameters: SignatureParameters;
	/** Base64 H(canonical SignedInfo): rebuilt and compared in finalize, so a modified state is detected. */
	digestToSign: string;
}

function invalid(what: string): never {
	throw new AsiceBuildError('ASICE_BUILD_PENDING_INVALID', `The pending signature state is not usable: ${what}. Start the signing again.`);
}

/** Shape check of a pending state that came back from storage (JSON text or object). */
export function parsePendingSignature(input: unknown): PendingSignature {
	let value: unknown = input;
	if (typeof input === 'string') {
		try {
			value = JSON.parse(input);
		} catch {
			invalid('it is not JSON');
		}
	}
	if (typeof value !== 'object' || value === null) invalid('it is not an object');
	const p = value as Partial<PendingSignature>;
	if (p.format !== PENDING_FORMAT) invalid(`unknown format ${JSON.stringify(p.format)}`);
	if (p.mode !== 'new' && p.mode !== 'append') invalid('mode must be "new" or "append"');
	if (typeof p.partialContainer !== 'string' || p.partialContainer === '') invalid('partialContainer is missing');
	if (typeof p.signatureFile !== 'string' || !/^META-INF\/[^/]*signatures[^/]*\.xml$/.test(p.signatureFile)) invalid('signatureFile is not a META-INF signature file name');
	if (typeof p.digestToSign !== 'string') invalid('digestToSign is missing');
	const z = p.zip;
	if (!z || typeof z.position !== 'number' || !Array.isArray(z.entries) || !Array.isArray(z.rawCentral) || !Array.isArray(z.names)) invalid('the ZIP state is malformed');
	const s = p.parameters;
	if (!s || typeof s.idBase !== 'string' || !/^[0-9a-f]{32}$/.test(s.idBase)) invalid('the signature Id base is malformed');
	if (!isHashAlgorithm(s.hashAlgorithm)) invalid('the hash algorithm is unknown');
	if (!Array.isArray(s.files) || s.files.length === 0) invalid('no signed files are listed');
	if (p.mode === 'append' && (!p.source || typeof p.source.size !== 'number' || typeof p.source.centralDirectorySha256 !== 'string')) invalid('the source container fingerprint is missing');
	return p as PendingSignature;
}
