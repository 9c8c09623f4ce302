import * as crypto from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { C14nBudgetError, canonicalize, isC14nAlgorithm, type C14nBudget } from '../../asice/c14n';
import { NS, childElements, descendants, textOf } from '../../asice/xml';
import { digestAlgorithm, signatureAlgorithm } from '../../asice/verify/algorithms';
import { TrustedListError } from './errors';

const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const INCLUSIVE_C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

/** What a verified list signature tells. */
export interface ListSignature {
	/** The certificate whose key verified the SignatureValue (one of the allowed certificates). */
	signer: X509Certificate;
	/** XAdES SigningTime, when present. */
	signingTime: Date | null;
	/** SignatureMethod URI. */
	signatureMethod: string;
}

/** Options of {@link verifyListSignature}. */
export interface VerifyListSignatureOptions {
	/** Canonicalization work budget in units (default 64 Mi: a 32 MiB list canonicalized twice fits). */
	c14nBudget?: number;
}

function fail(code: ConstructorParameters<typeof TrustedListError>[0], message: string, details: Record<string, unknown> = {}): never {
	throw new TrustedListError(code, message, details);
}

function dsKids(el: Element, name: string): Element[] {
	return childElements(el, NS.ds, name);
}

function one(el: Element, name: string, ns: string = NS.ds): Element {
	const all = childElements(el, ns, name);
	if (all.length !== 1) fail('TL_SIGNATURE_UNSUPPORTED', `The list signature must have exactly one ${name} (found ${all.length}).`, { element: name });
	return all[0];
}

function b64(el: Element): Buffer {
	const compact = textOf(el).replace(/\s+/g, '');
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) fail('TL_SIGNATURE_UNSUPPORTED', `${el.localName} is not Base64.`);
	return Buffer.from(compact, 'base64');
}

function idOf(el: Element): string | null {
	return el.getAttribute('Id') || el.getAttribute('ID') || el.getAttribute('id') || null;
}

function findById(doc: Document, id: string): Element {
	const found: Element[] = [];
	const stack: Node[] = [doc.documentElement as unknown as Node];
	while (stack.length) {
		const n = stack.pop()!;
		if (n.nodeType !== 1) continue;
		const e = n as Element;
		if (idOf(e) === id) found.push(e);
		for (let c = e.lastChild; c; c = c.previousSibling) stack.push(c);
	}
	if (found.length !== 1) fail('TL_SIGNATURE_NOT_COVERING', `Reference "#${id}" matches ${found.length} elements; exactly one is required.`, { id, matches: found.length });
	return found[0];
}

function verifyValue(alg: string, key: crypto.KeyObject, data: Buffer, value: Buffer): boolean {
	const a = signatureAlgorithm(alg);
	if (!a) fail('TL_SIGNATURE_UNSUPPORTED', `SignatureMethod "${alg}" is not supported.`, { algorithm: alg });
	try {
		if (a.key === 'ec') return crypto.verify(a.hash, data, { key, dsaEncoding: 'ieee-p1363' }, value);
		if (a.key === 'rsa-pss') {
			return crypto.verify(a.hash, data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }, value);
		}
		return crypto.verify(a.hash, data, key, value);
	} catch {
		// Key type and algorithm disagree, or a malformed value: the signature does not verify with this key.
		return false;
	}
}

function withoutSignature<T>(signature: Element, fn: () => T): T {
	const parent = signature.parentNode!;
	const next = signature.nextSibling;
	parent.removeChild(signature);
	try {
		return fn();
	} finally {
		parent.insertBefore(signature, next);
	}
}

