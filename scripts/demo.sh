#!/usr/bin/env bash
# Starts the simulator on a free loopback port, runs examples/workflow.lua
# through kosmo with --json, prints the envelope, and stops the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
target/release/ringcentral-sim --addr 127.0.0.1:0 >"$log" &
sim=$!
trap 'kill "$sim" 2>/dev/null || true; rm -f "$log"' EXIT

url=""
for _ in $(seq 200); do
  url=$(sed -n 's/^listening on //p' "$log" | head -n 1)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "demo: the simulator did not start" >&2; exit 1; }
echo "demo: ringcentral-sim listening on $url" >&2

KOSMO_PLUGIN_DIR=target/plugins \
RC_SERVER_URL="$url" \
RC_ACCESS_TOKEN=sim-token \
KOSMO_ALLOW_LOOPBACK_SERVER=1 \
  target/release/kosmo integrations:lua examples/workflow.lua --json
