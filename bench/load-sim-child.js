'use strict';
/**
 * Child process of the load benches: runs startSimulator (from SMARTID_DIST/lib/simulator) on 127.0.0.1 and
 * answers 'stats' (its own peak memory and sockets) and 'stop' over IPC. Exits when the parent goes away.
 */
const fs = require('node:fs');
const path = require('node:path');

const { startSimulator } = require(path.join(process.env.SMARTID_DIST, 'lib', 'simulator'));

let sim;
async function stop(code) {
	try {
		await sim?.stop();
	} finally {
		process.exit(code);
	}
}

function memory() {
	const status = fs.readFileSync('/proc/self/status', 'utf8');
	const kb = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm')) || [])[1]);
	let sockets = 0;
	for (const fd of fs.readdirSync('/proc/self/fd')) {
		try {
			if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) sockets++;
		} catch {
			// closed meanwhile
		}
	}
	return { vmHwmMiB: Math.round(kb('VmHWM') / 102.4) / 10, vmRssMiB: Math.round(kb('VmRSS') / 102.4) / 10, openSockets: sockets };
}

process.on('disconnect', () => stop(0));
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));
process.on('message', async (message) => {
	try {
		if (message.type === 'start') {
			sim = await startSimulator({ ...message.options, host: '127.0.0.1', port: 0, onError: (e) => console.error(`simulator: ${e}`) });
			const { stop: _stop, accounts: _accounts, ...fields } = sim;
			process.send({ type: 'ready', sim: JSON.parse(JSON.stringify(fields)) });
		} else if (message.type === 'stats') {
			process.send({ id: message.id, value: memory() });
		} else if (message.type === 'stop') {
			await stop(0);
		}
	} catch (error) {
		process.send({ type: 'error', message: error.message });
		await stop(1);
	}
});
