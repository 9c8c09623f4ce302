import type { X509Certificate } from 'node:crypto';
import { relatedTrust } from '../../asice/verify/anchor-filter';
import { ValidationError } from '../../errors';
import { parseTimestampToken, verifyTimestampToken, type TimestampVerification } from '../../pki/timestamp';
import type { TrustStore } from '../../pki/trust-store';
import type { CoveredBytes } from './covered-bytes';
import { trimDer } from './cms-signature';
import type { PdfFindings } from './findings';
import type { PdfSignatureEntry } from './signature-dictionaries';

/** Token rules that mean a broken or altered token (not an untrusted TSA): a definite failure. */
const CORRUPT_RULES = /^timestamp\.(malformed|signature|messageDigest|contentType|signedAttrs|signerInfo|signingCertificate\.mismatch)/;

/**
 * Verify a token with the anchors narrowed to the related ones (fast with large trusted lists), retrying once with
 * the full store when the narrowed one fails for a trust reason, so the narrowing never changes the verdict.
 */
function verifyToken(der: Buffer, trust: TrustStore, pool: X509Certificate[], expected: { data?: Buffer; imprint?: Buffer }): TimestampVerification {
	const token = parseTimestampToken(der);
	try {
		return verifyTimestampToken(token, { ...expected, trust: relatedTrust(trust, [...token.certificates, ...pool]), certificates: pool });
	} catch (e) {
		if (!(e instanceof ValidationError) || !/untrusted|notFound|chain/i.test(e.rule)) throw e;
		return verifyTimestampToken(token, { ...expected, trust, certificates: pool });
	}
}

function record(e: unknown, f: PdfFindings, what: string): void {
	const message = e instanceof Error ? e.message : String(e);
	if (e instanceof ValidationError && e.rule === 'timestamp.imprint.mismatch') {
		f.add('TIMESTAMP_IMPRINT_MISMATCH', `The ${what} is not intact: its message imprint does not match the bytes it should cover.`);
	} else if (e instanceof ValidationError && CORRUPT_RULES.test(e.rule)) {
		f.add('TIMESTAMP_CORRUPT', `The ${what} token is corrupt or was altered: ${message}`);
	} else if (!(e instanceof ValidationError)) {
		f.add('TIMESTAMP_CORRUPT', `The ${what} token cannot be read: ${message}`);
	}
	f.add('TIMESTAMP_INVALID', `The ${what} is not valid: ${message}`);
}

/** Signature timestamps (unsigned attribute, imprint over the CMS signature value): genTime of each valid one, earliest first. */
export function checkSignatureTimestamps(tokens: Buffer[], signatureValue: Buffer, trust: TrustStore, pool: X509Certificate[], f: PdfFindings): { valid: Date[]; tsa: X509Certificate[] } {
	const valid: Date[] = [];
	const tsa: X509Certificate[] = [];
	for (const der of tokens) {
		try {
			const v = verifyToken(der, trust, pool, { data: signatureValue });
			valid.push(v.genTime);
			tsa.push(v.tsaCertificate);
		} catch (e) {
			record(e, f, 'signature timestamp');
		}
	}
	return { valid: valid.sort((a, b) => a.getTime() - b.getTime()), tsa };
}

/** A document timestamp (ETSI.RFC3161): the token's imprint must be the digest of the ByteRange bytes. */
export async function checkDocumentTimestamp(
	entry: PdfSignatureEntry,
	covered: CoveredBytes,
	trust: TrustStore,
	pool: X509Certificate[],
	f: PdfFindings,
): Promise<TimestampVerification | null> {
	if (!entry.contents || !entry.byteRange) {
		f.add('CMS_MALFORMED', 'The document timestamp has no /Contents string or no usable /ByteRange.');
		return null;
	}
	let der: Buffer;
	let imprint: Buffer;
	try {
		der = trimDer(entry.contents);
		const token = parseTimestampToken(der);
		imprint = await covered.digest(entry.byteRange, token.imprintAlgorithm);
	} catch (e) {
		f.add('CMS_MALFORMED', `/Contents of the document timestamp is not a readable RFC 3161 token (${(e as Error).message}).`);
		return null;
	}
	try {
		return verifyToken(der, trust, pool, { imprint });
	} catch (e) {
		record(e, f, 'document timestamp');
		return null;
	}
}
