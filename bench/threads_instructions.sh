#!/usr/bin/env bash
# What chat_threads.sh times, counted in instructions: netra's user-space instructions per request
# for GET /api/threads (a page of 20 of the caller's 30 threads) on SQLite and on PostgreSQL, and
# for /health/live (the HTTP path alone), under callgrind. The rates of chat_threads.sh move by a
# tenth between rounds on a shared host; these counts move by well under 1 %, so they show what a
# change to the list path did. PostgreSQL's own work (another process) is not counted; SQLite's,
# inside netra, is.
#   bench/threads_instructions.sh [SECONDS (5)]   (needs valgrind and wrk)
#   THREADS_NETRA=path bench/threads_instructions.sh   another build of netra (a baseline)
# KEEP=/tmp/cg keeps each callgrind profile as /tmp/cg.sqlite, .postgres (for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
source bench/callgrind_lib.sh  # and checks that valgrind and wrk are here
# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh
threads_setup 18494

start_netra() {  # $1: database URL ("" for the embedded SQLite file)
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && exec env NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 \
    NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json ${1:+NETRA_DATABASE_URL=$1} \
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$netra" serve \
    >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 1200); do  # start-up under callgrind takes seconds, and a minute on a busy host
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return
    sleep 0.1
  done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() {  # callgrind writes its profile on the way out: up to 30 s, then killed
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  pid=""
}


echo "netra ($netra): user-space instructions per request under callgrind (wrk -t1 -c2 -d${seconds}s each)"
for database in sqlite postgres; do
  if [[ $database == postgres ]]; then start_netra "$TEST_POSTGRES_URL"; else start_netra ""; fi
  bearer=$(token)
  read -r l_n l_i < <(callgrind_count live "http://127.0.0.1:$port/health/live")
  read -r t_n t_i < <(callgrind_count "$database" "http://127.0.0.1:$port/api/threads" \
    -H "Authorization: Bearer $bearer")
  printf '  %-8s GET /api/threads: %7d instructions (%d requests) | /health/live %6d (%d requests)\n' \
    "$database" "$t_i" "$t_n" "$l_i" "$l_n"
  stop_netra
done
