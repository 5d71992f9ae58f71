#!/usr/bin/env bash
# Login latency with the default argon2id limits: POST /auth/login against a release `netra serve`
# (embedded SQLite, one client, sequential), beside the floor — one argon2id verification called
# directly (bench/argon2_baseline.cpp) — and the ratio of the medians.
#   bench/login_latency.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
cmake --preset release >/dev/null && cmake --build --preset release --target netra argon2_baseline >/dev/null
work=$(mktemp -d)
port=18280
(cd "$work" && NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 NETRA_LOG_FORMAT=json \
  NETRA_AUTH_LOGIN_LIMIT_PER_MINUTE=100000 exec "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.05; done
ours=$(/usr/bin/python3 - "$port" "$runs" <<'PY'
import http.client, json, sys, time
port, runs = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
account = json.dumps({"email": "bench@example.com", "password": "a long enough password"})
conn.request("POST", "/auth/register", account, {"Content-Type": "application/json"})
conn.getresponse().read()
ms = []
for _ in range(runs):
    start = time.perf_counter()
    conn.request("POST", "/auth/login", account, {"Content-Type": "application/json"})
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
    ms.append((time.perf_counter() - start) * 1000)
ms.sort()
print("%.2f %.2f" % (ms[len(ms) // 2], ms[min(len(ms) - 1, int(0.99 * len(ms)))]))
PY
)
floor=$(build/release/bench/argon2_baseline "$runs")
echo "login latency, default argon2id limits (interactive), $runs sequential logins:"
echo "  POST /auth/login  p50 / p99: $(echo "$ours" | awk '{print $1 " / " $2}') ms"
echo "  argon2id verify   p50 / p99: $(echo "$floor" | awk '{print $1 " / " $2}') ms (libsodium, direct)"
awk -v a="${ours%% *}" -v b="${floor%% *}" 'BEGIN {printf "  ratio of medians : %.2f\n", a / b}'
