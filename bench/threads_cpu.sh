#!/usr/bin/env bash
# Where the CPU of GET /api/threads on PostgreSQL goes: wrk -t1 -c50 for SECONDS against a release
# `netra serve` on a throwaway PostgreSQL cluster, with the CPU time (user + system, from
# /proc/PID/stat; wrk's from bash's `time`) that netra, the cluster's PostgreSQL processes and wrk
# took meanwhile, per request. On two cores shared by all three, the one that takes the most per
# request sets the rate.
#   bench/threads_cpu.sh [SECONDS (10)]
#   THREADS_NETRA=path bench/threads_cpu.sh   another build of netra (a baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh
threads_setup 18496
(cd "$work" && exec env NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
  NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 NETRA_DATABASE_URL=$TEST_POSTGRES_URL \
  "$netra" serve >"$work/log" 2>&1) &
pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.05; done
tok=$(token)
wrk -t1 -c50 -d2s -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/threads" >/dev/null  # warm-up
ticks() {  # user + system clock ticks of the processes given
  local total=0 p
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
# This cluster's processes alone (other clusters may run here): its postmaster and its children,
# netra's pooled backends among them once the warm-up has opened them.
postmaster=$(head -1 "$(find "$TEST_POSTGRES_DIR" -name postmaster.pid | head -1)")
postgres_pids="$postmaster $(pgrep -d ' ' -P "$postmaster")"
netra0=$(ticks "$pid"); postgres0=$(ticks $postgres_pids)
TIMEFORMAT='%3U %3S'
{ time wrk -t1 -c50 -d"${seconds}s" --latency -H "Authorization: Bearer $tok" \
  "http://127.0.0.1:$port/api/threads" >"$work/wrk.out"; } 2>"$work/wrk.time"
netra1=$(ticks "$pid"); postgres1=$(ticks $postgres_pids)
requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
hz=$(getconf CLK_TCK)
read -r wrk_user wrk_system <"$work/wrk.time"
awk -v n=$((netra1 - netra0)) -v p=$((postgres1 - postgres0)) -v wu="$wrk_user" -v ws="$wrk_system" \
  -v r="$requests" -v hz="$hz" -v s="$seconds" 'BEGIN {
  w = (wu + ws) * hz
  printf "GET /api/threads on PostgreSQL, wrk -t1 -c50 -d%ss: %d requests (%.0f/s)\n", s, r, r / s
  printf "  CPU per request: netra %.0f us, PostgreSQL %.0f us, wrk %.0f us\n",
    n / hz / r * 1e6, p / hz / r * 1e6, w / hz / r * 1e6 }'
