# Shared by the bench/*.sh scripts: dependencies, release build, a throw-away lockerd, wrk runs.
# Source it from the repository root after `set -euo pipefail`.
#
# Environment:
#   LOCKERD, LOCKER_CLI   use these binaries and skip `swift build` (default: build release)
#   BENCH_KEEP=1          keep the temp folder (storage, logs, generated bodies) after the run
#   LOCKER_BENCH_LOG_LEVEL  lockerd's --log-level during the run (default warning)

bench_pids=()
bench_work=""

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${bench_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$bench_work" ] && [ -d "$bench_work" ]; then
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $bench_work" >&2; else rm -rf "$bench_work"; fi
  fi
}

# bench_install_deps PACKAGE... : apt packages whose command is missing (`apt-get update` once).
bench_install_deps() {
  local missing=() p
  for p in "$@"; do
    case "$p" in
      nginx) [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx) ;;
      time) [ -x /usr/bin/time ] || missing+=(time) ;;  # the program, not the shell keyword
      *) command -v "$p" >/dev/null || missing+=("$p") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  python3 -c "import requests, cryptography" 2>/dev/null ||
    python3 -m pip install -q --disable-pip-version-check -r e2e/requirements.txt
}

# bench_build : release lockerd and locker, unless LOCKERD/LOCKER_CLI are given.
bench_build() {
  if [ -n "${LOCKERD:-}" ] && [ -n "${LOCKER_CLI:-}" ]; then
    echo "using LOCKERD=$LOCKERD LOCKER_CLI=$LOCKER_CLI (no build)" >&2
    return
  fi
  echo "building lockerd and locker (release)..." >&2
  swift build -c release --product lockerd 2>&1 | tail -1 >&2
  swift build -c release --product locker 2>&1 | tail -1 >&2
  LOCKERD="$PWD/.build/release/lockerd"
  LOCKER_CLI="$PWD/.build/release/locker"
}

# bench_cpu_ticks PID... : user+system CPU of the processes so far, in clock ticks (/proc/PID/stat
# fields 14 and 15); divide a difference by `getconf CLK_TCK` for seconds.
bench_cpu_ticks() {
  local pid total=0 fields
  for pid in "$@"; do
    read -r -a fields < <(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_wait_http URL SECONDS : until URL answers 200.
bench_wait_http() {
  local url="$1" tries=$(( $2 * 10 ))
  for _ in $(seq 1 "$tries"); do
    curl -fs -o /dev/null --max-time 1 "$url" && return 0
    sleep 0.1
  done
  echo "no answer from $url" >&2
  return 1
}

# bench_wrk_get NAME URL DURATION PATHS [TOKEN] : wrk -t2 -c32 GETs of random paths from the
# file PATHS (with a bearer TOKEN if given); output to $bench_work/wrk-NAME.txt.
bench_wrk_get() {
  wrk -t2 -c32 -d"$3" --timeout 10s --latency -s bench/wrk-random-get.lua "$2" -- "$4" "${5:-}" \
    >"$bench_work/wrk-$1.txt" 2>&1
}

# bench_start_lockerd : starts lockerd on a free loopback port over $bench_work/Storage; sets
# lockerd_port, lockerd_base, storage.
bench_start_lockerd() {
  storage="$bench_work/Storage"
  lockerd_port=$(bench_free_port)
  lockerd_base="http://127.0.0.1:$lockerd_port"
  "$LOCKERD" --host 127.0.0.1 --port "$lockerd_port" --storage "$storage" \
    --log-level "${LOCKER_BENCH_LOG_LEVEL:-warning}" >"$bench_work/lockerd.log" 2>&1 &
  bench_pids+=($!)
  bench_wait_http "$lockerd_base/healthz" 60 || { tail -20 "$bench_work/lockerd.log" >&2; return 1; }
}

# bench_pg_start: a throwaway PostgreSQL (e2e/pg.py: initdb, loopback, temp folder) with one
# database; sets pg_dir and pg_url. bench_pg_stop removes it (call it from the EXIT trap).
bench_pg_start() {
  read -r pg_dir pg_url < <(python3 -c '
import sys; sys.path.insert(0, "e2e")
import pg
p = pg.Postgres().start()
print(p.dir, p.create_database())')
}

bench_pg_stop() {
  [ -n "${pg_dir:-}" ] || return 0
  python3 -c "import sys; sys.path.insert(0, 'e2e'); import pg; p = pg.Postgres.__new__(pg.Postgres); p.dir = '$pg_dir'; p.data = '$pg_dir/data'; p.cleanup()" || true
}

# bench_locker_bench: sets LOCKER_BENCH, building the release locker-bench unless it is given.
bench_locker_bench() {
  if [ -z "${LOCKER_BENCH:-}" ]; then
    swift build -c release --product locker-bench 2>&1 | tail -1 >&2
    LOCKER_BENCH="$PWD/.build/release/locker-bench"
  fi
}

# bench_pg_vault N: N citizens seeded into an embedded vault in $bench_work, migrated into
# $pg_url under a new root key file $bench_work/root.key (the migration's JSON report to
# $bench_work/migrate.json).
bench_pg_vault() {
  "$LOCKER_BENCH" seed-citizens --storage "$bench_work/Storage" --count "$1" >/dev/null
  head -c 32 /dev/urandom >"$bench_work/root.key"; chmod 600 "$bench_work/root.key"
  "$LOCKER_CLI" migrate --storage "$bench_work/Storage" --to "$pg_url" --root-key-file "$bench_work/root.key" --json >"$bench_work/migrate.json"
}
