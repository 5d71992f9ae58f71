#!/usr/bin/env bash
# Server-sent events delivered per second to SUBSCRIBERS subscribers of one user (default 1,000),
# beside the same through WebSocket (issue 19), against a release `netra serve` on its embedded
# defaults with the per-user and per-address limits raised to let one client hold them all. EVENTS
# threads created over REST (default 200), each a thread_created event to every subscriber; ROUNDS
# (default 3, after a warm-up round) alternate SSE and WebSocket on the same server. Printed: each
# round, the medians and SSE / WebSocket. Client: bench/event_fanout.py (raw
# asyncio sockets, one process) on the same two cores as the server.
#   bench/event_fanout.sh [SUBSCRIBERS] [EVENTS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-1000}; events=${2:-200}; rounds=${3:-3}
ulimit -n 16384
source bench/serve_lib.sh
port=18497
serve_release NETRA_SERVER_EVENT_STREAMS_PER_USER=$((subscribers + 10)) \
  NETRA_WEBSOCKET_MAX_CONNECTIONS_PER_USER=$((subscribers + 10)) \
  NETRA_SERVER_MAX_CONNECTIONS_PER_ADDRESS=$((subscribers * 2 + 100)) \
  NETRA_WEBSOCKET_PING_INTERVAL_MS=600000
echo "one user's events to $subscribers subscribers, $events events a round, $rounds rounds each"
/usr/bin/python3 bench/event_fanout.py "$port" "$subscribers" "$events" "$rounds"
