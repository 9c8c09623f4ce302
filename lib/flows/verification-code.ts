import { createHash } from 'node:crypto';
import { decodeBase64Strict } from '../encoding';

/**
 * Verification code of raw input bytes (spec §5.5): the last two bytes of SHA-256(input) as an unsigned
 * big-endian integer, modulo 10000, zero-padded to four digits.
 */
export function verificationCodeOf(input: Uint8Array): string {
	const hash = createHash('sha256').update(input).digest();
	const value = hash.readUInt16BE(hash.length - 2) % 10000;
	return value.toString().padStart(4, '0');
}

/** The code a notification authentication shows: computed by the RP from its own rpChallenge. */
export function authenticationVerificationCode(rpChallenge: string): string {
	return verificationCodeOf(decodeBase64Strict(rpChallenge, 'rpChallenge'));
}
