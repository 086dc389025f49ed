#!/usr/bin/env bash
# Starts the simulator on a free loopback port, runs examples/workflow.lua
# through kosmo with --json, prints the envelope, and stops the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/sim.sh
start_sim
url=$sim_url
echo "demo: ringcentral-sim listening on $url" >&2

KOSMO_PLUGIN_DIR=target/plugins \
RC_SERVER_URL="$url" \
RC_ACCESS_TOKEN=sim-token \
KOSMO_ALLOW_LOOPBACK_SERVER=1 \
  target/release/kosmo integrations:lua examples/workflow.lua --json
