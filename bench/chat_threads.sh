#!/usr/bin/env bash
# GET /api/threads (a valid token, a page of 20 of the caller's 30 threads) with wrk -t1 -c50
# against a release `netra serve` (access log off), on SQLite and on PostgreSQL (a throwaway
# cluster from scripts/postgres-test-server), each beside the same server's /health/live (the
# floor of the HTTP path, no token, no database). wrk, PostgreSQL and netra share this machine's
# cores. Target: >= 13,000 requests/s with p99 < 10 ms on PostgreSQL.
#   bench/chat_threads.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
port=18480
eval "$(scripts/postgres-test-server)"
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT

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

token() {  # registers, logs in, creates 30 threads; prints the access token
  /usr/bin/python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method=method)
    try: return json.load(urllib.request.urlopen(req, timeout=10))
    except urllib.error.HTTPError as e: return json.load(e)
account = {"email": "bench@example.com", "password": "a long enough password"}
call("POST", "/auth/register", account)
token = call("POST", "/auth/login", account)["access_token"]
for i in range(30):
    call("POST", "/api/threads", {"title": f"thread {i}", "metadata": {"n": i}}, token)
print(token)
PY
}

run() {  # prints "rps p99_ms"; $1 path, $2.. extra wrk arguments
  local path=$1; shift
  wrk -t1 -c50 -d"${seconds}s" --latency "$@" "http://127.0.0.1:$port$path" | awk '
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad=$NF}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {if (bad) {print "non-2xx answers:", bad > "/dev/stderr"; exit 1}; print rps, p99}'
}

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
  read -r rps p99 < <(run /api/threads -H "Authorization: Bearer $tok")
  read -r floor floor_p99 < <(run /health/live)
  stop_netra
  awk -v b="$backend" -v a="$rps" -v p="$p99" -v f="$floor" -v fp="$floor_p99" 'BEGIN {
    printf "  %-8s /api/threads %.0f req/s p99 %.2f ms | /health/live %.0f req/s p99 %.2f ms | %.2f of the floor\n",
      b, a, p, f, fp, a / f }'
done
