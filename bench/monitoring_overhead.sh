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
# shellcheck source=bench/serve_lib.sh
source bench/serve_lib.sh
build_release
work=$(mktemp -d)
port=18484
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh

declare -A total
echo "wrk -t1 -c50 -d${seconds}s, GET /api/threads on SQLite; monitoring on vs off"
for ((r = 1; r <= rounds; r++)); do
  for mode in on off; do
    enabled=true; [[ $mode == on ]] || enabled=false
    start_release NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 NETRA_MONITORING_ENABLED=$enabled
    tok=$(token)
    read -r rps p99 < <(run /api/threads -H "Authorization: Bearer $tok")
    series=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -c '^netra_dependency_duration_seconds_count' || true)
    stop_release
    total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    printf "  round %d  %-3s %8.0f req/s  p99 %6.2f ms  dependency series %d\n" \
      "$r" "$mode" "$rps" "$p99" "$series"
  done
done
awk -v a="${total[on]}" -v o="${total[off]}" 'BEGIN { printf "monitoring on: %.3f of off\n", a / o }'
