import * as fs from 'node:fs';
import * as path from 'node:path';
import { extendContainer, httpArchiveTimestamper } from '../asice/extend';
import { atomicWrite } from '../pki/trusted-lists';
import { TRUST_USAGE, defaultTrustArgs, parseTrustOption, trustSourceFrom, type TrustArgs } from './trust-options';

/** SK's public demo TSA is for tests only; production users give their own TSA. */
const USAGE = `Usage: smart-id extend IN.asice --out OUT.asice --tsa URL [--trust ...] [--trust-pem PEM]...

Extend every XAdES LT/LTA signature of an ASiC-E container to LTA: add an archive timestamp (and the missing
certificate values), keeping every existing byte of data files and signatures. Run it again before the archive
TSA's certificate expires. The signatures are verified with the trust options first; TOTAL-FAILED ones are refused.
  --out FILE       where to write the extended container (never the input file)
  --tsa URL        RFC 3161 timestamp service for the archive timestamp
${TRUST_USAGE}
  --json           print what was done as JSON
Exit code: 0 extended, 1 refused (code printed), 2 usage or I/O error.`;

interface Args {
	input: string;
	out: string;
	tsa: string;
	json: boolean;
	trust: TrustArgs;
}

function parseArgs(args: string[]): Args | string {
	const out: Partial<Args> & { trust: TrustArgs; json: boolean } = { trust: defaultTrustArgs(), json: false };
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		let consumed: number | null;
		try {
			consumed = parseTrustOption(args, i, out.trust);
		} catch (e) {
			return `${(e as Error).message}\n\n${USAGE}`;
		}
		if (consumed !== null) {
			i = consumed;
			continue;
		}
		if (a === '--help' || a === '-h') return USAGE;
		else if (a === '--json') out.json = true;
		else if (a === '--out') out.out = args[++i];
		else if (a === '--tsa') out.tsa = args[++i];
		else if (a.startsWith('--')) return `Unknown option ${a}.\n\n${USAGE}`;
		else if (out.input) return `Only one input container is extended at a time.\n\n${USAGE}`;
		else out.input = a;
	}
	if (!out.input || !out.out) return USAGE;
	if (!out.tsa || !/^https?:\/\//.test(out.tsa)) return `--tsa needs the http(s) URL of an RFC 3161 timestamp service.\n\n${USAGE}`;
	if (path.resolve(out.input) === path.resolve(out.out)) return '--out must differ from the input: the original container is kept until the extended one is verified.';
	return out as Args;
}

/** `smart-id extend`: extend one container to LTA and write it atomically. */
export async function run(args: string[]): Promise<number> {
	const parsed = parseArgs(args);
	if (typeof parsed === 'string') {
		process.stderr.write(`${parsed}\n`);
		return parsed === USAGE && args.some((a) => a === '--help' || a === '-h') ? 0 : 2;
	}
	let input: Buffer;
	try {
		input = await fs.promises.readFile(parsed.input);
	} catch (e) {
		process.stderr.write(`cannot read ${parsed.input}: ${(e as NodeJS.ErrnoException).code ?? 'error'}\n`);
		return 2;
	}
	try {
		const trust = await trustSourceFrom(parsed.trust);
		const result = await extendContainer(input, { trust, timestamper: httpArchiveTimestamper(parsed.tsa, { trust: trust.store }) });
		atomicWrite(parsed.out, result.container);
		const vc = result.report.validationConclusion;
		if (parsed.json) {
			process.stdout.write(`${JSON.stringify({ out: parsed.out, signatures: result.signatures, indication: vc.indication }, null, 2)}\n`);
		} else {
			for (const s of result.signatures) process.stdout.write(`${s.signatureFile} ${s.id}: archive timestamp ${s.archiveTimestampTime}${s.addedCertificateValues ? ', certificate values added' : ''}\n`);
			process.stdout.write(`${parsed.out}: ${vc.indication} (${vc.validSignaturesCount}/${vc.signaturesCount} signatures valid, LTA)\n`);
		}
		return 0;
	} catch (e) {
		const code = (e as { code?: string }).code;
		process.stderr.write(`${parsed.input}: not extended${code ? ` (${code})` : ''}: ${(e as Error).message}\n`);
		return code ? 1 : 2;
	}
}
