#!/usr/bin/env bash
# Enqueue-to-start latency of background jobs on an idle queue (issue 17): the same instance,
# across instances with the Redis wake-up, across instances by polling; throwaway PostgreSQL and
# Redis servers on this machine.
#   bench/job_latency.sh [JOBS (200)]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target job_latency >/dev/null
TEST_POSTGRES_DIR="" TEST_REDIS_DIR=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [[ -z $TEST_REDIS_DIR ]] || scripts/redis-test-server stop "$TEST_REDIS_DIR"
  [[ -z $TEST_POSTGRES_DIR ]] || scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"
}
trap cleanup EXIT
servers=$(scripts/postgres-test-server); eval "$servers"
servers=$(scripts/redis-test-server); eval "$servers"
build/release/bench/job_latency "$TEST_POSTGRES_URL" "$TEST_REDIS_URL" "${1:-200}"
