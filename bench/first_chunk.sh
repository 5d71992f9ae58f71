#!/usr/bin/env bash
# Time from start_agent to the first agent_response_chunk of the report (the answer begins to
# arrive) beside the time to agent_started (the floor: the request reached the supervisor) and to
# agent_completed, over RUNS sequential runs on one socket, against a release `netra serve` on
# its embedded defaults (SQLite) with `netra demo-data` for the user (14 days, 3,000 events).
# Target (issue 19): first chunk p50 < 100 ms on SQLite.
#   bench/first_chunk.sh [RUNS (30)]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
source bench/serve_lib.sh
port=18495
serve_release
token=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "bench"); import ws_bench; print(ws_bench.login(int(sys.argv[1])))' "$port")
(cd "$work/run" && "$OLDPWD/build/release/netra" demo-data --email bench@example.com --days 14 \
  --events 3000 >/dev/null 2>&1)
/usr/bin/python3 - "$port" "$token" "$runs" <<'PY'
import asyncio, json, statistics, sys, time
import websockets
port, token, runs = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
async def main():
    marks = {"agent_started": [], "agent_response_chunk": [], "agent_completed": []}
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", ping_interval=None,
                                  extra_headers={"Authorization": "Bearer " + token}) as ws:
        json.loads(await ws.recv())  # connection_established
        for i in range(runs + 2):  # two warm-up runs, not counted
            began = time.perf_counter()
            await ws.send(json.dumps({"type": "start_agent", "payload": {
                "user_request": "How can I cut my LLM costs over the last 14 days?"}}))
            seen = {}
            while "agent_completed" not in seen:
                message = json.loads(await asyncio.wait_for(ws.recv(), 60))
                kind = message.get("type")
                if kind == "agent_error":
                    raise SystemExit(f"run failed: {message}")
                if kind in marks and kind not in seen:
                    seen[kind] = (time.perf_counter() - began) * 1000
            if i >= 2:
                for kind, ms in seen.items():
                    marks[kind].append(ms)
    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]
    print(f"start_agent to ..., {runs} runs on one socket, embedded SQLite, demo data")
    for kind, values in marks.items():
        print(f"  {kind:22s} p50 {statistics.median(values):7.1f} ms  p99 {pct(values, 0.99):7.1f} ms")
    first, floor = statistics.median(marks["agent_response_chunk"]), statistics.median(marks["agent_started"])
    print(f"  first chunk p50 {first:.1f} ms (target < 100), {first / floor:.1f}x the time to agent_started")
asyncio.run(main())
PY
