import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAsice } from '../asice/sign';
import { smartIdDigestSigner, smartIdSigningCertificate, type SmartIdSignerTarget } from '../asice/sign/smart-id-signer';
import { ENVIRONMENTS, type EnvironmentName } from '../environments';
import { isHashAlgorithm, type HashAlgorithm } from '../hash-algorithm';
import { BOX_POSITIONS, fileLooksLikePdf, signPdf, type BoxPosition, type PadesLevel, type VisibleSignatureOptions } from '../pdf';
import { TrustStore } from '../pki/trust-store';
import { SmartIdClient } from '../rp-api/client';
// Type only: the simulator (and with it @peculiar/x509 + reflect-metadata) loads only when --env simulator needs it.
import type { RunningSimulator } from '../simulator';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const err = (text: string) => void process.stderr.write(`${text}\n`);

const USAGE = `Usage: smart-id sign FILE... --out OUT.asice
       smart-id sign IN.pdf --out OUT.pdf [--level B-T|B-LT|B-LTA] [--visible none|page|box]
         [--page N] [--position bottomLeft|bottomRight|topLeft|topRight] [--show-personal-code]
         [--reason TEXT] [--location TEXT]
         [--env simulator|demo|live|custom] [--base-url URL] [--rp-uuid UUID] [--rp-name NAME]
         [--document-number DOC | --personal-code CODE --country CC]
         [--hash SHA-256|SHA-384|SHA-512|SHA3-256|SHA3-384|SHA3-512]
         [--tsa-url URL] [--ocsp-url URL] [--trust-pem FILE]... [--add-to SIGNED.asice]
         [--mime NAME=TYPE]... [--timeout-ms MS]

Signs FILE(s) with Smart-ID into a new ASiC-E container (XAdES baseline LT: RSASSA-PSS signature,
RFC 3161 timestamp, OCSP response). With --add-to, adds a signature to an existing container instead
(no FILE arguments; existing signatures stay byte for byte).

A single FILE that is a PDF (%PDF- header) is signed in place of a container: PAdES baseline B-T by
default (--level B-LT adds certificates and OCSP, B-LTA a document timestamp), invisible unless
--visible page (a signature page after the last page; later signatures fill it) or --visible box
(on --page N, 0 = last, at --position; default bottomRight). The personal code is shown only with
--show-personal-code. A signed PDF gets one more signature; earlier ones stay valid.

--env simulator (default) without --base-url starts the embedded simulator and signs with one of its
test accounts: no phone, no network. demo uses SK's public DEMO service (needs the internet); live and
custom need --rp-uuid and --rp-name from your SK contract; custom also needs --base-url and --trust-pem.
Prints one JSON line with the result; the verification code goes to stderr.
Exit codes: 0 signed, 1 failed, 2 bad arguments.`;

interface SignArgs {
	files: string[];
	out: string;
	env: EnvironmentName;
	baseUrl?: string;
	rpUuid?: string;
	rpName?: string;
	documentNumber?: string;
	personalCode?: string;
	country?: string;
	hash: HashAlgorithm;
	tsaUrl?: string;
	ocspUrl?: string;
	trustPems: string[];
	addTo?: string;
	mime: Map<string, string>;
	timeoutMs: number;
	level?: PadesLevel;
	visible?: 'none' | 'page' | 'box';
	page?: number;
	position?: BoxPosition;
	showPersonalCode: boolean;
	reason?: string;
	location?: string;
}

const DEFAULT_TSA: Partial<Record<EnvironmentName, string>> = { demo: 'http://tsa.demo.sk.ee/tsa', live: 'http://tsa.sk.ee' };

