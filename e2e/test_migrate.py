"""`locker migrate --to postgres://…`: an embedded vault with 1,000 documents moves into
PostgreSQL; a copy cut short is finished by running the command again; lockerd on PostgreSQL
then serves every document byte for byte, shares and the audit chain came along, and the
embedded vault was left exactly as it was."""
import concurrent.futures as cf
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest
import requests

import locker_client as lc
import pg
from conftest import Lockerd, postgres_server
from test_cluster import _real_cli

CITIZENS = 40
DOCUMENTS = 1000


def cli(*args, env=None, timeout=300):
    return subprocess.run([_real_cli(), *args], capture_output=True, text=True, timeout=timeout, env=env)


def fingerprint(storage):
    """Everything the embedded vault holds, as one hash: every row of every table, the key
    ring file and every blob file."""
    h = hashlib.sha256()
    db = sqlite3.connect(f"file:{os.path.join(storage, 'db', 'locker.sqlite')}?mode=ro", uri=True)
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            h.update(repr(row).encode())
    db.close()
    for root, _, files in sorted(os.walk(storage)):
        for name in sorted(files):
            if name.startswith("keyring") or "/blobs" in root:
                h.update(name.encode() + open(os.path.join(root, name), "rb").read())
    return h.hexdigest()


@pytest.fixture
def embedded_vault(workdir):
    """An embedded vault with DOCUMENTS documents of CITIZENS citizens, one share, lockerd stopped."""
    storage = os.path.join(workdir, "Storage")
    env = dict(os.environ)
    env.pop("LOCKER_DATABASE", None)
    env.pop("LOCKER_ROOT_KEY_FILE", None)
    node = Lockerd(storage, env=env)
    # Always the embedded default, whichever backend the suite runs on.
    import conftest
    backend, conftest.BACKEND = conftest.BACKEND, "sqlite"
    try:
        node.start()
    finally:
        conftest.BACKEND = backend
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    out = cli("issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN", "--public-key", pem_path, "--doc-types", "VACER",
              "--json", "--storage", storage, env=env)
    assert out.returncode == 0, out.stderr
    api = json.loads(out.stdout)["apiKey"]
    mobiles = [f"+91985550{i:04d}" for i in range(CITIZENS)]
    contents = {}

    def one(i):
        mobile = mobiles[i % CITIZENS]
        content = b"%PDF-1.7 " + os.urandom(2000 + (i * 37) % 9000)
        body, ctype = lc.build_push(key, mobile, "VACER", f"M{i:05d}", "2026-11-01", lc.vacer_claims("Asha Verma", 2), content, "application/pdf")
        r = lc.push(node.base, api, body, ctype)
        assert r.status_code == 201, r.text
        return r.json()["id"], mobile, content

    with cf.ThreadPoolExecutor(8) as pool:
        for doc_id, mobile, content in pool.map(one, range(DOCUMENTS)):
            contents[doc_id] = (mobile, content)
    session = lc.sign_in(node.base, storage, mobiles[0])
    first = next(d for d, (m, _) in contents.items() if m == mobiles[0])
    grant = requests.post(f"{node.base}/v1/documents/{first}/shares", json={"label": "Employer", "maxUses": 3},
                          headers=lc.bearer(session), timeout=10)
    assert grant.status_code == 201, grant.text
    node.stop()
    return storage, contents, grant.json()["token"], env


