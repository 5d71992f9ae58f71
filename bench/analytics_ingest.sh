#!/usr/bin/env bash
# Workload events stored per second in batches of 10,000 into ClickHouse (a throwaway local
# server) through ClickHouseStore beside curl posting the same rows, and into SQLite through the
# embedded store beside a plain prepared-statement loop; rounds alternate the two.
#   bench/analytics_ingest.sh [EVENTS (1000000)] [ROUNDS (2)]
#   BENCH_HTTPS=1 bench/analytics_ingest.sh ...   both ClickHouse clients over the server's
#                                                 https port, with its throwaway CA
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target analytics_ingest >/dev/null
eval "$(scripts/clickhouse-test-server)"
export TEST_CLICKHOUSE_URL TEST_CLICKHOUSE_USER TEST_CLICKHOUSE_PASSWORD
if [[ "${BENCH_HTTPS:-0}" == 1 ]]; then
  export TEST_CLICKHOUSE_URL=$TEST_CLICKHOUSE_HTTPS_URL SSL_CERT_FILE=$TEST_CLICKHOUSE_CA_FILE \
    CURL_CA_BUNDLE=$TEST_CLICKHOUSE_CA_FILE
fi
work=$(mktemp -d)
trap 'scripts/clickhouse-test-server stop "$TEST_CLICKHOUSE_DIR"; rm -rf "$work"' EXIT
build/release/bench/analytics_ingest "$work" "${1:-1000000}" "${2:-2}"