function parseArgs(args: string[]): SignArgs | 'help' {
	const a: SignArgs = { files: [], out: '', env: 'simulator', hash: 'SHA-256', trustPems: [], mime: new Map(), timeoutMs: 120_000, showPersonalCode: false };
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		const value = (): string => {
			const v = args[i + 1];
			if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
			i++;
			return v;
		};
		switch (arg) {
			case '--help':
			case '-h':
				return 'help';
			case '--out':
				a.out = value();
				break;
			case '--env': {
				const v = value();
				if (!(v in ENVIRONMENTS)) throw new Error(`--env must be simulator, demo, live or custom (got ${v})`);
				a.env = v as EnvironmentName;
				break;
			}
			case '--base-url':
				a.baseUrl = value();
				break;
			case '--rp-uuid':
				a.rpUuid = value();
				break;
			case '--rp-name':
				a.rpName = value();
				break;
			case '--document-number':
				a.documentNumber = value();
				break;
			case '--personal-code':
				a.personalCode = value();
				break;
			case '--country':
				a.country = value().toUpperCase();
				break;
			case '--hash': {
				const v = value().toUpperCase();
				if (!isHashAlgorithm(v)) throw new Error(`--hash must be one of SHA-256, SHA-384, SHA-512, SHA3-256, SHA3-384, SHA3-512 (got ${v})`);
				a.hash = v;
				break;
			}
			case '--tsa-url':
				a.tsaUrl = value();
				break;
			case '--ocsp-url':
				a.ocspUrl = value();
				break;
			case '--trust-pem':
				a.trustPems.push(value());
				break;
			case '--add-to':
				a.addTo = value();
				break;
			case '--mime': {
				const v = value();
				const eq = v.lastIndexOf('=');
				if (eq <= 0) throw new Error('--mime needs NAME=TYPE, e.g. --mime report.dat=application/pdf');
				a.mime.set(v.slice(0, eq), v.slice(eq + 1));
				break;
			}
			case '--timeout-ms': {
				const v = value();
				if (!/^\d+$/.test(v) || Number(v) < 1000) throw new Error('--timeout-ms must be an integer >= 1000');
				a.timeoutMs = Number(v);
				break;
			}
			case '--level': {
				const v = value().toUpperCase();
				if (v !== 'B-T' && v !== 'B-LT' && v !== 'B-LTA') throw new Error(`--level must be B-T, B-LT or B-LTA (got ${v})`);
				a.level = v;
				break;
			}
			case '--visible': {
				const v = value();
				if (v !== 'none' && v !== 'page' && v !== 'box') throw new Error(`--visible must be none, page or box (got ${v})`);
				a.visible = v;
				break;
			}
			case '--page': {
				const v = value();
				if (!/^\d{1,6}$/.test(v)) throw new Error('--page must be a page number (1 = first, 0 = last)');
				a.page = Number(v);
				break;
			}
			case '--position': {
				const v = value();
				if (!BOX_POSITIONS.includes(v as BoxPosition)) throw new Error(`--position must be one of ${BOX_POSITIONS.join(', ')} (got ${v})`);
				a.position = v as BoxPosition;
				break;
			}
			case '--show-personal-code':
				a.showPersonalCode = true;
				break;
			case '--reason':
				a.reason = value();
				break;
			case '--location':
				a.location = value();
				break;
			default:
				if (arg.startsWith('--')) throw new Error(`Unknown option ${arg}`);
				a.files.push(arg);
		}
	}
	if (!a.out) throw new Error('--out is required');
	if (a.addTo && a.files.length > 0) throw new Error('--add-to signs the files already in that container; do not list FILE arguments');
	if (!a.addTo && a.files.length === 0) throw new Error('give at least one FILE to sign');
	if (a.documentNumber && a.personalCode) throw new Error('give either --document-number or --personal-code, not both');
	if (a.personalCode && !a.country) throw new Error('--personal-code needs --country (e.g. EE)');
	if (a.env === 'custom' && (!a.baseUrl || a.trustPems.length === 0)) throw new Error('--env custom needs --base-url and --trust-pem');
	if ((a.env === 'live' || a.env === 'custom') && (!a.rpUuid || !a.rpName)) throw new Error(`--env ${a.env} needs --rp-uuid and --rp-name`);
	if (a.env !== 'simulator' && !a.documentNumber && !a.personalCode) throw new Error('say who signs: --document-number or --personal-code with --country');
	if ((a.page !== undefined || a.position) && a.visible !== 'box') throw new Error('--page and --position place a --visible box');
	return a;
}

/** PDF options given: the input must then be one PDF. */
function pdfOptionsGiven(a: SignArgs): boolean {
	return a.level !== undefined || a.visible !== undefined || a.showPersonalCode || a.reason !== undefined || a.location !== undefined;
}

/** Is this run a PDF signature? One input file whose head says %PDF- (the format is chosen by the input). */
async function isPdfRun(a: SignArgs): Promise<boolean> {
	const pdf = !a.addTo && a.files.length === 1 && (await fileLooksLikePdf(a.files[0]).catch(() => false));
	if (!pdf && pdfOptionsGiven(a)) throw new Error('--level, --visible, --show-personal-code, --reason and --location are for signing one PDF file (%PDF- header)');
	if (pdf && a.mime.size > 0) throw new Error('--mime is for ASiC-E containers, not for a PDF');
	if (pdf && !['SHA-256', 'SHA-384', 'SHA-512'].includes(a.hash)) throw new Error('a PDF signature uses --hash SHA-256, SHA-384 or SHA-512');
	return pdf;
}

function visibleOf(a: SignArgs): VisibleSignatureOptions | undefined {
	if (a.visible === 'page') return { mode: 'page', showPersonalCode: a.showPersonalCode };
	if (a.visible === 'box') return { mode: 'box', page: a.page ?? 0, position: a.position ?? 'bottomRight', showPersonalCode: a.showPersonalCode };
	return undefined;
}

function trustFor(a: SignArgs, sim: RunningSimulator | undefined): TrustStore {
	const extra = a.trustPems.map((f) => fs.readFileSync(f, 'utf8'));
	if (sim) return TrustStore.fromPem([...sim.caPems, ...extra], 'simulator');
	if (a.env === 'demo' || a.env === 'live') return extra.length > 0 ? TrustStore.bundled(a.env).withAnchors(extra) : TrustStore.bundled(a.env);
	if (extra.length === 0) throw new Error('no trust anchors: pass --trust-pem');
	return TrustStore.fromPem(extra, 'custom');
}