def test_migrate_copies_1000_documents_resumes_after_a_cut_and_leaves_the_embedded_vault_untouched(embedded_vault, workdir):
    storage, contents, share_token, env = embedded_vault
    before = fingerprint(storage)
    audit_before = json.loads(cli("audit", "verify", "--json", "--storage", storage, env=env).stdout)["entries"]
    server = postgres_server()
    url, key_file = server.create_database(), pg.root_key_file(workdir)
    db = url.rsplit("/", 1)[1]

    # First run, stopped as soon as it starts on the documents and then killed: a cut copy.
    first = subprocess.Popen([_real_cli(), "migrate", "--to", url, "--root-key-file", key_file, "--storage", storage],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    progress = []
    for line in first.stderr:
        progress.append(line)
        if "copying documents" in line:
            first.send_signal(signal.SIGSTOP)
            break
    copied_before_cut = int(server.psql("SELECT COUNT(*) FROM documents", db=db))
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert any("copying citizens" in line for line in progress), progress
    assert copied_before_cut < DOCUMENTS

    # The second run finishes it.
    done = cli("migrate", "--to", url, "--root-key-file", key_file, "--storage", storage, "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["resumed"] is True and report["complete"] is True and report["failures"] == []
    tables = {t["name"]: t for t in report["tables"]}
    assert tables["documents"]["source"] == DOCUMENTS and tables["documents"]["target"] == DOCUMENTS
    assert tables["documents"]["copied"] == DOCUMENTS - copied_before_cut
    assert tables["citizens"]["target"] == CITIZENS and tables["shares"]["target"] == 1
    assert report["documentsVerified"] == DOCUMENTS

    # The embedded vault is exactly as it was.
    assert fingerprint(storage) == before

    # A lockerd node on PostgreSQL serves every document, byte for byte, to its owner.
    node = Lockerd(os.path.join(workdir, "Node"), extra_args=["--database", url, "--root-key-file", key_file,
                                                         "--otp-per-client-per-hour", "1000"]).start()
    try:
        sessions = {}
        for doc_id, (mobile, content) in contents.items():
            if mobile not in sessions:
                sessions[mobile] = lc.sign_in(node.base, node.storage, mobile)
            got = requests.get(f"{node.base}/v1/documents/{doc_id}/content", headers=lc.bearer(sessions[mobile]), timeout=10)
            assert got.status_code == 200 and got.content == content, doc_id
        # The share made before the move still redeems.
        redeemed = requests.post(node.base + "/v1/shares/redeem", json={"token": share_token}, timeout=10)
        assert redeemed.status_code == 200, redeemed.text
    finally:
        node.stop()
    pg_env = dict(env, LOCKER_DATABASE=url, LOCKER_ROOT_KEY_FILE=key_file)
    audit = cli("audit", "verify", "--json", "--storage", os.path.join(workdir, "cli"), env=pg_env)
    assert audit.returncode == 0 and json.loads(audit.stdout)["intact"], audit.stdout + audit.stderr
    assert json.loads(audit.stdout)["entries"] > audit_before
    assert int(server.psql("SELECT COUNT(*) FROM auditLog WHERE action = 'vault.migrated'", db=db)) == 1


def test_migrate_refuses_a_database_holding_another_vault_a_running_lockerd_and_a_wrong_root_key(workdir):
    import conftest
    env = dict(os.environ)
    env.pop("LOCKER_DATABASE", None)
    env.pop("LOCKER_ROOT_KEY_FILE", None)
    storage = os.path.join(workdir, "Storage")
    backend, conftest.BACKEND = conftest.BACKEND, "sqlite"
    try:
        node = Lockerd(storage, env=env).start()
    finally:
        conftest.BACKEND = backend
    server = postgres_server()
    url, key_file = server.create_database(), pg.root_key_file(workdir)
    try:
        running = cli("migrate", "--to", url, "--root-key-file", key_file, "--storage", storage, env=env)
        assert running.returncode != 0 and "in use by another lockerd" in running.stderr, running.stderr
    finally:
        node.stop()
    # Another vault already lives in this database.
    other = Lockerd(os.path.join(workdir, "Other"), extra_args=["--database", url, "--root-key-file", key_file]).start()
    other.stop()
    taken = cli("migrate", "--to", url, "--root-key-file", key_file, "--storage", storage, env=env)
    assert taken.returncode != 0 and "already holds vault" in taken.stderr, taken.stderr
    # A copy resumed under a different root key cannot open the ring it stored.
    fresh = server.create_database()
    assert cli("migrate", "--to", fresh, "--root-key-file", key_file, "--storage", storage, env=env).returncode == 0
    os.makedirs(os.path.join(workdir, "k2"))
    wrong = cli("migrate", "--to", fresh, "--root-key-file", pg.root_key_file(os.path.join(workdir, "k2")), "--storage", storage, env=env)
    assert wrong.returncode != 0 and "root key does not open" in wrong.stderr, wrong.stderr
    missing = cli("migrate", "--to", fresh, "--storage", storage, env=env)
    assert missing.returncode != 0 and "--root-key-file" in missing.stderr
