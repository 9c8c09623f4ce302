import { randomBytes } from 'node:crypto';
import { userChallengeOf } from '../flows/callback-digests';
import type { HashAlgorithm } from '../hash-algorithm';
import type { EndResult, FlowType, SessionStatus } from '../rp-api/types';
import { acspV2Payload } from '../validation/acsp-v2-payload';
import type { SimulatorAccount } from './accounts';
import {
	legacyAlgorithmName,
	pssParameters,
	signDigestPkcs1,
	signDigestPss,
	signMessagePkcs1,
	signMessagePss,
} from './phone-crypto';
import type { TestPki } from './pki';
import type { SimSession } from './sessions';

/** What the simulated phone needs to answer: the PKI (keys), the OCSP URL certificates point at, the scheme name. */
export interface PhoneContext {
	pki: TestPki;
	ocspUrl: string;
	schemeName: string;
}

/** End results that only make sense where the user sees interactions; certificate choice has none. */
const INTERACTION_RESULTS: EndResult[] = ['USER_REFUSED_INTERACTION', 'WRONG_VC', 'REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP'];

/** Properties the RP asked for that this RP may not use; reported in every status (spec §3). */
export function ignoredPropertiesOf(session: SimSession): string[] | undefined {
	return session.request.shareMdClientIpAddress && !session.rp.shareIpAddress ? ['shareMdClientIpAddress'] : undefined;
}

/**
 * The session status the phone of `account` produces for `session` when reached through `flowType`: a refusal or
 * error per the account's behaviour, or a real ACSP_V2 / RAW_DIGEST_SIGNATURE signature / certificate choice.
 */
export async function phoneAnswer(
	context: PhoneContext,
	session: SimSession,
	account: SimulatorAccount,
	flowType: FlowType,
	clientIp: string | undefined,
): Promise<SessionStatus> {
	const behaviour = account.behaviour;
	let endResult = behaviour.endResult;
	if (session.kind === 'cert' && INTERACTION_RESULTS.includes(endResult)) endResult = 'OK';
	const ignored = ignoredPropertiesOf(session);
	const extra = ignored ? { ignoredProperties: ignored } : {};
	if (endResult !== 'OK') {
		const result: NonNullable<SessionStatus['result']> = { endResult };
		if (endResult === 'USER_REFUSED_INTERACTION') {
			result.details = { interaction: behaviour.interaction ?? session.request.interactionTypes[0] };
		}
		return { state: 'COMPLETE', result, ...extra };
	}
	const purpose = session.kind === 'auth' ? 'auth' : 'sign';
	const credentials = await context.pki.credentials(account, purpose, context.ocspUrl);
	const cert = { value: credentials.der.toString('base64'), certificateLevel: account.certificateLevel };
	const result = { endResult: 'OK', documentNumber: account.documentNumber };
	const device =
		session.request.shareMdClientIpAddress && session.rp.shareIpAddress && clientIp ? { deviceIpAddress: clientIp } : {};
	if (session.kind === 'cert') {
		return { state: 'COMPLETE', result, signature: { flowType }, cert, ...device, ...extra };
	}
	const hash = session.request.hashAlgorithm as HashAlgorithm;
	const interactionTypeUsed = session.request.interactionTypes[0];
	const algorithm = behaviour.legacyPkcs1
		? { signatureAlgorithm: legacyAlgorithmName(hash) }
		: { signatureAlgorithm: 'rsassa-pss', signatureAlgorithmParameters: pssParameters(hash) };
	if (session.kind === 'auth') {
		const serverRandom = randomBytes(18).toString('base64');
		const verifier = randomBytes(32).toString('base64url');
		const userChallenge = userChallengeOf(verifier);
		session.userChallengeVerifier = verifier;
		const payload = acspV2Payload({
			schemeName: context.schemeName,
			serverRandom,
			rpChallenge: session.request.rpChallenge as string,
			userChallenge,
			relyingPartyName: session.request.relyingPartyName,
			interactions: session.request.interactions as string,
			interactionTypeUsed,
			initialCallbackUrl: session.request.initialCallbackUrl,
			flowType,
		});
		const message = Buffer.from(payload, 'utf8');
		const value = behaviour.legacyPkcs1
			? signMessagePkcs1(credentials.privateKey, message, hash)
			: signMessagePss(credentials.privateKey, message, hash);
		return {
			state: 'COMPLETE',
			result,
			signatureProtocol: 'ACSP_V2',
			signature: { value: value.toString('base64'), serverRandom, userChallenge, flowType, ...algorithm },
			cert,
			interactionTypeUsed,
			...device,
			...extra,
		};
	}
	const digest = Buffer.from(session.request.digest as string, 'base64');
	const value = behaviour.legacyPkcs1
		? signDigestPkcs1(credentials.privateKey, digest, hash)
		: signDigestPss(credentials.privateKey, digest, hash);
	return {
		state: 'COMPLETE',
		result,
		signatureProtocol: 'RAW_DIGEST_SIGNATURE',
		signature: { value: value.toString('base64'), flowType, ...algorithm },
		cert,
		interactionTypeUsed,
		...device,
		...extra,
	};
}
