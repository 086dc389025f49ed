#!/usr/bin/env bash
# Runs the end-to-end suite RUNS times (default 5) while CPU hogs keep every
# core busy, and reports each failing run with its output. A test that fails
# once under load is a bug: in the code or in the test.
#
#   scripts/stress.sh [RUNS] [-- cargo test arguments, e.g. --test e2e hot_swap::]
#
# Needs `make build` first (the tests drive what it produced). Exit status: 0
# when every run passed, 1 otherwise. Outputs are kept in target/stress/.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  runs=$1
  shift
fi
[ "${1:-}" = "--" ] && shift
case $runs in
  '' | *[!0-9]* | 0) echo "stress.sh: RUNS must be a positive number, not '$runs'" >&2; exit 2 ;;
esac

out=target/stress
mkdir -p "$out"
rm -f "$out"/run-*.log

# Build the test binaries before loading the machine, so that each run times tests only.
cargo test --release -p kosmo-harness --no-run "$@" >"$out/build.log" 2>&1 || {
  echo "stress.sh: building the tests failed; see $out/build.log" >&2
  exit 1
}

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${hogs[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_hogs EXIT
for _ in $(seq "$(nproc)"); do
  ( while :; do :; done ) &
  hogs+=($!)
done
echo "stress.sh: ${#hogs[@]} CPU hogs running; $runs runs of the end-to-end suite"

failed=0
for run in $(seq "$runs"); do
  log="$out/run-$run.log"
  start=$(date +%s)
  if cargo test --release -p kosmo-harness --no-fail-fast "$@" >"$log" 2>&1; then
    echo "run $run: passed in $(($(date +%s) - start)) s"
  else
    failed=$((failed + 1))
    echo "run $run: FAILED in $(($(date +%s) - start)) s; output in $log"
    # The failing tests' names and their panics, then the summary lines.
    grep -E '^(---- |test .* FAILED|failures:|thread .* panicked)' "$log" | sed 's/^/    /' || true
    grep -E '^test result:' "$log" | grep -v ' 0 failed' | sed 's/^/    /' || true
  fi
done

echo "stress.sh: $((runs - failed)) of $runs runs passed under load"
[ "$failed" -eq 0 ]
