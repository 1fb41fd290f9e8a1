"""The root key of a PostgreSQL deployment in an HSM (SoftHSM2 through PKCS#11, e2e/hsm.py):
lockerd serves and restarts with it, the token never gives the key out, every way of naming it
wrongly stops lockerd in one line, rotate-root moves a deployment from a file to the HSM (and
only the new root opens it afterwards), and an altered key-ring row is refused."""
import json
import os
import subprocess

import pytest
import requests

import hsm
import locker_client as lc
import pg
from conftest import LOCKERD, Lockerd, free_port, postgres_server

MOBILE = "+919855522000"


def _real_cli():
    # The e2e shim (postgres backend) only adds --database for a storage folder; here it is explicit.
    return os.environ.get("LOCKER_CLI") or os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "locker")


@pytest.fixture
def softhsm(workdir):
    if not hsm.available():
        pytest.fail("SoftHSM2 is not installed (scripts/install-deps test installs softhsm2)")
    token = hsm.SoftHSM(os.path.join(workdir, "softhsm")).start()
    yield token


class Deployment:
    def __init__(self, workdir, softhsm):
        self.workdir = workdir
        self.hsm = softhsm
        self.url = postgres_server().create_database()
        self.nodes = []

    def cli(self, *args, root=None, timeout=120):
        env = self.hsm.env()
        env.pop("LOCKER_ROOT_KEY_FILE", None)
        env.pop("LOCKER_ROOT_KEY", None)
        env["LOCKER_DATABASE"] = self.url
        root_args = ["--root-key", root] if root else []
        return subprocess.run([_real_cli(), *args, *root_args, "--storage", os.path.join(self.workdir, "cli")],
                              capture_output=True, text=True, timeout=timeout, env=env)

    def node(self, name, root_args):
        node = Lockerd(os.path.join(self.workdir, name), extra_args=["--database", self.url, *root_args],
                       env={"SOFTHSM2_CONF": self.hsm.conf}).start()
        self.nodes.append(node)
        return node

    def refused(self, root_args, name="Refused"):
        """Starts lockerd expecting it to stop at once; returns its standard error."""
        out = subprocess.run([LOCKERD, "--port", str(free_port()), "--storage", os.path.join(self.workdir, name),
                              "--database", self.url, *root_args], capture_output=True, text=True, timeout=60, env=self.hsm.env())
        assert out.returncode == 1, out.stdout + out.stderr
        assert out.stderr.count("\n") == 1 and out.stderr.startswith("lockerd: error: "), out.stderr
        return out.stderr

    def issuer(self, root):
        key, pem = lc.make_issuer_key()
        pem_path = os.path.join(self.workdir, "issuer.pub")
        open(pem_path, "wb").write(pem)
        out = self.cli("issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN", "--public-key", pem_path, "--doc-types", "VACER", "--json", root=root)
        assert out.returncode == 0, out.stderr
        return key, json.loads(out.stdout)["apiKey"]

    def psql(self, sql):
        return postgres_server().psql(sql, db=self.url.rsplit("/", 1)[1])

    def stop(self):
        for node in self.nodes:
            node.stop()


@pytest.fixture
def deployment(workdir, softhsm):
    d = Deployment(workdir, softhsm)
    yield d
    d.stop()


def push_and_download(node, key, api, doc_id):
    content = b"%PDF-1.7 " + doc_id.encode() + os.urandom(2000)
    body, ctype = lc.build_push(key, MOBILE, "VACER", doc_id, "2026-11-01", lc.vacer_claims("Asha Verma", 2), content, "application/pdf")
    r = lc.push(node.base, api, body, ctype)
    assert r.status_code == 201, r.text
    return r.json()["id"], content


def download(node, document_id):
    session = lc.sign_in(node.base, node.storage, MOBILE)
    return requests.get(f"{node.base}/v1/documents/{document_id}/content", headers=lc.bearer(session), timeout=10)


