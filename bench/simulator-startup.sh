#!/usr/bin/env bash
# Start-to-ready time of `smart-id simulator` with a warm state dir (keys and certificates already generated).
# Builds the package into a temp dir, starts the CLI N times, and measures from process spawn until the ready
# JSON line appears (includes Node start-up and module loading). Reference (2-core shared VM, Node 20, 2026-11):
# ~0.9-1.1 s process start-to-ready, of which ~70-130 ms inside startSimulator (state dir load + listen).
# The first run on a cold state dir also generates the CA keys (~1-3 s); user RSA keys are made lazily per account.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
STATE=${STATE_DIR:-$(node -e "console.log(require('os').tmpdir())")/smart-id-simulator-state}
OUT=$(mktemp -d)
npx tsc -p tsconfig.json --outDir "$OUT/build" --declaration false --sourceMap false >/dev/null 2>&1 || true
echo "require('$OUT/build/lib/cli/simulator.js').run(process.argv.slice(2)).then((c) => process.exit(c));" > "$OUT/run.js"
for i in $(seq 0 "$RUNS"); do
  : > "$OUT/ready.txt"
  start=$(date +%s%N)
  NODE_PATH="$PWD/node_modules" node "$OUT/run.js" --port 0 --state-dir "$STATE" > "$OUT/ready.txt" &
  pid=$!
  while ! [ -s "$OUT/ready.txt" ]; do sleep 0.01; done
  end=$(date +%s%N)
  inner=$(grep -o '"startupMs":[0-9]*' "$OUT/ready.txt" | cut -d: -f2)
  kill -TERM "$pid"; wait "$pid"
  if [ "$i" = 0 ]; then echo "warm-up run: $(( (end - start) / 1000000 )) ms"; else echo "run $i: start-to-ready $(( (end - start) / 1000000 )) ms (startSimulator ${inner} ms)"; fi
done
rm -rf "$OUT"
