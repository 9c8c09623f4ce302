import { createHash, type X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Indication } from '../../asice/verify/codes';
import type { ContainerIssue, Report, SignatureReport } from '../../asice/verify/report';
import { resolveTrust, type VerifyOptions } from '../../asice/verify/verify-container';
import { parseCertificate } from '../../pki/certificate';
import type { TrustSource } from '../../pki/trust-source';
import type { TrustStore } from '../../pki/trust-store';
import { checkByteRanges, type ByteRangeReport } from '../byte-range';
import { docMdpPermission } from '../doc-mdp';
import { PdfDocument } from '../document';
import { isDict, isRef } from '../objects';
import { PdfSignError } from '../errors';
import { parseTimestampToken } from '../../pki/timestamp';
import { checkCms, trimDer } from './cms-signature';
import { CoveredBytes } from './covered-bytes';
import { readDss, type DssData } from './dss-data';
import { PdfFindings } from './findings';
import { diffLaterRevisions, type RevisionDiff } from './revision-diff';
import { MAX_PDF_SIGNATURES, signatureEntries, type PdfSignatureEntry } from './signature-dictionaries';
import { checkSignerChain } from './signer-chain';
import { checkDocumentTimestamp, checkSignatureTimestamps } from './timestamps';

/**
 * Options of {@link verifyPdf}: the container verifier's options (same trust inputs, so both follow any change of
 * where trust comes from), without the ZIP limits.
 */
export type PdfVerifyOptions = Omit<VerifyOptions, 'limits'>;

/** Name and description of the policy the PDF verifier applies. */
export const PDF_POLICY = {
	policyName: 'SMARTID-PADES-1',
	policyDescription:
		'PAdES baseline B/T/LT/LTA and PKCS#7 PDF signatures and document timestamps: ByteRange coverage, CMS signature and signed attributes, ' +
		'signer chain at best-signature-time (earliest valid signature or document timestamp), revocation data from the DSS or the CMS, and what ' +
		'later revisions changed; a signature whose later revisions change the content does not pass.',
};

const MAX_FILE_BYTES = 200 * 1024 * 1024;


function worst(a: Indication, b: Indication): Indication {
	const rank: Record<Indication, number> = { 'TOTAL-PASSED': 0, INDETERMINATE: 1, 'TOTAL-FAILED': 2 };
	return rank[b] > rank[a] ? b : a;
}

function emptyReport(filename: string, sha256: string, at: Date): Report {
	return {
		validationConclusion: {
			policy: PDF_POLICY,
			validationTime: at.toISOString(),
			signaturesCount: 0,
			validSignaturesCount: 0,
			signatureForm: 'PAdES',
			format: 'pdf',
			validatedDocument: { filename, sha256 },
			indication: 'INDETERMINATE',
			signatures: [],
			containerErrors: [],
			containerWarnings: [],
		},
	};
}

function describe(e: unknown): string {
	return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : 'unknown error';
}

async function fileSha256(file: string): Promise<string> {
	const h = createHash('sha256');
	for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
	return h.digest('hex');
}

/**
 * Verify every signature and document timestamp of a PDF (issue 14): ByteRange coverage (lib/pdf/byte-range.ts;
 * anything uncovered or odd refuses the signature), the CMS signature and its signed attributes, signature
 * timestamps, document timestamps, the signer chain at best-signature-time with the same trust inputs as
 * {@link verifyContainer}, revocation data from the DSS, and what later incremental revisions changed. The report
 * has the container report's shape (`format: 'pdf'`, per-signature `kind` and `pdf`). Never throws.
 */