def test_lockerd_with_the_root_key_in_softhsm_serves_pushes_and_downloads_and_restarts(deployment):
    uri = deployment.hsm.make_key(_real_cli())
    node = deployment.node("A", ["--root-key", uri])
    assert "module-path=/usr/lib/softhsm/libsofthsm2.so" in node.read_log() and "pin-source=file:" in node.read_log()
    key, api = deployment.issuer(uri)
    document_id, content = push_and_download(node, key, api, "H1")
    got = download(node, document_id)
    assert got.status_code == 200 and got.content == content
    # The ring's rows are sealed in the token: nonce (12) + 32-byte key + tag (16).
    assert deployment.psql("SELECT DISTINCT length(keyWrapped) FROM kekVersions").split() == ["60"]
    assert deployment.psql("SELECT length(indexKeyWrapped) FROM keyringState").strip() == "60"
    node.stop()
    again = deployment.node("A", ["--root-key", uri])
    got = download(again, document_id)
    assert got.status_code == 200 and got.content == content
    # A KEK rotation by the CLI, through the HSM root, is picked up by the running node.
    out = deployment.cli("keys", "rotate", "--json", root=uri)
    assert out.returncode == 0, out.stderr
    second_id, second = push_and_download(again, key, api, "H2")
    assert download(again, second_id).content == second


def test_the_token_refuses_to_give_out_the_root_key(deployment):
    uri = deployment.hsm.make_key(_real_cli(), "root-info-key")
    out = deployment.cli("keys", "root-info", "--json", root=uri)
    assert out.returncode == 0, out.stdout + out.stderr
    info = json.loads(out.stdout)
    # Matched on the failure itself, not on which error code the token chose.
    assert info["valueReadable"] is False and info["valueAnswer"] != "CKR_OK"
    assert info["sensitive"] is True and info["extractable"] is False and info["neverExtractable"] is True
    assert info["sealOpenRoundTrip"] is True
    again = deployment.cli("keys", "init-root", root=uri)
    assert again.returncode != 0 and "already holds a secret key labelled" in again.stderr, again.stderr


def test_a_wrong_pin_key_label_token_or_module_stops_lockerd_in_one_line(deployment):
    uri = deployment.hsm.make_key(_real_cli(), "named-key")
    deployment.node("A", ["--root-key", uri]).stop()
    wrong_pin = os.path.join(deployment.workdir, "wrong.pin")
    with open(wrong_pin, "w") as f:
        f.write("9999\n")
    os.chmod(wrong_pin, 0o600)
    h = deployment.hsm
    assert "wrong PIN" in deployment.refused(["--root-key", h.uri("named-key", pin_file=wrong_pin)])
    assert 'no secret key labelled "other-key"' in deployment.refused(["--root-key", h.uri("other-key")])
    assert 'token "nope" not found' in deployment.refused(["--root-key", h.uri("named-key", token="nope")])
    assert "does not exist" in deployment.refused(["--root-key", h.uri("named-key", module="/nonexistent/libnothing.so")])
    assert "does not load" in deployment.refused(["--root-key", h.uri("named-key", module="/etc/hostname")])
    assert "pin-value is not accepted" in deployment.refused(["--root-key", uri.replace("pin-source=file:" + h.pin_file, "pin-value=1234")])
    os.chmod(wrong_pin, 0o644)
    assert "readable by others" in deployment.refused(["--root-key", h.uri("named-key", pin_file=wrong_pin)])
    key_file = pg.root_key_file(deployment.workdir)
    assert "give one" in deployment.refused(["--root-key", uri, "--root-key-file", key_file])
    # The right URI still opens it after all that.
    deployment.node("B", ["--root-key", uri])


def test_rotate_root_from_a_file_to_the_hsm_then_only_the_new_root_opens(deployment):
    old = pg.root_key_file(deployment.workdir)
    node = deployment.node("A", ["--root-key-file", old])
    key, api = deployment.issuer(old)
    document_id, content = push_and_download(node, key, api, "R1")
    node.stop()
    citizens_before = deployment.psql("SELECT md5(string_agg(encode(dekWrapped, 'hex'), ',' ORDER BY id)) FROM citizens")
    kek_before = deployment.psql("SELECT string_agg(encode(keyWrapped, 'hex'), ',' ORDER BY version) FROM kekVersions")
    uri = deployment.hsm.make_key(_real_cli())
    out = deployment.cli("keys", "rotate-root", "--root-key-file", old, "--to", uri)
    assert out.returncode == 0, out.stderr
    assert "restart every lockerd node" in out.stdout and "1 KEK version" in out.stdout
    # Only the ring's rows changed; no citizen's key.
    assert deployment.psql("SELECT md5(string_agg(encode(dekWrapped, 'hex'), ',' ORDER BY id)) FROM citizens") == citizens_before
    assert deployment.psql("SELECT string_agg(encode(keyWrapped, 'hex'), ',' ORDER BY version) FROM kekVersions") != kek_before
    assert "does not open this database's key ring" in deployment.refused(["--root-key-file", old])
    node = deployment.node("A", ["--root-key", uri])
    got = download(node, document_id)
    assert got.status_code == 200 and got.content == content
    audit = deployment.cli("audit", "verify", "--json", root=uri)
    assert audit.returncode == 0 and json.loads(audit.stdout)["intact"], audit.stdout + audit.stderr
    # The old root can no longer rotate it back: it does not open the ring.
    back = deployment.cli("keys", "rotate-root", "--root-key-file", old, "--to", pg.root_key_file(deployment.workdir, "other.key"))
    assert back.returncode != 0 and "does not open" in back.stderr, back.stderr


