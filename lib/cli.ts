#!/usr/bin/env node
/**
 * `smart-id` command. Each sub-command lives in `lib/cli/<name>.ts` and exports
 * `run(args: string[]): Promise<number>` (the process exit code); this file only dispatches. Commands load lazily, so
 * `smart-id verify` never loads the simulator's certificate toolkit (@peculiar/x509, reflect-metadata).
 */

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
	simulator: { summary: 'run the offline Smart-ID simulator (RP API v3, OCSP, TSA)', load: () => import('./cli/simulator') },
	verify: { summary: 'verify ASiC-E / BDOC containers and signed PDFs', load: () => import('./cli/verify') },
	sign: { summary: 'sign files into an ASiC-E container, or a PDF (PAdES), with Smart-ID', load: () => import('./cli/sign') },
	extend: { summary: 'extend ASiC-E signatures to LTA (archive timestamp)', load: () => import('./cli/extend') },
	demo: { summary: 'sign files on the simulator inside a real n8n and verify the result', load: () => import('./cli/demo') },
};

function usage(): string {
	const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
	return `usage: smart-id <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun "smart-id <command> --help" for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
	const [name, ...rest] = argv;
	if (!name || name === '--help' || name === '-h') {
		process.stdout.write(usage());
		return name ? 0 : 2;
	}
	const command = COMMANDS[name];
	if (!command) {
		process.stderr.write(`smart-id: unknown command "${name}"\n\n${usage()}`);
		return 2;
	}
	let module: { run(args: string[]): Promise<number> };
	try {
		module = await command.load();
	} catch (error) {
		process.stderr.write(`smart-id: the "${name}" command is not available in this build (${String(error)})\n`);
		return 2;
	}
	return module.run(rest);
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		process.stderr.write(`smart-id: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exitCode = 2;
	},
);
