#!/usr/bin/env bash
# One PostgreSQL node against the embedded default, in one run: durable 4 KB pushes, owner
# downloads (100 KB documents) and status-scope share redemptions, each with lockerd's CPU time
# per request (µs of user+system time from /proc/PID/stat over the measured window). Both
# backends run the durable path: SQLite with synchronous=FULL, PostgreSQL with fsync and
# synchronous_commit on (its defaults); every request that writes is group-committed with its
# audit entry before the answer. wrk -t2 -c32 shares the 2 cores with lockerd (and PostgreSQL).
# Target: PostgreSQL >= 0.5x the embedded default's throughput on each path.
# PostgreSQL's own CPU per request (all its processes, from /proc) is reported beside lockerd's.
# LOCKER_BENCH_PERF=1 also records each PostgreSQL run with `perf record -g` and prints the
# top symbols of lockerd, to show where a request's microseconds go.
#   usage: bench/postgres.sh [SECONDS]   (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-8}"
trap 'bench_cleanup; bench_pg_stop' EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk curl
bench_build
results=$(mktemp -d /tmp/locker-bench-pg-results-XXXXXX)

echo "starting a throwaway PostgreSQL (initdb, loopback, temp folder)..." >&2
bench_pg_start

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Every PostgreSQL process of this run (postmaster, backends, writer, WAL writer...).
pg_ticks() {
  local total=0 p
  for p in $(pgrep -f "postgres" || true); do
    grep -q "$pg_dir\|postgres:" "/proc/$p/cmdline" 2>/dev/null || continue
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

run_backend() { # run_backend NAME
  local name="$1" pid t0 t1
  bench_work=$(mktemp -d "/tmp/locker-bench-pg-$name-XXXXXX")
  if [ "$name" = postgres ]; then
    export LOCKER_DATABASE="$pg_url"
    export LOCKER_ROOT_KEY_FILE="$bench_work/root.key"
    head -c 32 /dev/urandom >"$LOCKER_ROOT_KEY_FILE"; chmod 600 "$LOCKER_ROOT_KEY_FILE"
  else
    unset LOCKER_DATABASE LOCKER_ROOT_KEY_FILE
  fi
  bench_start_lockerd
  pid="${bench_pids[-1]}"
  echo "[$name] lockerd on $lockerd_base; seeding..." >&2
  python3 bench/bench_helpers.py seed-downloads "$lockerd_base" "$storage" "$LOCKER_CLI" "$bench_work" 200 102400
  api_key=$(python3 bench/bench_helpers.py make-pushes "$storage" "$LOCKER_CLI" "$bench_work" small 40000 4096 2000)
  PYTHONPATH=e2e python3 - "$lockerd_base" "$bench_work" <<'PY'
import os, sys, requests
import locker_client as lc
base, work = sys.argv[1:3]
token = open(os.path.join(work, "token")).read().strip()
doc = open(os.path.join(work, "ids.txt")).readline().strip()
with open(os.path.join(work, "tokens-status.txt"), "w") as f:
    for i in range(100):
        r = requests.post(f"{base}/v1/documents/{doc}/shares", json={"label": f"bench {i}", "scope": "status", "maxUses": 1000,
                          "expiresInSeconds": 3600}, headers=lc.bearer(token), timeout=10)
        assert r.status_code == 201, r.text
        f.write(r.json()["token"] + "\n")
PY
  measure() { # measure PATH-NAME wrk-args...
    local what="$1"; shift
    local perf_pid="" p0 p1
    if [ "${LOCKER_BENCH_PERF:-}" = 1 ] && [ "$name" = postgres ]; then
      perf record -g -p "$pid" -o "$results/$what.perf" -- sleep "$seconds" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    t0=$(cpu_ticks "$pid"); p0=$(pg_ticks)
    wrk "$@" >"$results/$name-$what.txt" 2>&1
    t1=$(cpu_ticks "$pid"); p1=$(pg_ticks)
    echo "$((t1 - t0))" >"$results/$name-$what.cpu"
    echo "$((p1 - p0))" >"$results/$name-$what.pgcpu"
    if [ -n "$perf_pid" ]; then
      wait "$perf_pid" || true
      echo "== lockerd on PostgreSQL, $what: top symbols (perf, self time)" >&2
      perf report -i "$results/$what.perf" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep '%' | head -40 >&2 || true
    fi
  }
  echo "[$name] pushes (${seconds}s)..." >&2
  measure push -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-push.lua "$lockerd_base" -- \
    "$bench_work/small.bin" "$bench_work/small.idx" "$api_key" 2
  echo "[$name] downloads (${seconds}s)..." >&2
  measure download -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-random-get.lua "$lockerd_base" -- \
    "$bench_work/lockerd-paths.txt" "$(cat "$bench_work/token")"
  echo "[$name] status redemptions (${seconds}s)..." >&2
  wrk -t2 -c32 -d2s -s bench/wrk-redeem.lua "$lockerd_base" -- "$bench_work/tokens-status.txt" >/dev/null
  measure redeem -t2 -c32 -d"${seconds}s" --timeout 10s --latency -s bench/wrk-redeem.lua "$lockerd_base" -- "$bench_work/tokens-status.txt"
  bench_cleanup
  bench_pids=()
}

run_backend embedded
run_backend postgres

mkdir -p bench/results
out="bench/results/postgres-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 - "$results" "$seconds" "$(getconf CLK_TCK)" <<'PY' | tee "$out"
import os, sys
sys.path.insert(0, "bench")
import bench_helpers as bh
results, seconds, hz = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(f"# one PostgreSQL node against the embedded default, {bh.header()}")
print(f"# wrk -t2 -c{32} -d{seconds}s; CPU = lockerd user+system time per request (PostgreSQL's own CPU not included)")
print("# PG-server µs = PostgreSQL's processes' CPU per request on the PostgreSQL run")
print(f"{'path':<22}{'embedded/s':>11}{'pg/s':>9}{'ratio':>7}{'emb µs':>8}{'pg µs':>8}{'PG-server µs':>13}{'emb p99':>9}{'pg p99':>8}  target >= 0.5x")
for what, label in (("push", "push 4 KB"), ("download", "owner download 100 KB"), ("redeem", "status redemption")):
    rows = {}
    for backend in ("embedded", "postgres"):
        r = bh.parse_wrk(os.path.join(results, f"{backend}-{what}.txt"))
        ticks = int(open(os.path.join(results, f"{backend}-{what}.cpu")).read())
        r["cpu_us"] = ticks / hz * 1e6 / max(1, r["requests"])
        r["pg_us"] = int(open(os.path.join(results, f"{backend}-{what}.pgcpu")).read()) / hz * 1e6 / max(1, r["requests"])
        rows[backend] = r
    e, p = rows["embedded"], rows["postgres"]
    ratio = p["rps"] / e["rps"]
    bad = e["non2xx"] + e["socket_errors"] + p["non2xx"] + p["socket_errors"]
    print(f"{label:<22}{e['rps']:>11.0f}{p['rps']:>9.0f}{ratio:>7.2f}{e['cpu_us']:>8.0f}{p['cpu_us']:>8.0f}{p['pg_us']:>13.0f}{e['p99']:>9.1f}{p['p99']:>8.1f}  "
          f"{'MET' if ratio >= 0.5 else 'MISSED'}{'  (errors: %d)' % bad if bad else ''}")
PY
echo "saved $out" >&2
