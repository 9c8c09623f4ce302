import { CODES, type FindingCode, type Indication } from './codes';
import type { ReportIssue } from './report';

/** Collects a signature's findings and derives its indication. */
export class Findings {
	readonly errors: Array<ReportIssue & { code: FindingCode }> = [];
	readonly warnings: ReportIssue[] = [];

	/** Record a finding; warnings go to `warnings`, everything else to `errors`. */
	add(code: FindingCode, message: string): void {
		if (CODES[code].severity === 'warning') {
			if (!this.warnings.some((w) => w.code === code && w.message === message)) this.warnings.push({ code, message });
		} else if (!this.errors.some((e) => e.code === code && e.message === message)) {
			this.errors.push({ code, message });
		}
	}

	/** True when a finding with this code was recorded. */
	has(code: FindingCode): boolean {
		return this.errors.some((e) => e.code === code) || this.warnings.some((w) => w.code === code);
	}

	/** TOTAL-FAILED if any failing finding, INDETERMINATE if any undecided one, else TOTAL-PASSED. */
	indication(): { indication: Indication; subIndication: string } {
		const failed = this.errors.find((e) => CODES[e.code].severity === 'failed');
		if (failed) return { indication: 'TOTAL-FAILED', subIndication: (CODES[failed.code] as { subIndication?: string }).subIndication ?? '' };
		const ind = this.errors.find((e) => CODES[e.code].severity === 'indeterminate');
		if (ind) return { indication: 'INDETERMINATE', subIndication: (CODES[ind.code] as { subIndication?: string }).subIndication ?? '' };
		return { indication: 'TOTAL-PASSED', subIndication: '' };
	}
}
