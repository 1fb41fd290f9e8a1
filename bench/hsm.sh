#!/usr/bin/env bash
# The root key in an HSM (SoftHSM2 through PKCS#11), in one run on this machine:
#   1. KEK unwraps (and wraps) per second through SoftHSM (C_DecryptInit + C_Decrypt, CKM_AES_GCM,
#      one session) against in-process AES-256-GCM under a root key file (locker-bench root-unwrap);
#   2. `locker keys rotate` over N citizens' data keys on PostgreSQL, first with the root key in a
#      file, then, after `locker keys rotate-root` moved the same deployment into the HSM, with the
#      root key in the HSM. The two should cost the same: only the KEK versions (a handful) are
#      unwrapped by the root key; the data keys are rewrapped in process under the KEKs.
# Prints the figures; saves them to bench/results/hsm-*.txt.
#   usage: bench/hsm.sh [SECONDS]   (default 3 per unwrap measurement; BENCH_CITIZENS=100000)
#   LOCKERD/LOCKER_CLI/LOCKER_BENCH: use these binaries instead of building release ones.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-3}"
citizens="${BENCH_CITIZENS:-100000}"
pg_dir=""
trap 'bench_cleanup; [ -n "$pg_dir" ] && python3 -c "import sys; sys.path.insert(0, \"e2e\"); import pg; p = pg.Postgres.__new__(pg.Postgres); p.dir = \"$pg_dir\"; p.data = \"$pg_dir/data\"; p.cleanup()" || true' EXIT
trap 'exit 130' INT TERM
command -v softhsm2-util >/dev/null || scripts/install-deps test
bench_build
if [ -z "${LOCKER_BENCH:-}" ]; then
  swift build -c release --product locker-bench 2>&1 | tail -1 >&2
  LOCKER_BENCH="$PWD/.build/release/locker-bench"
fi
bench_work=$(mktemp -d /tmp/locker-bench-hsm-XXXXXX)
mkdir -p bench/results
out="bench/results/hsm-$(date -u +%Y%m%dT%H%M%SZ).txt"

# A throwaway SoftHSM2 token and a root key in it, made by `locker keys init-root`.
export SOFTHSM2_CONF="$bench_work/softhsm2.conf"
mkdir -p "$bench_work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$bench_work/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label locker --pin 1234 --so-pin 5678 >/dev/null
echo 1234 >"$bench_work/pin"; chmod 600 "$bench_work/pin"
uri="pkcs11:token=locker;object=bench-root?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:$bench_work/pin"
"$LOCKER_CLI" keys init-root --root-key "$uri" >&2

echo "1. KEK unwraps per second, SoftHSM against in-process (${seconds}s each)..." >&2
"$LOCKER_BENCH" root-unwrap --root-key "$uri" --seconds "$seconds" >"$bench_work/unwrap.json"

echo "2. starting a throwaway PostgreSQL; seeding $citizens citizens into an embedded vault and migrating it..." >&2
read -r pg_dir pg_url < <(python3 -c '
import sys; sys.path.insert(0, "e2e")
import pg
p = pg.Postgres().start()
print(p.dir, p.create_database())')
"$LOCKER_BENCH" seed-citizens --storage "$bench_work/Storage" --count "$citizens" >/dev/null
head -c 32 /dev/urandom >"$bench_work/root.key"; chmod 600 "$bench_work/root.key"
"$LOCKER_CLI" migrate --storage "$bench_work/Storage" --to "$pg_url" --root-key-file "$bench_work/root.key" --json >"$bench_work/migrate.json"

timed() { # timed NAME COMMAND... : wall seconds of one command, its output kept
  local name="$1" start end; shift
  start=$(date +%s.%N)
  "$@" >"$bench_work/$name.txt" 2>"$bench_work/$name.err"
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
cli_pg=("$LOCKER_CLI" --database "$pg_url" --storage "$bench_work/cli")
echo "   locker keys rotate, root key in a file..." >&2
file_seconds=$(timed rotate-file "${cli_pg[@]}" --root-key-file "$bench_work/root.key" keys rotate)
echo "   locker keys rotate-root, file -> HSM..." >&2
root_seconds=$(timed rotate-root "${cli_pg[@]}" --root-key-file "$bench_work/root.key" keys rotate-root --to "$uri")
echo "   locker keys rotate, root key in the HSM..." >&2
hsm_seconds=$(timed rotate-hsm "${cli_pg[@]}" --root-key "$uri" keys rotate)

python3 - "$bench_work" "$citizens" "$file_seconds" "$root_seconds" "$hsm_seconds" <<'PY' | tee "$out"
import json, os, sys
work, citizens, file_s, root_s, hsm_s = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6])
u = json.load(open(os.path.join(work, "unwrap.json")))
by = {r["op"]: r for r in u["results"]}
print("KEK unwraps per second (32-byte key, AES-256-GCM, the key ring's associated data), one run:")
print(f"  through SoftHSM2 (PKCS#11, one session): {u['hsmUnwrapsPerSecond']:>10,.0f}/s  ({by['unwrap-hsm']['usPerOp']} us each)")
print(f"  in process (root key file):              {u['inProcessUnwrapsPerSecond']:>10,.0f}/s  ({by['unwrap-in-process']['usPerOp']} us each)")
print(f"  in process / SoftHSM: {u['inProcessOverHSM']}x;  wraps: SoftHSM {by['wrap-hsm']['usPerOp']} us, in process {by['wrap-in-process']['usPerOp']} us")
for name in ("rotate-file", "rotate-hsm", "rotate-root"):
    text = open(os.path.join(work, name + ".txt")).read().strip().splitlines()
    print(f"  [{name}] " + (text[-1] if text else open(os.path.join(work, name + ".err")).read().strip()[-300:]))
print(f"locker keys rotate over {citizens:,} data keys on PostgreSQL (wall time, process start to exit):")
print(f"  root key in a file: {file_s:.2f} s")
print(f"  root key in SoftHSM: {hsm_s:.2f} s  (ratio HSM/file {hsm_s / file_s:.2f})")
print(f"  locker keys rotate-root file -> HSM (whole command): {root_s:.2f} s")
PY
echo "saved $out" >&2
