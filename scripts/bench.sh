#!/usr/bin/env bash
# `make bench`: installs the comparison tools (hyperfine, GNU time, RingCentral's
# Python SDK in a private venv), then runs the benchmark binary.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import ringcentral' 2>/dev/null || "$venv/bin/pip" install -q ringcentral

cargo build --release -p kosmo-bench
KOSMO_BENCH_PYTHON="$venv/bin/python" target/release/kosmo-bench
