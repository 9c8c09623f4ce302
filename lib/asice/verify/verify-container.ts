import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrustStore } from '../../pki/trust-store';
import { parseXmlSafely, NS, childElements, XmlParseError } from '../xml';
import type { ZipLimits } from '../zip/reader';
import { ContainerReadError } from '../zip/reader-error';
import { openAsiceContainer, type AsiceContainer } from '../zip/reader-container';
import type { Indication } from './codes';
import { MAX_SIGNATURES, type VerifyContext } from './context';
import { POLICY, type Report, type ReportIssue, type SignatureReport } from './report';
import { verifySignature, type DataReference } from './verify-signature';
import { parseSignature } from './xades';

/** Options of {@link verifyContainer}. */
export interface VerifyOptions {
	/** Trust anchors: a bundled set ('demo' = SK TEST/DEMO PKI, 'live' = production) or a ready TrustStore. */
	trust: 'demo' | 'live' | TrustStore;
	/** Extra anchors (PEM text), e.g. a foreign CA such as DEMO LV eID ICA 2021. */
	anchors?: string[];
	/** Validation time (default now). Certificates are judged at best-signature-time, not at this time. */
	at?: Date;
	/** ZIP limits (entries, sizes, compression ratio). */
	limits?: ZipLimits;
	/** File name to show in the report when `input` is a Buffer. */
	filename?: string;
	/** Maximum container file size in bytes (default 200 MiB). */
	maxFileBytes?: number;
}

const MAX_FILE_BYTES = 200 * 1024 * 1024;

function resolveTrust(options: VerifyOptions): TrustStore {
	const base = typeof options.trust === 'string' ? TrustStore.bundled(options.trust) : options.trust;
	return options.anchors && options.anchors.length > 0 ? base.withAnchors(options.anchors) : base;
}

function worst(a: Indication, b: Indication): Indication {
	const rank: Record<Indication, number> = { 'TOTAL-PASSED': 0, INDETERMINATE: 1, 'TOTAL-FAILED': 2 };
	return rank[b] > rank[a] ? b : a;
}

function emptyReport(filename: string, sha256: string, at: Date): Report {
	return {
		validationConclusion: {
			policy: POLICY,
			validationTime: at.toISOString(),
			signaturesCount: 0,
			validSignaturesCount: 0,
			signatureForm: 'ASiC-E',
			validatedDocument: { filename, sha256 },
			indication: 'INDETERMINATE',
			signatures: [],
			containerErrors: [],
			containerWarnings: [],
		},
	};
}

function refMatches(ref: DataReference, name: string): boolean {
	return ref.name === name || ref.lenientName === name;
}

/**
 * DigiDoc4j-style manifest ↔ signature ↔ ZIP consistency (spec §4.1). A data reference that resolves to no file is
 * already reported on its signature (REFERENCE_NOT_FOUND, INDETERMINATE); the files it presumably meant are not
 * reported a second time here, as long as that signature has at least as many unresolved references as unmatched files.
 */
function crossCheck(container: AsiceContainer, perSignature: Array<{ id: string; refs: DataReference[] }>, errors: ReportIssue[], warnings: ReportIssue[]): void {
	const zipNames = new Set(container.dataFiles.map((e) => e.name));
	for (const name of container.manifest.keys()) {
		if (!zipNames.has(name)) {
			errors.push({ code: 'MANIFEST_FILE_MISSING', message: `The reference data object has not been found! Manifest lists "${name}" but the container has no such file.` });
		}
	}
	const notSigned = new Set<string>();
	for (const s of perSignature) {
		const unresolved = s.refs.filter((r) => !r.resolved).length;
		const unmatchedManifest = [...container.manifest.keys()].filter((n) => !s.refs.some((r) => refMatches(r, n)));
		if (unmatchedManifest.length > unresolved) {
			for (const name of unmatchedManifest) {
				errors.push({
					code: 'MANIFEST_FILE_NOT_SIGNED',
					message: `Manifest file has an entry for file <${name}> with mimetype <${container.manifest.get(name)}> but the signature file for signature ${s.id} does not have an entry for this file`,
				});
			}
		}
		for (const [name, type] of container.manifest) {
			const ref = s.refs.find((r) => refMatches(r, name));
			if (ref && ref.mimeType !== null && ref.mimeType !== type) {
				errors.push({
					code: 'MANIFEST_MIMETYPE_MISMATCH',
					message: `Manifest file has an entry for file <${name}> with mimetype <${type}> but the signature file for signature ${s.id} indicates the mimetype is <${ref.mimeType}>`,
				});
			}
		}
		for (const ref of s.refs) {
			if (ref.resolved && ![...container.manifest.keys()].some((n) => refMatches(ref, n))) {
				errors.push({
					code: 'SIGNED_FILE_NOT_IN_MANIFEST',
					message: `The signature file for signature ${s.id} has an entry for file <${ref.name}> with mimetype <${ref.mimeType ?? ''}> but the manifest file does not have an entry for this file`,
				});
			}
		}
		const unmatchedFiles = container.dataFiles.filter((e) => !s.refs.some((r) => refMatches(r, e.name)));
		if (unmatchedFiles.length > unresolved) for (const e of unmatchedFiles) notSigned.add(e.name);
	}
	for (const name of notSigned) {
		errors.push({ code: 'DATAFILE_NOT_SIGNED', message: `Container contains a file named <${name}> which is not found in the signature file` });
	}
	for (const e of container.dataFiles) if (e.size === 0) warnings.push({ code: 'DATAFILE_EMPTY', message: `Data file '${e.name}' is empty` });
}

