/** A relying party the simulator knows (RP authentication is by UUID; the name must match case-insensitively). */
export interface RelyingParty {
	uuid: string;
	/** Names the RP may send in `relyingPartyName`. */
	names: string[];
	/** Entitled to Smart-ID Basic (ADVANCED) accounts; the public DEMO UUID is not (spec §1). */
	advancedAllowed: boolean;
	/** `requestProperties.shareMdClientIpAddress` is honoured (else reported in `ignoredProperties`). */
	shareIpAddress: boolean;
}

/** The public DEMO relying party, same UUID and name as SK's demo (ENVIRONMENTS.simulator uses it). */
export const DEMO_RELYING_PARTY: RelyingParty = {
	uuid: '00000000-0000-4000-8000-000000000000',
	names: ['DEMO'],
	advancedAllowed: false,
	shareIpAddress: false,
};

/** A second RP that may use Basic (ADVANCED) accounts and gets the device IP address. */
export const BASIC_RELYING_PARTY: RelyingParty = {
	uuid: '00000000-0000-4000-8000-00000000b451',
	names: ['SIMULATOR BASIC'],
	advancedAllowed: true,
	shareIpAddress: true,
};
