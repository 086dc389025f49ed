# Sourced by the scripts that need a simulator: `start_sim` runs
# ringcentral-sim on a free loopback port, sets $sim_url, and when the
# script exits stops it and removes its log and any files named as arguments.
start_sim() {
  local log
  log=$(mktemp)
  target/release/ringcentral-sim --addr 127.0.0.1:0 >"$log" &
  local pid=$!
  trap "kill $pid 2>/dev/null || true; rm -f '$log' $*" EXIT
  sim_url=""
  for _ in $(seq 200); do
    sim_url=$(sed -n 's/^listening on //p' "$log" | head -n 1)
    [ -n "$sim_url" ] && return 0
    sleep 0.05
  done
  echo "$(basename "$0"): the simulator did not start" >&2
  exit 1
}
