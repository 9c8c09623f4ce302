import type { CallOptions, SmartIdClient } from '../rp-api/client';
import type { RelyingParty } from '../rp-api/relying-party';

/** The relying party and environment a flow runs for. */
export interface FlowConfig extends RelyingParty {
	/** `smart-id-demo` (demo, simulator) or `smart-id` (live): part of authCode and ACSP_V2 payloads. */
	schemeName: string;
	/** Only for brokers acting for another RP, as configured by SK. */
	brokeredRpName?: string;
}

/**
 * What a notification signature, certificate choice or certificate lookup needs: the relying party (and broker);
 * the scheme name only matters to authentication and device links. A {@link FlowConfig} is one.
 */
export type RelyingPartyFlowConfig = Omit<FlowConfig, 'schemeName'> & Partial<Pick<FlowConfig, 'schemeName'>>;

/** The part of {@link SmartIdClient} the flow starters use. */
export type FlowClient = Pick<SmartIdClient, 'send'>;

/** Per-call options passed through to the client (AbortSignal, deadline). */
export type FlowCallOptions = CallOptions;
