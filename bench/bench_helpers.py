#!/usr/bin/env python3
"""Set-up and reporting for bench/download.sh and bench/push.sh (uses e2e/locker_client.py).

  bench_helpers.py seed-downloads  BASE STORAGE CLI WORKDIR COUNT SIZE
      registers an issuer, pushes COUNT random SIZE-byte "PDFs" for one citizen (8 in parallel),
      signs in, checks one download, and writes into WORKDIR: www/<n>.pdf (the same plaintexts, for
      nginx), nginx-paths.txt, lockerd-paths.txt, token.
  bench_helpers.py make-pushes  STORAGE CLI WORKDIR NAME COUNT SIZE MOBILES
      registers an issuer (once per WORKDIR) and writes COUNT distinct signed push requests to
      WORKDIR/NAME.bin with an index WORKDIR/NAME.idx ("offset length content-type" per line);
      SIZE 4096 makes JSON credentials, anything else PDFs.
  bench_helpers.py make-grants  BASE WORKDIR
      a document-scope grant of each document seeded above; tokens to WORKDIR/tokens.txt.
  bench_helpers.py download-report  NGINX_WRK_OUT LOCKERD_WRK_OUT COUNT SIZE NGINX_TICKS LOCKERD_TICKS TICKS_PER_S MODE
  bench_helpers.py push-report  SECONDS NAME:TARGET:WRK_OUT [NAME:TARGET:WRK_OUT ...]
"""
import concurrent.futures
import datetime
import hashlib
import json
import os
import platform
import re
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import requests  # noqa: E402

from locker_client import (bearer, build_push, fake_pdf, json_credential, make_issuer_key, push,  # noqa: E402
                           register_issuer, sign_in, vacer_claims)

ISSUER_ID = "in.gov.bench"
CITIZEN = "+919800000001"


def issuer(storage, cli, workdir):
    """(private key, API key), registered once per work folder."""
    from cryptography.hazmat.primitives import serialization
    key_path, api_path = os.path.join(workdir, "issuer.key"), os.path.join(workdir, "issuer.apikey")
    if os.path.exists(api_path):
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        with open(api_path) as f:
            return key, f.read().strip()
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    api_key = register_issuer(cli, storage, ISSUER_ID, "Bench Board", pem_path)
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(api_path, "w") as f:
        f.write(api_key)
    return key, api_key


def seed_downloads(base, storage, cli, workdir, count, size):
    count, size = int(count), int(size)
    key, api_key = issuer(storage, cli, workdir)
    www = os.path.join(workdir, "www")
    os.makedirs(www, exist_ok=True)
    local = threading.local()

    def one(n):
        content = fake_pdf(size)
        with open(os.path.join(www, f"{n}.pdf"), "wb") as f:
            f.write(content)
        body, ctype = build_push(key, CITIZEN, "MARKS", f"DL-{n:05d}", "2026-11-01",
                                 {"name": "Asha Verma", "board": "CBSE"}, content, "application/pdf")
        if not hasattr(local, "session"):
            local.session = requests.Session()
        r = push(base, api_key, body, ctype, session=local.session, timeout=60)
        if r.status_code != 201:
            raise RuntimeError(f"push {n}: {r.status_code} {r.text[:300]}")
        return n, r.json()["id"], hashlib.sha256(content).hexdigest()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = sorted(pool.map(one, range(count)))
    token = sign_in(base, storage, CITIZEN)
    n, doc_id, digest = results[0]
    r = requests.get(f"{base}/v1/documents/{doc_id}/content", headers=bearer(token), timeout=30)
    if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != digest:
        raise RuntimeError(f"download check failed: {r.status_code} {r.text[:200]}")
    with open(os.path.join(workdir, "nginx-paths.txt"), "w") as f:
        f.writelines(f"/{n}.pdf\n" for n, _, _ in results)
    with open(os.path.join(workdir, "lockerd-paths.txt"), "w") as f:
        f.writelines(f"/v1/documents/{doc_id}/content\n" for _, doc_id, _ in results)
    with open(os.path.join(workdir, "ids.txt"), "w") as f:
        f.writelines(f"{doc_id}\n" for _, doc_id, _ in results)
    with open(os.path.join(workdir, "token"), "w") as f:
        f.write(token)
    print(f"pushed {count} x {size} B documents for one citizen; download check ok", file=sys.stderr)


