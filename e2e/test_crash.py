"""Crash safety: every push lockerd acknowledged survives `kill -9`, byte for byte.

Three rounds on one storage folder: 8 threads push distinct documents (4 KB JSON credentials and
~100 KB PDFs, several mobiles) for at most ~3 s; after a random 0.3-1.5 s the server gets SIGKILL.
After a restart every push that got a 2xx, in this round or an earlier one, must list and download
identical, and no temp file may be left in Storage/blobs/tmp.
"""
import hashlib
import os
import random
import signal
import threading
import time

import requests

from conftest import LOCKER_CLI, Lockerd
from locker_client import (bearer, build_push, fake_pdf, json_credential, make_issuer_key, push,
                           register_issuer, sign_in, vacer_claims)

ROUNDS = 3
THREADS = 8
PUSH_WINDOW = 3.0            # seconds a round may push at most
KILL_AFTER = (0.3, 1.5)      # seconds after pushing starts
ISSUER_ID = "in.gov.crashtest"
# 4 mobiles x 3 rounds = 12 sign-ins: under the default 20 challenges per client per hour.
MOBILES = [f"+9198700000{i:02d}" for i in range(4)]


class Ledger:
    """What was sent and what was acknowledged, shared by the pushing threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = {}   # uri -> {"mobile", "sha256", "content", "contentType"}
        self.acked = {}       # uri -> same, plus "status" and "id"
        self.errors = []      # unexpected answers while the server was alive

    def attempt(self, uri, record):
        with self.lock:
            assert uri not in self.attempted, f"duplicate URI {uri}"
            self.attempted[uri] = record

    def ack(self, uri, record):
        with self.lock:
            self.acked[uri] = record

    def error(self, message):
        with self.lock:
            self.errors.append(message)


def pusher(server, api_key, key, round_no, thread_no, seed, ledger, killed, deadline):
    rng = random.Random(seed)
    http = requests.Session()
    n = 0
    while not killed.is_set() and time.monotonic() < deadline:
        n += 1
        mobile = rng.choice(MOBILES)
        doc_id = f"R{round_no}-T{thread_no}-{n}-{rng.getrandbits(32):08x}"
        if rng.random() < 0.5:
            doc_type, content_type = "VACER", "application/json"
            claims = vacer_claims(f"Citizen {mobile[-2:]}", rng.randint(0, 2))
            content = json_credential(4096, name=claims["name"])
        else:
            doc_type, content_type = "MARKS", "application/pdf"
            claims = {"name": f"Citizen {mobile[-2:]}", "board": "CBSE", "year": 2026}
            content = fake_pdf(100 * 1024 + rng.randint(-2048, 2048))
        uri = f"{ISSUER_ID}-{doc_type}-{doc_id}"
        record = {"mobile": mobile, "sha256": hashlib.sha256(content).hexdigest(), "content": content,
                  "contentType": content_type}
        ledger.attempt(uri, record)
        body, ctype = build_push(key, mobile, doc_type, doc_id, "2026-11-01", claims, content, content_type)
        try:
            r = push(server.base, api_key, body, ctype, session=http, timeout=10)
        except requests.RequestException as exc:
            if not killed.is_set():
                ledger.error(f"{uri}: {type(exc).__name__} before the kill: {exc}")
            return
        if 200 <= r.status_code < 300:
            ledger.ack(uri, dict(record, status=r.status_code, id=r.json().get("id")))
            if r.status_code != 201 or r.json().get("result") != "created":
                ledger.error(f"{uri}: first push answered {r.status_code} {r.text[:200]}")
        else:
            ledger.error(f"{uri}: {r.status_code} {r.text[:200]}")


def crash_round(server, api_key, key, round_no, rng, ledger):
    """Pushes from THREADS threads and SIGKILLs the server mid-stream; returns the kill delay."""
    killed = threading.Event()
    deadline = time.monotonic() + PUSH_WINDOW
    threads = [
        threading.Thread(target=pusher, daemon=True,
                         args=(server, api_key, key, round_no, t, rng.getrandbits(64), ledger, killed, deadline))
        for t in range(THREADS)
    ]
    for t in threads:
        t.start()
    delay = rng.uniform(*KILL_AFTER)
    time.sleep(delay)
    killed.set()
    server.stop(signal.SIGKILL)
    for t in threads:
        t.join(timeout=30)
        assert not t.is_alive(), "a pushing thread did not finish within 30 s of the kill"
    return delay


def verify(server, storage, ledger):
    """Every acknowledged push lists and downloads identical; nothing listed is torn."""
    tmp = os.path.join(storage, "blobs", "tmp")
    leftovers = os.listdir(tmp) if os.path.isdir(tmp) else []
    assert leftovers == [], f"temp files left after restart: {leftovers[:5]}"
    for mobile in MOBILES:
        token = sign_in(server.base, storage, mobile)
        http = requests.Session()
        http.headers.update(bearer(token))
        r = http.get(server.base + "/v1/documents", timeout=30)
        assert r.status_code == 200, r.text
        listed = {d["uri"]: d for d in r.json()["documents"]}
        expected = {uri: rec for uri, rec in ledger.acked.items() if rec["mobile"] == mobile}
        missing = sorted(set(expected) - set(listed))
        assert not missing, f"{len(missing)} acknowledged pushes for {mobile} lost after kill -9, e.g. {missing[:3]}"
        for uri, doc in listed.items():
            sent = ledger.attempted.get(uri)
            assert sent is not None, f"{uri} listed for {mobile} but never pushed"
            assert sent["mobile"] == mobile, f"{uri} listed for the wrong citizen"
            assert doc["sha256"] == sent["sha256"], f"{uri}: listed sha256 differs from what was pushed"
            assert doc["contentType"] == sent["contentType"] and doc["size"] == len(sent["content"])
            if uri in expected and expected[uri].get("id"):
                assert doc["id"] == expected[uri]["id"], f"{uri}: id changed across the restart"
            d = http.get(f"{server.base}/v1/documents/{doc['id']}/content", timeout=30)
            assert d.status_code == 200, f"{uri}: download {d.status_code} {d.text[:200]}"
            assert hashlib.sha256(d.content).hexdigest() == sent["sha256"], f"{uri}: downloaded bytes differ"
            assert d.headers.get("Cache-Control") == "no-store"
            assert d.headers.get("ETag") == f'"{sent["sha256"]}"'
    return len(ledger.acked)


def test_acknowledged_pushes_survive_kill_9(workdir):
    seed = int(os.environ.get("LOCKER_CRASH_SEED", random.randrange(1 << 30)))
    print(f"crash test seed: {seed} (rerun with LOCKER_CRASH_SEED={seed})")
    rng = random.Random(seed)
    storage = os.path.join(workdir, "Storage")
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)

    server = Lockerd(storage)
    ledger = Ledger()
    try:
        server.start()
        api_key = register_issuer(LOCKER_CLI, storage, ISSUER_ID, "Crash Test Board", pem_path)
        for round_no in range(ROUNDS):
            acked_before = len(ledger.acked)
            delay = crash_round(server, api_key, key, round_no, rng, ledger)
            assert server.proc.returncode == -signal.SIGKILL
            assert not ledger.errors, f"unexpected answers before the kill: {ledger.errors[:5]}"
            server = Lockerd(storage)
            server.start()
            total = verify(server, storage, ledger)
            print(f"round {round_no}: killed after {delay:.2f} s, {total - acked_before} new acknowledged pushes, "
                  f"{len(ledger.attempted)} attempted so far, all {total} acknowledged intact")
        assert ledger.acked, "no push was acknowledged in any round: the test proved nothing"
    finally:
        server.stop()