/**
 * Verify every signature of an ASiC-E / BDOC container (spec §4): container layout and hostile-input limits,
 * references, SignatureValue, signing-certificate binding, signature and archive timestamps, OCSP (incl. BDOC
 * time-mark nonce and policy), and the signer chain at best-signature-time. Never throws for a bad container:
 * an unreadable one yields `containerErrors` with code CONTAINER_UNREADABLE.
 */
export async function verifyContainer(input: Buffer | string, options: VerifyOptions): Promise<Report> {
	const at = options.at ?? new Date();
	let buf: Buffer;
	let filename = options.filename ?? 'container.asice';
	if (typeof input === 'string') {
		filename = options.filename ?? path.basename(input);
		const max = options.maxFileBytes ?? MAX_FILE_BYTES;
		let problem: string | null = null;
		try {
			const stat = await fs.promises.stat(input);
			if (!stat.isFile()) problem = 'It is not a regular file.';
			else if (stat.size > max) problem = `The file is ${stat.size} bytes, above the ${max}-byte limit.`;
		} catch (e) {
			problem = `The file cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); check the path and permissions.`;
		}
		if (problem) {
			const r = emptyReport(filename, '', at);
			r.validationConclusion.containerErrors.push({ code: 'CONTAINER_UNREADABLE', message: problem });
			return r;
		}
		buf = await fs.promises.readFile(input);
	} else buf = input;
	const report = emptyReport(filename, createHash('sha256').update(buf).digest('hex'), at);
	const vc = report.validationConclusion;
	const trust = resolveTrust(options);

	let container: AsiceContainer;
	try {
		container = openAsiceContainer(buf, options.limits);
	} catch (e) {
		if (e instanceof ContainerReadError || e instanceof XmlParseError) {
			vc.containerErrors.push({ code: 'CONTAINER_UNREADABLE', message: `${e.message} (${(e as ContainerReadError).reason ?? e.code})` });
			return report;
		}
		throw e;
	}
	vc.containerWarnings.push(...container.warnings);
	const fileCache = new Map<string, Buffer>();
	const digestCache = new Map<string, Buffer>();
	const ctx: VerifyContext = {
		container,
		trust,
		validationTime: at,
		readDataFile: (name) => {
			let data = fileCache.get(name);
			if (!data) {
				data = container.zip.read(container.zip.get(name)!);
				fileCache.set(name, data);
			}
			return data;
		},
		dataFileDigest: (name, hash) => {
			const key = `${hash}\u0000${name}`;
			let d = digestCache.get(key);
			if (!d) {
				d = createHash(hash).update(ctx.readDataFile(name)).digest();
				digestCache.set(key, d);
			}
			return d;
		},
	};

	const signatures: SignatureReport[] = [];
	const perSignature: Array<{ id: string; refs: DataReference[] }> = [];
	for (const file of container.signatureFiles) {
		let root;
		try {
			root = parseXmlSafely(container.zip.read(container.zip.get(file)!)).documentElement!;
		} catch (e) {
			vc.containerErrors.push({ code: 'SIGNATURE_FILE_INVALID', message: `${file} cannot be read: ${(e as Error).message}` });
			continue;
		}
		// Some ASiC-E producers write the ETSI namespace without the leading zero ("2918"); other ASiC readers accept it too.
		if ((root.namespaceURI !== NS.asic && root.namespaceURI !== 'http://uri.etsi.org/2918/v1.2.1#') || root.localName !== 'XAdESSignatures') {
			vc.containerErrors.push({ code: 'SIGNATURE_FILE_INVALID', message: `${file} has no asic:XAdESSignatures root element.` });
			continue;
		}
		const sigEls = childElements(root, NS.ds, 'Signature');
		if (signatures.length + sigEls.length > MAX_SIGNATURES) {
			vc.containerErrors.push({ code: 'TOO_MANY_SIGNATURES', message: `The container holds more than ${MAX_SIGNATURES} signatures; refusing to verify the rest.` });
			break;
		}
		if (sigEls.length === 0) vc.containerErrors.push({ code: 'SIGNATURE_FILE_INVALID', message: `${file} contains no ds:Signature.` });
		sigEls.forEach((el, i) => {
			const outcome = verifySignature(parseSignature(el), file, i, ctx);
			signatures.push(outcome.report);
			perSignature.push({ id: outcome.report.id || `${file}#${i}`, refs: outcome.dataReferences });
		});
	}
	if (signatures.length > 0 && container.dataFiles.length === 0) {
		vc.containerErrors.push({ code: 'NO_DATAFILES', message: 'The reference data object(s) is not found! The container has signatures but no data file.' });
	}
	crossCheck(container, perSignature, vc.containerErrors, vc.containerWarnings);

	vc.signatures = signatures;
	vc.signaturesCount = signatures.length;
	vc.validSignaturesCount = signatures.filter((s) => s.indication === 'TOTAL-PASSED').length;
	if (signatures.length === 0) {
		vc.containerErrors.push({ code: 'NO_SIGNATURES', message: 'The container has no signatures.' });
		vc.indication = 'TOTAL-FAILED';
		return report;
	}
	let ind: Indication = 'TOTAL-PASSED';
	for (const s of signatures) ind = worst(ind, s.indication);
	if (vc.containerErrors.length > 0) ind = 'TOTAL-FAILED';
	vc.indication = ind;
	return report;
}

