/** Extend XAdES LT signatures of ASiC-E containers to LTA (archive timestamp + missing validation data). */
export { extendContainer, httpArchiveTimestamper, type ArchiveTimestamper, type ExtendOptions, type ExtendResult, type ExtendedSignature } from './extend-container';
export { ExtendError, type ExtendErrorCode } from './errors';
