import { PdfDict, PdfName, PdfNumber, type PdfObject } from '../objects';
import { fitText, literal } from './helvetica';

/** What a visible signature shows. */
export interface SignatureLabel {
	/** Reference letter of this signature in the document (A, B, ...). */
	letter: string;
	/** Signer name from the certificate. */
	name: string;
	/** Personal code (semantics identifier), only when it was asked for. */
	personalCode?: string;
	/** The signing time (/M), shown in UTC. */
	signingTime: Date;
}

/** Helvetica and Helvetica-Bold (standard 14 fonts, WinAnsi): resources of every stream written here. */
export function fontResources(): PdfDict {
	const font = (base: string) =>
		new PdfDict().set('Type', new PdfName('Font')).set('Subtype', new PdfName('Type1')).set('BaseFont', new PdfName(base)).set('Encoding', new PdfName('WinAnsiEncoding'));
	return new PdfDict().set('Font', new PdfDict().set('F1', font('Helvetica')).set('F2', font('Helvetica-Bold')));
}

/** `YYYY-MM-DD HH:MM:SS UTC`. */
export function utcText(date: Date): string {
	return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const n = (v: number): string => String(Math.round(v * 100) / 100);

/** One line of text at (x, y) in a font resource, sized to fit `width`. */
export function textLine(text: string, font: 'F1' | 'F2', size: number, x: number, y: number, width: number): string {
	const fitted = fitText(text, width, size, Math.min(size, 6), font === 'F2');
	return `BT /${font} ${n(fitted.size)} Tf ${n(x)} ${n(y)} Td ${literal(fitted.bytes)} Tj ET\n`;
}

/**
 * The appearance stream (a form XObject of `width` × `height` points) of one visible signature: a framed box with
 * the reference letter on the left and name, personal code (when asked), date and time, "Signed with Smart-ID".
 */
export function signatureAppearance(label: SignatureLabel, width: number, height: number): { dict: PdfDict; stream: Buffer } {
	const letterWidth = Math.min(48, width * 0.25);
	const textX = letterWidth + 6;
	const textWidth = width - textX - 6;
	const lines: [string, 'F1' | 'F2', number][] = [[label.name, 'F2', 11]];
	if (label.personalCode) lines.push([label.personalCode, 'F1', 8.5]);
	lines.push([utcText(label.signingTime), 'F1', 8.5], ['Signed with Smart-ID', 'F1', 8.5]);
	const lineGap = Math.min(14, (height - 10) / lines.length);
	let content = '';
	content += `q 0.94 0.96 1 rg 0 0 ${n(width)} ${n(height)} re f Q\n`;
	content += `q 0.16 0.29 0.55 RG 1 w 0.5 0.5 ${n(width - 1)} ${n(height - 1)} re S Q\n`;
	content += `q 0.16 0.29 0.55 RG 0.75 w ${n(letterWidth)} 6 m ${n(letterWidth)} ${n(height - 6)} l S Q\n`;
	const letterSize = Math.min(26, height * 0.45, letterWidth * 0.6);
	content += `0.16 0.29 0.55 rg\n${textLine(label.letter, 'F2', letterSize, 8, height / 2 - letterSize * 0.35, letterWidth - 10)}0 g\n`;
	let y = height / 2 + ((lines.length - 1) * lineGap) / 2 - 3;
	for (const [text, font, size] of lines) {
		content += textLine(text, font, Math.min(size, lineGap * 0.85), textX, y, textWidth);
		y -= lineGap;
	}
	const dict = new PdfDict()
		.set('Type', new PdfName('XObject'))
		.set('Subtype', new PdfName('Form'))
		.set('BBox', [PdfNumber.of(0), PdfNumber.of(0), new PdfNumber(n(width)), new PdfNumber(n(height))] as PdfObject[])
		.set('Resources', fontResources());
	return { dict, stream: Buffer.from(content, 'latin1') };
}
