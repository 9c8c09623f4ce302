import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Smart-ID relying-party settings. The RP API authenticates the relying party by UUID + whitelisted source IP,
 * not by a secret header, so there is no `authenticate` block; the credential is tested by the Smart-ID node's
 * `smartIdApiTest` method (a harmless certificate query).
 */
export class SmartIdApi implements ICredentialType {
	name = 'smartIdApi';

	displayName = 'Smart-ID API';

	icon: Icon = { light: 'file:../icons/smartId.svg', dark: 'file:../icons/smartId.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-smart-id/n8n-nodes-smart-id#credential-smart-id-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Demo (SK Public Test Service)',
					value: 'demo',
					description: 'https://sid.demo.sk.ee/smart-id-rp/v3/, scheme smart-id-demo, test accounts only',
				},
				{
					name: 'Live',
					value: 'live',
					description: 'https://rp-api.smart-id.com/v3/, scheme smart-id; needs a contract with SK',
				},
				{
					name: 'Simulator (Offline)',
					value: 'simulator',
					description: "The package's own offline Smart-ID simulator (smart-id simulator)",
				},
				{ name: 'Custom', value: 'custom', description: 'Any RP API v3 base URL and scheme name' },
			],
			default: 'demo',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://127.0.0.1:8089/smart-id-rp/v3/',
			description: 'RP API v3 base URL of the simulator, ending with a slash; empty means the address in the placeholder',
			displayOptions: { show: { environment: ['simulator'] } },
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. https://rp-api.example.com/v3/',
			description: 'RP API v3 base URL, ending with a slash',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Scheme Name',
			name: 'schemeName',
			type: 'string',
			default: '',
			placeholder: 'smart-id-demo',
			description:
				'Scheme name that goes into signed payloads: smart-id-demo for test services, smart-id for live. Empty means smart-id-demo for the simulator and smart-id for custom.',
			displayOptions: { show: { environment: ['simulator', 'custom'] } },
		},
		// Demo and Simulator have a public relying party, so these are optional there and their placeholder is the
		// value really used; Live and Custom need the values of a contract with SK, so no placeholder could be right.
		{
			displayName: 'Relying Party UUID',
			name: 'relyingPartyUuid',
			type: 'string',
			default: '',
			placeholder: '00000000-0000-4000-8000-000000000000',
			description: "Optional: empty means SK's public DEMO relying party",
			displayOptions: { show: { environment: ['demo', 'simulator'] } },
		},
		{
			displayName: 'Relying Party UUID',
			name: 'relyingPartyUuid',
			type: 'string',
			default: '',
			required: true,
			description: 'Your RP UUID from the contract with SK',
			displayOptions: { show: { environment: ['live', 'custom'] } },
		},
		{
			displayName: 'Relying Party Name',
			name: 'relyingPartyName',
			type: 'string',
			default: '',
			placeholder: 'DEMO',
			description: "Optional: empty means SK's public DEMO relying party",
			displayOptions: { show: { environment: ['demo', 'simulator'] } },
		},
		{
			displayName: 'Relying Party Name',
			name: 'relyingPartyName',
			type: 'string',
			default: '',
			required: true,
			description: 'Your RP name exactly as registered with SK (the Smart-ID app shows it to the person)',
			displayOptions: { show: { environment: ['live', 'custom'] } },
		},
		{
			displayName: 'Trust Anchors (PEM)',
			name: 'trustAnchorsPem',
			type: 'string',
			typeOptions: { rows: 5 },
			default: '',
			required: true,
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				'CA certificates (PEM) that issue the certificates of this service, e.g. the simulator CA (smart-id simulator prints it)',
			displayOptions: { show: { environment: ['simulator', 'custom'] } },
		},
		{
			displayName: 'Session Store',
			name: 'sessionStore',
			type: 'options',
			options: [
				{
					name: 'File (One Machine)',
					value: 'file',
					description: 'One JSON file per pending session under the n8n user folder',
				},
				{
					name: 'Redis (Queue Mode)',
					value: 'redis',
					description: 'For n8n queue mode, where workers and the main process do not share a disk',
				},
			],
			default: 'file',
			description: 'Where sessions started in "Start and continue" mode wait for the Smart-ID Trigger',
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- redis://:password@host carries the Redis password
		{
			displayName: 'Redis URL',
			name: 'redisUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'redis://:password@redis:6379/0',
			description: 'May contain a password, so it is stored like one. Needs the optional ioredis package.',
			displayOptions: { show: { sessionStore: ['redis'] } },
		},
		{
			displayName: 'Optional settings: leave them empty unless you need them',
			name: 'optionalNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Timestamping (TSA) URL',
			name: 'tsaUrl',
			type: 'string',
			default: '',
			description:
				"RFC 3161 time-stamp service; needed only to build or add to ASiC-E containers (SK's demo service: http://tsa.demo.sk.ee/tsa)",
		},
		{
			displayName: 'Pinned TLS Public Keys',
			name: 'pinnedPublicKeys',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'sha256//Base64OfSpkiHash=',
			description:
				"One sha256//… pin per line (or comma-separated): SHA-256 of the server's SubjectPublicKeyInfo. Keep the current and the next key from SK's pinning page.",
		},
		{
			displayName: 'Extra Trust Anchors (PEM)',
			name: 'trustAnchorsPem',
			type: 'string',
			typeOptions: { rows: 5 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'CA certificates (PEM) trusted in addition to the bundled SK ones, e.g. your own test CA',
			displayOptions: { show: { environment: ['demo', 'live'] } },
		},
		{
			displayName: 'OCSP URL',
			name: 'ocspUrl',
			type: 'string',
			default: '',
			description: "OCSP responder override; empty means the URL in the signer certificate's AIA extension",
		},
		{
			displayName: 'Session Store Folder',
			name: 'sessionFolder',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/smart-id-sessions',
			description: 'Empty means <n8n user folder>/.n8n/smart-id-sessions',
			displayOptions: { show: { sessionStore: ['file'] } },
		},
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- an HMAC key: whoever knows it can forge stored sessions
		{
			displayName: 'Session Record Key',
			name: 'sessionRecordKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Secret that protects stored pending sessions against editing (HMAC). Empty means n8n's own encryption key (N8N_ENCRYPTION_KEY or the n8n config file). Changing it invalidates sessions still pending.",
		},
	];
}
