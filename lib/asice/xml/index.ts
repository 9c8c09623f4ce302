/** Hardened XML parsing (no DTD/entities, size/depth limits) and namespace-aware element lookup. */
/** Safe parser and its limits. */
export { parseXmlSafely, type XmlLimits } from './parse';
/** Typed parse refusal with a `reason`. */
export { XmlParseError, type XmlErrorReason } from './errors';
/** Namespace constants and element finders. */
export { NS, isElement, childElements, childElement, childPath, descendants, textOf } from './find';
