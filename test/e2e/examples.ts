/**
 * Loads the example workflows of examples/ for the e2e suite: new id and name, values of the "Settings"/"Person"
 * nodes replaced, and the simulator credential they reference (by the placeholder id smartIdCredential1).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import JSZip from 'jszip';

import { simulatorCredentialData, type RunningSimulator } from '../../lib/simulator';
import {
	extractAll,
	extractElement,
	innerText,
	opensslDigest,
	opensslVerifyDigest,
	xmllintExcC14n,
} from '../asice/sign/helpers/independent';
import { REPO_ROOT } from './harness';

/** Id of the credential every example references. */
export const EXAMPLE_CREDENTIAL_ID = 'smartIdCredential1';

/** A workflow as stored in examples/*.json (the fields the tests touch). */
export interface ExampleWorkflow {
	id: string;
	name: string;
	active: boolean;
	nodes: Array<{
		id: string;
		name: string;
		type: string;
		parameters: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
		[key: string]: unknown;
	}>;
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
	[key: string]: unknown;
}

/** Reads examples/<file>. */
export function readExample(file: string): ExampleWorkflow {
	return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')) as ExampleWorkflow;
}

/**
 * A copy of an example under a new id (at most 21 characters, n8n's limit) with the named Set node's fields
 * replaced (`{ Settings: { inputFiles: '...' } }`) and other nodes' parameters overridden; an unknown node or
 * field is an error, so examples and tests cannot drift apart silently.
 */
export function exampleVariant(
	file: string,
	id: string,
	setFields: Record<string, Record<string, string>> = {},
	nodeParameters: Record<string, Record<string, unknown>> = {},
): ExampleWorkflow {
	if (id.length > 21) throw new Error(`workflow id ${id} is longer than 21 characters`);
	const workflow = readExample(file);
	workflow.id = id;
	workflow.name = `${workflow.name} (${id})`;
	for (const [nodeName, fields] of Object.entries(setFields)) {
		const node = workflow.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`${file} has no node "${nodeName}"`);
		const assignments = (node.parameters.assignments as { assignments: Array<{ name: string; value: unknown }> })
			.assignments;
		for (const [field, value] of Object.entries(fields)) {
			const assignment = assignments.find((a) => a.name === field);
			if (!assignment) throw new Error(`${file}: node "${nodeName}" has no field "${field}"`);
			assignment.value = value;
		}
	}
	for (const [nodeName, parameters] of Object.entries(nodeParameters)) {
		const node = workflow.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`${file} has no node "${nodeName}"`);
		Object.assign(node.parameters, parameters);
	}
	return workflow;
}

/** The smartIdApi credential (plain, n8n encrypts it on import) pointing at a running simulator. */
export function simulatorCredential(sim: RunningSimulator, id = EXAMPLE_CREDENTIAL_ID): object {
	return {
		id,
		name: 'Smart-ID simulator',
		type: 'smartIdApi',
		data: simulatorCredentialData(sim),
	};
}

/** Simulator accounts by role, looked up by the document numbers of spec §8 (and the simulator's own). */
export function accountOf(sim: RunningSimulator, match: (a: RunningSimulator['accounts'][number]) => boolean) {
	const account = sim.accounts.find(match);
	if (!account) throw new Error('simulator account not found');
	return account;
}

/** Personal code part of a semantics identifier (`PNOEE-40504040001` → `40504040001`). */
export function personalCodeOf(semanticsIdentifier: string): string {
	return semanticsIdentifier.replace(/^PNO[A-Z]{2}-/, '');
}

/** The XML of META-INF/signatures0.xml in a container. */
export async function signatureXmlOf(container: Buffer): Promise<string> {
	const entry = (await JSZip.loadAsync(container)).file('META-INF/signatures0.xml');
	if (!entry) throw new Error('container has no META-INF/signatures0.xml');
	return entry.async('string');
}

/** Whether a signature uses legacy PKCS#1 v1.5 RSA, the one method xmlsec1 1.2.37 can check (no RSA-PSS). */
export function isPkcs1SignatureMethod(signatureXml: string): boolean {
	return /SignatureMethod\s+Algorithm="http:\/\/www\.w3\.org\/(2001\/04\/xmldsig-more#rsa-sha(256|384|512)|2000\/09\/xmldsig#rsa-sha1)"/.test(
		signatureXml,
	);
}

/**
 * Independent check of an RSA-PSS/SHA-256 XAdES signature with none of our code (xmlsec1 1.2.37 has no RSA-PSS):
 * xmllint's exclusive c14n of ds:SignedInfo, openssl digest and `openssl pkeyutl -verify` (PSS) against the
 * certificate in ds:KeyInfo, and openssl digests of every data file against its ds:Reference.
 */
export async function independentPssCheck(container: Buffer): Promise<{ signatureOk: boolean; references: Record<string, boolean> }> {
	const zip = await JSZip.loadAsync(container);
	const xml = await signatureXmlOf(container);
	if (!xml.includes('CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"')) {
		throw new Error('expected exclusive c14n of SignedInfo');
	}
	if (!xml.includes('http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1')) throw new Error('expected sha256-rsa-MGF1');
	const signedInfo = extractElement(xml, 'ds:SignedInfo');
	const digest = opensslDigest('sha256', xmllintExcC14n(signedInfo));
	const signatureValue = Buffer.from(innerText(extractElement(xml, 'ds:SignatureValue')).replace(/\s+/g, ''), 'base64');
	const certB64 = innerText(extractElement(extractElement(xml, 'ds:KeyInfo'), 'ds:X509Certificate')).replace(/\s+/g, '');
	const certPem = `-----BEGIN CERTIFICATE-----\n${certB64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
	const signatureOk = opensslVerifyDigest(certPem, digest, signatureValue, 'sha256', 'pss');
	const references: Record<string, boolean> = {};
	for (const reference of extractAll(signedInfo, 'ds:Reference')) {
		const uri = /URI="([^"]*)"/.exec(reference)?.[1] ?? '';
		if (uri.startsWith('#')) continue; // SignedProperties
		const name = decodeURIComponent(uri);
		const entry = zip.file(name);
		const expected = innerText(extractElement(reference, 'ds:DigestValue')).trim();
		references[name] = !!entry && opensslDigest('sha256', await entry.async('nodebuffer')).toString('base64') === expected;
	}
	return { signatureOk, references };
}

/**
 * Verify Container parameters trusting the simulator (trust comes from the node, not the credential): its CAs and
 * its TSA certificate as extra certificates on top of SK live, so an SK demo container stays foreign.
 */
export function simulatorTrust(sim: RunningSimulator): Record<string, unknown> {
	return { verificationTrust: 'skLive', extraTrustedCertificates: [...sim.caPems, sim.tsaCertPem].join('\n') };
}
