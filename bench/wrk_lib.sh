# wrk's report as "rps p99_ms", for the benches that compare wrk runs: pipe `wrk --latency` into
# wrk_rps_p99. Any non-2xx answer fails the run (a bench of refusals measures nothing).
wrk_rps_p99() {
  awk '
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad=$NF}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {if (bad) {print "non-2xx answers:", bad > "/dev/stderr"; exit 1}; print rps, p99}'
}