# Where lockerd's CPU goes, by component: the first pattern that matches a sample's "dso symbol"
# names its bucket.
PROFILE_BUCKETS = [
    ("AES-GCM decrypt (OpenSSL libcrypto)", r"^libcrypto|EVP_|aesni|gcm_"),
    ("kernel: socket send/receive", r"^\[kernel\S*\s.*(tcp_|skb|sock|_copy_from_iter|_copy_to_iter|__sys_send|__sys_recv|ip_|net_|loopback|__dev_queue|writev|readv|iter)"),
    ("kernel: file reads and fsync", r"^\[kernel\S*\s.*(ext4|jbd2|pread|vfs_|filemap|fsync|blk_|page_cache|xfs|folio)"),
    ("kernel: scheduling, futex, epoll, syscalls", r"^\[kernel"),
    ("other crypto (BoringSSL: SHA-2, HKDF, HMAC, key unwraps)", r"CCryptoBoringSSL|Crypto|sha256|SHA256|HKDF|HMAC"),
    ("SQLite (reads, audit insert, WAL)", r"sqlite3|libsqlite|GRDB"),
    ("memory (malloc, free, memcpy, memmove)", r"malloc|free|memcpy|memmove|memset|_int_|cfree|mmap|munmap|brk|tcache|arena"),
    ("Swift runtime (retain/release, generics, metadata)", r"swift_retain|swift_release|swift_|_swift|swift::|libswiftCore"),
    ("NIO and Hummingbird (HTTP, channels, ByteBuffer)", r"NIO|Hummingbird|HTTPTypes|ByteBuffer|llhttp"),
    ("Locker (handlers, JSON, audit, vault)", r"Locker"),
    ("Foundation and Dispatch", r"Foundation|dispatch|libdispatch|CoreFoundation|CF[A-Z]"),
]


def profile_report(wrk_out, lockerd_ticks, ticks_per_second):
    """Reads `perf report --no-children --sort dso,sym --stdio -q` on stdin."""
    lines = sys.stdin.read().splitlines()
    totals, other = {name: 0.0 for name, _ in PROFILE_BUCKETS}, 0.0
    tops = {name: [] for name, _ in PROFILE_BUCKETS}
    for line in lines:
        m = re.match(r"^\s*([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)$", line)
        if not m:
            continue
        share, dso, sym = float(m.group(1)), m.group(2), m.group(3).strip()
        text = f"{dso} {sym}"
        for name, pattern in PROFILE_BUCKETS:
            if re.search(pattern, text):
                totals[name] += share
                tops[name].append((share, sym[:70]))
                break
        else:
            other += share
    requests_done = parse_wrk(wrk_out)["requests"]
    us = int(lockerd_ticks) / int(ticks_per_second) / max(requests_done, 1) * 1e6
    print(f"# where lockerd's {us:.1f} CPU us per request go (perf cpu-clock samples, by component)")
    for name, share in sorted(totals.items(), key=lambda kv: -kv[1]) + [("other", other)]:
        if share < 0.05:
            continue
        top = ", ".join(sym for _, sym in sorted(tops.get(name, []), reverse=True)[:2])
        print(f"{share:6.1f}%  {share * us / 100:6.1f} us  {name}" + (f"  [{top}]" if top else ""))


def make_grants(base, workdir):
    """A document-scope grant of each document in WORKDIR/ids.txt (1,000 uses each), tokens to tokens.txt."""
    token = open(os.path.join(workdir, "token")).read().strip()
    session = requests.Session()
    with open(os.path.join(workdir, "ids.txt")) as ids, open(os.path.join(workdir, "tokens.txt"), "w") as out:
        for doc_id in filter(None, (line.strip() for line in ids)):
            r = session.post(f"{base}/v1/documents/{doc_id}/shares", headers=bearer(token), timeout=30,
                             json={"label": "bench", "scope": "document", "maxUses": 1000, "expiresInSeconds": 3600})
            if r.status_code != 201:
                raise RuntimeError(f"grant of {doc_id}: {r.status_code} {r.text[:300]}")
            out.write(r.json()["token"] + "\n")


