#!/usr/bin/env bash
# What mcp_summary.sh compares, counted in instructions instead of timed: netra's user-space
# instructions per request for GET /api/workloads/summary and for tools/call get_spend_summary,
# under callgrind. On a shared 2-core host the rates of mcp_summary.sh move by a fifth from one
# minute to the next; these counts move by well under 1 %, so they show what a change to either
# path did. They leave out the kernel (about a quarter of a request's time here, the same for
# both), so their ratio sits below the rates' one: they locate costs, the target stays the rates'.
#   bench/mcp_instructions.sh [SECONDS (6)]   (needs valgrind and wrk)
# KEEP=/tmp/cg keeps each callgrind profile as /tmp/cg.route, .tool, .ping (for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-6}
source bench/callgrind_lib.sh  # and checks that valgrind and wrk are here
source bench/serve_lib.sh
build_release
port=18493
work=$(mktemp -d)
(cd "$work" && exec env NETRA_SERVER_PORT=$port NETRA_SERVER_HOST=127.0.0.1 \
  NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json \
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "$OLDPWD/build/release/netra" serve >"$work/log" 2>&1) &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break
  sleep 0.1
done
source bench/mcp_lib.sh
read -r token session < <(mcp_account)
mcp_lua "$work/mcp.lua" "$session"

echo "netra's user-space instructions per request under callgrind (wrk -t1 -c2 -d${seconds}s each)"
bearer=(-H "Authorization: Bearer $token")
read -r g_n g_i < <(callgrind_count route "http://127.0.0.1:$port/api/workloads/summary?group_by=model" "${bearer[@]}")
read -r m_n m_i < <(callgrind_count tool "http://127.0.0.1:$port/mcp" -s "$work/mcp.lua" "${bearer[@]}")
# The transport alone: the same headers and session, a ping instead of the tool.
sed 's/"method":"tools\/call".*/"method":"ping"}'"'"'/' "$work/mcp.lua" > "$work/ping.lua"
read -r p_n p_i < <(callgrind_count ping "http://127.0.0.1:$port/mcp" -s "$work/ping.lua" "${bearer[@]}")
printf '  GET /api/workloads/summary: %6d instructions (%d requests)\n' "$g_i" "$g_n"
printf '  MCP get_spend_summary:      %6d instructions (%d requests) | the tool adds %d, ratio %.2f\n' \
  "$m_i" "$m_n" $((m_i - g_i)) "$(echo "$g_i / $m_i" | bc -l)"
printf '  MCP ping (the transport):   %6d instructions (%d requests)\n' "$p_i" "$p_n"
