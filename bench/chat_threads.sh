#!/usr/bin/env bash
# GET /api/threads (a valid token, a page of 20 of the caller's 30 threads) with wrk -t1 -c50
# against a release `netra serve` (access log off), on SQLite and on PostgreSQL (a throwaway
# cluster from scripts/postgres-test-server), each beside the same server's /health/live (the
# floor of the HTTP path, no token, no database). wrk, PostgreSQL and netra share this machine's
# cores. On PostgreSQL the same page is also asked of the Python stack netra replaces
# (bench/fastapi_threads.py: FastAPI + asyncpg, one uvicorn worker, an HS256 token), in rounds
# alternating with netra's. Target: netra on PostgreSQL >= 10x that baseline with p99 < 10 ms.
#   bench/chat_threads.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; rounds=${2:-2}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
port=18480
eval "$(scripts/postgres-test-server)"
pid=""; baseline_pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; [[ -z $baseline_pid ]] || kill "$baseline_pid" 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT

start_netra() {  # $1: database URL ("" for the embedded SQLite file)
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
    NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 \
    exec env ${1:+NETRA_DATABASE_URL=$1} "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

# shellcheck source=bench/threads_lib.sh
source bench/threads_lib.sh

start_baseline() {  # $1: the netra token whose subject the baseline's own HS256 token names
  local secret subject
  secret=$(head -c 32 /dev/urandom | base64)
  subject=$(/usr/bin/python3 -c 'import base64,json,sys; p=sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))["sub"])' "$1")
  baseline_token=$(/usr/bin/python3 -c 'import jwt,sys,time; print(jwt.encode({"sub": sys.argv[2], "exp": int(time.time()) + 3600}, sys.argv[1], algorithm="HS256"))' "$secret" "$subject")
  BASELINE_JWT_SECRET=$secret BASELINE_DATABASE_URL=$TEST_POSTGRES_URL \
    /usr/bin/python3 bench/fastapi_threads.py $baseline_port >"$work/baseline.log" 2>&1 &
  baseline_pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$baseline_port/health/live" >/dev/null && break; sleep 0.05; done
  # The baseline answers the same 20 threads netra does.
  local ours theirs
  ours=$(curl -sf -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/threads" | /usr/bin/python3 -c 'import json,sys; print(sorted(t["id"] for t in json.load(sys.stdin)))')
  theirs=$(curl -sf -H "Authorization: Bearer $baseline_token" "http://127.0.0.1:$baseline_port/api/threads" | /usr/bin/python3 -c 'import json,sys; print(sorted(t["id"] for t in json.load(sys.stdin)))')
  [[ $ours == "$theirs" ]] || { echo "the baseline answers another page"; cat "$work/baseline.log"; exit 1; }
}

probe() {  # $1 token; prints "count p50_ms p99_ms" of 1,000 sequential requests on one connection
  local urls=()
  for _ in $(seq 1000); do urls+=("http://127.0.0.1:$port/api/threads"); done
  curl -s -H "Authorization: Bearer $1" -w '\nT %{time_total}\n' "${urls[@]}" | awk '/^T / {print $2 * 1000}' |
    sort -n | awk '{a[NR] = $1} END {printf "%d %.2f %.2f\n", NR, a[int(NR * 0.5)], a[int(NR * 0.99)]}'
}

baseline_port=18481
echo "wrk -t1 -c50 -d${seconds}s, GET /api/threads (20 of 30 threads) beside GET /health/live"
for backend in sqlite postgres; do
  url=""
  [[ $backend == postgres ]] && url=$TEST_POSTGRES_URL
  start_netra "$url"
  tok=$(token)
  # The page really is 20 threads of this user.
  count=$(curl -sf -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/threads" |
    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  [[ $count == 20 ]] || { echo "expected a page of 20, got $count"; exit 1; }
  [[ $backend == postgres ]] && start_baseline "$tok"
  for ((r = 1; r <= rounds; r++)); do
    # Beside wrk, one more client asks one request at a time on its own connection: what a user
    # sees while the server is saturated (wrk's own p99 then carries its scheduling on 2 cores).
    (sleep 1; probe "$tok" > "$work/probe") &
    probe_pid=$!
    read -r rps p99 < <(run /api/threads -H "Authorization: Bearer $tok")
    wait "$probe_pid"
    read -r probe_n probe_p50 probe_p99 < "$work/probe"
    read -r floor floor_p99 < <(run /health/live)
    awk -v b="$backend" -v a="$rps" -v p="$p99" -v f="$floor" -v fp="$floor_p99" -v r="$r" 'BEGIN {
      printf "  %-8s round %d: /api/threads %.0f req/s p99 %.2f ms | /health/live %.0f req/s p99 %.2f ms | %.2f of the floor\n",
        b, r, a, p, f, fp, a / f }'
    echo "           one client beside wrk: $probe_n requests, p50 $probe_p50 ms, p99 $probe_p99 ms"
    if [[ $backend == postgres ]]; then
      read -r py py_p99 < <(port=$baseline_port run /api/threads -H "Authorization: Bearer $baseline_token")
      awk -v a="$rps" -v p="$p99" -v b="$py" -v bp="$py_p99" -v r="$r" 'BEGIN {
        printf "  fastapi  round %d: /api/threads %.0f req/s p99 %.2f ms | netra %.1fx its throughput, p99 %.2fx\n",
          r, b, bp, a / b, p / bp }'
    fi
  done
  stop_netra
done
