/**
 * Example workflows (a) authenticate + branch and (b) sign files into an ASiC-E, run by a real n8n 2.40.7 with
 * `n8n execute` against the offline simulator (running in this jest process, reached over loopback).
 * Containers are checked by our verifier and independently (xmllint + openssl; xmlsec1 1.2.37 cannot check RSA-PSS,
 * and the legacy PKCS#1 v1.5 answers it could check are refused by the node, which this suite asserts too).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { verifyContainer } from '../../lib/asice/verify';
import { TrustStore } from '../../lib/pki/trust-store';
import { startSimulator, type RunningSimulator } from '../../lib/simulator';
import {
	accountOf,
	exampleVariant,
	independentPssCheck,
	isPkcs1SignatureMethod,
	personalCodeOf,
	signatureXmlOf,
	simulatorCredential,
	simulatorTrust,
} from './examples';
import { describeE2e, expectSucceeded, killAllChildren, N8nInstance, nodeOutput, nodesThatRan } from './harness';

const OK_DOC = 'PNOEE-40504040001-DEM0-Q';
const REFUSED_DOC = 'PNOEE-30403039917-MOCK-Q';
const TIMEOUT_DOC = 'PNOEE-30403039983-MOCK-Q';

describeE2e('example workflows run by n8n execute against the simulator', (runtime) => {
	let sim: RunningSimulator;
	let n8n: N8nInstance;
	let legacyCode: string;

	beforeAll(async () => {
		sim = await startSimulator({
			// Keys and certificates are reused between runs (first use generates RSA keys).
			stateDir: path.join(os.tmpdir(), 'smart-id-e2e-simulator-state'),
			prewarm: [OK_DOC],
		});
		const legacy = accountOf(sim, (a) => a.behaviour.legacyPkcs1 === true && a.behaviour.endResult === 'OK');
		legacyCode = personalCodeOf(legacy.semanticsIdentifier);
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
		await n8n.importCredentials([simulatorCredential(sim)]);

		const toSign = path.join(n8n.filesDir, 'to-sign');
		fs.mkdirSync(toSign, { recursive: true });
		// n8n's Write node does not create folders.
		fs.mkdirSync(path.join(n8n.filesDir, 'signed'), { recursive: true });
		fs.writeFileSync(path.join(toSign, 'contract.txt'), 'Contract no. 42: the parties agree.\n');
		fs.writeFileSync(path.join(toSign, 'annex 1.txt'), 'Annex with a space in its name.\n');
		const sign = (id: string, code: string, out: string) =>
			exampleVariant('02-sign-files-asice.json', id, {
				Settings: {
					inputFiles: path.join(toSign, '*.txt'),
					outputFile: path.join(n8n.filesDir, 'signed', out),
					personalCode: code,
					country: 'EE',
				},
			}, { 'Verify container': simulatorTrust(sim) });
		const auth = (id: string, code: string) =>
			exampleVariant('01-authenticate-person.json', id, { Person: { personalCode: code, country: 'EE' } });
		// One import call for every variant: each CLI call costs seconds.
		await n8n.importWorkflow([
			auth('sidExAuthOk', '40504040001'),
			auth('sidExAuthRefused', '30403039917'),
			auth('sidExAuthTimeout', '30403039983'),
			sign('sidExSignPss', '40504040001', 'pss.asice'),
			sign('sidExSignLegacy', legacyCode, 'legacy.asice'),
			sign('sidExSignRefused', '30403039917', 'refused.asice'),
		]);
	}, 300_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
		await sim?.stop();
	}, 60_000);

	it('(a) authenticates an OK account and takes the "Authenticated?" true branch with the validated identity', async () => {
		const execution = await n8n.execute('sidExAuthOk');
		expectSucceeded(execution);
		const { run } = execution;
		expect(run.finished).toBe(true);
		const [auth] = nodeOutput(run, 'Authenticate');
		expect(auth.json.code).toBeUndefined();
		const account = accountOf(sim, (a) => a.documentNumber === OK_DOC);
		expect(auth.json.documentNumber).toBe(OK_DOC);
		expect(auth.json.identity).toMatchObject({
			givenName: account.givenName,
			surname: account.surname,
			personalCode: '40504040001',
			country: 'EE',
			identityType: 'PNO',
			semanticsIdentifier: 'PNOEE-40504040001',
		});
		expect(auth.json.flowType).toBe('Notification');
		expect(auth.json.certificateLevel).toBe('QUALIFIED');
		// No secret ever reaches the output.
		expect(JSON.stringify(run)).not.toMatch(/sessionSecret/i);
		const [welcome] = nodeOutput(run, 'Welcome');
		expect(welcome.json).toMatchObject({
			result: 'authenticated',
			name: `${account.givenName} ${account.surname}`,
			personalCode: '40504040001',
		});
		expect(nodesThatRan(run)).not.toContain('Not authenticated');
	}, 180_000);

	it.each([
		['sidExAuthRefused', REFUSED_DOC, 'SMARTID_USER_REFUSED'],
		['sidExAuthTimeout', TIMEOUT_DOC, 'SMARTID_TIMEOUT'],
	])('(a) %s: the refusal arrives as {error, code} and takes the false branch', async (id, _doc, code) => {
		const { run, result } = await n8n.execute(id);
		expect(result.code).toBe(0); // the node continues on error, so the workflow itself succeeds
		const [auth] = nodeOutput(run, 'Authenticate');
		expect(auth.json.code).toBe(code);
		expect(typeof auth.json.error).toBe('string');
		expect(nodesThatRan(run)).not.toContain('Welcome');
		const [branch] = nodeOutput(run, 'Not authenticated');
		expect(branch.json).toMatchObject({ result: 'not authenticated', code });
	}, 180_000);

	it('(b) signs two files into an ASiC-E (RSA-PSS), writes it and verifies it TOTAL-PASSED', async () => {
		const execution = await n8n.execute('sidExSignPss');
		expectSucceeded(execution);
		const { run } = execution;
		const [signed] = nodeOutput(run, 'Sign into ASiC-E');
		expect(signed.json.identity).toMatchObject({ personalCode: '40504040001', country: 'EE' });
		expect(signed.binary?.data?.fileName).toBe('documents.asice');
		expect(signed.binary?.data?.mimeType).toBe('application/vnd.etsi.asic-e+zip');
		const [verified] = nodeOutput(run, 'Verify container');
		expect(verified.json).toMatchObject({ indication: 'TOTAL-PASSED', valid: true, signaturesCount: 1, validSignaturesCount: 1 });

		// The file n8n wrote, checked again here by our verifier with the simulator's CAs only.
		const file = path.join(n8n.filesDir, 'signed', 'pss.asice');
		const container = fs.readFileSync(file);
		const report = await verifyContainer(container, { trust: TrustStore.fromPem(sim.caPems, 'simulator'), filename: 'pss.asice' });
		expect(report.validationConclusion.indication).toBe('TOTAL-PASSED');
		const signatureXml = await signatureXmlOf(container);
		expect(isPkcs1SignatureMethod(signatureXml)).toBe(false);
		expect(signatureXml).toMatch(/SignatureMethod Algorithm="[^"]*(rsa-MGF1|rsa-pss|ecdsa)/i);
		// Checked with none of our code: xmllint c14n + openssl PSS over SignedInfo, openssl digests of the files.
		const independent = await independentPssCheck(container);
		expect(independent).toEqual({ signatureOk: true, references: { 'annex 1.txt': true, 'contract.txt': true } });
		// Untrusted by the SK demo anchors alone: the verifier really checks the chain.
		const foreign = await verifyContainer(container, { trust: TrustStore.bundled('demo'), filename: 'pss.asice' });
		expect(foreign.validationConclusion.indication).not.toBe('TOTAL-PASSED');
	}, 240_000);

	it('(b) a legacy PKCS#1 v1.5 answer is refused (security check), nothing is written', async () => {
		// The simulator account answers like SK's legacy mode; the node must not accept it by default.
		const { run, result } = await n8n.execute('sidExSignLegacy');
		expect(result.code).not.toBe(0);
		expect(run.data.resultData.lastNodeExecuted).toBe('Sign into ASiC-E');
		expect(run.data.resultData.error?.description ?? '').toContain('SMARTID_VALIDATION_FAILED');
		expect(fs.existsSync(path.join(n8n.filesDir, 'signed', 'legacy.asice'))).toBe(false);
	}, 180_000);

	it('(b) a refused signature fails the workflow with the Smart-ID code and writes nothing', async () => {
		const { run, result } = await n8n.execute('sidExSignRefused');
		expect(result.code).not.toBe(0);
		expect(run.data.resultData.lastNodeExecuted).toBe('Sign into ASiC-E');
		const error = run.data.resultData.error;
		expect(`${error?.message} ${error?.description}`).toMatch(/SMARTID_USER_REFUSED|refused/i);
		expect(fs.existsSync(path.join(n8n.filesDir, 'signed', 'refused.asice'))).toBe(false);
	}, 180_000);
});
