#!/usr/bin/env bash
# Envelope seal/open throughput (100 KB and 10 MB) beside `openssl speed -evp aes-256-gcm`
# at 16 KB blocks, measured in the same run on the same core. The machine is noisy (OpenSSL
# alone was seen at 1.9 and 3.3 GB/s minutes apart), so Locker and OpenSSL alternate for
# ROUNDS rounds (default 3) and the medians are compared. Prints a table and the ratio
# Locker open (10 MB) / OpenSSL, whose target is >= 0.7.
#   usage: bench/envelope.sh [SECONDS_PER_MEASUREMENT]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3}"
command -v openssl >/dev/null || { echo "installing openssl"; apt-get install -y -q openssl >/dev/null; }
if [ -z "${LOCKER_BENCH:-}" ]; then   # LOCKER_BENCH=path skips the build
  echo "building locker-bench (release)..." >&2
  swift build -c release --product locker-bench 2>&1 | tail -1 >&2
  LOCKER_BENCH="$PWD/.build/release/locker-bench"
fi
mkdir -p bench/results
out="bench/results/envelope-$(date -u +%Y%m%dT%H%M%SZ).txt"
rounds="${ROUNDS:-3}"
locker_json=""
openssl_lines=""
for _ in $(seq 1 "$rounds"); do
  locker_json+=$("$LOCKER_BENCH" envelope --seconds "$seconds")$'\n'
  openssl_lines+=$(openssl speed -evp aes-256-gcm -bytes 16384 -seconds "$seconds" 2>/dev/null | grep -E '^AES-256-GCM' | tail -1)$'\n'
done
python3 - "$locker_json" "$openssl_lines" <<'PY' | tee "$out"
import json, sys, platform, datetime, os, statistics
samples = [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]
rows = []
for key in [(s['op'], s['bytes']) for s in samples[:4]]:
    group = [s for s in samples if (s['op'], s['bytes']) == key]
    row = dict(group[0])
    row['MBps'] = statistics.median(g['MBps'] for g in group)
    row['usPerOp'] = statistics.median(g['usPerOp'] for g in group)
    rows.append(row)
openssl_all = [float(l.split()[-1].rstrip('k')) * 1000 / 1e6 for l in sys.argv[2].splitlines() if l.strip()]  # 1000-byte kB/s
openssl_mbps = statistics.median(openssl_all)
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
print(f"# envelope benchmark, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} cores; medians of {len(openssl_all)} alternating rounds")
print(f"# openssl per round MB/s: {', '.join(f'{x:.0f}' for x in openssl_all)}")
print(f"{'operation':<10}{'size':>10}{'MB/s':>10}{'us/op':>10}{'x OpenSSL':>11}")
for r in rows:
    size = '100 KB' if r['bytes'] == 102400 else '10 MB'
    print(f"{r['op']:<10}{size:>10}{r['MBps']:>10.0f}{r['usPerOp']:>10.1f}{r['MBps']/openssl_mbps:>11.2f}")
print(f"{'openssl':<10}{'16 KB':>10}{openssl_mbps:>10.0f}{'':>10}{1.0:>11.2f}")
open10 = next(r for r in rows if r['op'] == 'open' and r['bytes'] != 102400)
ratio = open10['MBps'] / openssl_mbps
print(f"ratio: Locker open 10 MB / OpenSSL AES-256-GCM 16 KB = {ratio:.2f} (target >= 0.70): {'MET' if ratio >= 0.7 else 'MISSED'}")
PY
echo "saved $out" >&2
