#!/usr/bin/env bash
# KEK rotation at scale, in one run on this machine:
#   1. `locker keys rotate` over 1,000,000 citizens' data keys, lockerd running idle beside it
#      (target <= 10 s);
#   2. owner downloads (wrk -t2 -c32, random 100 KB documents among 1,000) for S seconds before
#      any rotation, then for S seconds while `locker keys rotate` runs back to back (each one
#      rewraps all 1,000,000 keys again): the during/before req/s ratio (target >= 0.8, 0 errors).
# Prints the figures; saves them to bench/results/.
#   usage: bench/rotation.sh [SECONDS]   (default 10; BENCH_CITIZENS=1000000, BENCH_DOCS=1000)
#   BENCH_ROTATE_ARGS   flags for the rotations during phase 2 (default: --threads 1 --batch-size 256 --max-rate 20000)
#   BENCH_ROTATE_NICE   niceness of those rotations (default 0; paced by --max-rate instead)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
citizens="${BENCH_CITIZENS:-1000000}"
docs="${BENCH_DOCS:-1000}"
rotate_args="${BENCH_ROTATE_ARGS:---threads 1 --batch-size 256 --max-rate 20000}"
rotate_nice="${BENCH_ROTATE_NICE:-0}"

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk curl
bench_build
if [ -z "${LOCKER_BENCH:-}" ]; then
  swift build -c release --product locker-bench 2>&1 | tail -1 >&2
  LOCKER_BENCH="$PWD/.build/release/locker-bench"
fi

bench_work=$(mktemp -d /tmp/locker-bench-rotation-XXXXXX)
bench_start_lockerd
echo "lockerd on $lockerd_base; pushing $docs x 100 KB documents..." >&2
python3 bench/bench_helpers.py seed-downloads "$lockerd_base" "$storage" "$LOCKER_CLI" "$bench_work" "$docs" 102400
token=$(cat "$bench_work/token")
echo "seeding $citizens citizens..." >&2
"$LOCKER_BENCH" seed-citizens --storage "$storage" --count "$citizens" >"$bench_work/seed.json"
cat "$bench_work/seed.json" >&2

echo "phase 1: one rotation of every data key (lockerd idle)..." >&2
start=$(date +%s.%N)
"$LOCKER_CLI" --storage "$storage" keys rotate >"$bench_work/rotate1.txt" 2>"$bench_work/rotate1.err"
end=$(date +%s.%N)
rotate_seconds=$(python3 -c "print(f'{$end - $start:.2f}')")
cat "$bench_work/rotate1.txt" >&2

run_wrk() { # run_wrk NAME DURATION
  bench_wrk_get "$1" "$lockerd_base" "$2" "$bench_work/lockerd-paths.txt" "$token"
}
echo "phase 2: downloads before (${seconds}s, after a 2 s warm-up)..." >&2
run_wrk warm 2s
run_wrk before "${seconds}s"

echo "phase 2: downloads during back-to-back rotations (${seconds}s)..." >&2
: >"$bench_work/rotations.txt"
(
  end_at=$(( $(date +%s) + seconds + 2 ))
  while [ "$(date +%s)" -lt "$end_at" ]; do
    # shellcheck disable=SC2086
    nice -n "$rotate_nice" "$LOCKER_CLI" --storage "$storage" keys rotate $rotate_args >>"$bench_work/rotations.txt" 2>/dev/null || break
  done
) &
rotator=$!
bench_pids+=("$rotator")
sleep 0.5  # the first rotation is under way
run_wrk during "${seconds}s"
wait "$rotator" || true
"$LOCKER_CLI" --storage "$storage" keys rewrap >/dev/null 2>&1  # finish the last, cut-off rotation
"$LOCKER_CLI" --storage "$storage" keys status --json >"$bench_work/status.json"

mkdir -p bench/results
out="bench/results/rotation-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 bench/bench_helpers.py rotation-report "$citizens" "$rotate_seconds" "$bench_work/rotate1.txt" \
  "$bench_work/wrk-before.txt" "$bench_work/wrk-during.txt" "$bench_work/rotations.txt" "$bench_work/status.json" >"$out"
cat "$out"
echo "saved $out" >&2
