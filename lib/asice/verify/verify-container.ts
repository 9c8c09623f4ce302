import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TrustSource } from '../../pki/trust-source';
import type { TrustStore } from '../../pki/trust-store';
import { parseXmlSafely, NS, childElements, XmlParseError } from '../xml';
import type { ZipLimits } from '../zip/reader';
import { ContainerReadError, isZipTruthCode } from '../zip/reader-error';
import { C14nBudgetError } from '../c14n';
import { C14nCache } from './c14n-cache';
import { Findings } from './findings';
import { openAsiceContainer, type AsiceContainer } from '../zip/reader-container';
import type { Indication } from './codes';
import { C14N_BUDGET_UNITS, MAX_SIGNATURES, SIGNATURE_FILE_MAX_BYTES, SIGNATURE_XML_BUDGET_BYTES, type VerifyContext } from './context';
import { POLICY, type ContainerIssue, type Report, type SignatureReport } from './report';
import { verifySignature, type DataReference } from './verify-signature';
import { parseSignature } from './xades';

/** Options of {@link verifyContainer}. */
export interface VerifyOptions {
	/**
	 * Trust: a bundled SK set ('demo' = SK TEST/DEMO PKI, 'live' = production), a ready TrustStore, or a TrustSource
	 * (SK live/demo/both, EU trusted lists, extra PEMs; see lib/pki/trust-source.ts).
	 */
	trust: 'demo' | 'live' | TrustStore | TrustSource;
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

export function resolveTrust(options: VerifyOptions): TrustSource {
	const t = options.trust;
	const base = typeof t === 'string' ? TrustSource.sk(t) : t instanceof TrustSource ? t : TrustSource.fromStore(t);
	return options.anchors && options.anchors.length > 0 ? base.withExtraPems(options.anchors) : base;
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

/**
 * Manifest ↔ signature ↔ ZIP consistency (spec §4.1), by exact names only. A data file counts as signed by a
 * signature only when one of its references resolved to exactly that entry; the manifest is matched the same way.
 *
 * The one leniency: a reference that resolved to nothing (already REFERENCE_NOT_FOUND, so its signature cannot
 * pass) is attributed to the entry its strict or '+'-as-space reading names, so that entry is not reported a
 * second time (DigiDoc4j reports the '+' case once). It never makes any entry covered.
 */
function crossCheck(container: AsiceContainer, perSignature: Array<{ id: string; refs: DataReference[] }>, errors: ContainerIssue[], warnings: ContainerIssue[]): void {
	const zipNames = new Set(container.dataFiles.map((e) => e.name));
	for (const name of container.manifest.keys()) {
		if (!zipNames.has(name)) {
			errors.push({ code: 'MANIFEST_FILE_MISSING', message: `The reference data object has not been found! Manifest lists "${name}" but the container has no such file.` });
		}
	}
	const notSigned = new Set<string>();
	for (const s of perSignature) {
		const covered = new Set(s.refs.filter((r) => r.resolved && r.name !== null).map((r) => r.name!));
		const presumed = new Set<string>();
		for (const r of s.refs) {
			if (r.resolved) continue;
			if (r.name !== null) presumed.add(r.name);
			if (r.lenientName !== null) presumed.add(r.lenientName);
		}
		// Unresolved references whose name matches nothing at all still account for one entry each (the signature is
		// already not passing): DigiDoc4j reports such a file once, as "reference name does not match".
		const strays = s.refs.filter((r) => !r.resolved && ![r.name, r.lenientName].some((n) => n !== null && (zipNames.has(n) || container.manifest.has(n)))).length;
		const unmatchedManifest = [...container.manifest.keys()].filter((n) => !covered.has(n) && !presumed.has(n));
		if (unmatchedManifest.length > strays) {
			for (const name of unmatchedManifest) {
				errors.push({
					code: 'MANIFEST_FILE_NOT_SIGNED',
					message: `Manifest file has an entry for file <${name}> with mimetype <${container.manifest.get(name)}> but the signature file for signature ${s.id} does not have an entry for this file`,
				});
			}
		}
		for (const [name, type] of container.manifest) {
			const ref = s.refs.find((r) => r.name === name) ?? s.refs.find((r) => !r.resolved && r.lenientName === name);
			if (ref && ref.mimeType !== null && ref.mimeType !== type) {
				errors.push({
					code: 'MANIFEST_MIMETYPE_MISMATCH',
					message: `Manifest file has an entry for file <${name}> with mimetype <${type}> but the signature file for signature ${s.id} indicates the mimetype is <${ref.mimeType}>`,
				});
			}
		}
		for (const ref of s.refs) {
			if (ref.resolved && !container.manifest.has(ref.name!)) {
				errors.push({
					code: 'SIGNED_FILE_NOT_IN_MANIFEST',
					message: `The signature file for signature ${s.id} has an entry for file <${ref.name}> with mimetype <${ref.mimeType ?? ''}> but the manifest file does not have an entry for this file`,
				});
			}
		}
		const unmatchedFiles = container.dataFiles.filter((e) => !covered.has(e.name) && !presumed.has(e.name));
		if (unmatchedFiles.length > strays) for (const e of unmatchedFiles) notSigned.add(e.name);
	}
	for (const name of notSigned) {
		errors.push({ code: 'DATAFILE_NOT_SIGNED', message: `Container contains a file named <${name}> which is not found in the signature file` });
	}
	for (const e of container.otherMetaInf) {
		errors.push({
			code: 'META_INF_UNSIGNED_ENTRY',
			message: `Container holds "${e.name}" under META-INF/, which is neither the manifest nor a signature file; no signature covers it.`,
		});
	}
	for (const e of container.dataFiles) if (e.size === 0) warnings.push({ code: 'DATAFILE_EMPTY', message: `Data file '${e.name}' is empty` });
}

/** A report for a signature the verifier could not finish (budget exhausted or an internal error). */
function failedSignatureReport(file: string, index: number, id: string, code: 'WORK_BUDGET_EXCEEDED' | 'VERIFIER_ERROR', message: string, at: Date): SignatureReport {
	const f = new Findings();
	f.add(code, message);
	const { indication, subIndication } = f.indication();
	return {
		id,
		signatureFile: file,
		index,
		signatureFormat: '',
		signatureMethod: '',
		signatureLevel: 'NA',
		signedBy: '',
		subjectDistinguishedName: { commonName: '', serialNumber: '' },
		claimedSigningTime: '',
		bestSignatureTime: at.toISOString(),
		bestSignatureTimeSource: 'VALIDATION_TIME',
		ocsp: null,
		trustedBy: null,
		archiveTimestamps: [],
		indication,
		subIndication,
		errors: f.errors.map(({ code: c, message: m }) => ({ code: c, message: m })),
		warnings: [],
		signatureScopes: [],
	};
}

function describe(e: unknown): string {
	return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : 'unknown error';
}

/** Let other work on the event loop run (between signatures: one container never holds the loop for long). */
function yieldToLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Verify every signature of an ASiC-E / BDOC container (spec §4): container layout and hostile-input limits
 * (ZIP local headers agree with the central directory, no unlisted bytes, exact-name coverage, no colliding names),
 * references, SignatureValue, signing-certificate binding, signature and archive timestamps, OCSP (incl. BDOC
 * time-mark nonce and policy, revocation issued after best-signature-time), and the signer chain at
 * best-signature-time. Never throws: a refused container yields `containerErrors` (CONTAINER_UNREADABLE with a
 * `reason`, a ZIP_* consistency code, or VERIFIER_ERROR), and yields to the event loop between signatures.
 */
export async function verifyContainer(input: Buffer | string, options: VerifyOptions): Promise<Report> {
	const at = options?.at instanceof Date && !Number.isNaN(options.at.getTime()) ? options.at : new Date();
	const filename = options?.filename ?? (typeof input === 'string' ? path.basename(input) : 'container.asice');
	try {
		return await verifyUnguarded(input, options, at, filename);
	} catch (e) {
		const r = emptyReport(filename, Buffer.isBuffer(input) ? createHash('sha256').update(input).digest('hex') : '', at);
		r.validationConclusion.containerErrors.push({ code: 'VERIFIER_ERROR', message: `The verifier failed on this input and reports nothing about it (${describe(e)}).` });
		return r;
	}
}

function refuse(report: Report, e: ContainerReadError | XmlParseError): Report {
	const vc = report.validationConclusion;
	if (e instanceof ContainerReadError && isZipTruthCode(e.reason)) {
		vc.containerErrors.push({ code: e.reason, message: e.message });
		vc.indication = 'TOTAL-FAILED';
	} else {
		const reason = e instanceof ContainerReadError ? e.reason : e.code;
		vc.containerErrors.push({ code: 'CONTAINER_UNREADABLE', reason, message: `${e.message} (${reason})` });
	}
	return report;
}

async function verifyUnguarded(input: Buffer | string, options: VerifyOptions, at: Date, filename: string): Promise<Report> {
	let buf: Buffer;
	if (typeof input === 'string') {
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
			r.validationConclusion.containerErrors.push({ code: 'CONTAINER_UNREADABLE', reason: 'FILE_UNREADABLE', message: problem });
			return r;
		}
		buf = await fs.promises.readFile(input);
	} else buf = input;
	const report = emptyReport(filename, createHash('sha256').update(buf).digest('hex'), at);
	const vc = report.validationConclusion;
	const trustSource = resolveTrust(options);

	let container: AsiceContainer;
	const fileCache = new Map<string, Buffer>();
	try {
		container = openAsiceContainer(buf, options.limits);
		// Inflate and CRC-check every entry now (within the ZIP limits): an entry no reference reads must still be
		// what a streaming extractor would produce, and a broken one refuses the container before any verdict.
		for (const e of container.zip.entries) if (!e.directory) fileCache.set(e.name, container.zip.read(e));
	} catch (e) {
		if (e instanceof ContainerReadError || e instanceof XmlParseError) return refuse(report, e);
		throw e;
	}
	vc.containerErrors.push(...container.errors);
	vc.containerWarnings.push(...container.warnings);
	const digestCache = new Map<string, Buffer>();
	const ctx: VerifyContext = {
		container,
		trust: trustSource.store,
		trustSource,
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
		c14n: new C14nCache(C14N_BUDGET_UNITS),
	};

	const signatures: SignatureReport[] = [];
	const perSignature: Array<{ id: string; refs: DataReference[] }> = [];
	let xmlBytes = 0;
	for (const file of container.signatureFiles) {
		xmlBytes += container.zip.get(file)!.size;
		if (xmlBytes > SIGNATURE_XML_BUDGET_BYTES) {
			vc.containerErrors.push({
				code: 'SIGNATURE_XML_BUDGET_EXCEEDED',
				message: `The signature files hold more than ${SIGNATURE_XML_BUDGET_BYTES} bytes of XML together; "${file}" and the rest are not verified.`,
			});
			break;
		}
		if (signatures.length > 0) await yieldToLoop();
		let root;
		try {
			root = parseXmlSafely(ctx.readDataFile(file), { maxBytes: SIGNATURE_FILE_MAX_BYTES }).documentElement!;
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
		for (let i = 0; i < sigEls.length; i++) {
			if (signatures.length > 0) await yieldToLoop();
			const el = sigEls[i];
			const fallbackId = el.getAttribute('Id') ?? '';
			try {
				const outcome = verifySignature(parseSignature(el), file, i, ctx);
				signatures.push(outcome.report);
				perSignature.push({ id: outcome.report.id || `${file}#${i}`, refs: outcome.dataReferences });
			} catch (e) {
				const budget = e instanceof C14nBudgetError;
				signatures.push(
					failedSignatureReport(
						file,
						i,
						fallbackId,
						budget ? 'WORK_BUDGET_EXCEEDED' : 'VERIFIER_ERROR',
						budget
							? `The container's canonicalization budget (${C14N_BUDGET_UNITS} units) ran out while checking this signature; it is not verified.`
							: `The verifier failed on this signature (${describe(e)}); it is not verified.`,
						at,
					),
				);
				// Nothing is known about what it covers: every data file stays unsigned for it.
				perSignature.push({ id: fallbackId || `${file}#${i}`, refs: [] });
			}
		}
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
