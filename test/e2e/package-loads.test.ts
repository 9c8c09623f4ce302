/**
 * Smoke test: the BUILT package, installed the way n8n installs a community package, is loaded by a real n8n
 * 2.40.7: its node types and its credential type are known under the names users will see.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { describeE2e, killAllChildren, N8nInstance, REPO_ROOT } from './harness';

const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string };

describeE2e('the built package inside a real n8n', (runtime) => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = new N8nInstance(runtime);
		await n8n.installPackage();
	}, 240_000);

	afterAll(async () => {
		await n8n?.cleanup();
		await killAllChildren();
	}, 60_000);

	it('runs the pinned n8n version on Node 24', async () => {
		const version = await n8n.cliOk(['--version']);
		expect(version.stdout.trim().split('\n').pop()).toBe('2.40.7');
		expect(runtime.version).toBe('2.40.7');
	}, 60_000);

	it('exports our node types with the package prefix (n8n export:nodes)', async () => {
		const out = path.join(n8n.userFolder, 'nodes-export.json');
		await n8n.cliOk(['export:nodes', `--output=${out}`]);
		const nodes = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{
			name: string;
			credentials?: Array<{ name: string }>;
			polling?: boolean;
		}>;
		const ours = nodes.filter((n) => n.name.startsWith(`${PACKAGE.name}.`));
		// smartIdTool is the AI-tool variant n8n derives from `usableAsTool: true`.
		expect(ours.map((n) => n.name).sort()).toEqual([
			`${PACKAGE.name}.smartId`,
			`${PACKAGE.name}.smartIdTool`,
			`${PACKAGE.name}.smartIdTrigger`,
		]);
		// Sanity check that the export is n8n's full catalogue, not just our package.
		expect(nodes.some((n) => n.name === 'n8n-nodes-base.manualTrigger')).toBe(true);
		const smartId = ours.find((n) => n.name === `${PACKAGE.name}.smartId`);
		expect(smartId?.credentials?.map((c) => c.name)).toContain('smartIdApi');
		const trigger = ours.find((n) => n.name === `${PACKAGE.name}.smartIdTrigger`);
		expect(trigger?.polling).toBe(true);
	}, 120_000);

	it('serves our node and credential types from a running server', async () => {
		await n8n.start();
		// The type catalogues are served only to a logged-in user.
		const credentialTypes = await n8n.ownerGet<Array<{ name: string }>>('/types/credentials.json');
		expect(credentialTypes.map((c) => c.name)).toContain('smartIdApi');
		const nodeTypes = await n8n.ownerGet<Array<{ name: string }>>('/types/nodes.json');
		const names = nodeTypes.map((n) => n.name);
		expect(names).toContain(`${PACKAGE.name}.smartId`);
		expect(names).toContain(`${PACKAGE.name}.smartIdTrigger`);
		// The server log must not report a failure to load our package, nor any attempt to reach the internet
		// (scripts/n8n-offline.env switches off every phone-home feature).
		expect(n8n.log).not.toMatch(new RegExp(`(error|failed)[^\\n]*${PACKAGE.name}`, 'i'));
		expect(n8n.log).not.toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED/);
	}, 180_000);
});