function checkSigningCertificate(signedProperties: Element, signer: X509Certificate): void {
	const sc = [...descendants(signedProperties, NS.xades, 'SigningCertificate'), ...descendants(signedProperties, NS.xades, 'SigningCertificateV2')];
	if (sc.length === 0) return;
	for (const digestEl of sc.flatMap((s) => descendants(s, NS.xades, 'CertDigest'))) {
		const method = childElements(digestEl, NS.ds, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
		const value = childElements(digestEl, NS.ds, 'DigestValue')[0];
		const hash = digestAlgorithm(method);
		if (!hash || !value) continue;
		if (crypto.createHash(hash).update(signer.raw).digest().equals(b64(value))) return;
	}
	fail('TL_SIGNING_CERTIFICATE_MISMATCH', 'The XAdES SigningCertificate of the list signature does not name the certificate that verified it.', { signer: signer.subject });
}

/**
 * Verify the enveloped XML-DSig/XAdES signature of a trusted list against the certificates allowed to sign it:
 * one ds:Signature child of the root; a reference covering the whole document (URI "" or the root's Id) with the
 * enveloped-signature transform and a c14n transform; other references only to this signature's SignedProperties;
 * every digest; the SignatureValue (RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA) with the key of an allowed certificate
 * (the KeyInfo certificate when present, which must then be allowed); the XAdES SigningCertificate digest.
 * The document is restored after the enveloped transform.
 * @throws TrustedListError with the code of the first broken rule (TL_SIGNATURE_MISSING, TL_DIGEST_MISMATCH,
 *   TL_SIGNATURE_INVALID, TL_SIGNER_NOT_TRUSTED, …).
 */
export function verifyListSignature(doc: Document, allowed: X509Certificate[], options: VerifyListSignatureOptions = {}): ListSignature {
	const root = doc.documentElement!;
	const sigs = dsKids(root, 'Signature');
	if (sigs.length === 0) fail('TL_SIGNATURE_MISSING', 'The trusted list is not signed (no ds:Signature under its root); it cannot be trusted.');
	if (sigs.length > 1) fail('TL_SIGNATURE_UNSUPPORTED', `The trusted list carries ${sigs.length} signatures; exactly one is expected.`);
	const signature = sigs[0];
	const signedInfo = one(signature, 'SignedInfo');
	const c14nAlg = one(signedInfo, 'CanonicalizationMethod').getAttribute('Algorithm') ?? '';
	if (!isC14nAlgorithm(c14nAlg)) fail('TL_SIGNATURE_UNSUPPORTED', `CanonicalizationMethod "${c14nAlg}" is not supported.`, { algorithm: c14nAlg });
	const sigAlg = one(signedInfo, 'SignatureMethod').getAttribute('Algorithm') ?? '';
	if (!signatureAlgorithm(sigAlg)) fail('TL_SIGNATURE_UNSUPPORTED', `SignatureMethod "${sigAlg}" is not supported.`, { algorithm: sigAlg });
	const budget: C14nBudget = { remaining: options.c14nBudget ?? 64 * 1024 * 1024 };
	const refs = dsKids(signedInfo, 'Reference');
	if (refs.length === 0 || refs.length > 4) fail('TL_SIGNATURE_NOT_COVERING', `The list signature has ${refs.length} references; 1 to 4 are accepted.`);
	const rootId = idOf(root);
	let coversDocument = false;
	let signedProperties: Element | null = null;
	try {
		for (const ref of refs) {
			const uri = ref.getAttribute('URI');
			const transforms = (childElements(ref, NS.ds, 'Transforms')[0] ? dsKids(childElements(ref, NS.ds, 'Transforms')[0], 'Transform') : []).map(
				(t) => t.getAttribute('Algorithm') ?? '',
			);
			const digestUri = one(ref, 'DigestMethod').getAttribute('Algorithm') ?? '';
			const hash = digestAlgorithm(digestUri);
			if (!hash) fail('TL_SIGNATURE_UNSUPPORTED', `DigestMethod "${digestUri}" is not supported.`, { algorithm: digestUri });
			const expected = b64(one(ref, 'DigestValue'));
			const whole = uri === '' || (uri !== null && rootId !== null && uri === `#${rootId}`);
			let octets: Buffer;
			if (whole) {
				if (transforms[0] !== ENVELOPED || transforms.length > 2 || (transforms.length === 2 && !isC14nAlgorithm(transforms[1]))) {
					fail('TL_SIGNATURE_UNSUPPORTED', 'The whole-list reference must use the enveloped-signature transform, optionally followed by one canonicalization.', { transforms });
				}
				const alg = transforms[1] ?? INCLUSIVE_C14N;
				// Same-document dereferencing ("" or "#id") yields a node-set without comments (XMLDSig §4.3.3.3).
				octets = withoutSignature(signature, () => canonicalize(uri === '' ? doc : root, alg, { budget, withComments: false }));
				coversDocument = true;
			} else if (uri && uri.startsWith('#')) {
				const target = findById(doc, uri.slice(1));
				const isSp = target.namespaceURI === NS.xades && target.localName === 'SignedProperties';
				let inSignature = false;
				for (let p: Node | null = target.parentNode; p; p = p.parentNode) if (p === signature) inSignature = true;
				if (!isSp || !inSignature) {
					fail('TL_SIGNATURE_NOT_COVERING', `Reference "${uri}" points at ${target.localName}; only the whole list and this signature's SignedProperties may be referenced.`, { uri });
				}
				const type = ref.getAttribute('Type');
				if (type && type !== SIGNED_PROPERTIES_TYPE) fail('TL_SIGNATURE_UNSUPPORTED', `Reference "${uri}" has Type "${type}".`, { uri, type });
				if (transforms.length > 1 || (transforms.length === 1 && !isC14nAlgorithm(transforms[0]))) {
					fail('TL_SIGNATURE_UNSUPPORTED', `Reference "${uri}" may only have one canonicalization transform.`, { transforms });
				}
				octets = canonicalize(target, transforms[0] ?? INCLUSIVE_C14N, { budget, withComments: false });
				signedProperties = target;
			} else {
				fail('TL_SIGNATURE_NOT_COVERING', `Reference URI "${uri ?? '(none)'}" is not accepted in a list signature.`, { uri });
			}
			const actual = crypto.createHash(hash).update(octets).digest();
			if (!actual.equals(expected)) {
				fail('TL_DIGEST_MISMATCH', `The digest of reference "${uri}" does not match: the ${whole ? 'list' : 'signed properties'} changed after signing.`, { uri });
			}
		}
		if (!coversDocument) fail('TL_SIGNATURE_NOT_COVERING', 'No reference of the list signature covers the whole list.');
		const signedInfoOctets = canonicalize(signedInfo, c14nAlg, { budget });
		const value = b64(one(signature, 'SignatureValue'));
		const keyInfo = dsKids(signature, 'KeyInfo')[0];
		const keyInfoCerts = keyInfo
			? dsKids(keyInfo, 'X509Data').flatMap((d) => dsKids(d, 'X509Certificate')).map((c) => b64(c))
			: [];
		let candidates: X509Certificate[];
		if (keyInfoCerts.length > 0) {
			candidates = allowed.filter((a) => keyInfoCerts.some((k) => k.equals(a.raw)));
			if (candidates.length === 0) {
				let subject = '';
				try {
					subject = new X509Certificate(keyInfoCerts[0]).subject;
				} catch {
					subject = '(unreadable certificate)';
				}
				fail('TL_SIGNER_NOT_TRUSTED', `The list is signed by a certificate that is not allowed to sign it (${subject.replace(/\n/g, ', ')}).`, { signer: subject });
			}
		} else {
			candidates = allowed;
		}
		const signer = candidates.find((c) => verifyValue(sigAlg, c.publicKey, signedInfoOctets, value));
		if (!signer) {
			if (keyInfoCerts.length > 0) fail('TL_SIGNATURE_INVALID', 'The SignatureValue of the list does not verify with its signing certificate.');
			fail('TL_SIGNER_NOT_TRUSTED', 'The SignatureValue of the list verifies with none of the certificates allowed to sign it.', { candidates: allowed.length });
		}
		let signingTime: Date | null = null;
		if (signedProperties) {
			checkSigningCertificate(signedProperties, signer);
			const st = descendants(signedProperties, NS.xades, 'SigningTime')[0];
			const d = st ? new Date(textOf(st).trim()) : null;
			signingTime = d && !Number.isNaN(d.getTime()) ? d : null;
		}
		return { signer, signingTime, signatureMethod: sigAlg };
	} catch (err) {
		if (err instanceof C14nBudgetError) throw new TrustedListError('TL_WORK_BUDGET_EXCEEDED', 'Canonicalizing the list signature exceeded its work budget; refusing the list.', {}, { cause: err });
		throw err;
	}
}
