#!/usr/bin/env bash
# No-op jobs per second through the durable job queue on PostgreSQL (a throwaway local cluster),
# beside a plain synchronous libpq loop of the same INSERT and UPDATE statements (issue 17).
#   bench/job_throughput.sh [JOBS (5000)] [ROUNDS (3)]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target job_throughput >/dev/null
eval "$(scripts/postgres-test-server)"
trap 'scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"' EXIT
build/release/bench/job_throughput "$TEST_POSTGRES_URL" "${1:-5000}" "${2:-3}"
