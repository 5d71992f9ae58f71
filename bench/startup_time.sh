#!/usr/bin/env bash
# Time from exec to the first 200 on /health/ready (netra, embedded defaults) against nginx's
# time from exec to its first 200, median of 20 runs each, alternating: a first start (a fresh
# folder: the signing key is generated, the database made and migrated) and a restart (the key
# and the database of the start before are there).
#   bench/startup_time.sh [RUNS]
#   STARTUP_NETRA=path bench/startup_time.sh   another build of netra (a baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/nginx_baseline.sh
runs=${1:-20}
command -v nginx >/dev/null || { echo "needs nginx (apt-get install nginx-light)"; exit 2; }
cmake --preset release >/dev/null && cmake --build --preset release --target netra http_probe >/dev/null
probe=build/release/bench/http_probe
netra=$(realpath "${STARTUP_NETRA:-build/release/netra}")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
nginx_conf "$work/nginx" 18181
ours=(); again=(); theirs=()
start_netra() {
  (cd "$work" && NETRA_SERVER_PORT=18180 NETRA_SERVER_HOST=127.0.0.1 NETRA_LOG_FORMAT=json \
    "$OLDPWD/$probe" first-200 18180 /health/ready -- "$netra" serve 2>/dev/null)
}
for ((i = 0; i < runs; i++)); do
  rm -rf "$work/var"
  ours+=("$(start_netra)")
  again+=("$(start_netra)")
  theirs+=("$("$probe" first-200 18181 / -- "$(command -v nginx)" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>/dev/null)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m_ours=$(median "${ours[@]}"); m_again=$(median "${again[@]}"); m_theirs=$(median "${theirs[@]}")
echo "exec to first 200, median of $runs runs:"
echo "  netra /health/ready, first start: ${m_ours} ms"
echo "  netra /health/ready, restart    : ${m_again} ms"
echo "  nginx /                         : ${m_theirs} ms"
awk -v a="$m_ours" -v b="$m_theirs" 'BEGIN {printf "  first start / nginx : %.2f (target <= 1.2)\n", a / b}'
awk -v a="$m_again" -v b="$m_theirs" 'BEGIN {printf "  restart - nginx     : %.1f ms (target <= 10)\n", a - b}'
