#!/usr/bin/env bash
# WebSocket figures of a release `netra serve` (embedded defaults, access log off), with Debian's
# python3-websockets as the client:
#  - idle: N authenticated idle sockets (default 10,000); the server's resident memory per socket,
#    beside the same server holding N idle HTTP keep-alive connections (bench/http_probe hold);
#  - ping: round trips at 1,000 and 10,000 pings a second (sockets at 20/s each, the default
#    per-socket limit: 50 and 500 sockets) for SECONDS, p50/p99, measured by bench/ws_rtt (a Beast
#    client on one thread, so the client is not the bottleneck), beside a minimal Beast echo
#    server answering the same pongs (ws_rtt echo-server: the same client, a fast server).
#   bench/websocket.sh [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}; seconds=${2:-10}
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe ws_rtt >/dev/null
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

for rate in 1000 10000; do
  start_netra
  token=$(PYTHONPATH=bench /usr/bin/python3 -c 'import sys, ws_bench; print(ws_bench.login(int(sys.argv[1])))' "$port")
  read -r count p50 p99 errors < <(build/release/bench/ws_rtt ping $port "$rate" "$seconds" "$token")
  stop_netra
  build/release/bench/ws_rtt echo-server $((port + 1)) & echo_pid=$!
  sleep 0.5
  read -r bcount bp50 bp99 berrors < <(build/release/bench/ws_rtt ping $((port + 1)) "$rate" "$seconds")
  kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true; echo_pid=""
  echo "ping round trips, $rate/s for ${seconds}s:"
  echo "  netra                  p50 $p50 ms  p99 $p99 ms ($count pings, $errors sockets failed)"
  echo "  Beast echo server      p50 $bp50 ms  p99 $bp99 ms ($bcount pings, $berrors sockets failed)"
  awk -v a="$p50" -v b="$bp50" -v c="$p99" -v d="$bp99" 'BEGIN {printf "  ratio netra/baseline: p50 %.2f, p99 %.2f\n", a / b, c / d}'
done
