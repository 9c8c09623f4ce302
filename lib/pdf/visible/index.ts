/**
 * Visible PAdES signatures: a signature page appended after the last page (one slot per signature, each with a
 * reference letter, as Belgian signing services do) or a box on a chosen page and corner. Drawn with the standard
 * Helvetica font (nothing embedded) as the appearance stream of the signature field's widget, inside the same
 * incremental update as the signature, so the earlier bytes stay untouched.
 */
export { placeVisibleSignature, referenceLetter, signerLabel, isSignaturePage, BOX_POSITIONS, type VisibleSignatureOptions, type BoxPosition, type WidgetPlacement } from './placement';
export { signatureAppearance, utcText, type SignatureLabel } from './appearance';
