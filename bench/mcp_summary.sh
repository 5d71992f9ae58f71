#!/usr/bin/env bash
# MCP's tools/call get_spend_summary beside GET /api/workloads/summary for the same caller and
# data, wrk -t1 -c16, in short rounds whose order alternates, against a release `netra serve` on
# its embedded defaults (SQLite, access log off). The tool reads through the route's own reader
# (api::SummaryReader), so the two differ by what MCP adds: its headers, reading the JSON-RPC
# message and wrapping the route's answer as a tool result. Both read the same summary cache
# (30 s). Target: tool >= 0.8x route, over all rounds.
# On a shared host one 10 s run of either moves by a fifth from one minute to the next: many short
# rounds, each side first in half of them, and the ratio of the sums are what hold still; netra's
# CPU time per request, beside each rate, is the capacity the rate shows minus the host's noise.
#   bench/mcp_summary.sh [SECONDS (5)] [ROUNDS (8; even, so that each goes first as often)]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/wrk_lib.sh
seconds=${1:-5}; rounds=${2:-8}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 2; }
source bench/serve_lib.sh
port=18491
serve_release

source bench/mcp_lib.sh
read -r token session < <(mcp_account)
mcp_lua "$work/mcp.lua" "$session"
# netra's CPU time (user and system, all threads) so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
run() {  # prints "rps p99_ms cpu_us_per_request"; $1 url, $2 extra wrk arguments
  local before after rps p99
  before=$(cpu_ticks)
  read -r rps p99 < <(wrk -t1 -c16 -d"${seconds}s" --latency $2 -H "Authorization: Bearer $token" \
    "$1" | wrk_rps_p99)
  after=$(cpu_ticks)
  echo "$rps $p99 $(echo "($after - $before) * 1000000 / $(getconf CLK_TCK) / ($rps * $seconds)" | bc -l)"
}
# The same answer both ways (the tool's structured content is the route's body).
route_body=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/workloads/summary?group_by=model")
tool_body=$(curl -sf -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -H "Accept: application/json, text/event-stream" -H "Mcp-Session-Id: $session" \
  -d "$mcp_body" \
  "http://127.0.0.1:$port/mcp")
/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); t=json.loads(sys.argv[2])["result"]["structuredContent"]; assert r["groups"]==t["groups"] and len(r["groups"])==4, (r,t)' "$route_body" "$tool_body"

echo "wrk -t1 -c16 -d${seconds}s, a summary of 2,000 events in 4 models, embedded SQLite"
g_sum=0; m_sum=0; g_cpu=0; m_cpu=0
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then
    read -r g_rps g_p99 g_us < <(run "http://127.0.0.1:$port/api/workloads/summary?group_by=model" "")
    read -r m_rps m_p99 m_us < <(run "http://127.0.0.1:$port/mcp" "-s $work/mcp.lua")
  else
    read -r m_rps m_p99 m_us < <(run "http://127.0.0.1:$port/mcp" "-s $work/mcp.lua")
    read -r g_rps g_p99 g_us < <(run "http://127.0.0.1:$port/api/workloads/summary?group_by=model" "")
  fi
  printf '  round %d: GET /api/workloads/summary %6.0f req/s p99 %5.2f ms %4.1f us CPU | MCP get_spend_summary %6.0f req/s p99 %5.2f ms %4.1f us CPU | %.2fx\n' \
    "$r" "$g_rps" "$g_p99" "$g_us" "$m_rps" "$m_p99" "$m_us" "$(echo "$m_rps / $g_rps" | bc -l)"
  g_sum=$(echo "$g_sum + $g_rps" | bc -l); m_sum=$(echo "$m_sum + $m_rps" | bc -l)
  g_cpu=$(echo "$g_cpu + $g_us" | bc -l); m_cpu=$(echo "$m_cpu + $m_us" | bc -l)
done
printf '  all %d rounds: MCP get_spend_summary %.2fx GET /api/workloads/summary in requests per second\n' \
  "$rounds" "$(echo "$m_sum / $g_sum" | bc -l)"
# The server is the bottleneck here (its event loop runs at 100 %, wrk at about half a core), so
# its CPU time per request is what bounds each rate, and unlike the rates it does not count time
# the host gave to others.
printf '  all %d rounds: MCP get_spend_summary %.2fx GET /api/workloads/summary in netra CPU time per request\n' \
  "$rounds" "$(echo "$g_cpu / $m_cpu" | bc -l)"
