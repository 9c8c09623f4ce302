import type { INodeProperties } from 'n8n-workflow';

import { certificateLevelField, completionFields, deviceLinkFields, interactionFields, signerFields, signingMethodField } from './common';

const sign = { resource: ['pdf'], operation: ['signPdf'] };

/** PDF → Sign PDF. */
export const pdfOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['pdf'] } },
		options: [
			{
				name: 'Sign PDF',
				value: 'signPdf',
				description: 'Sign a PDF with Smart-ID (PAdES baseline B-T, B-LT or B-LTA), optionally with a visible signature',
				action: 'Sign a PDF',
			},
		],
		default: 'signPdf',
	},
];

export const pdfFields: INodeProperties[] = [
	{
		displayName:
			'PDF operations read and write binary data, which does not cross the AI tool boundary: when this node is used as an AI Agent tool, use them in a regular workflow instead',
		name: 'pdfToolNotice',
		type: 'notice',
		default: '',
		// Only in the AI-tool variant n8n derives from usableAsTool, as for containers.
		displayOptions: { show: { resource: ['pdf'], '@tool': [true] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'pdfPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Binary field holding the PDF to sign (signed PDFs get one more signature; earlier ones stay valid)',
		displayOptions: { show: sign },
	},
	{
		displayName: 'PDF File Name',
		name: 'pdfFileName',
		type: 'string',
		default: '',
		placeholder: 'e.g. contract-signed.pdf',
		description: 'File name of the signed PDF; empty: the input file name',
		displayOptions: { show: sign },
	},
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'Binary field that receives the signed PDF',
		displayOptions: { show: sign },
	},
	{
		displayName: 'PAdES Level',
		name: 'padesLevel',
		type: 'options',
		options: [
			{ name: 'B-T (Signature Timestamp)', value: 'B-T', description: 'Signature with a trusted timestamp' },
			{ name: 'B-LT (Long Term)', value: 'B-LT', description: 'Plus the certificates and OCSP answer in the document security store' },
			{ name: 'B-LTA (Long Term with Archive Timestamp)', value: 'B-LTA', description: 'Plus a document timestamp over everything' },
		],
		default: 'B-T',
		description: 'PAdES baseline level of the signature',
		displayOptions: { show: sign },
	},
	{
		displayName: 'Visible Signature',
		name: 'visibleSignature',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'An invisible signature (shown in the signature panel of a PDF reader)' },
			{
				name: 'Signature Page',
				value: 'page',
				description: 'A page after the last page listing each signature with a reference letter, name, date and time (later signatures fill the same page)',
			},
			{ name: 'Box on a Page', value: 'box', description: 'A box with the same facts on a chosen page and corner' },
		],
		default: 'none',
		displayOptions: { show: sign },
	},
	{
		displayName: 'Page',
		name: 'visiblePage',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: 'Page number of the box (1 = first page; 0 = last page)',
		displayOptions: { show: { ...sign, visibleSignature: ['box'] } },
	},
	{
		displayName: 'Position',
		name: 'visiblePosition',
		type: 'options',
		options: [
			{ name: 'Bottom Left', value: 'bottomLeft' },
			{ name: 'Bottom Right', value: 'bottomRight' },
			{ name: 'Top Left', value: 'topLeft' },
			{ name: 'Top Right', value: 'topRight' },
		],
		default: 'bottomRight',
		description: 'Corner of the page; a second box at the same corner goes next to the first',
		displayOptions: { show: { ...sign, visibleSignature: ['box'] } },
	},
	{
		displayName: 'Show Personal Code',
		name: 'showPersonalCode',
		type: 'boolean',
		default: false,
		description: "Whether the visible signature shows the signer's personal code (such as PNOEE-40504040001) next to the name",
		displayOptions: { show: { ...sign, visibleSignature: ['page', 'box'] } },
	},
	signingMethodField(sign, false),
	{
		displayName: "Device-link signing of a PDF needs the signer's Document Number: the certificate goes into the signature before the link is shown",
		name: 'pdfDeviceLinkDocumentNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...sign, signingMethod: ['deviceLink'] } },
	},
	...signerFields(sign),
	{
		...certificateLevelField(sign, true),
		description: 'Lowest certificate level the signer must have. Qualified gives a qualified electronic signature (QES).',
	},
	...interactionFields(sign, 'Sign the PDF', { param: 'signingMethod', notification: ['notification'], deviceLink: ['deviceLink'] }),
	{
		displayName: 'PDF Signature Options',
		name: 'pdfSignatureOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: sign },
		options: [
			{ displayName: 'Location', name: 'location', type: 'string', default: '', description: 'Where it was signed (/Location of the signature)' },
			{ displayName: 'Reason', name: 'reason', type: 'string', default: '', description: 'Why it was signed (/Reason of the signature)' },
		],
	},
	...completionFields({ ...sign, signingMethod: ['notification'] }),
	...deviceLinkFields({ ...sign, signingMethod: ['deviceLink'] }),
];
