import type { INodeProperties } from 'n8n-workflow';

import {
	certificateLevelField,
	completionFields,
	deviceLinkFields,
	interactionFields,
	signerFields,
	signingMethodField,
} from './common';

const build = { resource: ['container'], operation: ['buildAsice'] };
const verify = { resource: ['container'], operation: ['verifyContainer'] };
const extend = { resource: ['container'], operation: ['extendSignatures'] };
/** Operations whose trust comes from the node (no credential). */
const trusting = { resource: ['container'], operation: ['verifyContainer', 'extendSignatures'] };
const signing = { resource: ['container'], operation: ['buildAsice', 'addSignature'] };
/** Signing Method values that return a device link at once. */
const LINK_METHODS = ['deviceLink', 'deviceLinkCertificateChoice'];

/** Container → Build ASiC-E, Add Signature, Verify Container. */
export const containerOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['container'] } },
		options: [
			{
				name: 'Add Signature',
				value: 'addSignature',
				description: 'Add a Smart-ID signature to an existing ASiC-E container',
				action: 'Add a signature to a container',
			},
			{
				name: 'Build ASiC-E',
				value: 'buildAsice',
				description: 'Sign files with Smart-ID into a new ASiC-E container (XAdES baseline LT)',
				action: 'Build a signed ASiC-E container',
			},
			{
				name: 'Extend Signatures (LTA)',
				value: 'extendSignatures',
				description: 'Add an archive timestamp to every signature so it stays verifiable after its certificates expire',
				action: 'Extend signatures to LTA',
			},
			{
				name: 'Verify Container',
				value: 'verifyContainer',
				description: 'Check every signature of an ASiC-E or BDOC container',
				action: 'Verify a container',
			},
		],
		default: 'buildAsice',
	},
];

