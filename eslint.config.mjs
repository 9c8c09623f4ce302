// n8n's community-node rules (without the n8n Cloud restrictions) plus typescript-eslint.
// `no-runtime-dependencies` is switched off on purpose: the package needs axios, pkijs/asn1js (OCSP, RFC 3161,
// CMS), @xmldom/xmldom and qrcode at run time, and @peculiar/x509 + reflect-metadata for the bundled simulator
// (docs/DECISIONS.md 1), which makes it an *unverified* community package that self-hosted n8n installs together
// with its dependencies.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configs as n8nConfigs } from '@n8n/eslint-plugin-community-nodes';

export default tseslint.config(
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**', '**/*.js', '**/*.mjs'] },
	...[js.configs.recommended, ...tseslint.configs.recommended].map((c) => ({ ...c, files: ['**/*.ts'] })),
	{
		// package.json is linted by n8n's package rules; it is parsed as a TypeScript expression.
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser },
	},
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		...n8nConfigs.recommendedWithoutN8nCloudSupport,
		files: ['package.json', 'nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: {
			...n8nConfigs.recommendedWithoutN8nCloudSupport.rules,
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'lib/**/*.ts'],
		ignores: ['lib/cli.ts', 'lib/**/*.test.ts'],
		rules: { 'no-console': 'error' },
	},
);
