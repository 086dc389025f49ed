#!/usr/bin/env bash
# Starts the simulator on a free loopback port and shows what kosmo does in a
# few commands with short readable output, then stops the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/sim.sh
start_sim
url=$sim_url

export KOSMO_PLUGIN_DIR=target/plugins RC_SERVER_URL="$url" RC_ACCESS_TOKEN=sim-token KOSMO_ALLOW_LOOPBACK_SERVER=1
kosmo=target/release/kosmo

step() {
  printf '\n\033[1m$ %s\033[0m\n' "$*"
  "$@"
}

echo "demo: the RingCentral plugin against ringcentral-sim on $url"
step $kosmo integrations:lua examples/demo.lua
echo; echo '# a misspelt function: the error says where, and what was meant'
step $kosmo integrations:lua --eval 'return app.integrations.ringcentral.get_account_info{}' || true
echo; echo '# the REPL keeps its state between lines (here fed from a pipe)'
printf '%s\n' 'me = app.integrations.ringcentral.get_current_user{}' 'me.name' | step $kosmo integrations:lua --repl
