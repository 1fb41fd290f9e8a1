"""Admin controls over who may say what, against the real lockerd and locker CLI: issuers'
document types, an admin's revocation seen by the owner, and a disabled verifier's requests."""
import json
import os
import subprocess

import requests

import locker_client as lc
from conftest import LOCKER_CLI

MOBILE = "+919812340077"


def cli(storage, *args):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=60)


def issuer_key_file(workdir, name):
    key, pem = lc.make_issuer_key()
    path = os.path.join(workdir, f"{name}.pub")
    with open(path, "wb") as f:
        f.write(pem)
    return key, path


def test_issuer_doc_types_refused_push_and_admin_revocation_in_activity(lockerd, workdir):
    storage = lockerd.storage
    board_key, board_pem = issuer_key_file(workdir, "board")
    # --doc-types is required, and each code must be five capital letters.
    assert cli(storage, "issuers", "add", "--id", "in.school.board", "--name", "Board", "--public-key", board_pem).returncode != 0
    bad = cli(storage, "issuers", "add", "--id", "in.school.board", "--name", "Board", "--public-key", board_pem, "--doc-types", "MARKS,vacer")
    assert bad.returncode != 0 and "--doc-types" in bad.stderr
    board_api = lc.register_issuer(LOCKER_CLI, storage, "in.school.board", "School Board", board_pem, doc_types="MARKS")
    cowin_key, cowin_pem = issuer_key_file(workdir, "cowin")
    cowin_api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", cowin_pem, doc_types="VACER")

    listed = cli(storage, "issuers", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    types = {row["id"]: row["docTypes"] for row in json.loads(listed.stdout)}
    assert types == {"in.school.board": ["MARKS"], "in.gov.cowin": ["VACER"]}
    text = cli(storage, "issuers", "list")
    assert "in.school.board\tSchool Board\tactive\tMARKS" in text.stdout

    # The school board cannot push a vaccination certificate: refused before anything is stored.
    body, ctype = lc.build_push(board_key, MOBILE, "VACER", "ROGUE", "2026-11-01", lc.vacer_claims("Asha Verma", 0),
                                b"%PDF-1.7 rogue", "application/pdf")
    r = lc.push(lockerd.base, board_api, body, ctype)
    assert r.status_code == 403, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/doc-type-not-allowed"

    body, ctype = lc.build_push(cowin_key, MOBILE, "VACER", "C1", "2026-11-01", lc.vacer_claims("Asha Verma", 2),
                                b"%PDF-1.7 real", "application/pdf")
    doc = lc.push(lockerd.base, cowin_api, body, ctype).json()
    assert doc["result"] == "created"

    # An admin withdraws the document; the owner sees it revoked, and why, in their activity.
    revoked = cli(storage, "documents", "revoke", doc["uri"], "--reason", "Pushed in error", "--json")
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout) == {"uri": doc["uri"], "revoked": True, "alreadyRevoked": False}
    assert cli(storage, "documents", "revoke", "in.gov.cowin-VACER-NOPE").returncode != 0
    bidi = cli(storage, "documents", "revoke", doc["uri"], "--reason", "ok\u202eko")
    assert bidi.returncode != 0
    session = lc.sign_in(lockerd.base, storage, MOBILE)
    shown = requests.get(f"{lockerd.base}/v1/documents/{doc['id']}", headers=lc.bearer(session), timeout=10).json()
    assert shown["revoked"] is True
    assert requests.get(f"{lockerd.base}/v1/documents/{doc['id']}/content", headers=lc.bearer(session), timeout=10).status_code == 410
    events = requests.get(lockerd.base + "/v1/activity", headers=lc.bearer(session), timeout=10).json()["events"]
    admin = [e for e in events if e["action"] == "admin.document-revoked"]
    assert len(admin) == 1 and admin[0]["actor"] == "admin" and admin[0]["documentId"] == doc["id"]
    assert admin[0]["detail"] == {"uri": doc["uri"], "reason": "Pushed in error"}
    assert cli(storage, "audit", "verify").returncode == 0


def test_disabled_verifier_gets_no_answer_for_an_earlier_request(lockerd, workdir):
    storage = lockerd.storage
    key, pem = issuer_key_file(workdir, "cowin")
    api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem, doc_types="VACER")
    body, ctype = lc.build_push(key, MOBILE, "VACER", "C1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7", "application/pdf")
    assert lc.push(lockerd.base, api, body, ctype).status_code == 201
    out = cli(storage, "verifiers", "add", "--id", "irctc", "--name", "IRCTC", "--origin", "https://www.irctc.co.in", "--json")
    assert out.returncode == 0, out.stderr
    headers = {"Authorization": "Bearer " + json.loads(out.stdout)["apiKey"]}
    ids, otps = [], []
    for _ in range(2):
        r = requests.post(lockerd.base + "/v1/kyc-vs/requests", json={"mobile": MOBILE, "name": "Asha Verma", "purpose": "Ticket"},
                          headers=headers, timeout=10)
        assert r.status_code == 202, r.text
        ids.append(r.json()["requestId"])
        otps.append(lc.read_otps(storage, MOBILE)[-1])
    assert cli(storage, "verifiers", "disable", "--id", "irctc").returncode == 0
    embed = requests.post(lockerd.base + "/kyc-vs/embed/confirm", json={"request": ids[0], "otp": otps[0]}, timeout=10)
    assert embed.status_code == 404 and "jws" not in embed.text
    assert embed.headers["Content-Type"] == "application/problem+json"
    api_confirm = requests.post(f"{lockerd.base}/v1/kyc-vs/requests/{ids[1]}/confirm", json={"otp": otps[1]}, headers=headers, timeout=10)
    assert api_confirm.status_code == 401
