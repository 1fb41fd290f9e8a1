"""Online KEK rotation against the real binaries.

Thirty thousand citizens (seeded with `locker-bench seed-citizens`) and three who hold real pushed
documents. Ten rounds: `locker keys rotate` is killed with SIGKILL at a random moment; then the
job is finished either by `locker keys rewrap` (even rounds) or by a restarted lockerd, itself
started after a SIGKILL (odd rounds). After each round nothing may be left under an old version,
`locker keys verify --deep` must find every key and document opening, and every document must
download byte-identical. A thread downloads all the time, through every rotation and kill: any
answer other than 200 with the right bytes is a failure (refused connections while lockerd is
down are not answers). Finally old versions are retired and destroyed, and everything still opens.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import threading
import time

import requests

from conftest import LOCKER_CLI, LOCKERD, Lockerd, embedded_only
from locker_client import (bearer, build_push, fake_pdf, json_credential, make_issuer_key, push,
                           register_issuer, sign_in, vacer_claims)

LOCKER_BENCH = os.environ.get("LOCKER_BENCH", os.path.join(os.path.dirname(LOCKERD), "locker-bench"))
ROUNDS = 10
CITIZENS = 30_000
MOBILES = [f"+9198600000{i:02d}" for i in range(3)]


def cli(storage, *args, check=True, timeout=120):
    r = subprocess.run([LOCKER_CLI, "--storage", storage, *args, "--json"], capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, f"locker {' '.join(args)}: {r.returncode} {r.stdout} {r.stderr}"
    return r


def key_status(storage):
    return json.loads(cli(storage, "keys", "status").stdout)


class Downloader(threading.Thread):
    """Downloads every document in a loop from whichever lockerd is current."""

    def __init__(self, docs):
        super().__init__(daemon=True)
        self.docs = docs            # [(token, id, sha256)]
        self.base = None
        self.stop = threading.Event()
        self.ok = 0
        self.failures = []

    def run(self):
        http = requests.Session()
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            for token, doc_id, digest in self.docs:
                base = self.base
                try:
                    r = http.get(f"{base}/v1/documents/{doc_id}/content", headers=bearer(token), timeout=10)
                except requests.RequestException:
                    time.sleep(0.05)  # lockerd is being restarted
                    continue
                if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != digest:
                    self.failures.append(f"{doc_id}: {r.status_code} {r.text[:120]}")
                else:
                    self.ok += 1


def wait_for_rewrap(server, credential, timeout=60):
    """Until lockerd's admin endpoint reports nothing left under an old version."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = requests.get(server.base + "/v1/admin/keys", headers=bearer(credential), timeout=5)
        assert r.status_code == 200, r.text
        if r.json()["pendingRewrap"] == 0:
            return r.json()
        time.sleep(0.1)
    raise AssertionError("lockerd did not finish the rewrap")


@embedded_only("seeds 30,000 citizens straight into SQLite (locker-bench seed-citizens)")
def test_rotation_killed_at_random_points_always_finishes(workdir):
    rng = random.Random(20261123)
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    credential = open(os.path.join(storage, "keys", "admin-credential")).read().strip()
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    api_key = register_issuer(LOCKER_CLI, storage, "in.gov.rotationtest", "Rotation Board", pem_path)

    docs = []
    for n, mobile in enumerate(MOBILES):
        for kind in ("pdf", "json"):
            content = fake_pdf(100_000) if kind == "pdf" else json_credential(4096)
            ctype = "application/pdf" if kind == "pdf" else "application/json"
            body, header = build_push(key, mobile, "VACER", f"ROT{n}{kind}", "2026-11-01", vacer_claims("Asha Verma", 2), content, ctype)
            assert push(server.base, api_key, body, header).status_code == 201
        token = sign_in(server.base, storage, mobile)
        listed = requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10).json()["documents"]
        assert len(listed) == 2
        for d in listed:
            r = requests.get(f"{server.base}/v1/documents/{d['id']}/content", headers=bearer(token), timeout=10)
            assert r.status_code == 200
            docs.append((token, d["id"], hashlib.sha256(r.content).hexdigest()))

    seeded = subprocess.run([LOCKER_BENCH, "seed-citizens", "--storage", storage, "--count", str(CITIZENS)],
                            capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr
    assert sum(v["dataKeys"] for v in key_status(storage)["versions"]) == CITIZENS + len(MOBILES)

    downloader = Downloader(docs)
    downloader.base = server.base
    downloader.start()
    primary = 1
    killed_mid_rewrap = 0
    try:
        for round_no in range(ROUNDS):
            rotation = subprocess.Popen([LOCKER_CLI, "--storage", storage, "keys", "rotate", "--batch-size", "500", "--threads", "1"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.0, 0.9))
            rotation.send_signal(signal.SIGKILL)
            rotation.wait(timeout=10)
            status = key_status(storage)
            assert status["primaryVersion"] in (primary, primary + 1), status
            primary = status["primaryVersion"]
            if status["pendingRewrap"] > 0:
                killed_mid_rewrap += 1

            if round_no % 2 == 0:
                cli(storage, "keys", "rewrap")
            else:
                server.stop(sig=signal.SIGKILL)
                server = Lockerd(storage).start()
                downloader.base = server.base
                wait_for_rewrap(server, credential)

            status = key_status(storage)
            assert status["pendingRewrap"] == 0 and status["orphaned"] == 0, status
            by_version = {v["version"]: v for v in status["versions"]}
            assert by_version[primary]["dataKeys"] == CITIZENS + len(MOBILES)
            verify = json.loads(cli(storage, "keys", "verify", "--deep").stdout)
            assert verify["failures"] == [] and verify["documents"] == len(docs), verify
            for token, doc_id, digest in docs:
                r = requests.get(f"{server.base}/v1/documents/{doc_id}/content", headers=bearer(token), timeout=10)
                assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == digest, f"round {round_no}: {doc_id}"

        assert primary >= ROUNDS // 2, f"most rounds should have added a version (primary v{primary})"
        assert killed_mid_rewrap >= 3, f"only {killed_mid_rewrap} kills landed mid-rewrap; the test is not testing resumption"

        # Retire and destroy everything old while lockerd serves.
        refused = cli(storage, "keys", "retire", "--below", str(primary + 1), check=False)
        assert refused.returncode != 0 and "primary" in refused.stderr
        cli(storage, "keys", "retire", "--below", str(primary))
        for version in range(1, primary):
            cli(storage, "keys", "destroy", str(version))
        time.sleep(1.5)  # one key-watcher tick: lockerd drops the retired versions
        status = key_status(storage)
        assert [v["version"] for v in status["versions"]] == [primary]
        verify = json.loads(cli(storage, "keys", "verify", "--deep").stdout)
        assert verify["failures"] == []
        time.sleep(0.5)
    finally:
        downloader.stop.set()
        downloader.join(timeout=30)
        server.stop()
    assert downloader.failures == [], downloader.failures[:5]
    assert downloader.ok > 50, f"only {downloader.ok} downloads happened during the rotations"
    audit = subprocess.run([LOCKER_CLI, "--storage", storage, "audit", "verify"], capture_output=True, text=True)
    assert audit.returncode == 0, audit.stdout
