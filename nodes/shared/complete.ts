import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { finalizeSignature, parsePendingSignature, type PendingSignature } from '../../lib/asice/sign';
import { InvalidRequestError } from '../../lib/errors';
import type { PendingSessionRecord } from '../../lib/sessions';
import type { AuthenticationContext, SessionStatus, SignatureContext } from '../../lib/rp-api/types';
import {
	validateAuthentication,
	validateCertificateChoice,
	validateSignature,
	type CertificateChoiceContext,
} from '../../lib/validation';
import { continueWithLinkedSignature, continuesWithSignature } from './linked-signature';
import { authenticationJson, certificateJson, signatureJson } from './results';
import type { SmartIdRuntime } from './runtime';

/** ASiC-E state kept with a pending session: the build helper's pending JSON plus the partial container bytes. */
export interface AsicePendingState {
	pending: PendingSignature;
	/** Base64 of the partial (new) or source (append) container, so any process can finish it. */
	containerBase64: string;
	fileName: string;
	outputBinaryPropertyName: string;
	summary: IDataObject;
}

/** A file the finished result carries (the signed container). */
export interface ResultFile {
	propertyName: string;
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/** A finished session: JSON output (never secrets) plus optional file. */
export interface SessionOutcome {
	json: IDataObject;
	files?: ResultFile[];
	/**
	 * Set when the session was not the last step: it continued as this new pending session (a certificate
	 * choice followed by its linked signature). Not a result to emit; the old record is done.
	 */
	continuedAs?: string;
}

/**
 * True when finishing failed only because a TSA or OCSP responder could not be reached or answered with an
 * HTTP error (the engine's `SMARTID_TSA_UNAVAILABLE` / `SMARTID_OCSP_UNAVAILABLE`, possibly wrapped as the
 * cause of an ASiC-E build error). The person has already signed: keep the session and finish it later.
 */
export function isLtServiceOutage(error: unknown): boolean {
	for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
		const code = (e as { code?: unknown }).code;
		if (code === 'SMARTID_TSA_UNAVAILABLE' || code === 'SMARTID_OCSP_UNAVAILABLE') return true;
	}
	return false;
}

/** `meta` key under which a signed-but-unfinished container session keeps Smart-ID's COMPLETE answer. */
export const KEPT_STATUS_META = 'completedStatus';

/**
 * The COMPLETE answer kept with a record whose finishing failed on a TSA/OCSP outage, if any. With it the
 * trigger finishes the container without asking Smart-ID again, however long Smart-ID remembers the session.
 */
export function keptStatusOf(record: Pick<PendingSessionRecord, 'meta'>): SessionStatus | undefined {
	const kept = record.meta?.[KEPT_STATUS_META] as SessionStatus | undefined;
	return kept && typeof kept === 'object' && kept.state === 'COMPLETE' ? kept : undefined;
}

/** Base JSON every session result starts with (identifies it for dedup, carries the user's correlation data). */
export function baseJson(record: Pick<PendingSessionRecord, 'sessionId' | 'kind' | 'tag' | 'correlation'>): IDataObject {
	return {
		sessionId: record.sessionId,
		kind: record.kind,
		...(record.tag ? { tag: record.tag } : {}),
		...(record.correlation !== undefined ? { correlation: record.correlation as IDataObject } : {}),
	};
}

/**
 * Validate a COMPLETE session status against its stored request and produce the output; an ASiC-E signature
 * is finalized here (timestamp, OCSP, container). Throws SessionEndedError / ValidationError / build errors.
 */
export async function completeSession(
	record: PendingSessionRecord,
	status: SessionStatus,
	runtime: SmartIdRuntime,
	options: { userChallengeVerifier?: string } = {},
): Promise<SessionOutcome> {
	const validation = { trust: runtime.trust, userChallengeVerifier: options.userChallengeVerifier };
	const base = { ...baseJson(record), state: 'COMPLETE', endResult: 'OK' };
	switch (record.kind) {
		case 'authentication': {
			const result = validateAuthentication(status, record.context as AuthenticationContext, validation);
			return { json: { ...base, ...authenticationJson(result) } };
		}
		case 'signature': {
			const result = validateSignature(status, record.context as SignatureContext, validation);
			return { json: { ...base, ...signatureJson(result) } };
		}
		case 'certificateChoice': {
			if (continuesWithSignature(record)) return continueWithLinkedSignature(record, status, runtime);
			const result = validateCertificateChoice(status, record.context as CertificateChoiceContext, validation);
			return { json: { ...base, ...certificateJson(result) } };
		}
		case 'asiceSignature': {
			const result = validateSignature(status, record.context as SignatureContext, validation);
			const state = record.asicePending as AsicePendingState;
			const file = await finalizeContainer(state, result.signatureBase64, runtime);
			return {
				json: { ...base, ...state.summary, ...signatureJson(result), containerFileName: file.fileName, containerSize: file.data.length },
				files: [file],
			};
		}
		default:
			throw new InvalidRequestError(`Unknown pending session kind ${JSON.stringify((record as { kind: unknown }).kind)}`);
	}
}

/** Write the stored container bytes to a private temp folder, finalize there, return the finished container. */
export async function finalizeContainer(
	state: AsicePendingState,
	signatureValueBase64: string,
	runtime: SmartIdRuntime,
): Promise<ResultFile> {
	const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smart-id-asice-'));
	try {
		const partial = path.join(dir, 'partial.asice');
		await fs.writeFile(partial, Buffer.from(state.containerBase64, 'base64'), { mode: 0o600 });
		const pending = parsePendingSignature({ ...state.pending, partialContainer: partial });
		const out = path.join(dir, `${randomBytes(6).toString('hex')}.asice`);
		await finalizeSignature(pending, signatureValueBase64, {
			out,
			tsaUrl: runtime.config.tsaUrl,
			ocspUrl: runtime.config.ocspUrl,
			trust: runtime.trust,
		});
		return {
			propertyName: state.outputBinaryPropertyName,
			data: await fs.readFile(out),
			fileName: state.fileName,
			mimeType: 'application/vnd.etsi.asic-e+zip',
		};
	} finally {
		await fs.rm(dir, { recursive: true, force: true });
	}
}
