"""`locker backup` / `backup verify` / `restore` on the embedded vault (issue #21).

A backup taken while pushes keep arriving restores to a vault where every push acknowledged
before the backup started downloads byte-identical; the restored vault passes `keys verify
--deep` and `audit verify`. A changed file fails `backup verify`; restore refuses a foreign key
ring (with nothing written) and a non-empty target.
"""
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time

import pytest
import requests

from conftest import LOCKER_CLI, Lockerd, embedded_only
from locker_client import bearer, build_push, fake_pdf, make_issuer_key, push, register_issuer, sign_in, vacer_claims

pytestmark = embedded_only("backs up the embedded storage folder; PostgreSQL uses its own tools")

MOBILES = ["+919822200001", "+919822200002"]


def cli(*args, timeout=300):
    return subprocess.run([LOCKER_CLI, *args], capture_output=True, text=True, timeout=timeout)


def issuer(workdir, storage):
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    return key, register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)


def push_doc(server, key, api_key, n, size):
    content = fake_pdf(size) + f"MARKER-{n}".encode()
    body, header = build_push(key, MOBILES[n % 2], "VACER", f"DOC-{n}", "2026-11-01", vacer_claims("Asha Verma", 2), content, "application/pdf")
    r = push(server.base, api_key, body, header)
    assert r.status_code == 201, r.text
    return r.json()["id"], content


def test_a_backup_taken_during_pushes_restores_every_acknowledged_document(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    key, api_key = issuer(workdir, storage)
    acknowledged = {}  # id -> (content, acknowledged at)
    stop = threading.Event()
    errors = []

    def pusher():
        n = 100
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline and n < 400:
            try:
                doc_id, content = push_doc(server, key, api_key, n, 150_000 if n % 3 == 0 else 3_000)
                acknowledged[doc_id] = (content, time.monotonic())
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
                return
            n += 1

    try:
        for n in range(12):  # large ones become blob files, small ones live in the database
            doc_id, content = push_doc(server, key, api_key, n, 200_000 if n % 2 else 2_000)
            acknowledged[doc_id] = (content, time.monotonic())
        thread = threading.Thread(target=pusher)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        backup_dir = os.path.join(workdir, "backup")
        taken = cli("--storage", storage, "backup", "--to", backup_dir, "--json")
        assert taken.returncode == 0, taken.stderr
        stop.set()
        thread.join(timeout=60)
        assert not errors, errors
        manifest = json.loads(taken.stdout)
        before = {d: c for d, (c, at) in acknowledged.items() if at < started}
        assert len(before) >= 14 and manifest["documents"] >= len(before)
        assert any(b["path"].startswith("blobs/") for b in manifest["blobs"])
        # The running server kept serving: pushes were acknowledged while the backup ran.
        assert len(acknowledged) > len(before)
    finally:
        server.stop()

    verified = cli("backup", "verify", backup_dir, "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["intact"], verified.stdout + verified.stderr

    restored = os.path.join(workdir, "Restored")
    result = cli("restore", backup_dir, "--to", restored, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["keys"]["failures"] == [] and report["keys"]["documents"] == manifest["documents"] and report["auditFirstBroken"] is None
    assert cli("--storage", restored, "audit", "verify").returncode == 0

    server = Lockerd(restored).start()
    try:
        tokens = {m: sign_in(server.base, restored, m) for m in MOBILES}
        for doc_id, content in before.items():
            got = None
            for token in tokens.values():
                r = requests.get(f"{server.base}/v1/documents/{doc_id}/content", headers=bearer(token), timeout=30)
                if r.status_code == 200:
                    got = r.content
            assert got == content, doc_id
    finally:
        server.stop()


def populated_backup(workdir, name):
    storage = os.path.join(workdir, name)
    server = Lockerd(storage).start()
    try:
        key, api_key = issuer(workdir, storage)
        push_doc(server, key, api_key, 1, 200_000)
        push_doc(server, key, api_key, 2, 1_000)
    finally:
        server.stop()
    folder = os.path.join(workdir, name + "-backup")
    assert cli("--storage", storage, "backup", "--to", folder).returncode == 0
    return storage, folder


def test_backup_verify_finds_a_changed_file_and_restore_refuses_foreign_keys_and_full_targets(workdir):
    _, folder = populated_backup(workdir, "A")
    _, other = populated_backup(workdir, "B")
    manifest = json.load(open(os.path.join(folder, "manifest.json")))

    # A flipped byte in a sealed document file.
    damaged = os.path.join(workdir, "damaged")
    shutil.copytree(folder, damaged)
    blob = os.path.join(damaged, manifest["blobs"][0]["path"])
    data = bytearray(open(blob, "rb").read())
    data[len(data) // 2] ^= 1
    open(blob, "wb").write(bytes(data))
    out = cli("backup", "verify", damaged)
    assert out.returncode == 1 and "differs from the manifest" in out.stdout

    # Another vault's key ring, with the manifest's hash made to match: only the identity check can catch it.
    foreign = os.path.join(workdir, "foreign")
    shutil.copytree(folder, foreign)
    shutil.copy(os.path.join(other, "keyring.json"), os.path.join(foreign, "keyring.json"))
    m = json.load(open(os.path.join(foreign, "manifest.json")))
    ring = open(os.path.join(foreign, "keyring.json"), "rb").read()
    m["keyring"]["sha256"], m["keyring"]["size"] = hashlib.sha256(ring).hexdigest(), len(ring)
    json.dump(m, open(os.path.join(foreign, "manifest.json"), "w"))
    target = os.path.join(workdir, "target-foreign")
    out = cli("restore", foreign, "--to", target)
    assert out.returncode != 0 and "belongs to vault" in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert not os.path.exists(target), "nothing may be written for a refused backup"

    # A target that is not empty.
    full = os.path.join(workdir, "full")
    os.makedirs(full)
    open(os.path.join(full, "something"), "w").write("x")
    out = cli("restore", folder, "--to", full)
    assert out.returncode != 0 and "is not empty" in out.stderr
    assert os.listdir(full) == ["something"]

    # A folder without a manifest is not a backup; a backup folder must be new or empty.
    out = cli("backup", "verify", os.path.join(workdir, "full"))
    assert out.returncode != 0 and "no manifest.json" in out.stderr
    out = cli("--storage", os.path.join(workdir, "A"), "backup", "--to", folder)
    assert out.returncode != 0 and "is not empty" in out.stderr
