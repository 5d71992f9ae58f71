#!/usr/bin/env bash
# JSON encode/decode on the request path: Boost.JSON beside nlohmann (bench/json_benchmark.cpp),
# release build, each case repeated 5 times (medians printed).
#   bench/json.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target json_benchmark >/dev/null
build/release/bench/json_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5 2>&1 | grep -E "median|^Benchmark|^-"
