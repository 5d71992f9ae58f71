#!/usr/bin/env bash
# GET /api/threads (a page of 20 of the caller's 30 threads) with wrk -t1 -c50 against release
# `netra serve` instances on one PostgreSQL (scripts/postgres-test-server), side by side:
#   1. one instance with redis.url unset, then the same with redis.url set (what Redis adds to a
#      request: the revoked-login check stays in process; target >= 0.95);
#   2. through HAProxy (deploy/haproxy.cfg) to two instances, beside one instance directly.
# wrk, HAProxy, PostgreSQL, Redis and netra share this machine's cores.
#   bench/cluster_threads.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
eval "$(scripts/postgres-test-server)"
eval "$(scripts/redis-test-server)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/redis-test-server stop "$TEST_REDIS_DIR"
  scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"
  rm -rf "$work"
}
trap cleanup EXIT

start_netra() {  # $1 port, $2 redis URL ("" for none); the instances share keys and database
  mkdir -p "$work/keys" "$work/run$1"
  (cd "$work/run$1" && exec env NETRA_SERVER_PORT="$1" NETRA_SERVER_HOST=127.0.0.1 \
    NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    NETRA_DATABASE_URL="$TEST_POSTGRES_URL" NETRA_AUTH_KEY_DIR="$work/keys" \
    NETRA_REDIS_URL="$2" "$OLDPWD/build/release/netra" serve) >"$work/log$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log$1"; exit 1
}
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

port=18501
# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh
threads() { run /api/threads -H "Authorization: Bearer $tok"; }

echo "wrk -t1 -c50 -d${seconds}s, GET /api/threads (20 of 30 threads), PostgreSQL"
start_netra 18501 ""
tok=$(token)
read -r without without_p99 < <(threads)
stop_all
start_netra 18501 "$TEST_REDIS_URL"
read -r with with_p99 < <(threads)
stop_all
awk -v a="$without" -v ap="$without_p99" -v b="$with" -v bp="$with_p99" 'BEGIN {
  printf "  one instance: redis.url unset %.0f req/s p99 %.2f ms | set %.0f req/s p99 %.2f ms | ratio %.2f (target >= 0.95)\n",
    a, ap, b, bp, b / a }'

start_netra 18501 "$TEST_REDIS_URL"
start_netra 18502 "$TEST_REDIS_URL"
read -r direct direct_p99 < <(threads)
NETRA_LB_BIND=127.0.0.1:18500 NETRA_LB_STATS=127.0.0.1:18504 NETRA_1=127.0.0.1:18501 \
  NETRA_2=127.0.0.1:18502 NETRA_3=127.0.0.1:18503 /usr/sbin/haproxy -f deploy/haproxy.cfg \
  >"$work/haproxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf http://127.0.0.1:18500/health/ready >/dev/null && break; sleep 0.1; done
port=18500
read -r balanced balanced_p99 < <(threads)
awk -v a="$direct" -v ap="$direct_p99" -v b="$balanced" -v bp="$balanced_p99" 'BEGIN {
  printf "  one instance directly %.0f req/s p99 %.2f ms | HAProxy to two instances %.0f req/s p99 %.2f ms | ratio %.2f\n",
    a, ap, b, bp, b / a }'
