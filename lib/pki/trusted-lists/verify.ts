import { X509Certificate, createHash } from 'node:crypto';
import { TrustedListError } from './errors';
import type { TrustedList, TrustedListPointer } from './model';
import { parseTrustedListXml, readTrustedList, type TrustedListLimits } from './parse';
import { verifyListSignature, type ListSignature } from './signature';
import { TSL_MIME_XML, TSL_TYPE } from './uris';

/** A list whose signature verified against the certificates its parent (OJ / pivot / LOTL) allows. */
export interface VerifiedTrustedList {
	list: TrustedList;
	signature: ListSignature;
	/** Where the list came from (URL or file), for reports. */
	source: string;
	/** SHA-256 of the bytes, lowercase hex. */
	sha256: string;
	/** Validation time was after NextUpdate: the list is stale (still usable, reported). */
	expired: boolean;
}

/** Options shared by the verify functions. */
export interface VerifyListOptions {
	/** Validation time (default now). A list issued after it is refused (TL_NOT_YET_ISSUED). */
	at?: Date;
	limits?: TrustedListLimits;
	source?: string;
}

function toCerts(ders: (Buffer | X509Certificate)[]): X509Certificate[] {
	const out: X509Certificate[] = [];
	for (const d of ders) {
		try {
			out.push(d instanceof X509Certificate ? d : new X509Certificate(d));
		} catch {
			// An unreadable certificate in a pointer can sign nothing; skip it.
		}
	}
	return out;
}