export async function verifyPdf(input: Buffer | string, options: PdfVerifyOptions): Promise<Report> {
	const at = options?.at instanceof Date && !Number.isNaN(options.at.getTime()) ? options.at : new Date();
	const filename = options?.filename ?? (typeof input === 'string' ? path.basename(input) : 'document.pdf');
	let tmpDir: string | null = null;
	try {
		let file: string;
		if (typeof input === 'string') {
			file = input;
			let problem: string | null = null;
			try {
				const stat = await fs.promises.stat(input);
				const max = options.maxFileBytes ?? MAX_FILE_BYTES;
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
		} else {
			// The PDF reader works on files (random access, large inputs): a buffer is written to a private temporary file.
			tmpDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pdf-verify-'));
			file = path.join(tmpDir, 'input.pdf');
			await fs.promises.writeFile(file, input, { mode: 0o600 });
		}
		return await verifyFile(file, options, at, filename);
	} catch (e) {
		const r = emptyReport(filename, Buffer.isBuffer(input) ? createHash('sha256').update(input).digest('hex') : '', at);
		r.validationConclusion.containerErrors.push({ code: 'VERIFIER_ERROR', message: `The verifier failed on this input and reports nothing about it (${describe(e)}).` });
		return r;
	} finally {
		if (tmpDir) await fs.promises.rm(tmpDir, { recursive: true, force: true });
	}
}

interface Shared {
	file: string;
	doc: PdfDocument;
	trust: TrustStore;
	/** Where `trust` came from: says per signature which source, list and service trusted the signer. */
	trustSource: TrustSource;
	at: Date;
	covered: CoveredBytes;
	dss: DssData;
	entries: PdfSignatureEntry[];
	coverage: (ByteRangeReport | undefined)[];
	/** Valid document timestamps: end of their signed bytes and genTime. */
	docTimestamps: { end: number; genTime: Date }[];
	/** The certification (DocMDP) signature's object number and permission, when the document is certified. */
	certification: { num: number; p: number } | null;
}

/** Catalog /Perms /DocMDP: which signature dictionary certifies the document, with its permission P. */
async function certificationOf(doc: PdfDocument): Promise<{ num: number; p: number } | null> {
	const perms = await doc.resolve((await doc.catalog()).value.get('Perms'));
	const ref = isDict(perms) ? perms.get('DocMDP') : undefined;
	const p = await docMdpPermission(doc);
	return isRef(ref) && p !== undefined ? { num: ref.num, p } : null;
}

async function verifyFile(file: string, options: PdfVerifyOptions, at: Date, filename: string): Promise<Report> {
	const report = emptyReport(filename, await fileSha256(file), at);
	const vc = report.validationConclusion;
	let doc: PdfDocument;
	try {
		doc = await PdfDocument.open(file);
	} catch (e) {
		if (!(e instanceof PdfSignError)) throw e;
		vc.containerErrors.push({ code: 'CONTAINER_UNREADABLE', reason: e.code, message: e.message });
		return report;
	}
	try {
		let entries: PdfSignatureEntry[];
		let coverage: ByteRangeReport[];
		try {
			entries = await signatureEntries(doc);
			coverage = entries.length > 0 ? await checkByteRanges(file) : [];
		} catch (e) {
			if (!(e instanceof PdfSignError)) throw e;
			vc.containerErrors.push({ code: 'CONTAINER_UNREADABLE', reason: e.code, message: e.message });
			return report;
		}
		if (entries.length > MAX_PDF_SIGNATURES) {
			vc.containerErrors.push({ code: 'TOO_MANY_SIGNATURES', message: `The PDF holds more than ${MAX_PDF_SIGNATURES} signatures; refusing to verify the rest.` });
			entries = entries.slice(0, MAX_PDF_SIGNATURES);
		}
		const trustSource = resolveTrust(options);
		const shared: Shared = {
			file,
			doc,
			trust: trustSource.store,
			trustSource,
			at,
			covered: new CoveredBytes(file),
			dss: await readDss(doc).catch(() => ({ certificates: [], ocsp: [], crls: [], vriKeys: [] })),
			entries,
			coverage: entries.map((e, i) => (coverage[i]?.fieldName === e.fieldName ? coverage[i] : coverage.find((c) => c.fieldName === e.fieldName))),
			docTimestamps: [],
			certification: await certificationOf(doc).catch(() => null),
		};
		// Document timestamps first: a valid one is proof of existence for every signature it covers.
		const results = new Map<number, SignatureReport>();
		const order = [...entries.keys()].sort((a, b) => Number(entries[b].kind === 'documentTimestamp') - Number(entries[a].kind === 'documentTimestamp'));
		for (const i of order) {
			await new Promise((resolve) => setImmediate(resolve));
			try {
				results.set(i, await verifyEntry(shared, i));
			} catch (e) {
				const f = new PdfFindings();
				f.add('VERIFIER_ERROR', `The verifier failed on this signature (${describe(e)}); it is not verified.`);
				results.set(i, baseReport(entries[i], i, f, at));
			}
		}
		const signatures = entries.map((_, i) => results.get(i)!);
		vc.signatures = signatures;
		vc.signaturesCount = signatures.length;
		vc.validSignaturesCount = signatures.filter((s) => s.indication === 'TOTAL-PASSED').length;
		if (signatures.length === 0) {
			vc.containerErrors.push({ code: 'NO_SIGNATURES', message: 'The PDF has no signed signature field (no signature and no document timestamp).' });
			vc.indication = 'TOTAL-FAILED';
			return report;
		}
		let ind: Indication = 'TOTAL-PASSED';
		for (const s of signatures) ind = worst(ind, s.indication);
		if (vc.containerErrors.some((e: ContainerIssue) => e.code !== 'TOO_MANY_SIGNATURES')) ind = 'TOTAL-FAILED';
		vc.indication = ind;
		return report;
	} finally {
		await doc.close();
	}
}

function baseReport(entry: PdfSignatureEntry, index: number, f: PdfFindings, at: Date): SignatureReport {
	const { indication, subIndication } = f.indication();
	return {
		id: entry.fieldName,
		signatureFile: entry.fieldName,
		index,
		signatureFormat: '',
		signatureMethod: '',
		signatureLevel: 'NA',
		signedBy: '',
		subjectDistinguishedName: { commonName: '', serialNumber: '' },
		claimedSigningTime: entry.claimedTime ? entry.claimedTime.toISOString() : '',
		bestSignatureTime: at.toISOString(),
		bestSignatureTimeSource: 'VALIDATION_TIME',
		ocsp: null,
		trustedBy: null,
		archiveTimestamps: [],
		indication,
		subIndication,
		errors: f.errors.map(({ code, message }) => ({ code, message })),
		warnings: [...f.warnings],
		signatureScopes: [],
		kind: entry.kind,
		pdf: {
			fieldName: entry.fieldName,
			subFilter: entry.subFilter,
			byteRange: entry.byteRange ? [...entry.byteRange] : null,
			coversWholeFile: false,
			laterRevisionBytes: 0,
			laterChangedObjects: 0,
		},
	};
}

/** The /Contents hole of `br` must not lie inside bytes that another signature covers before it ends. */
function rangeConflicts(shared: Shared, i: number, f: PdfFindings): void {
	const br = shared.entries[i].byteRange;
	if (!br) return;
	const hole: [number, number] = [br[0] + br[1], br[2]];
	const end = br[2] + br[3];
	shared.entries.forEach((other, j) => {
		const o = other.byteRange;
		if (j === i || !o) return;
		const oEnd = o[2] + o[3];
		const covers = [
			[o[0], o[0] + o[1]],
			[o[2], oEnd],
		].some(([s, e]) => s < hole[1] && hole[0] < e);
		const sameHole = o[0] + o[1] < hole[1] && hole[0] < o[2];
		if ((covers && oEnd <= end) || sameHole) {
			f.add(
				'SIGNATURE_RANGES_CONFLICT',
				`The /Contents of this signature (bytes ${hole[0]}..${hole[1]}) overlaps what "${other.fieldName}" signs or its own /Contents (ByteRange [${o.join(' ')}]): two signatures cannot both be intact over these bytes.`,
			);
		}
	});
}

function signerNames(cert: X509Certificate | null): { cn: string; serial: string; level: string } {
	if (!cert) return { cn: '', serial: '', level: 'NA' };
	try {
		const p = parseCertificate(cert);
		const qc = p.qcStatements;
		return { cn: p.subject.CN ?? '', serial: p.subject.serialNumber ?? '', level: qc ? (qc.compliance && qc.sscd ? 'QESIG' : qc.compliance ? 'ADESIG_QC' : 'ADESIG') : 'NA' };
	} catch {
		return { cn: '', serial: '', level: 'NA' };
	}
}

async function verifyEntry(shared: Shared, i: number): Promise<SignatureReport> {
	const entry = shared.entries[i];
	const f = new PdfFindings();
	const cov = shared.coverage[i];
	const size = shared.doc.file.size;
	// 1. Coverage: any anomaly refuses the signature; nothing below can make it pass.
	if (!cov) f.add('BYTE_RANGE_MALFORMED', 'The ByteRange checker did not find this signature.');
	for (const a of cov?.anomalies ?? []) f.add(a.code, a.message);
	rangeConflicts(shared, i, f);
	const pool: X509Certificate[] = [...shared.dss.certificates];
	const r = baseReport(entry, i, f, shared.at);
	let diff: RevisionDiff | null = null;
	const end = entry.byteRange ? entry.byteRange[2] + entry.byteRange[3] : 0;
	const intactShape = !!cov && cov.anomalies.length === 0 && !!entry.byteRange;

	if (entry.kind === 'documentTimestamp') {
		r.signatureFormat = 'PDF_DOCUMENT_TIMESTAMP';
		r.signatureMethod = 'RFC 3161';
		const v = intactShape ? await checkDocumentTimestamp(entry, shared.covered, shared.trust, pool, f) : null;
		if (!v && entry.contents) {
			// Not valid: still say which TSA it names and when it claims to be from (nothing is trusted from it).
			try {
				const token = parseTimestampToken(trimDer(entry.contents));
				r.claimedSigningTime = token.genTime.toISOString();
				r.signedBy = signerNames(token.certificates.find((c) => !c.ca) ?? token.certificates[0] ?? null).cn;
			} catch {
				// unreadable: CMS_MALFORMED already says so
			}
		}
		if (v) {
			shared.docTimestamps.push({ end, genTime: v.genTime });
			const names = signerNames(v.tsaCertificate);
			r.signedBy = names.cn;
			r.subjectDistinguishedName = { commonName: names.cn, serialNumber: names.serial };
			r.bestSignatureTime = v.genTime.toISOString();
			r.bestSignatureTimeSource = 'DOCUMENT_TIMESTAMP';
			r.claimedSigningTime = v.genTime.toISOString();
		}
	} else if (!['ETSI.CAdES.detached', 'adbe.pkcs7.detached'].includes(entry.subFilter)) {
		f.add('SUBFILTER_UNSUPPORTED', `/SubFilter /${entry.subFilter || '(none)'} is not verified here; supported: ETSI.CAdES.detached, adbe.pkcs7.detached, ETSI.RFC3161.`);
	} else if (intactShape) {
		const cms = await checkCms(entry, shared.covered, f);
		if (cms) {
			pool.push(...cms.certificates);
			r.signatureMethod = cms.signatureMethod;
			const names = signerNames(cms.signer);
			r.signedBy = names.cn;
			r.subjectDistinguishedName = { commonName: names.cn, serialNumber: names.serial };
			r.signatureLevel = names.level;
			if (!entry.claimedTime && cms.signingTimeAttribute) r.claimedSigningTime = cms.signingTimeAttribute.toISOString();
			const ts = checkSignatureTimestamps(cms.timestampTokens, cms.signatureValue, shared.trust, pool, f);
			const poe = shared.docTimestamps.filter((d) => d.end >= end).sort((a, b) => a.genTime.getTime() - b.genTime.getTime())[0];
			let best = shared.at;
			let bestSource: SignatureReport['bestSignatureTimeSource'] = 'VALIDATION_TIME';
			if (ts.valid[0]) {
				best = ts.valid[0];
				bestSource = 'SIGNATURE_TIMESTAMP';
			} else if (poe) {
				best = poe.genTime;
				bestSource = 'DOCUMENT_TIMESTAMP';
			}
			r.bestSignatureTime = best.toISOString();
			r.bestSignatureTimeSource = bestSource;
			let revocationFound = false;
			if (cms.signer) {
				const chain = checkSignerChain(
					{ signer: cms.signer, pool, trust: shared.trust, best, bestSource, ocsp: [...cms.ocsp, ...shared.dss.ocsp], crls: [...cms.crls, ...shared.dss.crls], validationTime: shared.at },
					f,
				);
				r.ocsp = chain.ocsp;
				revocationFound = chain.revocationFound;
				// As for containers: which source, list and service trusted the signer, and EU-only trust needs a grant.
				if (chain.chain) {
					r.trustedBy = shared.trustSource.explainSigner(cms.signer, chain.chain, best, pool);
					if (!r.trustedBy.grantedAtBestSignatureTime) {
						f.add('TRUSTED_LIST_SERVICE_NOT_GRANTED', `The signer's CA is trusted only through the EU trusted lists, and ${r.trustedBy.summary}.`);
					}
				}
			}
			const prefix = entry.subFilter === 'ETSI.CAdES.detached' ? 'PAdES_BASELINE' : 'PKCS7';
			let level = cms.timestampTokens.length > 0 ? 'T' : 'B';
			if (level === 'T' && revocationFound) level = shared.docTimestamps.some((d) => d.end > end) ? 'LTA' : 'LT';
			r.signatureFormat = `${prefix}_${level}`;
		}
	}

	// A certification with "no changes allowed": a later signature breaks it (document timestamps and DSS may follow).
	const cert = shared.certification;
	if (cert && entry.ref?.num === cert.num && cert.p === 1) {
		for (const other of shared.entries) {
			if (other !== entry && other.kind === 'signature' && other.byteRange && other.byteRange[2] + other.byteRange[3] > end) {
				f.add('DOCMDP_VIOLATION', `The document is certified with "no changes allowed" (DocMDP P=1), but the signature "${other.fieldName}" was added later.`);
			}
		}
	}

	// Default deny: a signature whose bytes could not be checked at all never passes for want of findings.
	if (!intactShape && f.errors.length === 0) f.add('BYTE_RANGE_MALFORMED', 'The signed bytes of this signature could not be determined, so nothing in it is verified.');

	// 2. What later revisions changed (only when the coverage itself is sound: an odd range is already refused).
	if (intactShape) {
		try {
			diff = await diffLaterRevisions(shared.file, end, shared.doc, f);
		} catch (e) {
			if (!(e instanceof PdfSignError)) throw e;
			f.add('REVISION_UNCHECKED', `What later revisions changed cannot be read: ${e.message}`);
		}
	}
	const { indication, subIndication } = f.indication();
	r.indication = indication;
	r.subIndication = subIndication;
	r.errors = f.errors.map(({ code, message }) => ({ code, message }));
	r.warnings = [...f.warnings];
	const whole = !!cov?.coversWholeFile && intactShape;
	r.pdf = { ...r.pdf!, coversWholeFile: whole, laterRevisionBytes: diff?.laterBytes ?? Math.max(0, size - end), laterChangedObjects: diff?.changedObjects ?? 0 };
	r.signatureScopes = [
		{
			name: entry.fieldName,
			scope: whole ? 'FullSignatureScope' : 'PartialSignatureScope',
			content: whole
				? 'The whole document'
				: `The document up to byte ${end} of ${size}${diff?.contentChanged ? '; later revisions changed the content, which this signature does not cover' : ''}`,
		},
	];
	return r;
}
