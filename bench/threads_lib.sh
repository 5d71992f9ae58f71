# What the GET /api/threads benches share: their set-up (netra, a throwaway PostgreSQL), an account
# with 30 threads, and one wrk run.
# Source it from the repository's root; run() needs $port (the server) and $seconds (each wrk run).
source "$(dirname "${BASH_SOURCE[0]}")/wrk_lib.sh"

threads_netra() {  # the netra to measure: $THREADS_NETRA (a baseline build), else the release one built now
  if [[ -z ${THREADS_NETRA:-} ]]; then
    cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
  fi
  realpath "${THREADS_NETRA:-build/release/netra}"
}

threads_setup() {  # $1: netra's port. Sets netra, port, work (a scratch folder), TEST_POSTGRES_*
  # (a throwaway PostgreSQL cluster) and pid (netra's, once started); on exit all are stopped.
  netra=$(threads_netra)
  port=$1
  work=$(mktemp -d)
  eval "$(scripts/postgres-test-server)"
  pid=""
  trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres-test-server stop "$TEST_POSTGRES_DIR"; rm -rf "$work"' EXIT
}

token() {  # registers, logs in, creates 30 threads; prints the access token
  /usr/bin/python3 - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method=method)
    try: return json.load(urllib.request.urlopen(req, timeout=10))
    except urllib.error.HTTPError as e: return json.load(e)
account = {"email": "bench@example.com", "password": "a long enough password"}
call("POST", "/auth/register", account)
token = call("POST", "/auth/login", account)["access_token"]
for i in range(30):
    call("POST", "/api/threads", {"title": f"thread {i}", "metadata": {"n": i}}, token)
print(token)
PY
}

run() {  # prints "rps p99_ms"; $1 path, $2.. extra wrk arguments
  local path=$1; shift
  wrk -t1 -c50 -d"${seconds}s" --latency "$@" "http://127.0.0.1:$port$path" | wrk_rps_p99
}

