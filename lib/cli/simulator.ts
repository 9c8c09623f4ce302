import { startSimulator, type SimulatorOptions } from '../simulator';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const err = (text: string) => void process.stderr.write(`${text}\n`);

const USAGE = `Usage: smart-id simulator [--port N] [--host ADDR] [--state-dir DIR]
                          [--notification-delay-ms MS] [--user-key-bits 4096|6144]
                          [--prewarm all|DOC[,DOC...]]

Starts the offline Smart-ID simulator (RP API v3, mock device-link app, OCSP responder, TSA, control API)
and prints ONE JSON line when it is ready:
  {baseUrl, schemeName, relyingPartyUUID, relyingPartyName, basicRelyingParty, ocspUrl, tsaUrl,
   caPemDir, caPemPaths, tsaCertPem, controlUrl, mockDeviceLinkUrl, startupMs}
--prewarm creates the keys and certificates of those accounts before reporting ready (first run only slow).
Stops on SIGINT / SIGTERM. Default port 8089 (the "simulator" environment's base URL).`;

function parseArgs(args: string[]): SimulatorOptions | 'help' {
	const options: SimulatorOptions = {
		port: 8089,
		// Internal errors carry no secrets (keys and session secrets never enter messages); print the message only.
		onError: (error) => err(`simulator internal error: ${error instanceof Error ? error.message : String(error)}`),
	};
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		const value = args[i + 1];
		const needValue = () => {
			if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
			i++;
			return value;
		};
		const integer = (min: number, max: number) => {
			const text = needValue();
			const n = Number(text);
			if (!/^\d+$/.test(text) || n < min || n > max) throw new Error(`${arg} must be an integer between ${min} and ${max}`);
			return n;
		};
		switch (arg) {
			case '--port':
				options.port = integer(0, 65535);
				break;
			case '--host':
				options.host = needValue();
				break;
			case '--state-dir':
				options.stateDir = needValue();
				break;
			case '--notification-delay-ms':
				options.notificationDelayMs = integer(0, 600_000);
				break;
			case '--user-key-bits':
				options.userKeyBits = integer(2048, 8192);
				break;
			case '--prewarm':
				options.prewarm = needValue() === 'all' ? ['all'] : value.split(',').filter(Boolean);
				break;
			case '--help':
			case '-h':
				return 'help';
			default:
				throw new Error(`Unknown option ${arg}`);
		}
	}
	return options;
}

/** `smart-id simulator`: run until SIGINT/SIGTERM; exit code 0 on a clean stop, 2 on bad arguments, 1 on failure. */
export async function run(args: string[]): Promise<number> {
	let options: SimulatorOptions | 'help';
	try {
		options = parseArgs(args);
	} catch (error) {
		err(`${(error as Error).message}\n\n${USAGE}`);
		return 2;
	}
	if (options === 'help') {
		out(USAGE);
		return 0;
	}
	const started = Date.now();
	let simulator;
	try {
		simulator = await startSimulator(options);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		err(
			code === 'EADDRINUSE'
				? `Port ${options.port} is in use: pass --port with a free port (0 picks one).`
				: `Simulator failed to start: ${(error as Error).message}`,
		);
		return 1;
	}
	const { caPemPaths } = simulator;
	out(
		JSON.stringify({
			baseUrl: simulator.baseUrl,
			schemeName: simulator.schemeName,
			relyingPartyUUID: simulator.relyingPartyUUID,
			relyingPartyName: simulator.relyingPartyName,
			basicRelyingParty: simulator.basicRelyingParty,
			ocspUrl: simulator.ocspUrl,
			tsaUrl: simulator.tsaUrl,
			caPemDir: caPemPaths.length ? caPemPaths[0].replace(/[/\\][^/\\]+$/, '') : undefined,
			caPemPaths,
			tsaCertPem: simulator.tsaCertPem,
			controlUrl: simulator.controlUrl,
			mockDeviceLinkUrl: simulator.mockDeviceLinkUrl,
			startupMs: Date.now() - started,
		}),
	);
	await new Promise<void>((resolve) => {
		const stop = () => {
			process.off('SIGINT', stop);
			process.off('SIGTERM', stop);
			resolve();
		};
		process.on('SIGINT', stop);
		process.on('SIGTERM', stop);
	});
	await simulator.stop();
	return 0;
}