def test_a_flipped_byte_in_a_key_ring_row_is_refused(deployment):
    uri = deployment.hsm.make_key(_real_cli())
    deployment.node("A", ["--root-key", uri]).stop()
    for table, column in [("kekVersions", "keyWrapped"), ("keyringState", "indexKeyWrapped")]:
        flip = f"UPDATE {table} SET {column} = set_byte({column}, 30, get_byte({column}, 30) # 1)"
        deployment.psql(flip)
        assert "does not open this database's key ring" in deployment.refused(["--root-key", uri])
        deployment.psql(flip)  # flipped back, it opens again
    deployment.node("B", ["--root-key", uri])


def test_an_hsm_that_cannot_be_used_when_the_key_ring_must_be_reread_gives_503_with_retry_after(deployment):
    import shutil
    h = deployment.hsm
    uri = h.make_key(_real_cli())
    node = deployment.node("A", ["--root-key", uri])
    key, api = deployment.issuer(uri)
    document_id, content = push_and_download(node, key, api, "U1")
    session = lc.sign_in(node.base, node.storage, MOBILE)
    # The CLI works on a copy of the token (same key); the node's own token then goes away.
    copy = hsm.SoftHSM(os.path.join(deployment.workdir, "softhsm-copy"))
    shutil.copytree(h.tokens, copy.tokens)
    with open(copy.conf, "w") as f:
        f.write(f"directories.tokendir = {copy.tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    shutil.move(h.tokens, h.tokens + ".gone")
    env = dict(copy.env(), LOCKER_DATABASE=deployment.url)
    env.pop("LOCKER_ROOT_KEY_FILE", None)
    out = subprocess.run([_real_cli(), "keys", "rotate", "--root-key", uri, "--storage", os.path.join(deployment.workdir, "cli")],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    # The owner's data key is now under a KEK the node has not loaded: it must read the ring again.
    got = requests.get(f"{node.base}/v1/documents/{document_id}/content", headers=lc.bearer(session), timeout=10)
    assert got.status_code == 503, got.text
    assert got.headers.get("Retry-After") and got.json()["type"] == "/problems/root-key-unavailable"
    assert content not in got.content
    # The token back: the node opens a new session by itself (the module initialised afresh).
    shutil.move(h.tokens + ".gone", h.tokens)
    got = requests.get(f"{node.base}/v1/documents/{document_id}/content", headers=lc.bearer(session), timeout=10)
    assert got.status_code == 200 and got.content == content


def test_migrate_seals_an_embedded_vaults_key_ring_under_the_hsm_root(deployment):
    uri = deployment.hsm.make_key(_real_cli())
    storage = os.path.join(deployment.workdir, "Embedded")
    # The embedded vault, served by a lockerd of its own (no database).
    import conftest
    backend, conftest.BACKEND = conftest.BACKEND, "sqlite"
    try:
        embedded = Lockerd(storage).start()
    finally:
        conftest.BACKEND = backend
    env = deployment.hsm.env()
    for name in ("LOCKER_DATABASE", "LOCKER_ROOT_KEY", "LOCKER_ROOT_KEY_FILE"):
        env.pop(name, None)
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(deployment.workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    out = subprocess.run([_real_cli(), "issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN", "--public-key", pem_path,
                          "--doc-types", "VACER", "--json", "--storage", storage], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    document_id, content = push_and_download(embedded, key, json.loads(out.stdout)["apiKey"], "M1")
    embedded.stop()
    out = subprocess.run([_real_cli(), "migrate", "--to", deployment.url, "--root-key", uri, "--storage", storage],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "--root-key 'pkcs11:token=locker;" in out.stdout
    assert deployment.psql("SELECT DISTINCT length(keyWrapped) FROM kekVersions").split() == ["60"]
    node = deployment.node("Node", ["--root-key", uri])
    got = download(node, document_id)
    assert got.status_code == 200 and got.content == content
