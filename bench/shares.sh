#!/usr/bin/env bash
# Share redemptions per second and p99: status-scope grants (a signed statement) and 100 KB
# document-scope grants (decrypted and streamed). Every redemption is a durable write (use spent
# and audit entry, group-committed) before the answer leaves. Targets: status >= 10,000/s,
# p99 <= 5 ms. wrk -t2 -c32 shares the 2 cores with lockerd.
#   usage: bench/shares.sh [SECONDS]   (default 10)
#   LOCKER_BENCH_CONNECTIONS=N runs wrk with N connections instead of 32 (the latency curve).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
connections="${LOCKER_BENCH_CONNECTIONS:-32}"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk curl
bench_build
bench_work=$(mktemp -d /tmp/locker-bench-shares-XXXXXX)
bench_start_lockerd
echo "lockerd on $lockerd_base; making grants..." >&2
PYTHONPATH=e2e python3 - "$lockerd_base" "$storage" "$LOCKER_CLI" "$bench_work" <<'PY'
import os, sys, requests
import locker_client as lc
base, storage, cli, work = sys.argv[1:5]
key, pem = lc.make_issuer_key()
open(os.path.join(work, "issuer.pem"), "wb").write(pem)
api = lc.register_issuer(cli, storage, "in.gov.cowin", "CoWIN", os.path.join(work, "issuer.pem"))
body, ctype = lc.build_push(key, "+919877700000", "VACER", "SH1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), lc.fake_pdf(102400), "application/pdf")
doc = lc.push(base, api, body, ctype).json()["id"]
session = lc.sign_in(base, storage, "+919877700000")
for scope in ("status", "document"):
    with open(os.path.join(work, f"tokens-{scope}.txt"), "w") as f:
        for i in range(200):  # 200 grants x 1,000 uses: more than 10 s can spend at the target
            r = requests.post(f"{base}/v1/documents/{doc}/shares", json={"label": f"bench {i}", "scope": scope, "maxUses": 1000,
                              "expiresInSeconds": 3600}, headers=lc.bearer(session), timeout=10)
            assert r.status_code == 201, r.text
            f.write(r.json()["token"] + "\n")
PY
mkdir -p bench/results
out="bench/results/shares-$(date -u +%Y%m%dT%H%M%SZ).txt"
for scope in status document; do
  echo "warming up $scope (2 s)..." >&2
  wrk -t2 -c"$connections" -d2s -s bench/wrk-redeem.lua "$lockerd_base" -- "$bench_work/tokens-$scope.txt" >/dev/null
  echo "measuring $scope (${seconds}s)..." >&2
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/wrk-redeem.lua "$lockerd_base" -- "$bench_work/tokens-$scope.txt" >"$bench_work/wrk-$scope.txt"
done
python3 - "$bench_work" "$connections" <<'PY' | tee "$out"
import sys, re, os
sys.path.insert(0, "bench")
import bench_helpers as bh
work = sys.argv[1]
print(f"# share redemption benchmark, {bh.header()}")
print(f"# wrk -t2 -c{sys.argv[2]} --latency, POST /v1/shares/redeem round robin over 200 grants; each a durable use + audit entry")
print(f"{'scope':<16}{'redeems/s':>10}{'p99 ms':>9}{'ok':>9}{'other':>7}  target")
for scope, label in (("status", "status"), ("document", "document 100KB")):
    r = bh.parse_wrk(os.path.join(work, f"wrk-{scope}.txt"))
    text = open(os.path.join(work, f"wrk-{scope}.txt")).read()
    m = re.search(r"redeem-ok (\d+) redeem-other (\d+)", text)
    ok, other = (int(m.group(1)), int(m.group(2))) if m else (r["requests"] - r["non2xx"], r["non2xx"])
    target = ""
    if scope == "status":
        target = f">= 10,000/s: {r['rps']/10000:.2f}x ({'MET' if r['rps'] >= 10000 else 'MISSED'}); p99 <= 5 ms: {'MET' if r['p99'] <= 5 else 'MISSED'}"
    print(f"{label:<16}{r['rps']:>10.0f}{r['p99']:>9.2f}{ok:>9}{other:>7}  {target}")
PY
echo "saved $out" >&2
