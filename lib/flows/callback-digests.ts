import { createHash } from 'node:crypto';
import { base64UrlNoPad, decodeBase64Strict } from '../encoding';

/** What the app appends to the callback URL as `sessionSecretDigest` (spec §4.5). */
export function sessionSecretDigest(sessionSecret: string): string {
	const secret = decodeBase64Strict(sessionSecret, 'sessionSecret');
	return base64UrlNoPad(createHash('sha256').update(secret).digest());
}

/** The `signature.userChallenge` an auth session must carry for a given `userChallengeVerifier`. */
export function userChallengeOf(userChallengeVerifier: string): string {
	return base64UrlNoPad(createHash('sha256').update(userChallengeVerifier, 'utf8').digest());
}
