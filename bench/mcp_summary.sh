#!/usr/bin/env bash
# MCP's tools/call get_spend_summary beside GET /api/workloads/summary for the same caller and
# data, wrk -t1 -c16, rounds alternating, against a release `netra serve` on its embedded defaults
# (SQLite, access log off). The tool is the route called in process (net/route_call), so the two
# differ by what MCP adds: reading the JSON-RPC message and wrapping the route's answer as a tool
# result. Both read the same summary cache (30 s). Target: tool >= 0.8x route.
#   bench/mcp_summary.sh [SECONDS (10)] [ROUNDS (2)]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
seconds=${1:-10}; rounds=${2:-2}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
source bench/serve_lib.sh
port=18491
serve_release

source bench/mcp_lib.sh
read -r token session < <(mcp_account)
mcp_lua "$work/mcp.lua" "$session"
run() {  # prints "rps p99_ms"; $1 url, $2 extra wrk arguments
  wrk -t1 -c16 -d"${seconds}s" --latency $2 -H "Authorization: Bearer $token" "$1" | wrk_rps_p99
}
# The same answer both ways (the tool's structured content is the route's body).
route_body=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/workloads/summary?group_by=model")
tool_body=$(curl -sf -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -H "Accept: application/json, text/event-stream" -H "Mcp-Session-Id: $session" \
  -d "$mcp_body" \
  "http://127.0.0.1:$port/mcp")
/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); t=json.loads(sys.argv[2])["result"]["structuredContent"]; assert r["groups"]==t["groups"] and len(r["groups"])==4, (r,t)' "$route_body" "$tool_body"

echo "wrk -t1 -c16 -d${seconds}s, a summary of 2,000 events in 4 models, embedded SQLite"
for ((r = 1; r <= rounds; r++)); do
  read -r g_rps g_p99 < <(run "http://127.0.0.1:$port/api/workloads/summary?group_by=model" "")
  read -r m_rps m_p99 < <(run "http://127.0.0.1:$port/mcp" "-s $work/mcp.lua")
  printf '  round %d: GET /api/workloads/summary %8.0f req/s p99 %6.2f ms | MCP get_spend_summary %8.0f req/s p99 %6.2f ms | %.2fx\n' \
    "$r" "$g_rps" "$g_p99" "$m_rps" "$m_p99" "$(echo "$m_rps / $g_rps" | bc -l)"
done