/** `smart-id sign`: sign files (or add a signature to a container) with Smart-ID into an ASiC-E. */
export async function run(args: string[]): Promise<number> {
	let a: SignArgs | 'help';
	try {
		a = parseArgs(args);
	} catch (error) {
		err(`${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	if (a === 'help') {
		out(USAGE);
		return 0;
	}
	let pdf: boolean;
	try {
		pdf = await isPdfRun(a);
	} catch (error) {
		err(`${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	let sim: RunningSimulator | undefined;
	let client: SmartIdClient | undefined;
	try {
		if (a.env === 'simulator' && !a.baseUrl) {
			const { startSimulator } = await import('../simulator');
			sim = await startSimulator({ port: 0, notificationDelayMs: 200 });
		}
		const env = ENVIRONMENTS[a.env];
		const baseUrl = sim?.baseUrl ?? a.baseUrl ?? env.baseUrl;
		const relyingPartyUUID = a.rpUuid ?? sim?.relyingPartyUUID ?? env.relyingPartyUUID;
		const relyingPartyName = a.rpName ?? sim?.relyingPartyName ?? env.relyingPartyName;
		if (!relyingPartyUUID || !relyingPartyName) throw new Error('no relying party: pass --rp-uuid and --rp-name');
		let target: SmartIdSignerTarget;
		if (a.documentNumber) target = { documentNumber: a.documentNumber };
		else if (a.personalCode) target = { semanticsIdentifier: `PNO${a.country}-${a.personalCode}` };
		else {
			const account = sim?.accounts.find((x) => x.behaviour.endResult === 'OK' && x.certificateLevel === 'QUALIFIED' && x.country === 'EE' && !x.behaviour.legacyPkcs1);
			if (!account) throw new Error('the simulator has no usable test account; pass --document-number');
			target = { documentNumber: account.documentNumber };
		}
		const trust = trustFor(a, sim);
		client = new SmartIdClient({ baseUrl });
		const common = { client, relyingPartyUUID, relyingPartyName, trust, timeoutMs: a.timeoutMs };
		if ('semanticsIdentifier' in target) err('Confirm the certificate choice in the Smart-ID app...');
		const chosen = await smartIdSigningCertificate({ ...common, target });
		const signer = smartIdDigestSigner({
			...common,
			target,
			documentNumber: chosen.documentNumber,
			onVerificationCode: (code) => err(`Verification code: ${code} (the phone must show the same code)`),
		});
		const signerName = chosen.identity ? `${chosen.identity.givenName} ${chosen.identity.surname} (${chosen.identity.semanticsIdentifier})` : chosen.certificate.subject;
		if (pdf) {
			const level = a.level ?? 'B-T';
			const done = await signPdf(a.files[0], chosen.certificateBase64, {
				out: a.out,
				level,
				visible: visibleOf(a),
				reason: a.reason,
				location: a.location,
				hashAlgorithm: a.hash as 'SHA-256' | 'SHA-384' | 'SHA-512',
				certificates: chosen.chain.slice(1).map((c) => c.raw),
				tsaUrl: a.tsaUrl ?? sim?.tsaUrl ?? DEFAULT_TSA[a.env],
				ocspUrl: a.ocspUrl ?? sim?.ocspUrl,
				trust,
				sign: signer,
			});
			out(
				JSON.stringify({
					out: done.path,
					format: 'PAdES',
					level,
					fieldName: done.fieldName,
					signer: signerName,
					documentNumber: chosen.documentNumber,
					hashAlgorithm: a.hash,
					timestampTime: done.timestampTime.toISOString(),
					...(done.ocspProducedAt ? { ocspProducedAt: done.ocspProducedAt.toISOString() } : {}),
					...(done.docTimestampTime ? { docTimestampTime: done.docTimestampTime.toISOString() } : {}),
					size: done.size,
				}),
			);
			return 0;
		}
		const mime = a.mime;
		const result = await buildAsice({
			...(a.addTo ? { container: a.addTo } : { files: a.files.map((f) => ({ name: path.basename(f), path: f, ...(mime.has(path.basename(f)) ? { mimeType: mime.get(path.basename(f)) } : {}) })) }),
			signerCertificate: chosen.certificateBase64,
			hashAlgorithm: a.hash,
			out: a.out,
			tsaUrl: a.tsaUrl ?? sim?.tsaUrl ?? DEFAULT_TSA[a.env],
			ocspUrl: a.ocspUrl ?? sim?.ocspUrl,
			trust,
			certificates: chosen.chain.slice(1),
			sign: signer,
		});
		for (const w of result.warnings) err(`warning: ${w}`);
		out(
			JSON.stringify({
				out: result.path,
				signatureFile: result.signatureFile,
				signer: signerName,
				documentNumber: chosen.documentNumber,
				hashAlgorithm: a.hash,
				timestampTime: result.timestampTime.toISOString(),
				ocspProducedAt: result.ocspProducedAt.toISOString(),
				size: result.size,
			}),
		);
		return 0;
	} catch (error) {
		const e = error as Error & { code?: string };
		err(`Signing failed${e.code ? ` (${e.code})` : ''}: ${e.message}`);
		return 1;
	} finally {
		client?.close();
		await sim?.stop();
	}
}
