#!/usr/bin/env bash
# Latency of agent run events across instances (issue 16): two release `netra serve` instances, A
# and B, on one PostgreSQL and one Redis (scripts/postgres-test-server, scripts/redis-test-server;
# analytics in the embedded store, no ClickHouse, no HAProxy). Every run executes on A (its
# start_agent is sent on a socket connected to A); each user also holds a socket on B, which
# hears the run's events through Redis pub/sub (RunEventFanout). In the same run, side by side:
#   - same instance: the events on the user's socket on A (the one-instance path);
#   - across instances: the same events on the user's socket on B.
# Latency of an event = the client's wall time on receipt - the event's `timestamp` (Unix time in
# ms, set by the server just before it stores the step, so both paths include that INSERT). Client
# and servers read the same clock; the server truncates its time to the millisecond, which adds up
# to 1 ms (0.5 on average) to both paths equally. Printed: p50 and p99 per path and their ratio;
# "B minus A", the gap between the two receipts of the same event (what crossing adds, without
# the store); the event rate achieved (events over the span of their timestamps); and the events
# lost, duplicated or out of seq order on B (each should be 0; what the A socket heard of each run,
# seq 1 to its last event, is the reference). EVENT_LATENCY_CSV=FILE keeps one row per event;
# EVENT_LATENCY_QUICKACK=1 makes the client acknowledge every message at once (see the .py).
# RATE events per second in total (default 1,000): USERS accounts (default 20) start runs in turn
# at RATE / (events per run, counted on warm-up runs) runs a second for SECONDS (default 20). The
# client (bench/event_latency.py, Debian's python3-websockets), PostgreSQL, Redis and both
# instances share this machine's cores.
#   bench/event_latency.sh [RATE] [SECONDS] [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-1000}; seconds=${2:-20}; users=${3:-20}
port_a=18610; port_b=18611
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
cp build/release/netra "$work/netra"  # a rebuild meanwhile does not change what runs
pids=()
TEST_POSTGRES_DIR="" TEST_REDIS_DIR=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -z $TEST_REDIS_DIR ]] || scripts/redis-test-server stop "$TEST_REDIS_DIR"
  [[ -z $TEST_POSTGRES_DIR ]] || scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM  # so that EXIT runs cleanup on a signal too
for port in $port_a $port_b; do
  ! curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "port $port is in use"; exit 1; }
done
servers=$(scripts/postgres-test-server); eval "$servers"
servers=$(scripts/redis-test-server); eval "$servers"

start_netra() {  # $1 port; both instances share the database, Redis and the signing keys
  mkdir -p "$work/keys" "$work/run$1"
  (cd "$work/run$1" && exec env NETRA_SERVER_PORT="$1" NETRA_SERVER_HOST=127.0.0.1 \
    NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json NETRA_LOG_LEVEL=warn \
    NETRA_DATABASE_URL="$TEST_POSTGRES_URL" NETRA_REDIS_URL="$TEST_REDIS_URL" \
    NETRA_AUTH_KEY_DIR="$work/keys" NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    NETRA_AUTH_REGISTER_LIMIT_PER_MINUTE=100000 NETRA_AGENTS_MAX_CONCURRENT_RUNS=1000 \
    NETRA_AGENTS_MAX_QUEUED_RUNS=10000 NETRA_AGENTS_MAX_RUNS_PER_USER=1000 \
    NETRA_WEBSOCKET_MESSAGES_PER_SECOND=10000 NETRA_WEBSOCKET_MESSAGE_BURST=10000 \
    "$work/netra" serve) >"$work/log$1" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return; sleep 0.1; done
  echo "netra on port $1 did not become ready"; cat "$work/log$1"; exit 1
}
start_netra $port_a  # A first: it applies the migrations
start_netra $port_b

echo "agent run events, runs on A, ~$rate events/s for ${seconds}s," \
  "$users users (a socket on A and one on B each)"
# In the background, so that a signal reaches the trap at once rather than after the client.
/usr/bin/python3 bench/event_latency.py $port_a $port_b "$rate" "$seconds" "$users" &
pids+=($!)
status=0
wait $! || status=$?
for port in $port_a $port_b; do
  if grep -q '"level":"\(warning\|error\|critical\)"' "$work/log$port"; then
    echo "warnings in the log of the instance on port $port (the first 5):"
    grep '"level":"\(warning\|error\|critical\)"' "$work/log$port" | head -5
  fi
done
exit $status
