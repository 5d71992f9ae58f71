#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz (issue 21), built by the `fuzz` preset (clang-16, ASan and
# UBSan), each run for SECONDS (default 600) from its corpus in tests/fuzz/corpus/<target>/. New
# inputs go to a scratch directory (FUZZ_MERGE=1 merges those that add coverage into the corpus);
# a crash, a leak, a hang (an input over 60 s) or a broken property leaves its input in
# build/fuzz/findings/<target>/ and makes the script exit 1 — fix it, then add the input to the
# corpus so that it stays fixed. scripts/test runs every target for 10 s.
#   bench/fuzz.sh [SECONDS] [TARGET...]      (all targets by default)
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/bin/llvm-symbolizer}
seconds=${1:-600}
shift || true
cmake --preset fuzz >/dev/null
# Quiet when it builds; the compiler's words when it does not (ninja prints them on stdout).
if ! build_log=$(cmake --build --preset fuzz 2>&1); then
  echo "fuzz.sh: the fuzz preset (clang-16) did not build:" >&2
  grep -E -B2 -A12 "error:|FAILED:" <<<"$build_log" | head -60 >&2 || tail -30 <<<"$build_log" >&2
  exit 1
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(ls build/fuzz/fuzzers)
fi

# The targets that run the whole service on a thread keep its threads and caches alive while
# libFuzzer checks for leaks between inputs: leak checks are for the in-process parsers.
server_targets=" http_front_end_fuzzer route_bodies_fuzzer websocket_fuzzer "

status=0
printf '%-28s %10s %9s %8s %8s  %s\n' target runs exec/s cov corpus outcome
for target in "${targets[@]}"; do
  binary=build/fuzz/fuzzers/$target
  [[ -x $binary ]] || { echo "no fuzzer named $target" >&2; exit 2; }
  scratch=$(mktemp -d)
  findings=build/fuzz/findings/$target
  mkdir -p "$findings" "tests/fuzz/corpus/$target"
  leaks=1
  [[ $server_targets == *" $target "* ]] && leaks=0
  log=$scratch/log
  outcome=ok
  "$binary" "$scratch" "tests/fuzz/corpus/$target" -max_total_time="$seconds" -timeout=60 \
    -rss_limit_mb=4096 -max_len=65536 -detect_leaks=$leaks -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$log" 2>&1 || { outcome="FAILED (log: $findings/log)"; status=1; }
  runs=$(grep -oP 'stat::number_of_executed_units:\s*\K\d+' "$log" || echo 0)
  speed=$(grep -oP 'stat::average_exec_per_sec:\s*\K\d+' "$log" || echo 0)
  cov=$(grep -oP '#\d+\s+\w+\s+cov: \K\d+' "$log" | tail -1 || true)
  corpus=$(grep -oP '#\d+\s+\w+\s+cov: \d+ ft: \d+ corp: \K\d+' "$log" | tail -1 || true)
  printf '%-28s %10s %9s %8s %8s  %s\n' "$target" "$runs" "$speed" "${cov:-?}" "${corpus:-?}" "$outcome"
  if [[ $outcome != ok ]]; then
    cp "$log" "$findings/log"
    # What went wrong (libFuzzer's NEW_FUNC lines name Beast's websocket:: types: not these).
    grep -v NEW_FUNC "$log" |
      grep -E -A8 "ERROR|deadly signal|property does not hold|runtime error|500 for input|^in-process server|^websocket:" |
      head -20 >&2 || true
  elif [[ ${FUZZ_MERGE:-0} == 1 ]]; then
    "$binary" -merge=1 "tests/fuzz/corpus/$target" "$scratch" -detect_leaks=$leaks >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
done
exit $status
