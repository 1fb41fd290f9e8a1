"""Two lockerd nodes on one PostgreSQL, as real processes: what one node does, the other sees at
once, and the rules that never bend hold across both (exact share uses, one OTP judgement,
sessions ended everywhere, keys rotated online, no acknowledged push lost to kill -9, one
intact audit chain). One test puts haproxy in front, as a deployment would."""
import concurrent.futures as cf
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest
import requests

import locker_client as lc
import pg
from conftest import Lockerd, free_port, postgres_server

MOBILE = "+919855511000"


class Cluster:
    def __init__(self, workdir):
        self.workdir = workdir
        self.url = postgres_server().create_database()
        self.key = pg.root_key_file(workdir)
        self.nodes = []
        self.env = dict(os.environ, LOCKER_DATABASE=self.url, LOCKER_ROOT_KEY_FILE=self.key)
        self.root_args = ["--root-key-file", self.key]
        self.node_env = None
        # LOCKER_TEST_ROOT_KEY=hsm: the nodes' root key is an AES key in a SoftHSM2 token (e2e/hsm.py).
        self.hsm = None
        if os.environ.get("LOCKER_TEST_ROOT_KEY") == "hsm":
            import hsm
            self.hsm = hsm.SoftHSM(os.path.join(workdir, "softhsm")).start()
            uri = self.hsm.make_key(_real_cli())
            self.root_args = ["--root-key", uri]
            self.node_env = {"SOFTHSM2_CONF": self.hsm.conf}
            self.env = dict(self.hsm.env(), LOCKER_DATABASE=self.url, LOCKER_ROOT_KEY=uri)
            self.env.pop("LOCKER_ROOT_KEY_FILE", None)

    def node(self, name):
        storage = os.path.join(self.workdir, name)
        node = Lockerd(storage, extra_args=["--database", self.url, *self.root_args], env=self.node_env).start()
        self.nodes.append(node)
        return node

    def cli(self, *args, timeout=120):
        return subprocess.run([_real_cli(), *args, "--storage", os.path.join(self.workdir, "cli")],
                              capture_output=True, text=True, timeout=timeout, env=self.env)

    def issuer(self):
        key, pem = lc.make_issuer_key()
        pem_path = os.path.join(self.workdir, "issuer.pub")
        open(pem_path, "wb").write(pem)
        out = self.cli("issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN", "--public-key", pem_path, "--doc-types", "VACER", "--json")
        assert out.returncode == 0, out.stderr
        return key, json.loads(out.stdout)["apiKey"]

    def audit_intact(self):
        out = self.cli("audit", "verify", "--json")
        report = json.loads(out.stdout)
        assert out.returncode == 0 and report["intact"], out.stdout + out.stderr
        return report["entries"]

    def postgres_psql(self, sql):
        return postgres_server().psql(sql, db=self.url.rsplit("/", 1)[1])

    def stop(self):
        for node in self.nodes:
            node.stop(sig=signal.SIGKILL) if node.proc and node.proc.poll() is None else None


def _real_cli():
    # The e2e shim (postgres backend) only adds --database for a storage folder; here it is explicit.
    return os.environ.get("LOCKER_CLI") or os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "locker")


@pytest.fixture
def cluster(workdir):
    c = Cluster(workdir)
    yield c
    c.stop()


def push(node, key, api, doc_id, mobile=MOBILE, size=3000):
    content = b"%PDF-1.7 " + doc_id.encode() + os.urandom(size)
    body, ctype = lc.build_push(key, mobile, "VACER", doc_id, "2026-11-01", lc.vacer_claims("Asha Verma", 2), content, "application/pdf")
    return lc.push(node.base, api, body, ctype), content


