"""Sealed blobs in an S3-compatible object store (--blob-store s3://…), against a real SeaweedFS.

Runs on the embedded SQLite and, with LOCKER_TEST_BACKEND=postgres, on PostgreSQL. Covers:
byte-identical round trips (inline 4 KB, 200 KB, 3 MB), opaque object names and no plaintext in
the store's data folder, a flipped byte in an object refused like one in a file, a store that is
down at start (one line) or dies mid-service (503 + Retry-After, nothing acknowledged lost,
recovery after its restart), kill -9 during pushes, and the orphan sweep's grace period.
"""
import hashlib
import os
import re
import signal
import subprocess
import time
import uuid

import pytest
import requests

import conftest
from conftest import BACKEND, LOCKER_CLI, LOCKERD, Lockerd, free_port
from locker_client import (bearer, build_push, fake_pdf, json_credential, make_issuer_key, push, register_issuer,
                           sign_in, vacer_claims)
from seaweed import SeaweedFS

ISSUER = "in.gov.s3test"
MARKER = b"PLAINTEXT-MARKER-7f3a9c"


@pytest.fixture(scope="module")
def weed():
    server = SeaweedFS().start()
    yield server
    server.cleanup()


def new_bucket(weed):
    return weed.create_bucket("t-" + uuid.uuid4().hex[:20])


class Vault:
    """A lockerd on the store, an issuer and a signed-in citizen."""

    def __init__(self, workdir, weed, bucket, grace=None, mobile="+919811100001"):
        self.workdir, self.weed, self.bucket, self.mobile = workdir, weed, bucket, mobile
        self.storage = os.path.join(workdir, "Storage")
        self.args = ["--blob-store", weed.blob_store(bucket, grace)]
        self.server = Lockerd(self.storage, self.args, env=weed.env()).start()
        self.key, pem = make_issuer_key()
        pem_path = os.path.join(workdir, "issuer.pem")
        with open(pem_path, "wb") as f:
            f.write(pem)
        self.api_key = register_issuer(LOCKER_CLI, self.storage, ISSUER, "S3 Test Board", pem_path)
        self.token = None

    def restart(self, args=None):
        self.server.stop()
        self.server = Lockerd(self.storage, args or self.args, env=self.weed.env()).start()

    def push(self, doc_id, content, doc_type="MARKS", content_type="application/pdf", timeout=60):
        claims = vacer_claims("Asha Verma", 2) if doc_type == "VACER" else {"name": "Asha Verma", "board": "CBSE", "year": 2026}
        body, ctype = build_push(self.key, self.mobile, doc_type, doc_id, "2026-11-01", claims, content, content_type)
        return push(self.server.base, self.api_key, body, ctype, timeout=timeout)

    def session(self):
        if self.token is None:
            self.token = sign_in(self.server.base, self.storage, self.mobile)
        http = requests.Session()
        http.headers.update(bearer(self.token))
        return http

    def download(self, doc):
        return self.session().get(f"{self.server.base}/v1/documents/{doc}/content", timeout=60)


def pdf_with_marker(size):
    body = fake_pdf(size)
    return body[:100] + MARKER * 4 + body[100 + len(MARKER) * 4:]


def test_round_trip_opaque_names_no_plaintext(workdir, weed):
    bucket = new_bucket(weed)
    v = Vault(workdir, weed, bucket)
    try:
        docs = {"SMALL1": (json_credential(4096, name="Asha Verma MARKERNAME"), "VACER", "application/json"),
                "MID1": (pdf_with_marker(200 * 1024), "MARKS", "application/pdf"),
                "BIG1": (pdf_with_marker(3 * 1024 * 1024), "MARKS", "application/pdf")}
        ids = {}
        for doc_id, (content, doc_type, ctype) in docs.items():
            r = v.push(doc_id, content, doc_type, ctype)
            assert r.status_code == 201, r.text
            ids[doc_id] = r.json()["id"]
        for doc_id, (content, _, _) in docs.items():
            d = v.download(ids[doc_id])
            assert d.status_code == 200, d.text[:300]
            assert hashlib.sha256(d.content).digest() == hashlib.sha256(content).digest(), doc_id
            h = v.session().head(f"{v.server.base}/v1/documents/{ids[doc_id]}/content", timeout=30)
            assert h.status_code == 200 and int(h.headers["Content-Length"]) == len(content)
        objects = weed.objects(bucket)
        # The 4 KB credential is inline in the database; the two larger ones are objects.
        assert len(objects) == 2, sorted(objects)
        for key, item in objects.items():
            assert re.fullmatch(r"blobs/[0-9a-f]{32}", key), key
            for leak in [ISSUER, "MID1", "BIG1", v.mobile, v.mobile[1:]] + list(ids.values()):
                assert leak not in key
        sizes = sorted(item["Size"] for item in objects.values())
        assert sizes[0] > 200 * 1024 and sizes[1] > 3 * 1024 * 1024
        # Nothing plaintext anywhere the store keeps bytes, nor in the local storage folder.
        found = subprocess.run(["grep", "-rl", "-a", "-e", MARKER.decode(), "-e", "MARKERNAME", weed.data, v.storage],
                               capture_output=True, text=True)
        assert found.stdout == "", f"plaintext found in: {found.stdout}"
        assert not os.listdir(os.path.join(v.storage, "blobs", "tmp"))
    finally:
        v.server.stop()


