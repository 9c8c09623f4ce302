import { parsePendingSignature, type PendingSignature, type ProductionPlace } from '../asice/sign';
import { parsePdfPendingSignature, type PdfPendingSignature } from '../pdf/pending';
import { SmartIdError } from '../errors';
import type { DeviceLinkSecrets } from '../flows/device-link';
import { digestLength, HASH_ALGORITHMS, type HashAlgorithm } from '../hash-algorithm';
import { parseSessionStatus } from '../rp-api/parse';
import {
	DEVICE_LINK_TYPES,
	FLOW_TYPES,
	type AuthenticationContext,
	type Interaction,
	type SessionStatus,
	type SignatureContext,
} from '../rp-api/types';
import type { CertificateChoiceContext } from '../validation/types';
import { PendingSessionInvalidError, RecordReader } from './record-fields';

/** Format tag of a stored {@link PendingSession}; bumped when the shape changes. */
export const PENDING_SESSION_FORMAT = 'smart-id-pending-session/1';

/** The JSON an operation wants back in its result (operation name, data file names, warnings). */
export type ResultSummary = Record<string, unknown>;

/** Production place / role of the XAdES signature (Signature Options collection). */
export interface SignatureOptions {
	productionPlace?: ProductionPlace;
	roles?: string[];
}

/** ASiC-E state kept with a pending signature: the build's pending JSON plus the partial container bytes. */
export interface AsicePendingState {
	pending: PendingSignature;
	/** Base64 of the partial (new) or source (append) container, so any process can finish it. */
	containerBase64: string;
	fileName: string;
	outputBinaryPropertyName: string;
	summary: ResultSummary;
}

/**
 * What a "Let the Signer Choose the Certificate" signing keeps with its certificate choice until the signer is
 * known: the data files or the container, and every signing setting (no secret).
 */
export interface LinkedAsiceRequest {
	files?: Array<{ name: string; mimeType?: string; dataBase64: string }>;
	containerBase64?: string;
	fileName: string;
	outputBinaryPropertyName: string;
	summary: ResultSummary;
	signatureOptions: SignatureOptions;
	interactions: Interaction[];
	certificateLevel: 'ADVANCED' | 'QUALIFIED' | 'QSCD';
}

/** Fields every kind has. Dates are ISO-8601 strings. */
interface PendingSessionCommon {
	format: typeof PENDING_SESSION_FORMAT;
	/** The RP API sessionID: unique, also the dedup key for whoever consumes the trigger's output. */
	sessionId: string;
	/** Which credential (environment, base URL, RP UUID) started it; the trigger lists only its own. */
	credentialKey: string;
	tag?: string;
	/** User JSON handed back unchanged with the result. */
	correlation?: unknown;
	createdAt: string;
	/** After this the session cannot complete any more; the trigger reports it as expired. */
	expiresAt: string;
	/** SENSITIVE device-link secrets (re-making links); never emitted, logged or put into an error. */
	secrets?: DeviceLinkSecrets;
}

export interface PendingAuthentication extends PendingSessionCommon {
	kind: 'authentication';
	context: AuthenticationContext;
}

export interface PendingSignatureSession extends PendingSessionCommon {
	kind: 'signature';
	context: SignatureContext;
}

export interface PendingCertificateChoice extends PendingSessionCommon {
	kind: 'certificateChoice';
	context: CertificateChoiceContext;
	/** Set when the choice is followed by a linked ASiC-E signature (device link only). */
	linkedSignature?: LinkedAsiceRequest;
}

export interface PendingAsiceSignature extends PendingSessionCommon {
	kind: 'asiceSignature';
	context: SignatureContext;
	container: AsicePendingState;
	/** The certificate choice this linked signature continued, if any. */
	certificateChoiceSessionId?: string;
	/**
	 * Smart-ID's COMPLETE/OK answer, kept when finishing failed on a TSA/OCSP outage: the trigger finishes the
	 * container later without asking Smart-ID again. Only this kind may carry it.
	 */
	keptStatus?: SessionStatus;
}

