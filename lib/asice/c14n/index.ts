/** Our own XML canonicalization: inclusive C14N 1.0/1.1 and exclusive C14N, with or without comments. */
/** Canonicalize an element subtree (in its document context) or a whole document to UTF-8 bytes. */
export { canonicalize, C14nError, C14nBudgetError, type C14nBudget, type CanonicalizeOptions } from './canonicalize';
/** The six supported algorithm URIs and helpers to recognise them. */
export { C14N, c14nMode, isC14nAlgorithm, type C14nMode } from './algorithms';
