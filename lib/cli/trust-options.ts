import * as fs from 'node:fs';
import { TrustSource, parseTrustChoice, type TrustChoice } from '../pki/trust-source';

/** Trust options shared by `smart-id verify` and `smart-id extend`. */
export interface TrustArgs {
	choice: TrustChoice;
	/** Extra trusted certificates (PEM text). */
	pems: string[];
	/** Official Journal LOTL signing certificates (PEM text); when any are given they replace the bundled set. */
	ojPems: string[];
	tlCache?: string;
	tlOffline: boolean;
	lotlUrl?: string;
}

export const TRUST_USAGE = `  --trust NAME     sk (SK live), sk-demo (SK TEST/DEMO, default), sk-both, eu (EU trusted lists), sk+eu;
                   "live" and "demo" are accepted as sk and sk-demo
  --trust-pem FILE extra trusted certificate(s), PEM (repeatable; --anchor is the same)
  --oj-pem FILE    LOTL signing certificates from the Official Journal, PEM (repeatable; REPLACES the set
                   bundled with the package, which eu / sk+eu use by default)
  --tl-cache DIR   verified trusted-list cache folder (eu / sk+eu)
  --tl-offline     use the trusted-list cache only, no network
  --lotl-url URL   LOTL address (default the official EU one)`;

/** Default trust when no --trust is given: the SK demo bundle (as before trust sources existed). */
export function defaultTrustArgs(): TrustArgs {
	return { choice: 'sk-demo', pems: [], ojPems: [], tlOffline: false };
}

function readPem(file: string | undefined, option: string): string {
	if (!file) throw new Error(`${option} needs a PEM file.`);
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		throw new Error(`Cannot read ${option} file "${file}".`);
	}
}

/**
 * If `args[i]` is a trust option, apply it to `out` and return the index of the last argument it used; return null
 * when it is not one. Throws an Error with a message for the user when the option is malformed.
 */
export function parseTrustOption(args: string[], i: number, out: TrustArgs): number | null {
	const a = args[i];
	const value = (): string | undefined => args[i + 1];
	switch (a) {
		case '--trust': {
			const v = value();
			const choice = v ? parseTrustChoice(v) : null;
			if (!choice) throw new Error(`--trust must be one of sk, sk-demo, sk-both, eu, sk+eu (got "${v ?? ''}").`);
			out.choice = choice;
			return i + 1;
		}
		case '--trust-pem':
		case '--anchor':
			out.pems.push(readPem(value(), a));
			return i + 1;
		case '--oj-pem':
			out.ojPems.push(readPem(value(), a));
			return i + 1;
		case '--tl-cache': {
			const v = value();
			if (!v) throw new Error('--tl-cache needs a folder.');
			out.tlCache = v;
			return i + 1;
		}
		case '--tl-offline':
			out.tlOffline = true;
			return i;
		case '--lotl-url': {
			const v = value();
			if (!v || !/^https?:\/\//.test(v)) throw new Error('--lotl-url needs an http(s) URL.');
			out.lotlUrl = v;
			return i + 1;
		}
		default:
			return null;
	}
}

/** Build the trust source the options name (loads EU lists when asked; throws TrustSourceError with a code). */
export async function trustSourceFrom(args: TrustArgs): Promise<TrustSource> {
	return TrustSource.load({
		choice: args.choice,
		extraPems: args.pems,
		eu: {
			// No --oj-pem: the bundled set; any --oj-pem: exactly the given certificates.
			...(args.ojPems.length > 0 ? { ojCertificates: args.ojPems } : {}),
			...(args.tlCache ? { cacheDir: args.tlCache } : {}),
			...(args.lotlUrl ? { lotlUrl: args.lotlUrl } : {}),
			offline: args.tlOffline,
		},
	});
}
