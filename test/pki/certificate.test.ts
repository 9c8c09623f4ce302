import 'reflect-metadata';
import * as fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { CertificateParseError, parseCertificate, pemToDerList, toX509 } from '../../lib/pki/certificate';
import { OID, oidName } from '../../lib/pki/oids';
import { readFixtureJson, anchorPath } from '../helpers/fixtures';
import { makeCert, testKey } from './test-pki';

function vectorCertBase64(file: string): string {
	const v = readFixtureJson<{ sessionStatus?: { cert: { value: string } }; certificateBase64?: string }>(
		'smartid-v3',
		file,
	);
	return v.sessionStatus?.cert.value ?? v.certificateBase64 ?? '';
}

describe('parseCertificate on real Smart-ID demo certificates', () => {
	it('reads the authentication certificate (java vector)', () => {
		const c = parseCertificate(vectorCertBase64('java-notification-auth-acsp_v2-sha3-512.json'));
		expect(c.subject).toMatchObject({ C: 'EE', CN: 'TEST,OK', SN: 'TEST', GN: 'OK', serialNumber: 'PNOEE-40504040001' });
		expect(c.issuer.CN).toBe('TEST of SK ID Solutions EID-Q 2024E');
		expect(c.issuer.O).toBe('SK ID Solutions AS');
		expect(c.subjectAltNameDirectoryCns).toEqual(['PNOEE-40504040001-DEMO-Q']);
		expect(c.policies).toEqual([OID.policySkSmartIdQualified, OID.policyEtsiNcpPlus]);
		expect(c.keyUsage).toMatchObject({ digitalSignature: true, nonRepudiation: false, keyEncipherment: false });
		expect(c.extendedKeyUsages).toEqual([OID.ekuSmartIdAuthentication]);
		expect(c.basicConstraints).toEqual({ ca: false });
		expect(c.dateOfBirth).toBe('1999-01-01');
		expect(c.ocspUrls).toEqual(['http://aia.demo.sk.ee/eidq2024e']);
		expect(c.caIssuerUrls).toEqual(['http://c.sk.ee/TEST_EID-Q_2024E.der.crt']);
		expect(c.crlUrls).toEqual(['http://c.sk.ee/test_eid-q_2024e.crl']);
		expect(c.notBefore.toISOString()).toBe('2025-09-08T12:25:22.000Z');
		expect(c.notAfter.toISOString()).toBe('2028-09-07T12:25:21.000Z');
		expect(c.publicKey).toEqual({ type: 'rsa', modulusLength: 6144 });
		expect(c.signatureAlgorithm).toBe(OID.ecdsaWithSha384);
		expect(c.authorityKeyIdentifier).toBe('b024171988e366f8cd2858657b4d14d892664f6b');
		expect(c.subjectKeyIdentifier).toBe('c13e2bd940ad1d6067a672374a379a0064321a59');
		expect(c.criticalExtensions).toEqual([OID.keyUsage]);
		expect(c.qcStatements.statementIds).toEqual([]);
	});

	it('reads the QC statements of the signing certificate (java XAdES vector)', () => {
		const c = parseCertificate(vectorCertBase64('java-raw-digest-signature-pss-sha512-xades-signedinfo.json'));
		expect(c.subject.serialNumber).toBe('PNOEE-39003012798');
		expect(c.subjectAltNameDirectoryCns).toEqual(['PNOEE-39003012798-FFL8-Q']);
		expect(c.keyUsage?.nonRepudiation).toBe(true);
		expect(c.keyUsage?.digitalSignature).toBe(false);
		expect(c.policies).toContain(OID.policyEtsiQcpNQscd);
		expect(c.qcStatements).toMatchObject({
			compliance: true,
			sscd: true,
			esign: true,
			eseal: false,
			types: [OID.qcTypeEsign],
			semanticsIds: [OID.semanticsIdNaturalPerson],
		});
		expect(c.qcStatements.pds[0]).toEqual({
			url: 'https://www.skidsolutions.eu/resources/conditions-for-use-of-certificates/',
			language: 'en',
		});
		expect(c.dateOfBirth).toBe('1990-03-01');
	});

	it('accepts DER, Base64, PEM and X509Certificate and caches per object', () => {
		const b64 = vectorCertBase64('vatsake-notification-sign-raw_digest-pss-sha512.json');
		const der = Buffer.from(b64, 'base64');
		const x = new X509Certificate(der);
		const fromDer = parseCertificate(der);
		expect(parseCertificate(x.toString()).sha256).toBe(fromDer.sha256);
		expect(parseCertificate(new Uint8Array(der)).sha256).toBe(fromDer.sha256);
		expect(parseCertificate(x)).toBe(parseCertificate(x));
		expect(fromDer.sha256).toBe('8e927c9b50baf5b085f3ce2cb018102dd98a269890b65ee581d9e3e19f462052');
	});

	it('reads CA certificates: basicConstraints with path length, EC keys', () => {
		const gov = parseCertificate(fs.readFileSync(anchorPath('demo/TEST_of_EE-GovCA2018.pem'), 'utf8'));
		expect(gov.basicConstraints).toEqual({ ca: true, pathLength: 1 });
		expect(gov.publicKey).toEqual({ type: 'ec', namedCurve: 'secp521r1' });
		expect(gov.keyUsage?.keyCertSign).toBe(true);
		expect(gov.subjectKeyIdentifier).toBe(gov.authorityKeyIdentifier);
	});
});