def test_push_on_one_node_downloads_from_the_other_and_through_haproxy(cluster, workdir):
    if not shutil.which("haproxy"):
        pytest.fail("haproxy is not installed (scripts/install-deps test installs it)")
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    r, content = push(a, key, api, "C1")
    assert r.status_code == 201, r.text
    session = lc.sign_in(b.base, b.storage, MOBILE)
    listed = requests.get(b.base + "/v1/documents", headers=lc.bearer(session), timeout=10).json()["documents"]
    assert [d["id"] for d in listed] == [r.json()["id"]]
    got = requests.get(f"{b.base}/v1/documents/{r.json()['id']}/content", headers=lc.bearer(session), timeout=10)
    assert got.status_code == 200 and got.content == content

    port = free_port()
    cfg = os.path.join(workdir, "haproxy.cfg")
    open(cfg, "w").write(f"""global
    maxconn 512
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend locker
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
    server a 127.0.0.1:{a.port} check inter 500ms
    server b 127.0.0.1:{b.port} check inter 500ms
""")
    proxy = subprocess.Popen(["haproxy", "-f", cfg, "-db"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "haproxy did not come up"
            time.sleep(0.1)
        # Every request lands on either node in turn; each answers from the shared database.
        for i in range(6):
            got = requests.get(f"{base}/v1/documents/{r.json()['id']}/content", headers=lc.bearer(session), timeout=10)
            assert got.status_code == 200 and got.content == content, (i, got.status_code)
        r2, content2 = push(type("P", (), {"base": base})(), key, api, "C2")
        assert r2.status_code == 201, r2.text
        got = requests.get(f"{a.base}/v1/documents/{r2.json()['id']}/content", headers=lc.bearer(session), timeout=10)
        assert got.content == content2
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
    cluster.audit_intact()


def test_a_seven_use_grant_raced_by_50_clients_across_both_nodes_gives_exactly_seven(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    r, content = push(a, key, api, "S1")
    session = lc.sign_in(a.base, a.storage, MOBILE)
    grant = requests.post(f"{a.base}/v1/documents/{r.json()['id']}/shares", json={"label": "Race", "maxUses": 7},
                          headers=lc.bearer(session), timeout=10).json()
    start = threading.Barrier(50)

    def redeem(i):
        start.wait(timeout=20)
        node = a if i % 2 else b
        got = requests.post(node.base + "/v1/shares/redeem", json={"token": grant["token"]}, timeout=30)
        return got.status_code, got.content
    with cf.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(redeem, range(50)))
    assert sorted(s for s, _ in results).count(200) == 7, sorted(s for s, _ in results)
    assert all(body == content for s, body in results if s == 200)
    assert sorted(s for s, _ in results).count(404) == 43
    shares = requests.get(b.base + "/v1/shares", headers=lc.bearer(session), timeout=10).json()["shares"]
    assert shares[0]["usesSpent"] == 7
    cluster.audit_intact()


def test_wrong_otps_spread_over_both_nodes_lock_after_three(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    challenge = requests.post(a.base + "/v1/auth/otp", json={"mobile": MOBILE}, timeout=10).json()["challengeId"]
    deadline = time.monotonic() + 10
    while not lc.read_otps(a.storage, MOBILE):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    right = lc.read_otps(a.storage, MOBILE)[-1]
    wrong = "000000" if right != "000000" else "111111"
    statuses = []
    for node in (b, a, b):
        got = requests.post(node.base + "/v1/auth/token", json={"challengeId": challenge, "otp": wrong}, timeout=10)
        statuses.append((got.status_code, got.json().get("type")))
    assert [s for s, _ in statuses] == [401, 401, 401], statuses
    # Locked everywhere: the right code no longer works on either node.
    for node in (a, b):
        got = requests.post(node.base + "/v1/auth/token", json={"challengeId": challenge, "otp": right}, timeout=10)
        assert got.status_code == 401 and got.json()["type"] == "/problems/otp-locked", got.text


def test_an_otp_is_accepted_once_even_when_both_nodes_get_it_at_once(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    challenge = requests.post(a.base + "/v1/auth/otp", json={"mobile": MOBILE}, timeout=10).json()["challengeId"]
    time.sleep(0.2)
    right = lc.read_otps(a.storage, MOBILE)[-1]
    start = threading.Barrier(10)

    def submit(i):
        start.wait(timeout=20)
        node = a if i % 2 else b
        return requests.post(node.base + "/v1/auth/token", json={"challengeId": challenge, "otp": right}, timeout=10).status_code
    with cf.ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(submit, range(10)))
    assert statuses.count(200) == 1, statuses


def test_a_rekey_ends_the_citizens_session_on_the_other_node_within_a_second(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    r, _ = push(a, key, api, "R1")
    session = lc.sign_in(b.base, b.storage, MOBILE)
    # B has checked (and cached) the session.
    for _ in range(3):
        assert requests.get(b.base + "/v1/documents", headers=lc.bearer(session), timeout=10).status_code == 200
    out = cluster.cli("citizens", "rekey", "--mobile", MOBILE, "--json")
    assert out.returncode == 0, out.stderr
    ended = time.monotonic()
    while requests.get(b.base + "/v1/documents", headers=lc.bearer(session), timeout=10).status_code == 200:
        assert time.monotonic() - ended < 1.0, "node B still honours a session the rekey ended"
        time.sleep(0.02)
    # Logout on A ends a fresh session on B at once too.
    session = lc.sign_in(b.base, b.storage, MOBILE)
    assert requests.get(b.base + "/v1/documents", headers=lc.bearer(session), timeout=10).status_code == 200
    assert requests.post(a.base + "/v1/auth/logout", headers=lc.bearer(session), timeout=10).status_code in (200, 204)
    ended = time.monotonic()
    while requests.get(b.base + "/v1/documents", headers=lc.bearer(session), timeout=10).status_code == 200:
        assert time.monotonic() - ended < 1.0, "node B still honours a session logged out on A"
        time.sleep(0.02)
    cluster.audit_intact()


def test_keys_rotate_while_both_nodes_serve_downloads_without_an_error(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    docs = []
    for i in range(20):
        r, content = push(a if i % 2 else b, key, api, f"K{i}", mobile=f"+9198555{20000 + i}")
        assert r.status_code == 201, r.text
        docs.append((r.json()["id"], content, f"+9198555{20000 + i}"))
    sessions = {m: lc.sign_in(a.base, a.storage, m) for _, _, m in docs}
    stop = threading.Event()
    errors, served = [], [0]

    def download(node):
        while not stop.is_set():
            for doc_id, content, mobile in docs:
                got = requests.get(f"{node.base}/v1/documents/{doc_id}/content", headers=lc.bearer(sessions[mobile]), timeout=10)
                if got.status_code != 200 or got.content != content:
                    errors.append((node.port, doc_id, got.status_code))
                served[0] += 1
    threads = [threading.Thread(target=download, args=(n,)) for n in (a, b, a, b)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        out = cluster.cli("keys", "rotate", "--json")
        assert out.returncode == 0, out.stderr
        time.sleep(1.5)  # both nodes pick the new ring up within their next key watch
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == [] and served[0] > 40, (errors[:5], served[0])
    status = json.loads(cluster.cli("keys", "status", "--json").stdout)
    assert status["primaryVersion"] == 2 and status["pendingRewrap"] == 0, status
    # A citizen created after the rotation, through the other node, is wrapped under v2.
    r, content = push(b, key, api, "K-after", mobile="+919855529999")
    assert r.status_code == 201
    status = json.loads(cluster.cli("keys", "status", "--json").stdout)
    assert [v["dataKeys"] for v in status["versions"] if v["version"] == 2] == [21], status
    cluster.audit_intact()


def test_a_rewrap_killed_half_way_is_finished_by_a_node_and_never_runs_twice_at_once(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    with cf.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: push(a if i % 2 else b, key, api, f"W{i}", mobile=f"+9198556{10000 + i}", size=200)[0],
                                range(300)))
    assert all(r.status_code == 201 for r in results)
    for node in (a, b):
        node.stop()
    # A paced rotation from the CLI, killed once it has rewrapped part of the data keys.
    rotation = subprocess.Popen([_real_cli(), "keys", "rotate", "--max-rate", "100", "--batch-size", "10",
                                 "--storage", os.path.join(cluster.workdir, "cli")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cluster.env)
    for line in rotation.stderr:
        progress = re.search(r"(\d+)/(\d+)", line) if line.startswith("rewrap [") else None
        if progress and int(progress.group(1)) >= 20:
            rotation.send_signal(signal.SIGKILL)
            break
    rotation.wait(timeout=10)
    status = json.loads(cluster.cli("keys", "status", "--json").stdout)
    assert status["primaryVersion"] == 2 and 0 < status["pendingRewrap"] < 300, status
    # While another process holds the rewrap lock, a second rewrap waits for it.
    holder = subprocess.Popen([_real_cli(), "keys", "rewrap", "--max-rate", "20", "--batch-size", "5",
                               "--storage", os.path.join(cluster.workdir, "cli")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cluster.env)
    for line in holder.stderr:
        if line.startswith("rewrap ["):
            break
    second = subprocess.Popen([_real_cli(), "keys", "rewrap", "--storage", os.path.join(cluster.workdir, "cli")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cluster.env)
    waiting = second.stderr.readline()
    assert "waiting for the rewrap lock" in waiting, waiting
    second.kill()
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    second.wait(timeout=10)
    # The lock died with its holder: a node started now finishes the rewrap by itself.
    node = cluster.node("C")
    deadline = time.monotonic() + 30
    while True:
        status = json.loads(cluster.cli("keys", "status", "--json").stdout)
        if status["pendingRewrap"] == 0:
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert [v["dataKeys"] for v in status["versions"] if v["version"] == 2] == [300], status
    verify = cluster.cli("keys", "verify", "--json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "lockerd" in cluster.postgres_psql("SELECT actor FROM auditLog WHERE action = 'admin.kek-rewrapped'")
    cluster.audit_intact()
    assert node.proc.poll() is None


def test_kill_9_of_one_node_during_pushes_loses_no_acknowledged_push(cluster):
    a, b = cluster.node("A"), cluster.node("B")
    key, api = cluster.issuer()
    acknowledged, lock = {}, threading.Lock()
    stop = threading.Event()

    def pusher(node, prefix):
        i = 0
        while not stop.is_set() and i < 400:
            try:
                r, content = push(node, key, api, f"{prefix}{i}", mobile=f"+91987{prefix == 'A' and 1 or 2}{i:05d}", size=1500)
            except requests.RequestException:
                return  # the node is gone
            if r.status_code == 201:
                with lock:
                    acknowledged[r.json()["id"]] = (content, f"+91987{prefix == 'A' and 1 or 2}{i:05d}")
            i += 1
    threads = [threading.Thread(target=pusher, args=(a, "A")), threading.Thread(target=pusher, args=(b, "B"))]
    for t in threads:
        t.start()
    time.sleep(1.5)
    a.proc.send_signal(signal.SIGKILL)
    a.proc.wait(timeout=10)
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(acknowledged) > 20, len(acknowledged)
    # Every push answered 201, whichever node answered it, is in the database and opens on B.
    count = pg_count(cluster.url, "SELECT COUNT(*) FROM documents")
    assert count >= len(acknowledged)
    sample = list(acknowledged.items())[:: max(1, len(acknowledged) // 15)]
    for doc_id, (content, mobile) in sample:
        session = lc.sign_in(b.base, b.storage, mobile)
        got = requests.get(f"{b.base}/v1/documents/{doc_id}/content", headers=lc.bearer(session), timeout=10)
        assert got.status_code == 200 and got.content == content, doc_id
    ids = set(pg_rows(cluster.url, "SELECT id FROM documents"))
    assert set(acknowledged) <= ids, len(set(acknowledged) - ids)
    cluster.audit_intact()


def pg_rows(url, sql):
    db = url.rsplit("/", 1)[1]
    return [line for line in postgres_server().psql(sql, db=db).split("\n") if line]


def pg_count(url, sql):
    return int(pg_rows(url, sql)[0])


def test_a_node_that_cannot_reach_postgresql_says_so_in_one_line_and_exits_1(workdir):
    port = free_port()
    key = pg.root_key_file(workdir)
    from conftest import LOCKERD
    out = subprocess.run([LOCKERD, "--port", str(free_port()), "--storage", os.path.join(workdir, "S"),
                          "--database", f"postgres://locker@127.0.0.1:{port}/nothing", "--root-key-file", key],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    lines = out.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("lockerd: error: cannot reach PostgreSQL at postgres://locker@127.0.0.1:"), out.stderr


def test_audit_verify_names_an_entry_edited_in_postgresql(cluster):
    a = cluster.node("A")
    key, api = cluster.issuer()
    for i in range(3):
        assert push(a, key, api, f"T{i}")[0].status_code == 201
    entries = cluster.audit_intact()
    assert entries >= 4
    db = cluster.url.rsplit("/", 1)[1]
    # The table refuses edits; someone with the database's owner rights can switch that off.
    postgres_server().psql("ALTER TABLE auditLog DISABLE TRIGGER auditLog_no_change; "
                           "UPDATE auditLog SET actor = 'someone-else' WHERE seq = 3", db=db)
    out = cluster.cli("audit", "verify", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["intact"] is False and report["firstBrokenEntry"] == 3, out.stdout
    # Entries cut from the end are caught by the chain's head row.
    last = int(postgres_server().psql("SELECT max(seq) FROM auditLog", db=db).strip())
    postgres_server().psql(f"UPDATE auditLog SET actor = 'x' WHERE seq = 3; DELETE FROM auditLog WHERE seq >= 3", db=db)
    out = cluster.cli("audit", "verify", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["firstBrokenEntry"] == 3 and last >= 3, out.stdout


def test_a_node_with_the_wrong_root_key_is_refused_in_one_line(cluster, workdir):
    cluster.node("A")
    wrong = pg.root_key_file(os.path.join(workdir, "A"))
    from conftest import LOCKERD
    out = subprocess.run([LOCKERD, "--port", str(free_port()), "--storage", os.path.join(workdir, "B"),
                          "--database", cluster.url, "--root-key-file", wrong], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "the root key does not open this database's key ring" in out.stderr, out.stderr
    os.chmod(wrong, 0o644)
    out = subprocess.run([LOCKERD, "--port", str(free_port()), "--storage", os.path.join(workdir, "B"),
                          "--database", cluster.url, "--root-key-file", wrong], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "is readable by others" in out.stderr, out.stderr



def test_a_node_answers_503_while_postgresql_is_down_and_recovers_when_it_returns(workdir):
    server = pg.Postgres().start()
    try:
        url, key_file = server.create_database(), pg.root_key_file(workdir)
        env = dict(os.environ, LOCKER_DATABASE=url, LOCKER_ROOT_KEY_FILE=key_file)
        node = Lockerd(os.path.join(workdir, "A"), extra_args=["--database", url, "--root-key-file", key_file]).start()
        key, pem = lc.make_issuer_key()
        pem_path = os.path.join(workdir, "issuer.pub")
        open(pem_path, "wb").write(pem)
        out = subprocess.run([_real_cli(), "issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN", "--public-key", pem_path,
                              "--doc-types", "VACER", "--json", "--storage", os.path.join(workdir, "cli")],
                             capture_output=True, text=True, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        api = json.loads(out.stdout)["apiKey"]
        r, content = push(node, key, api, "R1")
        assert r.status_code == 201, r.text
        session = lc.sign_in(node.base, node.storage, MOBILE)

        server.stop("fast")
        started = time.monotonic()
        listed = requests.get(node.base + "/v1/documents", headers=lc.bearer(session), timeout=15)
        pushed, _ = push(node, key, api, "R2")
        health = requests.get(node.base + "/healthz", timeout=15)
        elapsed = time.monotonic() - started
        for answer in (listed, pushed):
            assert answer.status_code == 503, answer.text
            assert answer.headers["Content-Type"].startswith("application/problem+json")
            assert answer.json()["type"].endswith("/problems/database-unavailable")
            assert int(answer.headers["Retry-After"]) > 0
        assert health.status_code == 503
        assert elapsed < 12, f"503 answers took {elapsed:.1f} s"

        server.restart()
        deadline = time.monotonic() + 15
        while requests.get(node.base + "/healthz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "node did not recover after PostgreSQL came back"
            time.sleep(0.2)
        r3, content3 = push(node, key, api, "R3")
        assert r3.status_code == 201, r3.text
        for doc, body in ((r.json()["id"], content), (r3.json()["id"], content3)):
            got = requests.get(f"{node.base}/v1/documents/{doc}/content", headers=lc.bearer(session), timeout=10)
            assert got.status_code == 200 and got.content == body
        ids = [d["id"] for d in requests.get(node.base + "/v1/documents", headers=lc.bearer(session), timeout=10).json()["documents"]]
        assert sorted(ids) == sorted([r.json()["id"], r3.json()["id"]]), "the push refused with 503 must not exist"
        audit = subprocess.run([_real_cli(), "audit", "verify", "--json", "--storage", os.path.join(workdir, "cli")],
                               capture_output=True, text=True, timeout=120, env=env)
        assert audit.returncode == 0 and json.loads(audit.stdout)["intact"], audit.stdout + audit.stderr
        node.stop()
    finally:
        server.cleanup()


def _old_sealed_ring(root_key: bytes, vault_id: str) -> bytes:
    """A key ring in the first PostgreSQL format (one row, the whole ring sealed), built with
    `cryptography`, as a database made before KEK versions had rows would hold it."""
    import base64
    import hashlib
    import hmac
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    def check(key):
        return hmac.new(key, b"locker-kek-check", hashlib.sha256).digest()[:8].hex()
    kek, index = os.urandom(32), os.urandom(32)
    ring = {"format": 1, "primaryVersion": 1, "minDecryptionVersion": 1, "vaultID": vault_id,
            "indexKey": base64.b64encode(index).decode(), "indexKeyCheck": check(index),
            "keys": [{"version": 1, "key": base64.b64encode(kek).decode(), "check": check(kek), "createdAt": "2026-11-01T00:00:00Z"}]}
    nonce = os.urandom(12)
    return nonce + AESGCM(root_key).encrypt(nonce, json.dumps(ring).encode(), b"locker-keyring-v1")


def test_each_kek_version_is_a_row_wrapped_under_the_root_key_and_an_old_sealed_ring_is_moved_into_rows(cluster):
    if cluster.hsm:
        pytest.skip("seals an old-format ring with the root key's bytes, which an HSM never gives out")
    a = cluster.node("A")
    key, api = cluster.issuer()
    r, content = push(a, key, api, "KR1")
    assert r.status_code == 201
    assert cluster.cli("keys", "rotate", "--json").returncode == 0
    rows = cluster.postgres_psql("SELECT version, length(keyWrapped) FROM kekVersions ORDER BY version").split()
    assert rows == ["1|60", "2|60"], rows  # 12-byte nonce + 32-byte key + 16-byte tag, per version
    assert cluster.postgres_psql("SELECT count(*) FROM keyring") == "0\n"
    # A wrapped key moved to another version no longer opens: the version is bound into it.
    a.stop()
    cluster.postgres_psql("UPDATE kekVersions SET keyWrapped = (SELECT keyWrapped FROM kekVersions WHERE version = 1) WHERE version = 2")
    moved = cluster.cli("keys", "status")
    assert moved.returncode != 0 and "root key does not open" in moved.stderr, moved.stderr

    # A database from before: the ring sealed whole in one row. The first process moves it into rows.
    root = open(cluster.key, "rb").read()
    vault_id = "0123456789abcdef0123456789abcdef"
    sealed = _old_sealed_ring(root, vault_id).hex()
    cluster.postgres_psql("DELETE FROM kekVersions; DELETE FROM keyringState; DELETE FROM vaultIdentity; "
                          f"INSERT INTO keyring (id, sealed, generation, updatedAt) VALUES (1, '\\x{sealed}', 1, now())")
    b = cluster.node("B")
    assert cluster.postgres_psql("SELECT vaultID FROM keyringState").strip() == vault_id
    assert cluster.postgres_psql("SELECT version FROM kekVersions").split() == ["1"]
    assert cluster.postgres_psql("SELECT count(*) FROM keyring") == "0\n"
    assert b.proc.poll() is None


def test_redemptions_racing_over_shared_grants_on_busy_writers_lose_nothing_to_deadlocks(cluster):
    # Four group-commit writers per node: batches that lock the same grants in opposite orders
    # deadlock; PostgreSQL breaks each deadlock and the losing jobs are run again.
    nodes = []
    for name in ("A", "B"):
        node = Lockerd(os.path.join(cluster.workdir, name), extra_args=["--database", cluster.url, *cluster.root_args],
                       env={"LOCKER_PG_WRITERS": "4", **(cluster.node_env or {})}).start()
        cluster.nodes.append(node)
        nodes.append(node)
    key, api = cluster.issuer()
    r, _ = push(nodes[0], key, api, "D1")
    session = lc.sign_in(nodes[0].base, nodes[0].storage, MOBILE)
    tokens = []
    for i in range(12):
        grant = requests.post(f"{nodes[0].base}/v1/documents/{r.json()['id']}/shares",
                              json={"label": f"g{i}", "scope": "status", "maxUses": 1000}, headers=lc.bearer(session), timeout=10)
        assert grant.status_code == 201, grant.text
        tokens.append(grant.json()["token"])
    log = os.path.join(postgres_server().dir, "log")
    deadlocks_before = open(log, errors="replace").read().count("deadlock detected")

    def client(n):
        http = requests.Session()
        statuses = []
        deadline = time.monotonic() + 4
        i = n
        while time.monotonic() < deadline:
            node = nodes[i % 2]
            got = http.post(node.base + "/v1/shares/redeem", json={"token": tokens[(i * 7 + n) % len(tokens)]}, timeout=30)
            statuses.append(got.status_code)
            i += 1
        return statuses
    with cf.ThreadPoolExecutor(24) as pool:
        statuses = [s for batch in pool.map(client, range(24)) for s in batch]
    assert statuses and set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    shares = requests.get(nodes[1].base + "/v1/shares", headers=lc.bearer(session), timeout=10).json()["shares"]
    assert sum(s["usesSpent"] for s in shares) == len(statuses)
    deadlocks = open(log, errors="replace").read().count("deadlock detected") - deadlocks_before
    print(f"{len(statuses)} redemptions, {deadlocks} deadlocks broken by PostgreSQL")
    cluster.audit_intact()
