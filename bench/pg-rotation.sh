#!/usr/bin/env bash
# Where a KEK rotation's time goes on PostgreSQL, in one run on this machine: `locker keys rotate`
# three times over N citizens' data keys (a throwaway PostgreSQL from e2e/pg.py, fsync on), with
# for each run its wall time, the locker process's own CPU (user + system), and the WAL written
# (pg_stat_wal: bytes, full-page images, records). With BENCH_HOT=FF, after the first run the
# citizens table loses its kekVersion index and is rewritten at fillfactor FF (VACUUM FULL), so
# later rewraps can be HOT updates (no index entries): an experiment, not the shipped schema.
# Saves the figures to bench/results/pg-rotation-*.txt.
#   usage: bench/pg-rotation.sh   (BENCH_CITIZENS=200000; BENCH_HOT=50 for the experiment)
#   LOCKERD/LOCKER_CLI/LOCKER_BENCH: use these binaries instead of building release ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
citizens="${BENCH_CITIZENS:-200000}"
hot="${BENCH_HOT:-}"
trap 'bench_cleanup; bench_pg_stop' EXIT
trap 'exit 130' INT TERM
command -v pg_ctl >/dev/null || scripts/install-deps test
bench_install_deps time
bench_build
bench_locker_bench
bench_work=$(mktemp -d /tmp/locker-bench-pgrot-XXXXXX)
mkdir -p bench/results
out="bench/results/pg-rotation-$(date -u +%Y%m%dT%H%M%SZ).txt"

echo "starting a throwaway PostgreSQL; seeding $citizens citizens into an embedded vault and migrating it..." >&2
bench_pg_start
bench_pg_vault "$citizens"
sql() { psql "$pg_url" -qAtc "$1"; }
args=(--database "$pg_url" --storage "$bench_work/cli" --root-key-file "$bench_work/root.key")

{
  echo "locker keys rotate over $citizens data keys on PostgreSQL ($(sql 'SHOW server_version'), shared_buffers $(sql 'SHOW shared_buffers'), fsync $(sql 'SHOW fsync')):"
  for run in 1 2 3; do
    sql "SELECT pg_stat_reset_shared('wal')" >/dev/null
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$bench_work/cpu-$run" "$LOCKER_CLI" keys rotate "${args[@]}" >/dev/null 2>"$bench_work/rotate-$run.err" \
      || { echo "rotation $run failed: $(tail -3 "$bench_work/rotate-$run.err")" >&2; exit 1; }
    end=$(date +%s.%N)
    read -r user system <"$bench_work/cpu-$run"
    wal=$(sql "SELECT pg_size_pretty(wal_bytes) || ', ' || wal_fpi || ' full-page images, ' || wal_records || ' records' FROM pg_stat_wal")
    hot_updates=$(sql "SELECT n_tup_hot_upd || ' of ' || n_tup_upd FROM pg_stat_user_tables WHERE relname = 'citizens'")
    python3 -c "print(f'  run $run: {$end - $start:.2f} s wall; locker CPU {$user + $system:.2f} s; WAL $wal; HOT updates so far $hot_updates')"
    if [ "$run" = 1 ] && [ -n "$hot" ]; then
      sql "DROP INDEX IF EXISTS citizens_kek"; sql "ALTER TABLE citizens SET (fillfactor = $hot)"; sql "VACUUM FULL citizens"; sql "ANALYZE citizens"
      echo "  (experiment: citizens_kek dropped, citizens rewritten at fillfactor $hot)"
    fi
  done
} | tee "$out"
echo "saved $out" >&2