def make_pushes(storage, cli, workdir, name, count, size, mobiles):
    count, size, mobiles = int(count), int(size), int(mobiles)
    key, api_key = issuer(storage, cli, workdir)
    nonce = os.urandom(3).hex()
    offset = 0
    with open(os.path.join(workdir, f"{name}.bin"), "wb") as data, open(os.path.join(workdir, f"{name}.idx"), "w") as idx:
        for k in range(count):
            mobile = f"+9197{k % mobiles:08d}"
            if size == 4096:
                claims = vacer_claims(f"Citizen {k % mobiles}", 2)
                body, ctype = build_push(key, mobile, "VACER", f"{name}-{nonce}-{k}", "2026-11-01", claims,
                                         json_credential(size, claims["name"]), "application/json")
            else:
                body, ctype = build_push(key, mobile, "MARKS", f"{name}-{nonce}-{k}", "2026-11-01",
                                         {"name": f"Citizen {k % mobiles}", "board": "CBSE"}, fake_pdf(size),
                                         "application/pdf")
            data.write(body)
            idx.write(f"{offset} {len(body)} {ctype}\n")
            offset += len(body)
    with open(os.path.join(workdir, "issuer.apikey")) as f:
        api = f.read().strip()
    print(f"{name}: {count} signed pushes, {offset / 1e6:.0f} MB, {mobiles} mobiles", file=sys.stderr)
    return api


