# A release `netra serve` for a bench, on the embedded defaults, on $port with the access log off
# (and any NAME=value settings given). Source it from the repository's root after setting $port.
#
# serve_release [NAME=value...]: builds, starts one server for the whole bench in a scratch folder
#   ($work; its log is $work/log), ready before this returns, stopped and removed on exit.
# build_release; start_release / stop_release [NAME=value...]: for a bench that restarts the
#   server between configurations — a fresh database each time, in $work/run ($work is the
#   caller's, as is its cleanup).

build_release() {
  cmake --preset release >/dev/null && cmake --build --preset release --target netra >/dev/null
}

start_release() {
  rm -rf "$work/run" && mkdir -p "$work/run"
  (cd "$work/run" && exec env NETRA_SERVER_PORT="$port" NETRA_SERVER_HOST=127.0.0.1 \
    NETRA_SERVER_ACCESS_LOG=false NETRA_LOG_FORMAT=json "$@" "$OLDPWD/build/release/netra" serve \
    >"$work/log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return 0
    sleep 0.05
  done
  echo "netra did not become ready; its log:" >&2
  cat "$work/log" >&2
  exit 1
}

stop_release() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}

serve_release() {
  build_release
  work=$(mktemp -d)
  pid=""
  trap '[[ -z $pid ]] || kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  start_release "$@"
}
