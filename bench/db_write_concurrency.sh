#!/usr/bin/env bash
# Messages stored per second by POST /api/threads/{id}/messages at 1, 4, 16 and 64 concurrent
# writers (wrk -t2 -cN, one keep-alive connection per writer) across 10 accounts and 20 threads,
# against a release `netra serve` on the embedded SQLite file and on PostgreSQL (a throwaway
# cluster from scripts/postgres-test-server), side by side in one run. Every answer must be 201;
# the figure is the messages the database holds afterwards, per second of load. Target: SQLite at
# 64 writers at least 0.9x its figure at 4.
#   bench/db_write_concurrency.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
port=18481
eval "$(scripts/postgres-test-server)"
pid=""
trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT

start_netra() {  # $1: database URL ("" for the embedded SQLite file)
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
    NETRA_LOG_FORMAT=json NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 NETRA_AUTH_REGISTER_LIMIT_PER_MINUTE=100000 DISABLED_COMPONENTS=agent_supervisor \
    exec env ${1:+NETRA_DATABASE_URL=$1} "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return; sleep 0.05; done
  echo "netra did not become ready"; cat "$work/log"; exit 1
}
stop_netra() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

# 10 accounts with 2 threads each; writes the wrk script (each request goes to the next thread
# with its owner's token) and prints nothing.
prepare() {
  /usr/bin/python3 - "$port" "$work/post.lua" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method=method)
    return json.load(urllib.request.urlopen(req, timeout=30))
targets = []
for u in range(10):
    account = {"email": f"writer{u}@example.com", "password": "a long enough password"}
    call("POST", "/auth/register", account)
    token = call("POST", "/auth/login", account)["access_token"]
    for t in range(2):
        targets.append((call("POST", "/api/threads", {"title": f"load {t}"}, token)["id"], token))
with open(sys.argv[2], "w") as f:
    f.write("local targets = {\n")
    for thread, token in targets:
        f.write(f'  {{"/api/threads/{thread}/messages", "Bearer {token}"}},\n')
    f.write("}\nlocal n = 0\nlocal body = '{\"message\":\"a message written under load\"}'\n")
    f.write("function request()\n  n = n + 1\n  local t = targets[(n % #targets) + 1]\n"
            "  return wrk.format('POST', t[1], {['Content-Type'] = 'application/json', "
            "['Authorization'] = t[2]}, body)\nend\n")
with open(sys.argv[2] + ".targets", "w") as f:
    json.dump(targets, f)
PY
}

stored() {  # messages held in all 20 threads
  /usr/bin/python3 - "$port" "$work/post.lua.targets" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
total = 0
for thread, token in json.load(open(sys.argv[2])):
    req = urllib.request.Request(f"{base}/api/threads/{thread}/messages?limit=1",
                                 headers={"Authorization": "Bearer " + token})
    total += json.load(urllib.request.urlopen(req, timeout=30))["total"]
print(total)
PY
}

load() {  # $1 writers; prints "non2xx p99_ms"
  local threads=2
  (($1 < 2)) && threads=1
  wrk -t"$threads" -c"$1" -d"${seconds}s" --timeout 10s --latency -s "$work/post.lua" \
    "http://127.0.0.1:$port" | awk '
    /Non-2xx/ {bad=$NF}
    /Socket errors/ {errors=$0}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {if (errors) print errors > "/dev/stderr"; print (bad ? bad : 0), p99}'
}

echo "POST /api/threads/{id}/messages, 10 accounts x 2 threads, ${seconds} s per point (wrk --latency)"
declare -A figure
for backend in sqlite postgres; do
  url=""
  [[ $backend == postgres ]] && url=$TEST_POSTGRES_URL
  start_netra "$url"
  prepare
  for writers in 1 4 16 64; do
    before=$(stored)
    read -r bad p99 < <(load "$writers")
    after=$(stored)
    rate=$(awk -v a="$after" -v b="$before" -v s="$seconds" 'BEGIN {printf "%.0f", (a - b) / s}')
    figure[$backend.$writers]=$rate
    printf "  %-8s %2d writers: %6d messages/s stored, p99 %8.2f ms, non-2xx %s\n" \
      "$backend" "$writers" "$rate" "$p99" "$bad"
  done
  stop_netra
done
awk -v s4="${figure[sqlite.4]}" -v s64="${figure[sqlite.64]}" -v p4="${figure[postgres.4]}" \
  -v p64="${figure[postgres.64]}" 'BEGIN {
  printf "SQLite 64 writers / 4 writers: %.2f (target >= 0.90); PostgreSQL: %.2f\n", s64 / s4, p64 / p4 }'
