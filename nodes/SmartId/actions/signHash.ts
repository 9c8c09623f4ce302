import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidRequestError } from '../../../lib/errors';
import { startDeviceLinkSignature, startNotificationSignature } from '../../../lib/flows/signature';
import { digestLength, hashBytes, isHashAlgorithm, type HashAlgorithm } from '../../../lib/hash-algorithm';
import { decodeBase64Strict } from '../../../lib/encoding';
import { startOrStore, type SessionOutcome, type SessionRuntime } from '../../../lib/sessions';
import { startDeviceLinkSession } from '../../shared/device-link';
import { interactions, personTarget, signingMethod, startOptions, str } from '../../shared/params';

/** The digest to sign as Base64, from hex, Base64 or the hash of a binary field. */
async function digestOf(ctx: IExecuteFunctions, i: number, algorithm: HashAlgorithm): Promise<string> {
	const source = str(ctx, 'hashSource', i, 'hex');
	if (source === 'binary') {
		const property = str(ctx, 'binaryPropertyName', i, 'data');
		ctx.helpers.assertBinaryData(i, property);
		const data = await ctx.helpers.getBinaryDataBuffer(i, property);
		return Buffer.from(hashBytes(algorithm, data)).toString('base64');
	}
	const value = str(ctx, 'hash', i).replace(/\s+/g, '');
	let bytes: Buffer;
	if (source === 'hex') {
		if (!/^(?:[0-9a-fA-F]{2})+$/.test(value)) {
			throw new InvalidRequestError('Hash is not hexadecimal: give an even number of 0-9/a-f characters');
		}
		bytes = Buffer.from(value, 'hex');
	} else {
		bytes = decodeBase64Strict(value, 'Hash');
	}
	if (bytes.length !== digestLength(algorithm)) {
		throw new InvalidRequestError(
			`Hash is ${bytes.length} bytes but ${algorithm} gives ${digestLength(algorithm)}: check the hash algorithm`,
		);
	}
	return bytes.toString('base64');
}

/** Signature → Sign Hash (RAW_DIGEST_SIGNATURE): notification (S3/S4) or device link (S1/S2, never anonymous). */
export async function signHash(this: IExecuteFunctions, i: number, runtime: SessionRuntime): Promise<SessionOutcome> {
	const hashAlgorithm = str(this, 'hashAlgorithm', i, 'SHA-512');
	if (!isHashAlgorithm(hashAlgorithm)) throw new InvalidRequestError(`Unknown hash algorithm ${hashAlgorithm}`);
	const digest = await digestOf(this, i, hashAlgorithm);
	const method = signingMethod(this, i);
	const params = {
		hashAlgorithm,
		digest,
		interactions: interactions(this, i, method === 'deviceLink'),
		certificateLevel: str(this, 'certificateLevel', i, 'QUALIFIED') as 'ADVANCED' | 'QUALIFIED' | 'QSCD',
	};
	const signal = this.getExecutionCancelSignal?.();
	if (method === 'deviceLink') {
		return startDeviceLinkSession(
			this,
			i,
			runtime,
			async (link) => {
				const started = await startDeviceLinkSignature(runtime.client, runtime.flowConfig, personTarget(this, i), { ...params, ...link }, { signal });
				return { sessionId: started.sessionID, kind: 'signature', context: started.context, secrets: started.deviceLink };
			},
			{ digest },
		);
	}
	const started = await startNotificationSignature(runtime.client, runtime.flowConfig, personTarget(this, i), params, { signal });
	return startOrStore(
		runtime,
		{ sessionId: started.sessionID, kind: 'signature', context: started.context },
		startOptions(this, i, { verificationCode: started.verificationCode, digest }),
	);
}
