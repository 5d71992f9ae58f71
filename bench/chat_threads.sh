#!/usr/bin/env bash
# GET /api/threads (a valid token, a page of 20 of the caller's 30 threads) with wrk -t1 -c50
# against a release `netra serve` (access log off), on SQLite and on PostgreSQL (a throwaway
# cluster from scripts/postgres-test-server), each beside the same server's /health/live (the
# floor of the HTTP path, no token, no database). wrk, PostgreSQL and netra share this machine's
# cores. Target: >= 13,000 requests/s with p99 < 10 ms on PostgreSQL.
#   bench/chat_threads.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
port=18480
eval "$(scripts/postgres-test-server)"
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT

start_netra() {  # $1: database URL ("" for the embedded SQLite file)
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
    NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    exec env ${1:+NETRA_DATABASE_URL=$1} "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh

echo "wrk -t1 -c50 -d${seconds}s, GET /api/threads (20 of 30 threads) beside GET /health/live"
for backend in sqlite postgres; do
  url=""
  [[ $backend == postgres ]] && url=$TEST_POSTGRES_URL
  start_netra "$url"
  tok=$(token)
  # The page really is 20 threads of this user.
  count=$(curl -sf -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/threads" |
    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [[ $count == 20 ]] || { echo "expected a page of 20, got $count"; exit 1; }
  read -r rps p99 < <(run /api/threads -H "Authorization: Bearer $tok")
  read -r floor floor_p99 < <(run /health/live)
  stop_netra
  awk -v b="$backend" -v a="$rps" -v p="$p99" -v f="$floor" -v fp="$floor_p99" 'BEGIN {
    printf "  %-8s /api/threads %.0f req/s p99 %.2f ms | /health/live %.0f req/s p99 %.2f ms | %.2f of the floor\n",
      b, a, p, f, fp, a / f }'
done