def test_flipped_byte_in_object_refused(workdir, weed):
    bucket = new_bucket(weed)
    v = Vault(workdir, weed, bucket)
    try:
        content = pdf_with_marker(200 * 1024)
        r = v.push("FLIP1", content)
        assert r.status_code == 201, r.text
        doc = r.json()["id"]
        assert v.download(doc).content == content
        (key,) = weed.objects(bucket)
        s3 = weed.client()
        sealed = bytearray(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        sealed[-3] ^= 0x01
        s3.put_object(Bucket=bucket, Key=key, Body=bytes(sealed))
        d = v.download(doc)
        assert d.status_code == 500, d.text[:300]
        assert d.headers["Content-Type"] == "application/problem+json"
        assert d.json()["type"] == "/problems/integrity-failure"
        assert MARKER not in d.content
    finally:
        v.server.stop()


def one_line_failure(args, env, storage):
    result = subprocess.run([LOCKERD, "--port", str(free_port()), "--storage", storage, *args], capture_output=True, text=True,
                            timeout=60, env=dict(os.environ, **env))
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_store_unreachable_or_refusing_at_start_is_one_line(workdir, weed):
    storage = os.path.join(workdir, "Storage")
    args = []
    if BACKEND == "postgres":
        url, key = conftest.postgres_for(storage)
        args = ["--database", url, "--root-key-file", key]
    dead = f"http://127.0.0.1:{free_port()}"
    line = one_line_failure(args + ["--blob-store", f"s3://locker?endpoint={dead}"], weed.env(), storage)
    assert line.startswith("lockerd: error:") and dead in line and "s3://locker" in line, line
    bucket = new_bucket(weed)
    wrong = {"AWS_ACCESS_KEY_ID": "lockertestkey", "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    line = one_line_failure(args + ["--blob-store", weed.blob_store(bucket)], wrong, storage)
    assert weed.endpoint in line and "refused" in line and "not-the-secret" not in line, line
    line = one_line_failure(args + ["--blob-store", weed.blob_store("no-such-bucket-here")], weed.env(), storage)
    assert "no-such-bucket-here" in line, line
    env = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    line = one_line_failure(args + ["--blob-store", weed.blob_store(bucket)], env, storage)
    assert "AWS_ACCESS_KEY_ID" in line, line


def test_credentials_file(workdir, weed):
    bucket = new_bucket(weed)
    creds = os.path.join(workdir, "s3.credentials")
    with open(creds, "w") as f:
        f.write(f"[default]\naws_access_key_id = {weed.env()['AWS_ACCESS_KEY_ID']}\naws_secret_access_key = {weed.env()['AWS_SECRET_ACCESS_KEY']}\n")
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage, ["--blob-store", weed.blob_store(bucket), "--blob-credentials-file", creds],
                     env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}).start()
    try:
        assert weed.env()["AWS_SECRET_ACCESS_KEY"] not in server.read_log()
    finally:
        server.stop()


def test_store_killed_mid_service_503_then_recovers(workdir):
    own = SeaweedFS().start()
    try:
        bucket = own.create_bucket("locker-outage")
        v = Vault(workdir, own, bucket)
        try:
            before = pdf_with_marker(200 * 1024)
            r = v.push("OUT1", before)
            assert r.status_code == 201, r.text
            kept = r.json()["id"]
            own.kill()
            r = v.push("OUT2", pdf_with_marker(200 * 1024), timeout=60)
            assert r.status_code == 503, r.text
            assert r.headers["Content-Type"] == "application/problem+json"
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["type"] == "/problems/blob-store-unavailable"
            d = v.download(kept)
            assert d.status_code == 503 and "Retry-After" in d.headers, d.text[:300]
            own.start()
            r = v.push("OUT3", pdf_with_marker(200 * 1024))
            assert r.status_code == 201, r.text
            assert v.download(kept).content == before
            listed = {d["uri"] for d in v.session().get(v.server.base + "/v1/documents", timeout=30).json()["documents"]}
            assert any(u.endswith("OUT1") for u in listed) and any(u.endswith("OUT3") for u in listed)
            assert not any(u.endswith("OUT2") for u in listed), "a push that got 503 must not be stored"
        finally:
            v.server.stop()
    finally:
        own.cleanup()