def header():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.machine())
    now = datetime.datetime.now(datetime.timezone.utc)
    return f"{now:%Y-%m-%d %H:%M} UTC, {cpu}, {os.cpu_count()} cores"


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    m = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", text, re.M)
    p99 = float(m.group(1)) * UNITS_MS[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    requests_done = int(re.search(r"(\d+) requests in", text).group(1))
    return {"rps": rps, "p99": p99, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(map(int, sock.groups())) if sock else 0, "requests": requests_done}


def download_report(nginx_out, lockerd_out, count, size, nginx_ticks, lockerd_ticks, ticks_per_second, mode):
    nginx, lockerd = parse_wrk(nginx_out), parse_wrk(lockerd_out)
    what = "owner download (GET /v1/documents/{id}/content)" if mode == "owner" else \
        "document-scope share redemption (POST /v1/shares/redeem)"
    print(f"# {what} benchmark, {header()}")
    print(f"# wrk -t2 -c32 --latency, a random one of {int(count):,} x {int(size):,} B documents per request; "
          "wrk shares the cores")
    print(f"# CPU us/req: user+system time of the server's processes over the measured run / requests")
    print(f"{'server':<10}{'req/s':>10}{'p99 ms':>10}{'CPU us/req':>12}{'requests':>10}{'non-2xx':>9}{'sock err':>9}")
    cpu = {}
    for label, r, ticks in (("nginx", nginx, nginx_ticks), ("lockerd", lockerd, lockerd_ticks)):
        cpu[label] = int(ticks) / int(ticks_per_second) / max(r["requests"], 1) * 1e6
        print(f"{label:<10}{r['rps']:>10.0f}{r['p99']:>10.2f}{cpu[label]:>12.1f}{r['requests']:>10}{r['non2xx']:>9}{r['socket_errors']:>9}")
    rps_ratio, p99_ratio = lockerd["rps"] / nginx["rps"], lockerd["p99"] / nginx["p99"]
    per_100k = cpu["lockerd"] * 102400 / int(size)
    print(f"ratio req/s lockerd/nginx = {rps_ratio:.2f} (target >= 0.50, stretch 0.60): {'MET' if rps_ratio >= 0.5 else 'MISSED'}")
    print(f"ratio p99   lockerd/nginx = {p99_ratio:.2f} (target <= 1.00): {'MET' if p99_ratio <= 1.0 else 'MISSED'}")
    print(f"lockerd CPU per request = {cpu['lockerd']:.1f} us, {per_100k:.1f} us per 100 KB (target <= 100): "
          f"{'MET' if per_100k <= 100 else 'MISSED'}; nginx {cpu['nginx']:.1f} us")
    if lockerd["non2xx"] or nginx["non2xx"] or lockerd["socket_errors"] or nginx["socket_errors"]:
        print("WARNING: errors during the run; the figures above are not valid")


def push_report(seconds, *specs):
    print(f"# durable push benchmark, {header()}")
    print(f"# wrk -t2 -c32 -d{seconds}s --latency; each request a fresh signed document; "
          "a thread stops when its slice is used up")
    print(f"{'size':<8}{'pushes/s':>10}{'p99 ms':>10}{'201':>8}{'other':>8}{'sock err':>9}{'seconds':>9}  target")
    for spec in specs:
        name, target, path = spec.split(":", 2)
        text = open(path).read()
        m = re.search(r"^LOCKER-PUSH-RESULT (.*)$", text, re.M)
        if not m:
            print(f"{name:<8} no result line in {path}")
            continue
        r = json.loads(m.group(1))
        rate = r["created"] / r["seconds"] if r["seconds"] > 0 else 0.0
        other = sum(v for k, v in r["statuses"].items() if k != "201")
        ok = rate >= float(target) and other == 0 and r["socket_errors"] == 0
        print(f"{name:<8}{rate:>10.0f}{r['p99_ms']:>10.2f}{r['created']:>8}{other:>8}{r['socket_errors']:>9}"
              f"{r['seconds']:>9.2f}  >= {target}/s: {'MET' if ok else 'MISSED'}")
        if other:
            print(f"         non-201 statuses: {r['statuses']}")
        if r.get("exhausted"):
            print(f"         the pre-generated bodies ran out; pushes/s is over the {r['seconds']:.2f} s they lasted")


def rotation_report(citizens, rotate_seconds, rotate_out, before_out, during_out, rotations_out, status_json):
    citizens, rotate_seconds = int(citizens), float(rotate_seconds)
    before, during = parse_wrk(before_out), parse_wrk(during_out)
    rotations = [l for l in open(rotations_out) if l.startswith("rewrapped ")]
    rewrapped = sum(int(l.split()[1]) for l in rotations)
    status = json.load(open(status_json))
    print(f"# KEK rotation benchmark, {header()}")
    print(f"# phase 1: `locker keys rotate` (2 threads) over {citizens:,} citizens' data keys, lockerd idle")
    print(f"rotation of {citizens:,} data keys: {rotate_seconds:.2f} s wall (incl. process start), "
          f"{citizens / rotate_seconds:,.0f} keys/s (target <= 10 s): {'MET' if rotate_seconds <= 10 else 'MISSED'}")
    print("  " + open(rotate_out).read().strip().replace("\n", "\n  "))
    print("# phase 2: wrk -t2 -c32 --latency, owner downloads of random 100 KB documents; "
          "'during' = while `locker keys rotate` runs back to back, paced by BENCH_ROTATE_ARGS")
    print(f"{'phase':<10}{'req/s':>10}{'p99 ms':>10}{'requests':>10}{'non-2xx':>9}{'sock err':>9}")
    for label, r in (("before", before), ("during", during)):
        print(f"{label:<10}{r['rps']:>10.0f}{r['p99']:>10.2f}{r['requests']:>10}{r['non2xx']:>9}{r['socket_errors']:>9}")
    print(f"rotations that finished during phase 2: {len(rotations)}, data keys rewrapped: {rewrapped:,}")
    ratio = during["rps"] / before["rps"]
    errors = during["non2xx"] + during["socket_errors"] + before["non2xx"] + before["socket_errors"]
    print(f"ratio req/s during/before = {ratio:.2f} (target >= 0.80), errors = {errors} (target 0): "
          f"{'MET' if ratio >= 0.8 and errors == 0 else 'MISSED'}")
    print(f"after: primary v{status['primaryVersion']}, pending rewrap {status['pendingRewrap']}")


def main(argv):
    commands = {"seed-downloads": seed_downloads, "make-pushes": make_pushes, "make-grants": make_grants,
                "download-report": download_report, "profile-report": profile_report, "push-report": push_report, "rotation-report": rotation_report}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    result = commands[argv[1]](*argv[2:])
    if isinstance(result, str):
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
