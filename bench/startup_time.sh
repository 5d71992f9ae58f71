#!/usr/bin/env bash
# Time from exec to the first 200 on /health/ready (netra, embedded defaults) against nginx's
# time from exec to its first 200, median of 20 runs each, alternating.
#   bench/startup_time.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx_baseline.sh
runs=${1:-20}
command -v nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe >/dev/null
probe=build/release/bench/http_probe
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
nginx_conf "$work/nginx" 18181
ours=(); theirs=()
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/var"
  ours+=("$(cd "$work" && NETRA_SERVER_PORT=18180 NETRA_SERVER_HOST=127.0.0.1 NETRA_LOG_FORMAT=json \
    "$OLDPWD/$probe" first-200 18180 /health/ready -- "$OLDPWD/build/release/netra" serve 2>/dev/null)")
  theirs+=("$("$probe" first-200 18181 / -- "$(command -v nginx)" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>/dev/null)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m_ours=$(median "${ours[@]}"); m_theirs=$(median "${theirs[@]}")
echo "exec to first 200, median of $runs runs:"
echo "  netra /health/ready: ${m_ours} ms"
echo "  nginx /            : ${m_theirs} ms"
awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {printf "  ratio netra/nginx  : %.2f (target <= 1.2)\n", a / b}'
