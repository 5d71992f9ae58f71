#!/usr/bin/env bash
# WebSocket figures of a release `netra serve` (embedded defaults, access log off), with Debian's
# python3-websockets as the client:
#  - idle: N authenticated idle sockets (default 10,000); the server's resident memory per socket,
#    beside the same server holding N idle HTTP keep-alive connections (bench/http_probe hold);
#  - ping: round trips at RATE pings per second (default 1,000: 50 sockets at 20/s, the default
#    per-socket limit) for SECONDS, p50/p99, beside a python3-websockets server answering the same
#    pongs (the baseline: the same client, another server).
#   bench/websocket.sh [N] [RATE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}; rate=${2:-1000}; seconds=${3:-10}
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
port=18390
start_netra() {
  (cd "$work" && NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
    NETRA_LOG_FORMAT=json NETRA_LOG_LEVEL=warn NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    NETRA_WEBSOCKET_MAX_CONNECTIONS=$((n + 100)) NETRA_WEBSOCKET_MAX_CONNECTIONS_PER_USER=$((n + 100)) \
    NETRA_SERVER_MAX_CONNECTIONS=$((n + 100)) NETRA_SERVER_MAX_CONNECTIONS_PER_ADDRESS=$((n + 100)) \
    exec "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
echo_pid=""
trap 'stop_netra; [[ -z $echo_pid ]] || kill "$echo_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start_netra
read -r opened before during per_ws < <(/usr/bin/python3 bench/ws_bench.py idle $port "$pid" "$n")
stop_netra
start_netra
http=$(build/release/bench/http_probe hold $port /health/live "$n" "$pid" | tail -1)
stop_netra
echo "idle sockets: $opened WebSocket connections held"
echo "  netra resident: $before KiB before, $during KiB with them: $per_ws bytes per socket (target < 20480)"
echo "  the same server with $n idle HTTP keep-alive connections: $http"

start_netra
read -r count p50 p99 < <(/usr/bin/python3 bench/ws_bench.py ping $port "$rate" "$seconds")
stop_netra
/usr/bin/python3 bench/ws_bench.py echo-server $((port + 1)) & echo_pid=$!
sleep 1
read -r bcount bp50 bp99 < <(/usr/bin/python3 bench/ws_bench.py ping $((port + 1)) "$rate" "$seconds" baseline)
echo "ping round trips, $rate/s for ${seconds}s ($count pings):"
echo "  netra                         p50 $p50 ms  p99 $p99 ms"
echo "  python3-websockets echo server p50 $bp50 ms  p99 $bp99 ms ($bcount pings)"
awk -v a="$p50" -v b="$bp50" -v c="$p99" -v d="$bp99" 'BEGIN {printf "  ratio netra/baseline: p50 %.2f, p99 %.2f\n", a / b, c / d}'
