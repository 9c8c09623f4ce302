// Copies non-TypeScript runtime data (bundled trust anchors, the trigger's test-event samples) into dist/, keeping relative paths.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const assetDirs = ['lib/pki/anchors', 'lib/sessions/samples'];
for (const rel of assetDirs) {
	const from = path.join(root, rel);
	if (!fs.existsSync(from)) continue;
	fs.cpSync(from, path.join(root, 'dist', rel), { recursive: true });
}
