# What the *_instructions.sh benches share: netra's user-space instructions per request, counted
# by callgrind while wrk drives one path. Source it from the repository's root (it stops the bench
# unless valgrind and wrk are installed); call callgrind_count once `valgrind --tool=callgrind
# --callgrind-out-file=$work/callgrind.out netra serve` runs as $pid, with $seconds set.
#
# callgrind_count LABEL URL [WRK ARGUMENTS...]: warms the path for 2 s, zeroes the counters, runs
#   wrk -t1 -c2 for $seconds, dumps; prints "REQUESTS INSTRUCTIONS-PER-REQUEST". KEEP=/tmp/cg keeps
#   the profile as /tmp/cg.LABEL (for callgrind_annotate).
for tool in valgrind callgrind_control wrk; do
  command -v $tool >/dev/null || { echo "needs $tool (apt-get install valgrind wrk)"; exit 2; }
done

callgrind_count() {
  local label=$1 url=$2 requests file instructions
  shift 2
  wrk -t1 -c2 -d2s "$@" "$url" >/dev/null  # caches warm
  callgrind_control -z "$pid" >/dev/null
  requests=$(wrk -t1 -c2 -d"${seconds}s" "$@" "$url" | awk '/requests in/ {print $1}')
  callgrind_control -d "$pid" >/dev/null
  sleep 1
  file=$(ls -t "$work"/callgrind.out.* | head -1)
  instructions=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
  [[ -z ${KEEP:-} ]] || cp "$file" "$KEEP.$label"
  echo "$requests $((instructions / requests))"
}