describe('parseCertificate on generated certificates', () => {
	it('reads SAN directoryName, dateOfBirth, QC types and EKUs it wrote', async () => {
		const cert = await makeCert({
			subject: 'C=LV, CN=Test, 2.5.4.5=PNOLV-329999-99901',
			key: await testKey('rsa'),
			sanDirectoryCn: 'PNOLV-329999-99901-MOCK-Q',
			dateOfBirth: '1999-12-31',
			qcStatements: { compliance: true, types: [OID.qcTypeEseal] },
			eku: [OID.ekuClientAuth, OID.ekuEmailProtection],
			policies: [OID.policySkSmartIdNonQualified],
		});
		const c = parseCertificate(cert);
		expect(c.subject.serialNumber).toBe('PNOLV-329999-99901');
		expect(c.subjectAltNameDirectoryCns).toEqual(['PNOLV-329999-99901-MOCK-Q']);
		expect(c.dateOfBirth).toBe('1999-12-31');
		expect(c.qcStatements).toMatchObject({ compliance: true, sscd: false, eseal: true, esign: false });
		expect(c.extendedKeyUsages).toEqual([OID.ekuClientAuth, OID.ekuEmailProtection]);
		expect(c.policies).toEqual([OID.policySkSmartIdNonQualified]);
	});
});

describe('malformed input', () => {
	const b64 = vectorCertBase64('vatsake-notification-sign-raw_digest-pss-sha512.json');
	it.each([
		['empty string', ''],
		['not base64', 'this is not a certificate!'],
		['truncated DER', Buffer.from(b64, 'base64').subarray(0, 200)],
		['random bytes', Buffer.from('3003020101', 'hex')],
		['two PEM blocks', `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----`],
		['PEM with junk', '-----BEGIN CERTIFICATE-----\n$$$\n-----END CERTIFICATE-----'],
	])('%s -> CertificateParseError', (_name, input) => {
		let error: unknown;
		try {
			parseCertificate(input);
		} catch (err) {
			error = err;
		}
		expect(error).toBeInstanceOf(CertificateParseError);
		expect((error as CertificateParseError).code).toBe('SMARTID_CERTIFICATE_INVALID');
	});

	it('pemToDerList returns every block; toX509 keeps an X509Certificate as is', () => {
		const pem = new X509Certificate(Buffer.from(b64, 'base64')).toString();
		expect(pemToDerList(pem + pem)).toHaveLength(2);
		const x = toX509(pem);
		expect(toX509(x)).toBe(x);
	});

	it('oidName names known OIDs and passes unknown ones through', () => {
		expect(oidName(OID.qcTypeEsign)).toBe('qcTypeEsign');
		expect(oidName('1.2.3.4')).toBe('1.2.3.4');
	});
});
