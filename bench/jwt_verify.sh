#!/usr/bin/env bash
# JWT verifications per second on one core (ours) beside `openssl speed` for the same algorithm
# on this machine (the limit), and the ratio. Target: at least 0.8. For RS256 the signature check
# alone (nettle over Debian's GMP, no JWT work) is printed too: it is the ceiling of the first
# line, and by itself near 0.8 of OpenSSL (the README's notes on memory say why not OpenSSL).
#   bench/jwt_verify.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null && cmake --build --preset release --target jwt_benchmark >/dev/null
ours=$(build/release/bench/jwt_benchmark --benchmark_format=json 2>/dev/null |
  /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); [print(b["name"], b["verify_per_s"]) for b in d["benchmarks"]]')
rsa=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $NF}')
ed=$(openssl speed -seconds 3 ed25519 2>/dev/null | awk '/EdDSA \(Ed25519\)/ {print $NF}' | tail -1)
rs_ours=$(echo "$ours" | awk '/BM_VerifyRS256/ {print $2}')
rs_bare=$(echo "$ours" | awk '/BM_SignatureOnlyRS256/ {print $2}')
ed_ours=$(echo "$ours" | awk '/EdDSA/ {print $2}')
echo "JWT verifications per second, one core:"
awk -v o="$rs_ours" -v l="$rsa" 'BEGIN {printf "  RS256: ours %.0f/s, openssl speed rsa2048 verify %.0f/s, ratio %.2f\n", o, l, o / l}'
awk -v b="$rs_bare" -v o="$rs_ours" -v l="$rsa" 'BEGIN {printf "         the signature check alone (nettle, GMP): %.0f/s, ratio %.2f; the JWT work around it: %.0f%% of a verification\n", b, b / l, 100 * (1 - o / b)}'
awk -v o="$ed_ours" -v l="$ed" 'BEGIN {printf "  EdDSA: ours %.0f/s, openssl speed ed25519 verify %.0f/s, ratio %.2f\n", o, l, o / l}'
echo "$ours" | awk '/Cached/ {printf "  RS256 token seen before (verified-token cache): %.0f/s (target > 500000)\n", $2}'
