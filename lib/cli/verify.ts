import type { Report } from '../asice/verify';
import { verifyDocument } from '../pdf/verify';
import type { TrustSource } from '../pki/trust-source';
import { TRUST_USAGE, defaultTrustArgs, parseTrustOption, trustSourceFrom, type TrustArgs } from './trust-options';

const USAGE = `Usage: smart-id verify FILE... [--json] [--trust sk|sk-demo|sk-both|eu|sk+eu] [--trust-pem PEM]... [--at ISO-TIME]

Verify ASiC-E / BDOC containers (XAdES B/T/LT/LTA, BDOC time-mark) and signed PDFs (PAdES / PKCS#7
signatures and document timestamps; a file starting with %PDF- is read as a PDF). No Smart-ID account is needed.
  --json           print the SiVa-like JSON report(s) instead of a summary
${TRUST_USAGE}
  --at TIME        validation time (default now)
Exit code: 0 all signatures TOTAL-PASSED, 1 any TOTAL-FAILED or no signature, 2 indeterminate or unreadable.`;

interface Args {
	files: string[];
	json: boolean;
	trust: TrustArgs;
	at?: Date;
}

function parseArgs(args: string[]): Args | string {
	const out: Args = { files: [], json: false, trust: defaultTrustArgs() };
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		const value = (): string | undefined => args[++i];
		let consumed: number | null;
		try {
			consumed = parseTrustOption(args, i, out.trust);
		} catch (e) {
			return `${(e as Error).message}\n\n${USAGE}`;
		}
		if (consumed !== null) {
			i = consumed;
			continue;
		}
		if (a === '--json') out.json = true;
		else if (a === '--help' || a === '-h') return USAGE;
		else if (a === '--at') {
			const d = new Date(value() ?? '');
			if (Number.isNaN(d.getTime())) return `--at needs an ISO date-time, e.g. 2024-01-01T00:00:00Z.`;
			out.at = d;
		} else if (a.startsWith('--')) return `Unknown option ${a}.\n\n${USAGE}`;
		else out.files.push(a);
	}
	if (out.files.length === 0) return USAGE;
	return out;
}

/** Exit code of one report: 0 passed, 1 failed / no signature, 2 indeterminate / unreadable. */
export function exitCodeOf(report: Report): number {
	const vc = report.validationConclusion;
	if (vc.containerErrors.some((e) => e.code === 'CONTAINER_UNREADABLE')) return 2;
	if (vc.signaturesCount === 0) return 1;
	if (vc.indication === 'TOTAL-FAILED') return 1;
	if (vc.indication === 'INDETERMINATE') return 2;
	return 0;
}

function summary(file: string, r: Report): string {
	const vc = r.validationConclusion;
	const lines = [`${file}: ${vc.indication} (${vc.validSignaturesCount}/${vc.signaturesCount} signatures valid)`];
	for (const e of vc.containerErrors) lines.push(`  container error ${e.code}: ${e.message}`);
	for (const w of vc.containerWarnings) lines.push(`  container warning ${w.code}: ${w.message}`);
	for (const s of vc.signatures) {
		lines.push(
			`  [${s.signatureFile}#${s.index}] ${s.indication}${s.subIndication ? `/${s.subIndication}` : ''} ${s.signatureFormat} ` +
				`by "${s.signedBy}" at ${s.bestSignatureTime} (${s.bestSignatureTimeSource.toLowerCase().replace(/_/g, ' ')})`,
		);
		if (s.trustedBy) lines.push(`      trusted by ${s.trustedBy.source}: ${s.trustedBy.summary}`);
		for (const e of s.errors) lines.push(`      error ${e.code}: ${e.message}`);
		for (const w of s.warnings) lines.push(`      warning ${w.code}: ${w.message}`);
	}
	return lines.join('\n');
}

/** `smart-id verify`: verify containers, print a summary or JSON, return the worst exit code. */
export async function run(args: string[]): Promise<number> {
	const parsed = parseArgs(args);
	if (typeof parsed === 'string') {
		process.stderr.write(`${parsed}\n`);
		return parsed === USAGE && args.some((a) => a === '--help' || a === '-h') ? 0 : 2;
	}
	let trust: TrustSource;
	try {
		trust = await trustSourceFrom(parsed.trust);
	} catch (e) {
		const code = (e as { code?: string }).code;
		process.stderr.write(`cannot set up trust${code ? ` (${code})` : ''}: ${(e as Error).message}\n`);
		return 2;
	}
	if (!parsed.json && trust.eu) {
		const eu = trust.eu;
		const lists = eu.territories.map((t) => `${t.territory} ${t.sequenceNumber}`).join(', ') || 'none';
		const problems = eu.problems.length === 0 ? 'no problems' : eu.problems.map((p) => `${p.territory} ${p.code} (${p.outcome})`).join(', ');
		process.stdout.write(`trust: ${trust.choice}; EU LOTL ${eu.lotlSequenceNumber ?? '?'}, lists ${lists}; ${problems}\n`);
	}
	const codes: number[] = [];
	const reports: Array<{ file: string; report: Report }> = [];
	for (const file of parsed.files) {
		let report: Report;
		try {
			report = await verifyDocument(file, { trust, ...(parsed.at ? { at: parsed.at } : {}) });
		} catch (e) {
			process.stderr.write(`${file}: cannot verify: ${(e as Error).message}\n`);
			codes.push(2);
			continue;
		}
		reports.push({ file, report });
		codes.push(exitCodeOf(report));
		if (!parsed.json) process.stdout.write(`${summary(file, report)}\n`);
	}
	if (parsed.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0].report : reports.map((r) => r.report), null, 2)}\n`);
	// Any definite failure wins over "undecided"; all passed is 0.
	return codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;
}
