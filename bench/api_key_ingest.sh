#!/usr/bin/env bash
# POST /api/workloads/events with an API key (scope ingest) beside the same with an access token,
# wrk -t1 -c16, rounds alternating, against a release `netra serve` on its embedded defaults
# (SQLite, access log off; the ingest and key rate limits raised out of the way). A key costs a
# lookup by its hash in the database per request; a token a signature check (cached once seen).
# Batches of 1 event (where that cost shows most) and of 100. Target: key >= 0.95x token.
#   bench/api_key_ingest.sh [SECONDS (10)] [ROUNDS (2; even, so that each goes first as often)]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
seconds=${1:-10}; rounds=${2:-2}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
source bench/serve_lib.sh
port=18490
serve_release NETRA_ANALYTICS_INGEST_EVENTS_PER_SECOND=100000000 \
  NETRA_ANALYTICS_INGEST_BURST_EVENTS=100000000 NETRA_AUTH_API_KEY_REQUESTS_PER_MINUTE=10000000

# An account, its access token and an ingest key; the event batches as files.
read -r token key < <(/usr/bin/python3 - "$port" "$work" <<'PY'
import json, sys, time, urllib.request
base, work = f"http://127.0.0.1:{sys.argv[1]}", sys.argv[2]
def call(method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method=method)
    return json.load(urllib.request.urlopen(req, timeout=10))
account = {"email": "bench@example.com", "password": "a long enough password"}
call("POST", "/auth/register", account)
token = call("POST", "/auth/login", account)["access_token"]
key = call("POST", "/api/keys", {"name": "bench", "scopes": ["ingest"]}, token)["key"]["key"]
now = int(time.time() * 1000)
for size in (1, 100):
    events = [{"timestamp": now - 3_600_000 + i, "workload_id": "support-chat", "provider": "openai",
               "model": "gpt-4o-mini", "input_tokens": 900 + i % 50, "output_tokens": 120,
               "latency_ms": 400 + i % 300, "cost_usd": 0.0002} for i in range(size)]
    with open(f"{work}/batch{size}.json", "w") as f: json.dump(events, f)
print(token, key)
PY
)

run() {  # prints "rps p99_ms"; $1 credential, $2 batch size
  cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/batch$2.json"); wrk.body = f:read("*a"); f:close()
LUA
  wrk -t1 -c16 -d"${seconds}s" --latency -s "$work/post.lua" -H "Authorization: Bearer $1" \
    "http://127.0.0.1:$port/api/workloads/events" | wrk_rps_p99
}

echo "wrk -t1 -c16 -d${seconds}s, POST /api/workloads/events, embedded SQLite"
for size in 1 100; do
  t_sum=0; k_sum=0
  # One run left out of the count first: the tables grow fastest from empty (100-event batches: 96
  # req/s in the first measured run, 65-73 in the seven after it), so without it round 1's first
  # side got the emptiest tables and the alternation could not even that out.
  run "$token" "$size" >/dev/null
  for ((r = 1; r <= rounds; r++)); do
    # Which goes first alternates: each run adds its events to the same SQLite tables, and a
    # run on bigger tables is slower (100-event batches: about a tenth by the second run), so a
    # fixed order counted that growth against whichever went second.
    if ((r % 2 == 1)); then
      read -r t_rps t_p99 < <(run "$token" "$size")
      read -r k_rps k_p99 < <(run "$key" "$size")
    else
      read -r k_rps k_p99 < <(run "$key" "$size")
      read -r t_rps t_p99 < <(run "$token" "$size")
    fi
    printf '  %3d-event batches, round %d: access token %8.0f req/s p99 %6.2f ms | API key %8.0f req/s p99 %6.2f ms | %.2fx\n' \
      "$size" "$r" "$t_rps" "$t_p99" "$k_rps" "$k_p99" "$(echo "$k_rps / $t_rps" | bc -l)"
    t_sum=$(echo "$t_sum + $t_rps" | bc -l); k_sum=$(echo "$k_sum + $k_rps" | bc -l)
  done
  printf '  %3d-event batches, all %d rounds: API key %.2fx the access token\n' "$size" "$rounds" \
    "$(echo "$k_sum / $t_sum" | bc -l)"
done