function sha256(bytes: Buffer): string {
	return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Parse and verify one list against the certificates allowed to sign it; check it was issued by `at`.
 * @throws TrustedListError naming the broken rule.
 */
export function verifyTrustedList(bytes: Buffer, allowed: (Buffer | X509Certificate)[], options: VerifyListOptions = {}): VerifiedTrustedList {
	const at = options.at ?? new Date();
	const doc = parseTrustedListXml(bytes, options.limits);
	const signature = verifyListSignature(doc, toCerts(allowed));
	const list = readTrustedList(doc, options.limits);
	if (list.issueDate.getTime() > at.getTime()) {
		throw new TrustedListError('TL_NOT_YET_ISSUED', `The ${list.territory} list (sequence ${list.sequenceNumber}) was issued ${list.issueDate.toISOString()}, after the validation time ${at.toISOString()}.`, {
			territory: list.territory,
			issueDate: list.issueDate.toISOString(),
		});
	}
	return {
		list,
		signature,
		source: options.source ?? '',
		sha256: sha256(bytes),
		expired: list.nextUpdate !== null && list.nextUpdate.getTime() < at.getTime(),
	};
}

/** The LOTL's pointer to itself: the certificates announced as LOTL signers. */
export function lotlSigningCertificates(lotl: TrustedList): Buffer[] {
	return lotl.pointers.filter((p) => p.territory === 'EU' || p.tslType === TSL_TYPE.euLotl).flatMap((p) => p.certificates);
}

/** Pivot LOTL addresses a LOTL lists in SchemeInformationURI, oldest first (they are published newest first). */
export function pivotUrls(lotl: TrustedList): string[] {
	return lotl.schemeInformationUris.filter((u) => /pivot/i.test(u) && /\.xml(\?|#|$)/i.test(u)).reverse();
}

/** Options of {@link verifyLotl}. */
export interface VerifyLotlOptions extends VerifyListOptions {
	/**
	 * Certificates announced in the Official Journal as LOTL signing certificates: the root of trust. The LOTL is
	 * trusted when one of them signed it, or when it is signed by a certificate announced by a pivot LOTL whose chain
	 * of pivots starts with a pivot signed by one of them.
	 */
	ojCertificates: (Buffer | X509Certificate)[];
	/** Pivot LOTL bytes, oldest first (from {@link pivotUrls}), used when the OJ certificates do not sign the LOTL. */
	pivots?: { source: string; bytes: Buffer }[];
}

/** A verified LOTL and the pivot chain that anchored it (empty when the OJ certificates signed it directly). */
export interface VerifiedLotl extends VerifiedTrustedList {
	pivots: VerifiedTrustedList[];
}

/**
 * Verify the EU LOTL: first against the OJ certificates directly; otherwise walk the pivots oldest first, each
 * verified with the signing certificates announced by the previous one (the first with the OJ certificates), and
 * verify the LOTL with the certificates announced by the last pivot.
 * @throws TrustedListError (TL_PIVOT_FAILED when a pivot does not verify; the LOTL's own code otherwise).
 */
export function verifyLotl(bytes: Buffer, options: VerifyLotlOptions): VerifiedLotl {
	let direct: TrustedListError | null = null;
	try {
		const v = verifyTrustedList(bytes, options.ojCertificates, options);
		checkLotl(v.list);
		return { ...v, pivots: [] };
	} catch (err) {
		if (!(err instanceof TrustedListError) || err.code !== 'TL_SIGNER_NOT_TRUSTED' || !options.pivots?.length) throw err;
		direct = err;
	}
	let allowed: (Buffer | X509Certificate)[] = options.ojCertificates;
	const chain: VerifiedTrustedList[] = [];
	for (const p of options.pivots) {
		let v: VerifiedTrustedList;
		try {
			v = verifyTrustedList(p.bytes, allowed, { ...options, source: p.source });
			checkLotl(v.list);
		} catch (err) {
			const reason = err instanceof TrustedListError ? err.code : 'ERROR';
			throw new TrustedListError('TL_PIVOT_FAILED', `Pivot LOTL ${p.source} does not verify (${reason}); the LOTL's signing certificate cannot be anchored in the Official Journal.`, { pivot: p.source, reason }, { cause: err });
		}
		chain.push(v);
		allowed = lotlSigningCertificates(v.list);
	}
	try {
		const v = verifyTrustedList(bytes, allowed, options);
		checkLotl(v.list);
		return { ...v, pivots: chain };
	} catch (err) {
		if (err instanceof TrustedListError && err.code === 'TL_SIGNER_NOT_TRUSTED') throw direct ?? err;
		throw err;
	}
}

function checkLotl(list: TrustedList): void {
	if (list.tslType !== TSL_TYPE.euLotl) {
		throw new TrustedListError('TL_UNEXPECTED_LIST', `Expected the EU LOTL but got a list of type ${list.tslType || '(none)'}.`, { tslType: list.tslType });
	}
}

/** The LOTL's machine-processable (XML) pointer for a territory, or null. */
export function nationalPointer(lotl: TrustedList, territory: string): TrustedListPointer | null {
	return lotl.pointers.find((p) => p.territory === territory && p.mimeType === TSL_MIME_XML && p.tslType !== TSL_TYPE.euLotl) ?? null;
}

/**
 * Verify a national list with the certificates the (verified) LOTL names for its territory, and check that the
 * list is that territory's.
 * @throws TrustedListError (TL_UNEXPECTED_LIST when the territory does not match, or the signature codes).
 */
export function verifyNationalList(bytes: Buffer, lotl: TrustedList, territory: string, options: VerifyListOptions = {}): VerifiedTrustedList {
	const pointer = nationalPointer(lotl, territory);
	if (!pointer) throw new TrustedListError('TL_UNEXPECTED_LIST', `The LOTL has no XML pointer for territory ${territory}.`, { territory });
	const v = verifyTrustedList(bytes, pointer.certificates, { ...options, source: options.source ?? pointer.location });
	if (v.list.territory !== territory || v.list.tslType === TSL_TYPE.euLotl) {
		throw new TrustedListError('TL_UNEXPECTED_LIST', `Expected the ${territory} list but got territory ${v.list.territory}.`, { territory, got: v.list.territory });
	}
	return v;
}
