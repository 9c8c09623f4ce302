/**
 * Field values of the n8n "Smart-ID API" credential (`smartIdApi`) that point it at a running simulator:
 * environment, baseUrl, schemeName, relyingPartyUuid, relyingPartyName, trustAnchorsPem, tsaUrl, ocspUrl,
 * sessionStore and, when given, sessionFolder. All values are strings, as n8n stores them.
 */
export type SimulatorCredentialData = Record<string, string>;

/**
 * The credential data for this simulator: its URL, scheme name, RP, CA certificates as trust anchors, TSA and
 * OCSP URLs, and the file session store (in `sessionFolder` when given). Plain data, so the demo, the tests and
 * the benches can import it into n8n or hand it to the nodes without each spelling the fields out.
 */
export function simulatorCredentialData(
	// The fields of RunningSimulator it reads (named here, not imported: ./index re-exports this file).
	sim: { baseUrl: string; schemeName: string; relyingPartyUUID: string; relyingPartyName: string; caPems: string[]; tsaUrl: string; ocspUrl: string },
	sessionFolder?: string,
): SimulatorCredentialData {
	return {
		environment: 'simulator',
		baseUrl: sim.baseUrl,
		schemeName: sim.schemeName,
		relyingPartyUuid: sim.relyingPartyUUID,
		relyingPartyName: sim.relyingPartyName,
		trustAnchorsPem: sim.caPems.join('\n'),
		tsaUrl: sim.tsaUrl,
		ocspUrl: sim.ocspUrl,
		sessionStore: 'file',
		...(sessionFolder ? { sessionFolder } : {}),
	};
}
