#!/usr/bin/env bash
# Resident memory of netra (embedded defaults) after start-up and while 1,000 idle keep-alive
# connections are held open.
#   bench/memory.sh [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-1000}
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n 4096
work=$(mktemp -d)
(cd "$work" && NETRA_SERVER_PORT=18380 NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
  NETRA_SERVER_MAX_CONNECTIONS_PER_ADDRESS=100000 \
  NETRA_LOG_FORMAT=json exec "$OLDPWD/build/release/netra" serve 2>/dev/null) &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18380/health/ready >/dev/null && break; sleep 0.05; done
echo "netra resident memory after start-up: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
build/release/bench/http_probe hold 18380 /health/live "$connections" $pid
