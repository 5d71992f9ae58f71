#!/usr/bin/env bash
# A soak (issue 21): a release `netra serve` on PostgreSQL (a throwaway cluster from
# scripts/postgres-test-server, analytics in the embedded store) under a mixed load for MINUTES
# (default 30): thread listing, message posts, sockets connecting and leaving, event ingest and
# agent runs, by USERS accounts (default 8; bench/soak.py says the mix). Every minute it prints
# netra's resident memory and open descriptors; at the end, every outcome, the memory growth after
# the first five minutes (target < 10 %), the descriptors (target: flat) and the errors — 5xx, no
# answer, a socket that did not open (target: 0). Exit 1 when a target is missed.
#   bench/soak.sh [MINUTES] [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}; users=${2:-8}
port=18620
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
cp build/release/netra "$work/netra"  # a rebuild meanwhile does not change what runs
eval "$(scripts/postgres-test-server)"
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT
(cd "$work" && NETRA_DATABASE_URL=$TEST_POSTGRES_URL NETRA_SERVER_PORT=$port \
  NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json \
  exec ./netra serve >"$work/log" 2>&1) &
pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.05; done
echo "netra $pid on PostgreSQL, $users users, $minutes minute(s)"
status=0
/usr/bin/python3 bench/soak.py "$port" "$pid" "$minutes" "$users" || status=$?
echo "warnings and errors netra logged: $(grep -cE '"level":"(warning|error|critical)"' "$work/log" || true)"
grep -E '"level":"(warning|error|critical)"' "$work/log" | head -5 || true
exit $status
