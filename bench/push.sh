#!/usr/bin/env bash
# Durable issuer pushes per second: wrk POSTs pre-generated, distinct, signed pushes (each a new
# document; 2,000 mobiles) to a release lockerd: 60,000 x 4 KB JSON credentials, then
# 5,000 x 100 KB PDFs, each with `wrk -t2 -c32 -d10s --latency` (a run that uses up its bodies
# reports the rate over the time they lasted). A 201 means the document is on
# disk (fsynced) before the answer. Prints pushes/s, p99 and 201 vs other answers per size
# (targets: >= 3000/s at 4 KB, >= 500/s at 100 KB); saves to bench/results/.
#   usage: bench/push.sh [SECONDS]   (default 10; BENCH_SMALL=60000, BENCH_LARGE=5000, BENCH_MOBILES=2000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
small="${BENCH_SMALL:-60000}"
large="${BENCH_LARGE:-5000}"
mobiles="${BENCH_MOBILES:-2000}"
threads=2

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk curl
bench_build

bench_work=$(mktemp -d /tmp/locker-bench-push-XXXXXX)
bench_start_lockerd
echo "lockerd on $lockerd_base; generating signed pushes..." >&2
python3 bench/bench_helpers.py make-pushes "$storage" "$LOCKER_CLI" "$bench_work" small "$small" 4096 "$mobiles" >/dev/null
api_key=$(python3 bench/bench_helpers.py make-pushes "$storage" "$LOCKER_CLI" "$bench_work" large "$large" 102400 "$mobiles")

run_wrk() { # run_wrk NAME
  echo "pushing $1 (up to ${seconds}s)..." >&2
  wrk -t"$threads" -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-push.lua "$lockerd_base" -- \
    "$bench_work/$1.bin" "$bench_work/$1.idx" "$api_key" "$threads" >"$bench_work/wrk-$1.txt" 2>&1
}
run_wrk small
run_wrk large

mkdir -p bench/results
out="bench/results/push-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  python3 bench/bench_helpers.py push-report "$seconds" "4 KB:3000:$bench_work/wrk-small.txt" "100 KB:500:$bench_work/wrk-large.txt"
  echo
  echo "## wrk output: 4 KB"; cat "$bench_work/wrk-small.txt"
  echo "## wrk output: 100 KB"; cat "$bench_work/wrk-large.txt"
} >"$out"
sed '/^## wrk output/,$d' "$out"
echo "saved $out" >&2
