import type { INodeProperties } from 'n8n-workflow';

const show = { resource: ['session'], operation: ['getStatus'] };
const link = { resource: ['session'], operation: ['getDeviceLink'] };

/** Session → Get Session Status, Get Device Link, Complete Same-Device Callback. */
export const sessionOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['session'] } },
		options: [
			{
				name: 'Complete Same-Device Callback',
				value: 'completeCallback',
				description:
					'Check the URL the browser returned to after a Web2App/App2App session and complete the session with it',
				action: 'Complete a same device callback',
			},
			{
				name: 'Get Device Link',
				value: 'getDeviceLink',
				description:
					'Make a fresh device link (and QR code) for a pending device-link session; QR links must be re-made every second',
				action: 'Get a fresh device link',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Ask Smart-ID for the state of a session',
				action: 'Get session status',
			},
		],
		default: 'getStatus',
	},
];

export const sessionFields: INodeProperties[] = [
	{
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. de305d54-75b4-431b-adb2-eb6b9e546014',
		description: 'The sessionId output by the Smart-ID operation that started the session',
		hint: 'Usually an expression that reads the sessionId field from the output of the node that started the session',
		displayOptions: { show: { resource: ['session'], operation: ['getStatus', 'getDeviceLink', 'completeCallback'] } },
	},
	{
		displayName: 'Callback URL',
		name: 'callbackUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/smart-id/callback?value=…&sessionSecretDigest=…',
		description:
			'The full URL the Smart-ID app sent the browser to (with value, sessionSecretDigest and, for authentication, userChallengeVerifier). The session must have been started with a Callback URL carrying a value=<token> parameter.',
		displayOptions: { show: { resource: ['session'], operation: ['completeCallback'] } },
	},
	{
		displayName: 'User Challenge Verifier',
		name: 'userChallengeVerifier',
		type: 'string',
		default: '',
		description:
			'For Web2App/App2App authentications: the userChallengeVerifier parameter your callback URL received (needed to validate them)',
		displayOptions: { show },
	},
	{
		displayName: 'Device Link Type',
		name: 'deviceLinkType',
		type: 'options',
		options: [
			{ name: 'App2App', value: 'App2App' },
			{ name: 'QR Code', value: 'QR' },
			{ name: 'Web2App', value: 'Web2App' },
		],
		default: 'QR',
		description: 'Must be the link type the session was started with',
		hint: 'A QR code is valid for about one second: a page showing it calls this operation once a second',
		displayOptions: { show: link },
	},
	{
		displayName: 'Language',
		name: 'lang',
		type: 'options',
		options: [
			{ name: 'English', value: 'eng' },
			{ name: 'Estonian', value: 'est' },
			{ name: 'Latvian', value: 'lav' },
			{ name: 'Lithuanian', value: 'lit' },
			{ name: 'Russian', value: 'rus' },
		],
		default: 'eng',
		description: "Language of the Smart-ID screens the link opens, and of the fallback page when the app is not installed",
		displayOptions: { show: link },
	},
	{
		displayName: 'Put QR Code in Field',
		name: 'qrBinaryProperty',
		type: 'string',
		default: 'qr',
		description: 'Binary field that receives the QR code as a PNG image',
		displayOptions: { show: { ...link, deviceLinkType: ['QR'] } },
	},
	{
		displayName: 'Validate With Stored Request',
		name: 'validateStored',
		type: 'boolean',
		default: true,
		description:
			'Whether to validate a completed session against the pending record in the session store (when there is one) and output the identity or signature. The record stays for the Smart-ID Trigger.',
		displayOptions: { show },
	},
];
