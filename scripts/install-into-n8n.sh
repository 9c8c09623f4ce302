#!/usr/bin/env bash
# Installs the BUILT package into an n8n user folder the way n8n's own community-package installer does
# (n8n 2.40 community-packages.service: pack, extract into ~/.n8n/nodes/node_modules/<name>, strip dev/peer/optional
# dependencies from package.json, `npm install --ignore-scripts --install-strategy=shallow` inside that folder).
# n8n then loads it at startup, with node types named `n8n-nodes-smart-id.<node>`, exactly as users see them.
#
# Usage: scripts/install-into-n8n.sh <userFolder> [--copy-deps]
#   <userFolder>  the N8N_USER_FOLDER (the package lands in <userFolder>/.n8n/nodes/node_modules/<name>)
#   --copy-deps   copy the runtime dependencies from this repository's node_modules instead of running npm
#                 (fully offline, same versions as package-lock.json). Default: npm, preferring the local cache.
# Needs `npm run build` first (dist/). Prints the destination folder on stdout.
# Env: SMARTID_PACKAGE_ROOT = folder with package.json + dist/ to install (default: this repository), e.g. a private
#      build while others rebuild the shared dist/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
USER_FOLDER="${1:-}"
DEPS_MODE="npm"
[ "${2:-}" = "--copy-deps" ] && DEPS_MODE="copy"
if [ -z "$USER_FOLDER" ] || { [ -n "${2:-}" ] && [ "$2" != "--copy-deps" ]; }; then
  echo "usage: $0 <userFolder> [--copy-deps]" >&2
  exit 2
fi
log() { echo "[install-into-n8n] $*" >&2; }

PACKAGE_ROOT="${SMARTID_PACKAGE_ROOT:-$REPO}"
cd "$PACKAGE_ROOT"
# Every file the n8n section of package.json names must exist in dist/, or n8n would skip the package silently.
node -e '
  const fs = require("fs");
  const p = require("./package.json");
  const files = [...((p.n8n && p.n8n.nodes) || []), ...((p.n8n && p.n8n.credentials) || [])];
  if (files.length === 0) { console.error("package.json has no n8n.nodes/n8n.credentials entries"); process.exit(1); }
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) { console.error("not built (run npm run build): " + missing.join(", ")); process.exit(1); }
' || { log "build the package first: npm run build"; exit 1; }

NAME="$(node -p 'require("./package.json").name')"
DEST="$USER_FOLDER/.n8n/nodes/node_modules/$NAME"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# npm pack applies the "files" list, so the folder holds exactly what the registry tarball would.
TARBALL="$(npm pack --ignore-scripts --pack-destination "$WORK" --loglevel=error | tail -n 1)"
rm -rf "$DEST"
mkdir -p "$DEST"
tar -xzf "$WORK/$TARBALL" -C "$DEST" --strip-components=1

node -e '
  const fs = require("fs");
  const file = process.argv[1];
  const p = JSON.parse(fs.readFileSync(file, "utf8"));
  delete p.devDependencies; delete p.peerDependencies; delete p.optionalDependencies;
  fs.writeFileSync(file, JSON.stringify(p, null, 2));
' "$DEST/package.json"

if [ "$DEPS_MODE" = "copy" ]; then
  # The production closure as npm resolved it for this repository (optional and peer deps left out, like n8n).
  (cd "$REPO" && npm ls --omit=dev --omit=optional --omit=peer --all --parseable 2>/dev/null) | while IFS= read -r dir; do
    [ "$dir" = "$REPO" ] && continue
    rel="${dir#"$REPO"/}"
    mkdir -p "$DEST/$rel"
    # Nested node_modules are listed (and copied) on their own when they belong to the closure.
    (cd "$dir" && find . -mindepth 1 -maxdepth 1 ! -name node_modules -exec cp -R {} "$DEST/$rel/" \;)
  done
else
  (cd "$DEST" && npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow \
    --ignore-scripts=true --package-lock=false --prefer-offline --no-update-notifier --loglevel=error >&2)
fi
log "installed $NAME ($DEPS_MODE deps) into $DEST"
echo "$DEST"
