#!/usr/bin/env bash
# Synthetic workload events written per second through a background job (issue 17), beside
# `netra demo-data` writing as many events inline, on the same database, rounds alternating.
#   - job: a release `netra serve` (embedded analytics, the database below); a user POSTs
#     /api/generation/synthetic {events, days 30, seed} and polls GET /api/jobs/{id} every 50 ms
#     until it succeeded; timed from the POST to the poll that saw it end (so the figure carries up
#     to 50 ms of polling, and the queue's pick-up).
#   - inline: `netra demo-data --events N --seed S` for another account, timed as a whole process
#     (start, migrations check, writing, exit).
# Both make the same demo workload (same generator, same batches of 10,000) and write through the
# embedded store's insert. Printed: events/s of each, per round and the median, and job / inline.
#   bench/synthetic_generation.sh [EVENTS (200000)] [ROUNDS (3)] [sqlite|postgres (sqlite)]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}; rounds=${2:-3}; backend=${3:-sqlite}
port=18640
cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
work=$(mktemp -d)
cp build/release/netra "$work/netra"
pid=""; TEST_POSTGRES_DIR=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [[ -z $pid ]] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [[ -z $TEST_POSTGRES_DIR ]] || scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
! curl -s -o /dev/null "http://127.0.0.1:$port/" || { echo "port $port is in use"; exit 1; }
if [[ $backend == postgres ]]; then
  servers=$(scripts/postgres-test-server); eval "$servers"
  database_url=$TEST_POSTGRES_URL
else
  database_url="sqlite:$work/netra.db"
fi
export NETRA_DATABASE_URL="$database_url" NETRA_AUTH_KEY_DIR="$work/keys" NETRA_LOG_LEVEL=warn

(cd "$work" && exec env NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 \
  NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json "$work/netra" serve) >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { cat "$work/log"; exit 1; }

/usr/bin/python3 - "$port" "$events" "$rounds" "$work" <<'EOF'
import json, statistics, subprocess, sys, time, urllib.request

port, events, rounds, work = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{port}"

def call(method, path, body=None, token=None, expect=200):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == expect, (path, answer.status)
        return json.load(answer)

credentials = {"email": "bench-job@example.com", "password": "a long enough password"}
call("POST", "/auth/register", credentials, expect=201)
token = call("POST", "/auth/login", credentials)["access_token"]

def through_job(seed):
    began = time.monotonic()
    job = call("POST", "/api/generation/synthetic", {"events": events, "days": 30, "seed": seed},
               token, expect=202)["job"]
    while True:
        job = call("GET", f"/api/jobs/{job['id']}", token=token)["job"]
        if job["state"] in ("succeeded", "failed", "dead", "cancelled"):
            break
        time.sleep(0.05)
    took = time.monotonic() - began
    assert job["state"] == "succeeded" and job["result"]["events"] == events, job
    return events / took

def inline(seed):
    began = time.monotonic()
    subprocess.run([f"{work}/netra", "demo-data", "--email", "bench-inline@example.com",
                    "--events", str(events), "--days", "30", "--seed", str(seed)],
                   cwd=work, check=True, capture_output=True, timeout=600)
    return events / (time.monotonic() - began)

job_rates, inline_rates = [], []
print(f"{events} synthetic events per round, {rounds} rounds alternating (events/s):")
for r in range(rounds):
    a = through_job(100 + r)
    b = inline(100 + r)
    job_rates.append(a)
    inline_rates.append(b)
    print(f"  round {r + 1}: job {a:9.0f} | demo-data inline {b:9.0f} | {a / b:.2f}x")
job, line = statistics.median(job_rates), statistics.median(inline_rates)
print(f"median: job {job:.0f} events/s | demo-data inline {line:.0f} events/s | "
      f"job / inline {job / line:.2f} (target >= 0.8)")
EOF
if grep -q '"level":"\(warning\|error\|critical\)"' "$work/log"; then
  echo "warnings in the server's log (the first 5):"
  grep '"level":"\(warning\|error\|critical\)"' "$work/log" | head -5
fi
