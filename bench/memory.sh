#!/usr/bin/env bash
# Resident memory of netra (embedded defaults) after start-up, beside nginx (one worker, the
# baseline of the HTTP benches), and while 1,000 idle keep-alive connections are held open.
# Each figure is split into anonymous memory (the heap, stacks: what the process itself uses)
# and file-backed pages (the mapped binary and libraries: page cache, shared, and larger the
# bigger the binary and the kernel's fault-around and folio sizes are).
#   bench/memory.sh [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-1000}
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n 4096
work=$(mktemp -d)
(cd "$work" && NETRA_SERVER_PORT=18380 NETRA_SERVER_HOST=127.0.0.1 NETRA_SERVER_ACCESS_LOG=false \
  NETRA_SERVER_MAX_CONNECTIONS_PER_ADDRESS=100000 \
  NETRA_LOG_FORMAT=json exec "$OLDPWD/build/release/netra" serve 2>/dev/null) &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18380/health/ready >/dev/null && break; sleep 0.05; done
split() { awk '/VmRSS|RssAnon|RssFile/ {printf "%s %s kB  ", $1, $2}' "/proc/$1/status"; }
sleep 2  # the pool threads give their allocation caches back after a second idle
echo "netra resident memory after start-up: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
echo "  netra:                $(split $pid)"
# Of the file-backed part, the pages of netra's own binary: what src/netra.text-order (the release
# link's layout, scripts/text-order) keeps small; it grows when start-up runs code not in it.
binary=$(readlink /proc/$pid/exe)
echo "  of it netra's binary: $(awk -v b="$binary" '/^[0-9a-f]+-/ {x = ($6 == b)} x && /^Rss:/ {s += $2} END {print s}' /proc/$pid/smaps) kB"
source bench/nginx_baseline.sh
nginx_dir=$work/nginx
nginx_conf "$nginx_dir" 18381
nginx -p "$nginx_dir" -c "$nginx_dir/nginx.conf" &
for _ in $(seq 100); do curl -sf http://127.0.0.1:18381/ >/dev/null && break; sleep 0.05; done
for nginx_pid in $(pgrep -P "$(cat "$nginx_dir/nginx.pid")") "$(cat "$nginx_dir/nginx.pid")"; do
  echo "  nginx $(tr '\0' ' ' </proc/$nginx_pid/cmdline | cut -c8-21): $(split "$nginx_pid")"
done
kill "$(cat "$nginx_dir/nginx.pid")"
build/release/bench/http_probe hold 18380 /health/live "$connections" $pid
