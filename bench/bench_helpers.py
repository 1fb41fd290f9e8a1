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
  bench_helpers.py download-report  NGINX_WRK_OUT LOCKERD_WRK_OUT COUNT SIZE
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


def download_report(nginx_out, lockerd_out, count, size):
    nginx, lockerd = parse_wrk(nginx_out), parse_wrk(lockerd_out)
    print(f"# owner download benchmark, {header()}")
    print(f"# wrk -t2 -c32 --latency, a random one of {int(count):,} x {int(size):,} B documents per request; "
          "wrk shares the cores")
    print(f"{'server':<10}{'req/s':>10}{'p99 ms':>10}{'requests':>10}{'non-2xx':>9}{'sock err':>9}")
    for label, r in (("nginx", nginx), ("lockerd", lockerd)):
        print(f"{label:<10}{r['rps']:>10.0f}{r['p99']:>10.2f}{r['requests']:>10}{r['non2xx']:>9}{r['socket_errors']:>9}")
    rps_ratio, p99_ratio = lockerd["rps"] / nginx["rps"], lockerd["p99"] / nginx["p99"]
    ok_rps, ok_p99 = rps_ratio >= 0.6, p99_ratio <= 2.0
    print(f"ratio req/s lockerd/nginx = {rps_ratio:.2f} (target >= 0.60): {'MET' if ok_rps else 'MISSED'}")
    print(f"ratio p99   lockerd/nginx = {p99_ratio:.2f} (target <= 2.00): {'MET' if ok_p99 else 'MISSED'}")
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
    commands = {"seed-downloads": seed_downloads, "make-pushes": make_pushes,
                "download-report": download_report, "push-report": push_report, "rotation-report": rotation_report}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    result = commands[argv[1]](*argv[2:])
    if isinstance(result, str):
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