export const containerFields: INodeProperties[] = [
	{
		displayName:
			'Container operations read and write binary data, which does not cross the AI tool boundary: when this node is used as an AI Agent tool, use them in a regular workflow instead',
		name: 'toolNotice',
		type: 'notice',
		default: '',
		// Only where it applies: '@tool' is true in the AI-tool variant n8n derives from usableAsTool.
		displayOptions: { show: { resource: ['container'], '@tool': [true] } },
	},
	{
		displayName: 'Files From',
		name: 'filesFrom',
		type: 'options',
		options: [
			{ name: 'Each Item (One Container per Item)', value: 'eachItem', description: 'One signing session per input item' },
			{
				name: 'All Items (One Container)',
				value: 'allItems',
				description: 'The files of every input item go into one container, signed once',
			},
		],
		default: 'eachItem',
		description: 'Which input items the data files of one container come from',
		displayOptions: { show: build },
	},
	{
		displayName: 'Input Binary Fields',
		name: 'binaryPropertyNames',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data, attachment',
		description: 'Comma-separated binary fields holding the data files; every file name must be unique in the container',
		displayOptions: { show: build },
	},
	{
		displayName: 'Container Binary Field',
		name: 'containerPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Binary field holding the existing container',
		displayOptions: { show: { resource: ['container'], operation: ['addSignature', 'verifyContainer', 'extendSignatures'] } },
	},
	{
		displayName: 'Container File Name',
		name: 'containerFileName',
		type: 'string',
		default: 'signed.asice',
		placeholder: 'e.g. contract.asice',
		description: 'File name of the signed container (.asice; .bdoc is the same format)',
		displayOptions: { show: build },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Binary field that receives the signed container',
		displayOptions: { show: signing },
	},
	signingMethodField(signing, true),
	{
		displayName:
			'Whoever opens the link picks their account; the signature is then started in the same app. Call Session → Get Status about once a second while the QR code is shown (the app waits only briefly for that signature), or let the Smart-ID Trigger finish it.',
		name: 'signerChoiceNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...signing, signingMethod: ['deviceLinkCertificateChoice'] } },
	},
	{
		displayName:
			"Device-link signing of a container needs the signer's Document Number: the certificate goes into the signature before the link is shown",
		name: 'deviceLinkDocumentNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...signing, signingMethod: ['deviceLink'] } },
	},
	// The signer is unknown when they choose the certificate themselves.
	...signerFields(signing).map((p) => ({ ...p, displayOptions: { ...p.displayOptions, hide: { signingMethod: ['deviceLinkCertificateChoice'] } } })),
	{
		...certificateLevelField(signing, true),
		description:
			'Lowest certificate level the signer must have. Qualified gives a qualified electronic signature (QES); Advanced also accepts non-qualified accounts; QSCD additionally requires the key to be in a qualified signature creation device.',
	},
	...interactionFields(signing, 'Sign the document', { param: 'signingMethod', notification: ['notification'], deviceLink: LINK_METHODS }),
	{
		displayName: 'Signature Options',
		name: 'signatureOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: signing },
		options: [
			{ displayName: 'City', name: 'city', type: 'string', default: '' },
			{
				displayName: 'Country',
				name: 'countryName',
				type: 'string',
				default: '',
				placeholder: 'e.g. Estonia',
				description: 'Country where the document is signed, as a name and not a code; the signature stores it as written',
			},
			{ displayName: 'Postal Code', name: 'postalCode', type: 'string', default: '' },
			{ displayName: 'Role', name: 'role', type: 'string', default: '', description: 'Signer role, e.g. "CEO"' },
			{ displayName: 'State or Province', name: 'stateOrProvince', type: 'string', default: '' },
		],
	},
	...completionFields({ ...signing, signingMethod: ['notification'] }),
	...deviceLinkFields({ ...signing, signingMethod: LINK_METHODS }),
	{
		displayName: 'Output Data Files',
		name: 'outputDataFiles',
		type: 'boolean',
		default: false,
		description: 'Whether to put the data files into binary fields (file_0, file_1, ...); only when the container verifies TOTAL-PASSED',
		displayOptions: { show: verify },
	},
	{
		displayName: 'Archive TSA URL',
		name: 'archiveTsaUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://tsa.example.eu/tsa',
		description: 'RFC 3161 timestamp service for the archive timestamp; its certificate must be trusted (Trust or Extra Trusted Certificates)',
		displayOptions: { show: extend },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Binary field that receives the extended container',
		displayOptions: { show: extend },
	},
	{
		displayName: 'Trust',
		name: 'verificationTrust',
		type: 'options',
		options: [
			{ name: 'EU Trusted Lists', value: 'eu', description: 'Every qualified CA, TSA and OCSP service of the EU member states\' trusted lists' },
			{ name: 'SK + EU Trusted Lists', value: 'skEu', description: 'SK live certificates and the EU trusted lists' },
			{ name: 'SK Demo', value: 'skDemo', description: 'SK TEST/DEMO certificates (Smart-ID demo environment)' },
			{ name: 'SK Live', value: 'skLive', description: 'SK ID Solutions production certificates bundled with the node' },
			{ name: 'SK Live + Demo', value: 'skBoth', description: 'Both SK bundles' },
		],
		default: 'skLive',
		description: 'Where signatures get their trust from; no Smart-ID credential is needed to verify',
		displayOptions: { show: trusting },
	},
	{
		displayName: 'Extra Trusted Certificates (PEM)',
		name: 'extraTrustedCertificates',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: '-----BEGIN CERTIFICATE-----',
		description: 'More trust anchors, e.g. a foreign CA; added to a bundle a CA vouches for signers, a TSA certificate for timestamps',
		displayOptions: { show: trusting },
	},
	{
		displayName: 'Trust Options',
		name: 'trustOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: trusting },
		options: [
			{
				displayName: 'Official Journal Certificates (PEM)',
				name: 'officialJournalCertificates',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '',
				description: 'EU lists: LOTL signing certificates published in the Official Journal of the EU, PEM. Leave empty to use the set bundled with the node; when filled, these replace it.',
			},
			{
				displayName: 'Trusted-List Cache Folder',
				name: 'trustedListCacheFolder',
				type: 'string',
				default: '',
				placeholder: 'e.g. /home/node/.n8n/trusted-lists',
				description: 'EU lists: folder for the verified lists; a start with a fresh cache needs no network',
			},
			{
				displayName: 'Trusted Lists Offline',
				name: 'trustedListOffline',
				type: 'boolean',
				default: false,
				description: 'Whether to use only the cache folder, never the network',
			},
			{
				displayName: 'Validation Time',
				name: 'validationTime',
				type: 'dateTime',
				default: '',
				description: 'Judge the signatures as of this time instead of now',
			},
		],
	},
];
