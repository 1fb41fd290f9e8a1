"""Audit checkpoints: the hash chain cannot show entries cut off its end (a power-loss test cut it
and `audit verify` still said intact); a signed checkpoint kept outside the vault can.
`locker audit checkpoint --to FILE`, later `locker audit verify --checkpoint FILE`."""
import base64
import json
import os
import subprocess

import locker_client as lc
from conftest import BACKEND, LOCKER_CLI, Lockerd, postgres_for, postgres_server


def cli(storage, *args):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=60)


def cut_audit_tail(storage, keep):
    """Deletes every audit entry after `keep` (and moves the head back), as a lost tail would."""
    if BACKEND == "postgres":
        url, _ = postgres_for(storage)
        postgres_server().psql("ALTER TABLE auditLog DISABLE TRIGGER auditLog_no_change; "
                               f"DELETE FROM auditLog WHERE seq > {keep}; "
                               f"UPDATE auditHead SET seq = {keep}, hash = (SELECT hash FROM auditLog WHERE seq = {keep})",
                               db=url.rsplit("/", 1)[1])
    else:
        import sqlite3
        db = sqlite3.connect(os.path.join(storage, "db", "locker.sqlite"))
        db.execute("DROP TRIGGER IF EXISTS auditLog_no_delete")
        db.execute(f"DELETE FROM auditLog WHERE seq > {keep}")
        db.commit()
        db.close()


def test_a_checkpoint_proves_nothing_was_cut_and_catches_a_cut_tail(workdir):
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage).start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)

    def push(doc_id):
        body, ctype = lc.build_push(key, "+919811100077", "VACER", doc_id, "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7 x", "application/pdf")
        assert lc.push(node.base, api, body, ctype).status_code == 201
    for i in range(3):
        push(f"C{i}")
    saved = os.path.join(workdir, "checkpoint.jws")
    made = cli(storage, "audit", "checkpoint", "--to", saved, "--json")
    assert made.returncode == 0, made.stderr
    checkpoint = json.loads(made.stdout)
    assert open(saved).read().strip() == checkpoint["jws"]
    header = json.loads(base64.urlsafe_b64decode(checkpoint["jws"].split(".")[0] + "=="))
    assert header["alg"] == "Ed25519" and header["typ"] == "locker-audit-checkpoint+jws"
    assert cli(storage, "audit", "checkpoint", "--to", saved).returncode != 0, "an existing file is never overwritten"
    for i in range(3, 5):
        push(f"C{i}")

    ok = cli(storage, "audit", "verify", "--checkpoint", saved, "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads(ok.stdout)
    assert report["intact"] is True and report["checkpoint"] == "present" and report["checkpointEntry"] == checkpoint["seq"]

    # A signature with one byte changed, or a checkpoint with its entry number changed, is refused.
    head, payload, signature = checkpoint["jws"].split(".")
    flipped = bytearray(base64.urlsafe_b64decode(signature + "=="))
    flipped[0] ^= 1
    forged = os.path.join(workdir, "forged.jws")
    open(forged, "w").write(f"{head}.{payload}.{base64.urlsafe_b64encode(bytes(flipped)).rstrip(b'=').decode()}")
    bad = cli(storage, "audit", "verify", "--checkpoint", forged)
    assert bad.returncode != 0 and "signature does not verify" in bad.stderr, bad.stderr

    # Cut the log back to before the checkpoint's entry: the chain alone still looks intact.
    node.stop()
    cut_audit_tail(storage, checkpoint["seq"] - 2)
    plain = cli(storage, "audit", "verify", "--json")
    assert plain.returncode == 0 and json.loads(plain.stdout)["intact"] is True
    cut = cli(storage, "audit", "verify", "--checkpoint", saved, "--json")
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert json.loads(cut.stdout)["checkpoint"] == "missing" and json.loads(cut.stdout)["intact"] is False
    human = cli(storage, "audit", "verify", "--checkpoint", saved)
    assert human.returncode == 1 and f"the log ends at entry {checkpoint['seq'] - 2}" in human.stdout, human.stdout


def test_a_checkpoint_from_another_vault_is_refused(workdir):
    first, second = os.path.join(workdir, "A"), os.path.join(workdir, "B")
    for storage in (first, second):
        Lockerd(storage).start().stop()
    saved = os.path.join(workdir, "a.jws")
    assert cli(first, "audit", "checkpoint", "--to", saved).returncode == 0
    other = cli(second, "audit", "verify", "--checkpoint", saved)
    assert other.returncode != 0 and "is not one of this vault's signing keys" in other.stderr, other.stderr


def test_lockerd_signs_checkpoints_as_the_log_grows_and_publishes_the_latest_to_the_admin_only(workdir):
    import time

    import requests
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage, extra_args=["--audit-checkpoint-interval", "1"]).start()
    admin = {"Authorization": "Bearer " + open(os.path.join(storage, "keys", "admin-credential")).read().strip()}
    url = node.base + "/v1/admin/audit/checkpoint"
    stranger = requests.get(url, timeout=10)
    unknown = requests.get(node.base + "/v1/admin/no-such-thing", timeout=10)
    assert stranger.status_code == 404 and stranger.content == unknown.content
    assert requests.post(url, headers={"Authorization": "Bearer lk_adm_wrong"}, timeout=10).status_code == 404

    first = requests.get(url, headers=admin, timeout=10)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    before = first.json()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)  # audited: the log grows
    deadline = time.monotonic() + 10
    while requests.get(url, headers=admin, timeout=10).json()["seq"] <= before["seq"]:
        assert time.monotonic() < deadline, "no newer checkpoint within 10 s at a 1 s interval"
        time.sleep(0.2)
    latest = requests.get(url, headers=admin, timeout=10).json()
    now = requests.post(url, headers=admin, timeout=10).json()
    assert now["seq"] >= latest["seq"] > before["seq"] and now["vaultID"] == before["vaultID"]
    # The published checkpoint verifies with the CLI, and its key is the one in the JWKS.
    saved = os.path.join(workdir, "published.jws")
    open(saved, "w").write(latest["jws"])
    assert cli(storage, "audit", "verify", "--checkpoint", saved).returncode == 0
    assert latest["kid"] in [k["kid"] for k in requests.get(node.base + "/.well-known/jwks.json", timeout=10).json()["keys"]]
    node.stop()
