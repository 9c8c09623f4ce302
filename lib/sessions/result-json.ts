import type { AuthenticationResult, CertificateChoiceResult, SignatureResult } from '../validation';
import type { ResultJson } from './outcome';

/** Certificate + identity part shared by every validated result (never any secret). */
export function certificateJson(result: CertificateChoiceResult | AuthenticationResult | SignatureResult): ResultJson {
	const id = result.identity;
	return {
		documentNumber: result.documentNumber,
		certificateLevel: result.certificateLevel,
		identity: {
			givenName: id.givenName,
			surname: id.surname,
			personalCode: id.identityNumber,
			country: id.country,
			identityType: id.identityType,
			semanticsIdentifier: id.semanticsIdentifier,
			dateOfBirth: id.dateOfBirth,
			dateOfBirthSource: id.dateOfBirthSource,
			age: id.age,
			documentNumber: id.documentNumber ?? result.documentNumber,
		},
		certificate: result.certificateBase64,
		certificateSubject: result.certificate.subject.replace(/\n/g, ', '),
		certificateValidTo: new Date(result.certificate.validTo).toISOString(),
	};
}

/** Output of a validated authentication. */
export function authenticationJson(result: AuthenticationResult): ResultJson {
	return {
		...certificateJson(result),
		flowType: result.flowType,
		interactionTypeUsed: result.interactionTypeUsed,
		signatureScheme: result.signatureScheme,
		hashAlgorithm: result.hashAlgorithm,
		...(result.deviceIpAddress ? { deviceIpAddress: result.deviceIpAddress } : {}),
	};
}

/** Output of a validated signature. */
export function signatureJson(result: SignatureResult): ResultJson {
	return {
		...certificateJson(result),
		signatureValue: result.signatureBase64,
		signatureScheme: result.signatureScheme,
		hashAlgorithm: result.hashAlgorithm,
		...(result.saltLength !== undefined ? { saltLength: result.saltLength } : {}),
		flowType: result.flowType,
		...(result.interactionTypeUsed ? { interactionTypeUsed: result.interactionTypeUsed } : {}),
	};
}
