#!/usr/bin/env bash
# `make profile`: where a warm tool call spends its time. Runs N
# get_current_user calls in one kosmo process against the simulator under
# `perf record` and prints the heaviest entries, inclusive and self.
# BENCHMARKS.md's analysis quotes this output.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-3000}

command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }

data=$(mktemp)
. scripts/sim.sh
start_sim "$data"
url=$sim_url

KOSMO_PLUGIN_DIR=target/plugins RC_SERVER_URL="$url" RC_ACCESS_TOKEN=sim-token KOSMO_ALLOW_LOOPBACK_SERVER=1 \
  perf record -q -F 4000 --call-graph dwarf,16384 -o "$data" \
  target/release/kosmo integrations:lua --cpu-limit 600 \
  --eval "local rc = app.integrations.ringcentral for i = 1, $calls do rc.get_current_user({}) end" >/dev/null

echo "== inclusive (children), kosmo frames, top 40 =="
perf report -i "$data" --children --sort sym -g none --percent-limit 1.5 2>/dev/null |
  grep -v '^#' | grep -v '^$' | grep -Ev 'tokio::runtime|mlua::thread|mlua::function|luaD_|luaV_|lua_resume|unroll|0xffff|LocalKey|scoped::' |
  head -40
echo "== self, by shared object =="
perf report -i "$data" --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8
echo "== self, top 25 symbols =="
perf report -i "$data" --no-children --sort sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -25