/**
 * Where the input of a streamed PDF signature lies: an n8n binary kept out of memory (filesystem mode), named by
 * its binary data id, with the SHA-256 and size it had when the signature was prepared. Finishing reads it again
 * and refuses (PDF_INPUT_CHANGED) when either differs. Only for signatures finished in the execution that holds
 * the binary ("Wait for Completion"): n8n deletes an execution's binaries with it.
 */
export interface PdfInputReference {
	/** n8n's binary data id, `mode:fileId` (e.g. `filesystem-v2:workflows/1/executions/2/binary_data/<uuid>`). */
	binaryId: string;
	/** Base64 SHA-256 of the input. */
	sha256: string;
	/** Its size in bytes (the state's `inputSize`). */
	size: number;
}

/**
 * PDF state kept with a pending PAdES signature: lib/pdf's pending JSON plus either the partial PDF itself
 * (self-contained: input + prepared update, so any process can finish it) or a reference to the input and only the
 * prepared update (streamed). `pending.partialFile` is where it lay when prepared; finishing writes the partial PDF
 * to a fresh private file and points the state there.
 */
export interface PdfPendingState {
	pending: PdfPendingSignature;
	/** Self-contained: Base64 of the partial PDF (its size is `pending.partialSize`). */
	partialBase64?: string;
	/** Streamed: the input by reference... */
	input?: PdfInputReference;
	/** ...and Base64 of the update that follows it (`partialSize - inputSize` bytes, zero-filled /Contents). */
	updateBase64?: string;
	fileName: string;
	outputBinaryPropertyName: string;
	summary: ResultSummary;
}

export interface PendingPdfSignature extends PendingSessionCommon {
	kind: 'pdfSignature';
	context: SignatureContext;
	pdf: PdfPendingState;
	/** Smart-ID's COMPLETE/OK answer, kept when finishing failed on a TSA/OCSP outage (as for ASiC-E). */
	keptStatus?: SessionStatus;
}

/** One session started in "Start and Continue" mode (or by device link), with everything needed to finish it. */
export type PendingSession = PendingAuthentication | PendingSignatureSession | PendingCertificateChoice | PendingAsiceSignature | PendingPdfSignature;

/** The kinds that finish a document after the person signed (and may keep Smart-ID's answer through an outage). */
export type PendingDocumentSignature = PendingAsiceSignature | PendingPdfSignature;

export type PendingSessionKind = PendingSession['kind'];

/** What a record must agree with: the credential that reads it (never the record itself). */
export interface PendingSessionExpectation {
	credentialKey: string;
	relyingPartyName: string;
	schemeName: string;
	brokeredRpName?: string;
}

const KINDS: readonly PendingSessionKind[] = ['authentication', 'signature', 'certificateChoice', 'asiceSignature', 'pdfSignature'];
const LEVELS = ['ADVANCED', 'QUALIFIED', 'QSCD'] as const;
const SESSION_ID = { max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, what: 'a session id' };
const NAME = { max: 512 };
const DOCUMENT = { max: 128, pattern: /^(PNO|PAS|IDC)[A-Z]{2}-.+-[A-Za-z0-9]{4}-(Q|NQ)$/, what: 'a document number' };
const SEMANTICS = { max: 128, pattern: /^(PNO|PAS|IDC)[A-Z]{2}-/, what: 'a semantics identifier' };
/** Text sizes (Base64 certificate, interactions, stored containers) far above any real one are not ours. */
const MAX_CERT_CHARS = 96 * 1024;
const MAX_INTERACTIONS_CHARS = 4096;
const MAX_BLOB_CHARS = 2 ** 30;
/** A streamed PDF record's update: the signature revision, a visible signature's appearance, never the document. */
const MAX_UPDATE_CHARS = 16 * 1024 * 1024;
/** Correlation data is the user's JSON; a summary lists every data file name (containers may hold thousands). */
const MAX_JSON = 1024 * 1024;
const MAX_SUMMARY = 16 * 1024 * 1024;

