#!/usr/bin/env bash
# The agent's data step (collect_data) over one user's 30-day window of 1,000,000 demo events, on
# ClickHouse (a throwaway local server) and on the embedded store (SQLite), beside the same
# statements run plainly (curl; the sqlite3 API); median of RUNS.
#   bench/data_step.sh [EVENTS (1000000)] [RUNS (5)]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target analytics_data_step >/dev/null
eval "$(scripts/clickhouse-test-server)"
export TEST_CLICKHOUSE_URL TEST_CLICKHOUSE_USER TEST_CLICKHOUSE_PASSWORD
work=$(mktemp -d)
trap 'scripts/clickhouse-test-server stop "$TEST_CLICKHOUSE_DIR"; rm -rf "$work"' EXIT
build/release/bench/analytics_data_step "$work" "${1:-1000000}" "${2:-5}"
