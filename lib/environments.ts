/** Where the RP talks to, and the names that belong to that place (docs/ARCHITECTURE.md "Environments"). */
export type EnvironmentName = 'demo' | 'live' | 'simulator' | 'custom';

/** Settings an environment implies; `custom` and `simulator` let the user edit them. */
export interface EnvironmentDefaults {
	/** RP API v3 base URL, always ending with `/`. */
	baseUrl: string;
	/** Goes into authCode and ACSP_V2 payloads (spec §1): differs between demo and live. */
	schemeName: string;
	/** Public RP identity usable without a contract (demo only). */
	relyingPartyUUID?: string;
	relyingPartyName?: string;
	/** Which bundled trust store verifies certificates from this environment. */
	trust: 'demo' | 'live' | 'simulator' | 'none';
}

/** Defaults per environment; the simulator's base URL is only a placeholder until it reports its port. */
export const ENVIRONMENTS: Record<EnvironmentName, EnvironmentDefaults> = {
	demo: {
		baseUrl: 'https://sid.demo.sk.ee/smart-id-rp/v3/',
		schemeName: 'smart-id-demo',
		relyingPartyUUID: '00000000-0000-4000-8000-000000000000',
		relyingPartyName: 'DEMO',
		trust: 'demo',
	},
	live: { baseUrl: 'https://rp-api.smart-id.com/v3/', schemeName: 'smart-id', trust: 'live' },
	simulator: {
		baseUrl: 'http://127.0.0.1:8089/smart-id-rp/v3/',
		schemeName: 'smart-id-demo',
		relyingPartyUUID: '00000000-0000-4000-8000-000000000000',
		relyingPartyName: 'DEMO',
		trust: 'simulator',
	},
	custom: { baseUrl: '', schemeName: 'smart-id', trust: 'none' },
};
