import { randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors';
import { isStrictBase64 } from '../encoding';

/** Bytes of a freshly generated rpChallenge (docs: `BASE64(CRYPTO-RANDOM(64))`). */
export const RP_CHALLENGE_BYTES = 64;

/** A new rpChallenge: Base64 of 64 bytes from the CSPRNG. Never reuse one across sessions. */
export function generateRpChallenge(): string {
	return randomBytes(RP_CHALLENGE_BYTES).toString('base64');
}

/** Accept a caller-supplied rpChallenge only if it is strict Base64 of 32..64 bytes (spec §2.1). */
export function validateRpChallenge(value: unknown): string {
	if (!isStrictBase64(value)) {
		throw new InvalidRequestError('rpChallenge is not strict Base64; leave it empty to have one generated', {
			field: 'rpChallenge',
		});
	}
	const bytes = Buffer.from(value, 'base64').length;
	if (bytes < 32 || bytes > 64) {
		throw new InvalidRequestError(`rpChallenge decodes to ${bytes} bytes; Smart-ID needs 32 to 64 random bytes`, {
			field: 'rpChallenge',
		});
	}
	return value;
}
