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
for tool in valgrind callgrind_control wrk; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install valgrind wrk)"; exit 2; }
done
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

count() {  # $1 label, $2 url, $3 extra wrk arguments: prints "label: N requests, I instructions"
  local requests file instructions
  wrk -t1 -c2 -d2s $3 -H "Authorization: Bearer $token" "$2" >/dev/null  # caches warm
  callgrind_control -z $pid >/dev/null
  requests=$(wrk -t1 -c2 -d"${seconds}s" $3 -H "Authorization: Bearer $token" "$2" |
    awk '/requests in/ {print $1}')
  callgrind_control -d $pid >/dev/null
  sleep 1
  file=$(ls -t "$work"/callgrind.out.* | head -1)
  instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
  [[ -z ${KEEP:-} ]] || cp "$file" "$KEEP.$1"
  echo "$1 $requests $((instructions / requests))"
}
echo "netra's user-space instructions per request under callgrind (wrk -t1 -c2 -d${seconds}s each)"
read -r _ g_n g_i < <(count route "http://127.0.0.1:$port/api/workloads/summary?group_by=model" "")
read -r _ m_n m_i < <(count tool "http://127.0.0.1:$port/mcp" "-s $work/mcp.lua")
# The transport alone: the same headers and session, a ping instead of the tool.
sed 's/"method":"tools\/call".*/"method":"ping"}'"'"'/' "$work/mcp.lua" > "$work/ping.lua"
read -r _ p_n p_i < <(count ping "http://127.0.0.1:$port/mcp" "-s $work/ping.lua")
printf '  GET /api/workloads/summary: %6d instructions (%d requests)\n' "$g_i" "$g_n"
printf '  MCP get_spend_summary:      %6d instructions (%d requests) | the tool adds %d, ratio %.2f\n' \
  "$m_i" "$m_n" $((m_i - g_i)) "$(echo "$g_i / $m_i" | bc -l)"
printf '  MCP ping (the transport):   %6d instructions (%d requests)\n' "$p_i" "$p_n"
