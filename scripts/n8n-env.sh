#!/usr/bin/env bash
# Source this file to get a shell that runs the cached real n8n offline:
#   source scripts/n8n-env.sh [userFolder]     # then: n8n --version, n8n import:workflow ..., n8n start
# It puts Node 24 and n8n first on PATH, exports every no-phone-home variable from scripts/n8n-offline.env,
# sets N8N_USER_FOLDER (argument, or $N8N_USER_FOLDER, or <repo>/.cache/n8n-user) and drops NODE_ENV
# (n8n refuses to load nodes when NODE_ENV=test). The runtime must exist: run scripts/n8n-runtime.sh first.
# Also defines `n8n_offline_env`, which exports only the offline variables (for use in other scripts).

_n8n_env_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

n8n_offline_env() {
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key="${line%%=*}"
    export "$key=${line#*=}"
  done <"$_n8n_env_repo/scripts/n8n-offline.env"
}

if _n8n_env_paths="$("$_n8n_env_repo/scripts/n8n-runtime.sh" --check)"; then
  eval "$(printf '%s\n' "$_n8n_env_paths" | sed 's/^/export /')"
  export PATH="$N8N_NODE_HOME/bin:$(dirname "$N8N_BIN"):$PATH"
  n8n_offline_env
  export N8N_USER_FOLDER="${1:-${N8N_USER_FOLDER:-$_n8n_env_repo/.cache/n8n-user}}"
  export N8N_PORT="${N8N_PORT:-5678}"
  export N8N_RUNNERS_BROKER_PORT="${N8N_RUNNERS_BROKER_PORT:-$((N8N_PORT + 1))}"
  unset NODE_ENV
  mkdir -p "$N8N_USER_FOLDER"
else
  echo "n8n runtime missing: run scripts/n8n-runtime.sh first" >&2
fi
unset _n8n_env_paths
