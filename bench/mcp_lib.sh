# What the MCP benches share, against a netra on $port: an account with a week of calls of four
# models, its token and an MCP session (mcp_account prints "token session"), and the wrk script
# that calls tools/call get_spend_summary in that session (mcp_lua FILE SESSION).
# Source it from the repository's root.

mcp_account() {
  /usr/bin/python3 - "$port" <<'PY'
import json, sys, time, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body, token=None, headers=None):
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token: all_headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), all_headers, method=method)
    answer = urllib.request.urlopen(req, timeout=10)
    return json.load(answer), answer.headers
account = {"email": "bench@example.com", "password": "a long enough password"}
call("POST", "/auth/register", account)
token = call("POST", "/auth/login", account)[0]["access_token"]
now = int(time.time() * 1000)
models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "claude-3-5-haiku"]
events = [{"timestamp": now - (i * 7 * 86_400_000) // 2000 - 60_000, "workload_id": f"w{i % 5}",
           "provider": "anthropic" if "claude" in models[i % 4] else "openai",
           "model": models[i % 4], "input_tokens": 900 + i % 50, "output_tokens": 120,
           "latency_ms": 400 + i % 300, "cost_usd": 0.0002, "status": "ok"} for i in range(2000)]
call("POST", "/api/workloads/events", events, token)
_, headers = call("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                   "params": {"protocolVersion": "2025-11-25"}}, token,
                  {"Accept": "application/json, text/event-stream"})
print(token, headers["Mcp-Session-Id"])
PY
}

mcp_body='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_spend_summary","arguments":{"group_by":"model"}}}'

mcp_lua() {  # $1 the file to write, $2 the session
  cat > "$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = "$2"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '$mcp_body'
LUA
}
