#!/usr/bin/env bash
# Micro-benchmarks that keep the measured reason for each hand-written replacement of a library
# call: the JSON writer (JSONText vs JSONEncoder / JSONSerialization), the stored-date parser
# (Timestamp.parseSQLiteText vs DateFormatter / Date.ISO8601FormatStyle) and the streaming
# multipart reader (MultipartStream vs collecting the body and splitting it). Ours and the
# library's run in the same process, one after the other; each line prints both and the ratio
# library/ours (above 1: ours is faster).
#   usage: bench/micro.sh [json|timestamp|multipart|all] [SECONDS_PER_MEASUREMENT]   (default all, 1)
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
seconds="${2:-1}"
case "$which" in
  json|timestamp|multipart) set -- "$which" ;;
  all) set -- json timestamp multipart ;;
  *) echo "usage: bench/micro.sh [json|timestamp|multipart|all] [SECONDS]" >&2; exit 2 ;;
esac
if [ -z "${LOCKER_BENCH:-}" ]; then   # LOCKER_BENCH=path skips the build
  echo "building locker-bench (release)..." >&2
  swift build -c release --product locker-bench 2>&1 | tail -1 >&2
  LOCKER_BENCH="$PWD/.build/release/locker-bench"
fi
mkdir -p bench/results
out="bench/results/micro-$(date -u +%Y%m%dT%H%M%SZ).txt"
for bench in "$@"; do
  "$LOCKER_BENCH" "$bench" --seconds "$seconds"
done | tee "$out"
echo "saved $out" >&2
