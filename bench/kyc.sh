#!/usr/bin/env bash
# KYC-VS signed status answers per second and p99, the OTP step excluded (target >= 10,000/s).
# Populates a fresh vault through the real lockerd (1,000 citizens, each with a signed VACER
# certificate pushed over HTTP), then measures in-process what `confirm` does after the OTP
# check: keyed lookup, open the sealed claims, match the name, sign an Ed25519 compact JWS.
#   usage: bench/kyc.sh [SECONDS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
scripts/install-deps test >/dev/null
if [ -z "${LOCKERD:-}" ] || [ -z "${LOCKER_CLI:-}" ] || [ -z "${LOCKER_BENCH:-}" ]; then   # all three given: no build
  echo "building (release)..." >&2
  swift build -c release --product lockerd >&2
  swift build -c release --product locker >&2
  swift build -c release --product locker-bench >&2
  LOCKERD="$PWD/.build/release/lockerd" LOCKER_CLI="$PWD/.build/release/locker" LOCKER_BENCH="$PWD/.build/release/locker-bench"
fi
export LOCKER_CLI
work=$(mktemp -d /tmp/locker-kyc-bench.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$LOCKERD" --port "$port" --storage "$work/Storage" --log-level warning &
pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
PYTHONPATH=e2e python3 - "$port" "$work" <<'PY'
import os, random, sys, concurrent.futures as cf
import locker_client as lc
port, work = sys.argv[1], sys.argv[2]
base, storage = f"http://127.0.0.1:{port}", os.path.join(work, "Storage")
key, pem = lc.make_issuer_key()
open(os.path.join(work, "issuer.pub"), "wb").write(pem)
api = lc.register_issuer(os.environ["LOCKER_CLI"], storage, "in.gov.cowin", "CoWIN", os.path.join(work, "issuer.pub"))
rng = random.Random(7)
people = []
for i in range(1000):
    doses = rng.choice([0, 1, 2])
    people.append((f"+9197{i:08d}", f"Person {i} Kumar", doses, 0 if doses == 0 else (1 if doses == 1 else 2)))
def push(p):
    body, ctype = lc.build_push(key, p[0], "VACER", f"B{p[0][1:]}", "2026-11-01", lc.vacer_claims(p[1], p[2]), lc.json_credential(4096, p[1]), "application/json")
    r = lc.push(base, api, body, ctype)
    assert r.status_code == 201, r.text
with cf.ThreadPoolExecutor(8) as ex:
    list(ex.map(push, people))
with open(os.path.join(work, "people.tsv"), "w") as f:
    for p in people:
        f.write(f"{p[0]}\t{p[1]}\t{p[3]}\n")
print(f"pushed {len(people)} certificates", file=sys.stderr)
PY
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
cp -r "$work" /tmp/kyc-last 2>/dev/null || true
mkdir -p bench/results
out="bench/results/kyc-$(date -u +%Y%m%dT%H%M%SZ).txt"
result=$("$LOCKER_BENCH" status --storage "$work/Storage" --people "$work/people.tsv" --seconds "$seconds" --tasks 2)
python3 - "$result" <<'PY' | tee "$out"
import json, sys, datetime, os
r = json.loads(sys.argv[1])
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
print(f"# KYC-VS status answers (OTP step excluded), {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} cores, {r['tasks']} tasks")
print(f"answers/s {r['perSecond']:.0f}   p50 {r['p50us']:.0f} us   p99 {r['p99us']:.0f} us   ({r['answers']} answers in {r['seconds']} s)")
print(f"ratio to target 10,000/s: {r['perSecond']/10000:.2f} ({'MET' if r['perSecond'] >= 10000 else 'MISSED'})")
PY