def test_orphan_sweep_respects_grace_and_references(workdir, weed):
    bucket = new_bucket(weed)
    v = Vault(workdir, weed, bucket, grace=3600)
    try:
        content = pdf_with_marker(200 * 1024)
        r = v.push("SWEEP1", content)
        assert r.status_code == 201, r.text
        doc = r.json()["id"]
        (referenced,) = weed.objects(bucket)
        s3 = weed.client()
        orphan = "blobs/" + uuid.uuid4().hex
        s3.put_object(Bucket=bucket, Key=orphan, Body=b"x" * 100)
        s3.put_object(Bucket=bucket, Key="elsewhere/not-ours", Body=b"y")
        v.restart()  # start-up sweep, default grace: the new orphan is too young to go
        assert orphan in weed.objects(bucket)
        time.sleep(2.5)
        v.restart(["--blob-store", weed.blob_store(bucket, grace=1)])
        objects = weed.objects(bucket)
        assert orphan not in objects, "an unreferenced object past its grace period is swept"
        assert referenced in objects and "elsewhere/not-ours" in objects
        assert v.download(doc).content == content
    finally:
        v.server.stop()


def test_kill_9_during_pushes_loses_no_acknowledged_push(workdir, weed, monkeypatch):
    """The crash test of e2e/test_crash.py, with every lockerd on the object store."""
    import test_crash
    monkeypatch.setattr(conftest, "BLOB_STORE", "s3")
    monkeypatch.setattr(conftest, "_seaweed", weed)
    for name in ("LOCKER_BLOB_STORE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    monkeypatch.setattr(test_crash, "ROUNDS", 2)
    test_crash.test_acknowledged_pushes_survive_kill_9(workdir)


def test_migrate_moves_blob_files_into_the_bucket(workdir, weed, monkeypatch):
    """`locker migrate --to postgres://… --blob-store s3://…`: the embedded vault's blob files go
    into the bucket (small ones into the database) and a node on PostgreSQL + S3 serves them."""
    import pg
    from test_cluster import _real_cli
    # Lockerd adds os.environ to env: under a whole-suite run on PostgreSQL + S3 + HSM the
    # session's database, bucket and root key must not reach this embedded vault.
    for name in ("LOCKER_DATABASE", "LOCKER_ROOT_KEY_FILE", "LOCKER_ROOT_KEY", "LOCKER_BLOB_STORE"):
        monkeypatch.delenv(name, raising=False)
    env = dict(os.environ)
    monkeypatch.setattr(conftest, "BACKEND", "sqlite")
    monkeypatch.setattr(conftest, "BLOB_STORE", "files")
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage, env=env).start()
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    open(pem_path, "wb").write(pem)
    api_key = register_issuer(_real_cli(), storage, ISSUER, "S3 Test Board", pem_path)
    mobile = "+919811100077"
    contents = {"MIG1": json_credential(4096), "MIG2": pdf_with_marker(200 * 1024), "MIG3": pdf_with_marker(3 * 1024 * 1024)}
    ids = {}
    for doc_id, content in contents.items():
        ctype = "application/json" if doc_id == "MIG1" else "application/pdf"
        body, header = build_push(key, mobile, "MARKS", doc_id, "2026-11-01", {"name": "Asha Verma", "board": "CBSE"}, content, ctype)
        r = push(node.base, api_key, body, header)
        assert r.status_code == 201, r.text
        ids[doc_id] = r.json()["id"]
    node.stop()

    bucket = new_bucket(weed)
    url, key_file = conftest.postgres_server().create_database(), pg.root_key_file(workdir)
    result = subprocess.run([_real_cli(), "migrate", "--to", url, "--root-key-file", key_file, "--storage", storage,
                             "--blob-store", weed.blob_store(bucket), "--json"],
                            capture_output=True, text=True, timeout=300, env=dict(env, **weed.env()))
    assert result.returncode == 0, result.stdout + result.stderr
    import json
    report = json.loads(result.stdout)
    assert report["complete"] is True and report["documentsVerified"] == 3
    objects = weed.objects(bucket)
    assert len(objects) == 2 and all(re.fullmatch(r"blobs/[0-9a-f]{32}", k) for k in objects), sorted(objects)

    served = Lockerd(os.path.join(workdir, "Node"), ["--database", url, "--root-key-file", key_file,
                                                     "--blob-store", weed.blob_store(bucket)], env=dict(env, **weed.env())).start()
    try:
        token = sign_in(served.base, served.storage, mobile)
        for doc_id, content in contents.items():
            got = requests.get(f"{served.base}/v1/documents/{ids[doc_id]}/content", headers=bearer(token), timeout=30)
            assert got.status_code == 200 and got.content == content, doc_id
    finally:
        served.stop()
