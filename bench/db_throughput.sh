#!/usr/bin/env bash
# Simple-query throughput through our pool against a plain synchronous loop, for PostgreSQL (a
# throwaway local cluster) and SQLite, in one run.
#   bench/db_throughput.sh [QUERIES]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target db_throughput >/dev/null
eval "$(scripts/postgres-test-server)"
work=$(mktemp -d)
trap 'scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT
build/release/bench/db_throughput "$TEST_POSTGRES_URL" "$work/bench.db" "${1:-40000}"
