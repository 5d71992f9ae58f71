#!/usr/bin/env bash
# What monitoring costs GET /api/threads (SQLite, a page of 20 of the caller's 30 threads, wrk -t1
# -c50 against a release `netra serve`, access log off, tracing off): monitoring on (the default:
# statement and dependency latency histograms, pool waits, event-loop lag samples, the warning
# checks every 5 s) beside monitoring.enabled = false, each a fresh server, in rounds alternating
# the two. Target (issue 18): on >= 0.98 of off.
#   bench/monitoring_overhead.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; rounds=${2:-3}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
port=18484
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

start_netra() {  # $@: extra environment
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && exec env NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 \
    NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    "$@" "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh

declare -A total
echo "wrk -t1 -c50 -d${seconds}s, GET /api/threads on SQLite; monitoring on vs off"
for ((r = 1; r <= rounds; r++)); do
  for mode in on off; do
    if [[ $mode == on ]]; then start_netra; else start_netra NETRA_MONITORING_ENABLED=false; fi
    tok=$(token)
    read -r rps p99 < <(run /api/threads -H "Authorization: Bearer $tok")
    series=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -c '^netra_dependency_duration_seconds_count' || true)
    stop_netra
    total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    printf "  round %d  %-3s %8.0f req/s  p99 %6.2f ms  dependency series %d\n" \
      "$r" "$mode" "$rps" "$p99" "$series"
  done
done
awk -v a="${total[on]}" -v o="${total[off]}" 'BEGIN { printf "monitoring on: %.3f of off\n", a / o }'
