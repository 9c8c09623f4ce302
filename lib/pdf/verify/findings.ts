import type { ReportIssue } from '../../asice/verify/report';
import { PDF_CODES, type Indication, type PdfFindingCode } from './codes';

/** Collects one PDF signature's findings and derives its indication (as the container verifier's Findings). */
export class PdfFindings {
	readonly errors: Array<ReportIssue & { code: PdfFindingCode }> = [];
	readonly warnings: ReportIssue[] = [];

	add(code: PdfFindingCode, message: string): void {
		const list = PDF_CODES[code].severity === 'warning' ? this.warnings : this.errors;
		if (!list.some((e) => e.code === code && e.message === message)) (list as ReportIssue[]).push({ code, message });
	}

	has(code: PdfFindingCode): boolean {
		return this.errors.some((e) => e.code === code) || this.warnings.some((w) => w.code === code);
	}

	/** TOTAL-FAILED if any failing finding, INDETERMINATE if any undecided one, else TOTAL-PASSED. */
	indication(): { indication: Indication; subIndication: string } {
		const info = (c: PdfFindingCode): { severity: string; subIndication?: string } => PDF_CODES[c];
		const failed = this.errors.find((e) => info(e.code).severity === 'failed');
		if (failed) return { indication: 'TOTAL-FAILED', subIndication: info(failed.code).subIndication ?? '' };
		const ind = this.errors.find((e) => info(e.code).severity === 'indeterminate');
		if (ind) return { indication: 'INDETERMINATE', subIndication: info(ind.code).subIndication ?? '' };
		return { indication: 'TOTAL-PASSED', subIndication: '' };
	}
}
