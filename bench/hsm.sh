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
trap 'bench_cleanup; bench_pg_stop' EXIT
trap 'exit 130' INT TERM
command -v softhsm2-util >/dev/null || scripts/install-deps test
bench_build
bench_locker_bench
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
bench_pg_start
bench_pg_vault "$citizens"

timed() { # timed NAME COMMAND... : wall seconds of one command, its output kept
  local name="$1" start end; shift
  start=$(date +%s.%N)
  "$@" >"$bench_work/$name.txt" 2>"$bench_work/$name.err" || { echo "$name failed: $(tail -3 "$bench_work/$name.err")" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}
pg_args=(--database "$pg_url" --storage "$bench_work/cli")
# Two rounds, alternating, so drift on a shared machine falls on both: file root, rotate-root to
# the HSM, HSM root, rotate-root back to a new file (HSM -> file), and again with a new HSM key.
file_times=(); hsm_times=(); root_times=()
current=(--root-key-file "$bench_work/root.key")
for round in 1 2; do
  echo "   round $round: locker keys rotate, root key in a file..." >&2
  file_times+=("$(timed "rotate-file-$round" "$LOCKER_CLI" keys rotate "${pg_args[@]}" "${current[@]}")")
  hsm_uri="$uri"
  if [ "$round" = 2 ]; then
    hsm_uri="${uri/bench-root/bench-root-2}"
    "$LOCKER_CLI" keys init-root --root-key "$hsm_uri" >/dev/null
  fi
  root_times+=("$(timed "rotate-root-$round" "$LOCKER_CLI" keys rotate-root "${pg_args[@]}" "${current[@]}" --to "$hsm_uri")")
  echo "   round $round: locker keys rotate, root key in the HSM..." >&2
  hsm_times+=("$(timed "rotate-hsm-$round" "$LOCKER_CLI" keys rotate "${pg_args[@]}" --root-key "$hsm_uri")")
  head -c 32 /dev/urandom >"$bench_work/root-$round.key"; chmod 600 "$bench_work/root-$round.key"
  root_times+=("$(timed "rotate-root-back-$round" "$LOCKER_CLI" keys rotate-root "${pg_args[@]}" --root-key "$hsm_uri" --to "$bench_work/root-$round.key")")
  current=(--root-key-file "$bench_work/root-$round.key")
done
file_seconds="${file_times[*]}"; hsm_seconds="${hsm_times[*]}"; root_seconds="${root_times[*]}"

python3 - "$bench_work" "$citizens" "$file_seconds" "$hsm_seconds" "$root_seconds" <<'PY' | tee "$out"
import json, os, sys
work, citizens = sys.argv[1], int(sys.argv[2])
file_s, hsm_s, root_s = ([float(x) for x in arg.split()] for arg in sys.argv[3:6])
u = json.load(open(os.path.join(work, "unwrap.json")))
by = {r["op"]: r for r in u["results"]}
print("KEK unwraps per second (32-byte key, AES-256-GCM, the key ring's associated data), one run:")
print(f"  through SoftHSM2 (PKCS#11, one session): {u['hsmUnwrapsPerSecond']:>10,.0f}/s  ({by['unwrap-hsm']['usPerOp']} us each)")
print(f"  in process (root key file):              {u['inProcessUnwrapsPerSecond']:>10,.0f}/s  ({by['unwrap-in-process']['usPerOp']} us each)")
print(f"  in process / SoftHSM: {u['inProcessOverHSM']}x;  wraps: SoftHSM {by['wrap-hsm']['usPerOp']} us, in process {by['wrap-in-process']['usPerOp']} us")
print(f"locker keys rotate over {citizens:,} data keys on PostgreSQL (wall time, process start to exit; two rounds, alternating):")
print("  root key in a file:  " + " / ".join(f"{x:.2f} s" for x in file_s))
print("  root key in SoftHSM: " + " / ".join(f"{x:.2f} s" for x in hsm_s) + f"  (ratio HSM/file, sums: {sum(hsm_s) / sum(file_s):.2f})")
for n in (1, 2):
    for name in (f"rotate-file-{n}", f"rotate-hsm-{n}"):
        lines = open(os.path.join(work, name + ".txt")).read().strip().splitlines()
        print(f"    [{name}] {lines[-1] if lines else ''}")
print("  locker keys rotate-root, whole command (file->HSM, HSM->file, file->HSM, HSM->file): " + " / ".join(f"{x:.2f} s" for x in root_s))
PY
echo "saved $out" >&2