const flowTypes = (r: RecordReader, key: string, min: number) =>
	r.list(key, (v, path) => {
		if (!FLOW_TYPES.includes(v as never)) throw new PendingSessionInvalidError(path, `is not one of ${FLOW_TYPES.join(', ')}`);
		return v as (typeof FLOW_TYPES)[number];
	}, { min, max: FLOW_TYPES.length });

function hashAlgorithm(r: RecordReader, key: string): HashAlgorithm {
	return r.oneOf(key, HASH_ALGORITHMS);
}

function authenticationContext(r: RecordReader, expect: PendingSessionExpectation): AuthenticationContext {
	const c: AuthenticationContext = {
		schemeName: r.text('schemeName', NAME),
		relyingPartyName: r.text('relyingPartyName', NAME),
		rpChallenge: r.base64('rpChallenge', { maxChars: 100, minBytes: 32 }),
		interactions: r.base64('interactions', { maxChars: MAX_INTERACTIONS_CHARS }),
		requestedCertificateLevel: r.oneOf('requestedCertificateLevel', ['ADVANCED', 'QUALIFIED'] as const),
		hashAlgorithm: hashAlgorithm(r, 'hashAlgorithm'),
		allowedFlowTypes: flowTypes(r, 'allowedFlowTypes', 1),
	};
	const brokered = r.optText('brokeredRpName', NAME);
	const callback = r.optText('initialCallbackUrl', { max: 2048, pattern: /^https:\/\//, what: 'an HTTPS URL' });
	const semantics = r.optText('expectedSemanticsIdentifier', SEMANTICS);
	const document = r.optText('expectedDocumentNumber', DOCUMENT);
	// Which relying party and scheme the payload was signed for comes from the credential, never from the record.
	if (c.relyingPartyName !== expect.relyingPartyName) r.fail('relyingPartyName', "is not the credential's relying party name");
	if (c.schemeName !== expect.schemeName) r.fail('schemeName', "is not the credential's scheme name");
	if ((brokered ?? undefined) !== expect.brokeredRpName) r.fail('brokeredRpName', "is not the credential's brokered RP name");
	if (brokered) c.brokeredRpName = brokered;
	if (callback) c.initialCallbackUrl = callback;
	if (semantics) c.expectedSemanticsIdentifier = semantics;
	if (document) c.expectedDocumentNumber = document;
	r.done();
	return c;
}

function signatureContext(r: RecordReader): SignatureContext {
	const algorithm = hashAlgorithm(r, 'hashAlgorithm');
	const c: SignatureContext = {
		digest: r.base64('digest', { maxChars: 100, bytes: digestLength(algorithm) }),
		hashAlgorithm: algorithm,
		requestedCertificateLevel: r.oneOf('requestedCertificateLevel', LEVELS),
		allowedFlowTypes: flowTypes(r, 'allowedFlowTypes', 1),
	};
	const interactions = r.has('interactions') ? r.base64('interactions', { maxChars: MAX_INTERACTIONS_CHARS }) : (r.raw('interactions', false), undefined);
	const document = r.optText('expectedDocumentNumber', DOCUMENT);
	const semantics = r.optText('expectedSemanticsIdentifier', SEMANTICS);
	const certificate = r.has('expectedCertificate') ? r.base64('expectedCertificate', { maxChars: MAX_CERT_CHARS }) : (r.raw('expectedCertificate', false), undefined);
	const legacy = r.flag('allowLegacyPkcs1');
	if (interactions) c.interactions = interactions;
	if (document) c.expectedDocumentNumber = document;
	if (semantics) c.expectedSemanticsIdentifier = semantics;
	if (certificate) c.expectedCertificate = certificate;
	if (legacy) c.allowLegacyPkcs1 = true;
	r.done();
	return c;
}

function certificateChoiceContext(r: RecordReader): CertificateChoiceContext {
	const c: CertificateChoiceContext = { requestedCertificateLevel: r.oneOf('requestedCertificateLevel', LEVELS) };
	if (r.has('allowedFlowTypes')) c.allowedFlowTypes = flowTypes(r, 'allowedFlowTypes', 1);
	else r.raw('allowedFlowTypes', false);
	const document = r.optText('expectedDocumentNumber', DOCUMENT);
	const semantics = r.optText('expectedSemanticsIdentifier', SEMANTICS);
	if (document) c.expectedDocumentNumber = document;
	if (semantics) c.expectedSemanticsIdentifier = semantics;
	r.done();
	return c;
}

const SESSION_TYPE: Record<PendingSessionKind, DeviceLinkSecrets['sessionType']> = {
	authentication: 'auth',
	signature: 'sign',
	asiceSignature: 'sign',
	pdfSignature: 'sign',
	certificateChoice: 'cert',
};
const PROTOCOL: Record<DeviceLinkSecrets['sessionType'], DeviceLinkSecrets['signatureProtocol']> = {
	auth: 'ACSP_V2',
	sign: 'RAW_DIGEST_SIGNATURE',
	cert: '',
};

function secrets(r: RecordReader, session: { sessionId: string; kind: PendingSessionKind }, expect: PendingSessionExpectation): DeviceLinkSecrets {
	const type = SESSION_TYPE[session.kind];
	const s: DeviceLinkSecrets = {
		sessionID: r.text('sessionID', SESSION_ID),
		sessionToken: r.text('sessionToken', { max: 512, pattern: /^[A-Za-z0-9._~+/=-]+$/, what: 'a session token' }),
		sessionSecret: r.base64('sessionSecret', { maxChars: 512, minBytes: 16 }),
		deviceLinkBase: r.text('deviceLinkBase', { max: 2048, pattern: /^https?:\/\//, what: 'an HTTP(S) URL' }),
		receivedAt: r.whole('receivedAt', 8.64e15),
		sessionType: r.oneOf('sessionType', [type]),
		schemeName: r.text('schemeName', NAME),
		relyingPartyName: r.text('relyingPartyName', NAME),
		signatureProtocol: r.oneOf('signatureProtocol', [PROTOCOL[type]]),
		digestOrRpChallenge: r.text('digestOrRpChallenge', { min: 0, max: 200 }),
		interactions: r.text('interactions', { min: 0, max: MAX_INTERACTIONS_CHARS }),
		deviceLinkTypes: r.list('deviceLinkTypes', (v, path) => {
			if (!DEVICE_LINK_TYPES.includes(v as never)) throw new PendingSessionInvalidError(path, `is not one of ${DEVICE_LINK_TYPES.join(', ')}`);
			return v as DeviceLinkSecrets['deviceLinkTypes'][number];
		}, { min: 1, max: DEVICE_LINK_TYPES.length }),
	};
	const brokered = r.optText('brokeredRpName', NAME);
	const callback = r.optText('initialCallbackUrl', { max: 2048, pattern: /^https:\/\//, what: 'an HTTPS URL' });
	if (s.sessionID !== session.sessionId) r.fail('sessionID', 'is not the session id of the record');
	if (s.relyingPartyName !== expect.relyingPartyName) r.fail('relyingPartyName', "is not the credential's relying party name");
	if (s.schemeName !== expect.schemeName) r.fail('schemeName', "is not the credential's scheme name");
	if ((brokered ?? undefined) !== expect.brokeredRpName) r.fail('brokeredRpName', "is not the credential's brokered RP name");
	if (brokered) s.brokeredRpName = brokered;
	if (callback) s.initialCallbackUrl = callback;
	r.done();
	return s;
}

function summary(r: RecordReader, key: string): ResultSummary {
	const value = r.json(key, MAX_SUMMARY);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) r.fail(key, 'is not an object');
	return value as ResultSummary;
}

function outputNames(r: RecordReader): { fileName: string; outputBinaryPropertyName: string } {
	return {
		fileName: r.text('fileName', { max: 255, pattern: /^[^/\\]+$/, what: 'a file name' }),
		outputBinaryPropertyName: r.text('outputBinaryPropertyName', { max: 128, pattern: /^[A-Za-z0-9_.-]+$/, what: 'a binary field name' }),
	};
}

function asiceState(r: RecordReader): AsicePendingState {
	const raw = r.raw('pending');
	let pending: PendingSignature;
	try {
		pending = parsePendingSignature(raw);
	} catch (error) {
		const field = error instanceof SmartIdError && typeof error.details.field === 'string' ? error.details.field : '';
		throw new PendingSessionInvalidError(`${r.name('pending')}${field ? `.${field}` : ''}`, 'is not a valid signature state');
	}
	const state: AsicePendingState = {
		pending,
		containerBase64: r.base64('containerBase64', { maxChars: MAX_BLOB_CHARS }),
		...outputNames(r),
		summary: summary(r, 'summary'),
	};
	r.done();
	return state;
}

function pdfState(r: RecordReader): PdfPendingState {
	let pending: PdfPendingSignature;
	try {
		pending = parsePdfPendingSignature(r.raw('pending'));
	} catch (error) {
		const field = error instanceof SmartIdError && typeof error.details.field === 'string' ? error.details.field : '';
		throw new PendingSessionInvalidError(`${r.name('pending')}${field ? `.${field}` : ''}`, 'is not a valid PDF signature state');
	}
	const names = outputNames(r);
	const stateSummary = summary(r, 'summary');
	if (r.has('partialBase64') === r.has('input')) r.fail('partialBase64', 'and input: exactly one of them must be present');
	if (r.has('partialBase64')) {
		const partialBase64 = r.base64('partialBase64', { maxChars: MAX_BLOB_CHARS });
		if (Buffer.byteLength(partialBase64, 'base64') !== pending.partialSize) r.fail('partialBase64', 'is not the partial PDF of the signature state (its size differs)');
		r.done();
		return { pending, partialBase64, ...names, summary: stateSummary };
	}
	const input = inputReference(r.child('input'));
	if (input.size !== pending.inputSize) r.fail('input.size', 'is not the input size of the signature state');
	// The update is small (signature dictionary, field, widget, appearance, xref); its size is fixed by the state.
	const updateBase64 = r.base64('updateBase64', { maxChars: MAX_UPDATE_CHARS });
	if (Buffer.byteLength(updateBase64, 'base64') !== pending.partialSize - pending.inputSize) r.fail('updateBase64', 'is not the update of the signature state (its size differs)');
	r.done();
	return { pending, input, updateBase64, ...names, summary: stateSummary };
}

function inputReference(r: RecordReader): PdfInputReference {
	const reference: PdfInputReference = {
		// n8n's `mode:fileId`; the id is only ever handed back to n8n's own binary helpers, never used as a path.
		binaryId: r.text('binaryId', { max: 1024, pattern: /^[a-z0-9-]+:[A-Za-z0-9._/-]+$/, what: "an n8n binary data id ('mode:fileId')" }),
		sha256: r.base64('sha256', { maxChars: 44, bytes: 32 }),
		size: r.whole('size', Number.MAX_SAFE_INTEGER),
	};
	if (reference.binaryId.split('/').includes('..')) r.fail('binaryId', 'contains ".."');
	r.done();
	return reference;
}

function interaction(value: unknown, path: string): Interaction {
	const r = RecordReader.of(value, path);
	const type = r.oneOf('type', ['displayTextAndPIN', 'confirmationMessage', 'confirmationMessageAndVerificationCodeChoice'] as const);
	const out: Interaction =
		type === 'displayTextAndPIN'
			? { type, displayText60: r.text('displayText60', { max: 60 }) }
			: { type, displayText200: r.text('displayText200', { max: 200 }) };
	r.done();
	return out;
}

function signatureOptions(r: RecordReader): SignatureOptions {
	const out: SignatureOptions = {};
	const place = r.optChild('productionPlace');
	if (place) {
		const p: ProductionPlace = {};
		for (const key of ['city', 'streetAddress', 'stateOrProvince', 'postalCode', 'countryName'] as const) {
			const v = place.optText(key, { max: 512 });
			if (v) p[key] = v;
		}
		place.done();
		out.productionPlace = p;
	}
	if (r.has('roles')) out.roles = r.list('roles', (v, path) => {
		if (typeof v !== 'string' || v.length === 0 || v.length > 512) throw new PendingSessionInvalidError(path, 'is not a role text of 1-512 characters');
		return v;
	}, { min: 1, max: 16 });
	else r.raw('roles', false);
	r.done();
	return out;
}

function linkedRequest(r: RecordReader): LinkedAsiceRequest {
	const request: LinkedAsiceRequest = {
		...outputNames(r),
		summary: summary(r, 'summary'),
		signatureOptions: signatureOptions(r.child('signatureOptions')),
		interactions: r.list('interactions', interaction, { min: 1, max: 4 }),
		certificateLevel: r.oneOf('certificateLevel', LEVELS),
	};
	if (r.has('files') === r.has('containerBase64')) r.fail('files', 'and containerBase64: exactly one of them must be present');
	if (r.has('containerBase64')) request.containerBase64 = r.base64('containerBase64', { maxChars: MAX_BLOB_CHARS });
	else {
		r.raw('containerBase64', false);
		request.files = r.list('files', (v, path) => {
			const f = RecordReader.of(v, path);
			const file = { name: f.text('name', { max: 0xffff }), dataBase64: f.has('dataBase64') && f.raw('dataBase64') === '' ? '' : f.base64('dataBase64', { maxChars: MAX_BLOB_CHARS }) };
			const mimeType = f.optText('mimeType', { max: 255, pattern: /^[\w.+-]+\/[\w.+-]+$/, what: 'a media type' });
			f.done();
			return mimeType ? { ...file, mimeType } : file;
		}, { min: 1, max: 10_000 });
	}
	r.done();
	return request;
}

function keptStatus(r: RecordReader): SessionStatus {
	let status: SessionStatus;
	try {
		status = parseSessionStatus(r.raw('keptStatus'));
	} catch {
		r.fail('keptStatus', 'is not a Smart-ID session status');
	}
	if (status.state !== 'COMPLETE' || status.result?.endResult !== 'OK') r.fail('keptStatus', 'is not a COMPLETE/OK answer');
	return status;
}

/**
 * Parse a pending-session record read back from a store (untrusted: anyone who can write the folder or the Redis
 * database could have written it). Checks every field, nested type, enum and length, and the cross-field facts
 * (secrets belong to this session and kind, the relying party and scheme are the credential's, an ASiC-E state
 * is the one whose digest was sent). Throws {@link PendingSessionInvalidError} naming the first wrong field.
 * The record's `mac` is checked elsewhere (`openPendingSession`), before this.
 */
export function parsePendingSession(value: unknown, expect: PendingSessionExpectation): PendingSession {
	const r = RecordReader.of(value, '');
	r.oneOf('format', [PENDING_SESSION_FORMAT]);
	const kind = r.oneOf('kind', KINDS);
	const sessionId = r.text('sessionId', SESSION_ID);
	if (sessionId.includes('..')) r.fail('sessionId', 'contains ".."');
	const credentialKey = r.text('credentialKey', { max: 128 });
	if (credentialKey !== expect.credentialKey) r.fail('credentialKey', 'is not the key of this credential');
	const created = r.time('createdAt');
	const expires = r.time('expiresAt');
	if (expires <= created) r.fail('expiresAt', 'is not after createdAt');
	const common: PendingSessionCommon = {
		format: PENDING_SESSION_FORMAT,
		sessionId,
		credentialKey,
		createdAt: r.raw('createdAt') as string,
		expiresAt: r.raw('expiresAt') as string,
	};
	const tag = r.optText('tag', { max: 256 });
	if (tag) common.tag = tag;
	const correlation = r.json('correlation', MAX_JSON);
	if (correlation !== undefined) common.correlation = correlation;
	const secretsReader = r.optChild('secrets');
	if (secretsReader) common.secrets = secrets(secretsReader, { sessionId, kind }, expect);
	r.raw('mac', false);
	const context = r.child('context');
	let session: PendingSession;
	switch (kind) {
		case 'authentication':
			session = { ...common, kind, context: authenticationContext(context, expect) };
			if (common.secrets && common.secrets.digestOrRpChallenge !== session.context.rpChallenge) r.fail('secrets.digestOrRpChallenge', 'is not the rpChallenge of the context');
			break;
		case 'signature':
			session = { ...common, kind, context: signatureContext(context) };
			if (common.secrets && common.secrets.digestOrRpChallenge !== session.context.digest) r.fail('secrets.digestOrRpChallenge', 'is not the digest of the context');
			break;
		case 'certificateChoice': {
			session = { ...common, kind, context: certificateChoiceContext(context) };
			const linked = r.optChild('linkedSignature');
			if (linked) {
				if (!common.secrets) r.fail('linkedSignature', 'belongs only to a device-link certificate choice');
				session.linkedSignature = linkedRequest(linked);
			}
			break;
		}
		case 'asiceSignature': {
			const state = asiceState(r.child('container'));
			session = { ...common, kind, context: signatureContext(context), container: state };
			if (state.pending.digestToSign !== session.context.digest) r.fail('container.pending.digestToSign', 'is not the digest that was sent to Smart-ID');
			if (state.pending.parameters.hashAlgorithm !== session.context.hashAlgorithm) r.fail('context.hashAlgorithm', 'is not the hash of the signature state');
			if (state.pending.parameters.signerCertificate !== session.context.expectedCertificate) r.fail('context.expectedCertificate', 'is not the signer certificate of the signature state');
			if (common.secrets && common.secrets.digestOrRpChallenge !== session.context.digest) r.fail('secrets.digestOrRpChallenge', 'is not the digest of the context');
			const from = r.optText('certificateChoiceSessionId', SESSION_ID);
			if (from) session.certificateChoiceSessionId = from;
			if (r.has('keptStatus')) session.keptStatus = keptStatus(r);
			else r.raw('keptStatus', false);
			break;
		}
		case 'pdfSignature': {
			const state = pdfState(r.child('pdf'));
			session = { ...common, kind, context: signatureContext(context), pdf: state };
			// The digest Smart-ID signs, its hash and the signer must be the PDF state's, or finishing would embed a
			// signature made for something else.
			if (state.pending.digestToSign !== session.context.digest) r.fail('pdf.pending.digestToSign', 'is not the digest that was sent to Smart-ID');
			if (state.pending.hashAlgorithm !== session.context.hashAlgorithm) r.fail('context.hashAlgorithm', 'is not the hash of the PDF signature state');
			if (state.pending.signerCertificate !== session.context.expectedCertificate) r.fail('context.expectedCertificate', 'is not the signer certificate of the PDF signature state');
			if (common.secrets && common.secrets.digestOrRpChallenge !== session.context.digest) r.fail('secrets.digestOrRpChallenge', 'is not the digest of the context');
			if (r.has('keptStatus')) session.keptStatus = keptStatus(r);
			else r.raw('keptStatus', false);
			break;
		}
	}
	if (common.secrets && common.secrets.interactions !== ((session.context as { interactions?: string }).interactions ?? '')) {
		r.fail('secrets.interactions', 'is not the interactions of the context');
	}
	r.done();
	return session;
}

export { PendingSessionInvalidError };
