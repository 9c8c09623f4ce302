// Copies non-TypeScript runtime data (bundled trust anchors) into dist/, keeping relative paths.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const assetDirs = ['lib/pki/anchors'];
for (const rel of assetDirs) {
	const from = path.join(root, rel);
	if (!fs.existsSync(from)) continue;
	fs.cpSync(from, path.join(root, 'dist', rel), { recursive: true });
}
