#!/usr/bin/env bash
# PING round trips per second through our RedisClient beside redis-benchmark on the same machine
# and the same throwaway Redis (scripts/redis-test-server): one connection, one command at a time
# (redis-benchmark -c 1 -P 1: the per-connection rate; target: ours >= 0.8 of it), and 50 in
# flight (redis-benchmark -c 50, fifty connections, beside our 50 on one pipelined connection).
#   bench/redis_roundtrip.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target redis_roundtrip >/dev/null
eval "$(scripts/redis-test-server)"
trap 'scripts/redis-test-server stop "$TEST_REDIS_DIR"' EXIT
port=${TEST_REDIS_URL##*:}
theirs() {  # $1 connections; requests enough for about $seconds seconds at the measured rate
  redis-benchmark -h 127.0.0.1 -p "$port" -a "$TEST_REDIS_PASSWORD" -t ping -c "$1" -P 1 \
    -n "$2" --csv 2>/dev/null | awk -F'"' '/PING_MBULK/ {print $4}'
}
echo "PING per second, one Redis on this machine:"
for c in 1 50; do
  ours=$(build/release/bench/redis_roundtrip "$TEST_REDIS_URL" "$seconds" "$c")
  base=$(theirs "$c" "$((ours * seconds))")
  awk -v o="$ours" -v b="$base" -v c="$c" 'BEGIN {printf "  %2d in flight: ours %.0f/s, redis-benchmark %.0f/s, ratio %.2f\n", c, o, b, o / b}'
done
