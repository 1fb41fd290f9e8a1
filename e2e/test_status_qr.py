"""Locker's status QR (`locker:/…`), checked with other people's code: a status-scope redemption and a
KYC-VS confirm asked with "qr": true carry the signed statement's own payload, raw-DEFLATE-compressed
and signed again by the same Ed25519 key; joserfc verifies it with only the published JWKS, Python's
zlib inflates it, qrencode draws it and zbarimg reads it back. Nothing the statement does not carry
(no name, no number) is in the code, and one changed character fails."""
import json
import os
import subprocess
import zlib

import pytest
import requests
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

import locker_client as lc
from conftest import LOCKER_CLI, start_with_cowin

MOBILE = "+919812345611"
NAME = "Asha Verma"
# The status QR's header carries `zip: DEF` (as SMART Health Cards do); joserfc refuses header
# parameters it does not know unless told about them.
STATUS = JWSRegistry(header_registry={"zip": HeaderParameter("Compression", "str", required=True)}, algorithms=["Ed25519"])


@pytest.fixture
def status_server(workdir):
    server, key, api = start_with_cowin(workdir)
    verifier = lc.register_verifier(LOCKER_CLI, server.storage, "irctc", "IRCTC")
    body, ctype = lc.build_push(key, MOBILE, "VACER", "Q1", "2026-11-01", lc.vacer_claims(NAME, 2), b"%PDF-1.7 cert", "application/pdf")
    r = lc.push(server.base, api, body, ctype)
    assert r.status_code == 201, r.text
    yield server, r.json(), verifier
    server.stop()


def qr_to_jws(text):
    return lc.numeric_qr_to_jws(text, "locker:/")


def keyset(server):
    return KeySet.import_key_set(requests.get(server.base + "/.well-known/jwks.json", timeout=10).json())


def check_status_qr(text, statement, keys, typ):
    """The QR verified as a third party would: joserfc with the JWKS, then zlib; returns the payload.
    Its header is the statement's plus zip, and its payload the statement's own bytes."""
    token = qr_to_jws(text)
    obj = jws.deserialize_compact(token, keys, algorithms=["Ed25519"], registry=STATUS)
    assert obj.protected["alg"] == "Ed25519" and obj.protected["typ"] == typ and obj.protected["zip"] == "DEF"
    statement_header = json.loads(lc.b64url_decode(statement.split(".")[0]))
    assert obj.protected["kid"] == statement_header["kid"] and set(obj.protected) == set(statement_header) | {"zip"}
    raw = zlib.decompress(obj.payload, wbits=-15)
    assert raw == lc.b64url_decode(statement.split(".")[1])
    assert b"9812345611" not in raw and b"Asha" not in raw and b"mobile" not in raw and b"name" not in raw
    # Compressed, the code is shorter than the statement in the same numeric encoding.
    assert len(text) < len("locker:/") + 2 * len(statement)
    return token, json.loads(raw)


def test_status_redemption_qr_verifies_with_joserfc_zlib_and_zbarimg(status_server, workdir):
    server, doc, _ = status_server
    h = lc.bearer(lc.sign_in(server.base, server.storage, MOBILE))
    share = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", headers=h,
                          json={"label": "Railway counter", "scope": "status", "maxUses": 3}, timeout=10)
    assert share.status_code == 201, share.text
    token = share.json()["token"]

    # Without "qr", the answer is as before.
    plain = requests.post(server.base + "/v1/shares/redeem", json={"token": token}, timeout=10)
    assert plain.status_code == 200 and set(plain.json()) == {"statement"}

    r = requests.post(server.base + "/v1/shares/redeem", json={"token": token, "qr": True}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json" and r.headers["Cache-Control"] == "no-store"
    answer = r.json()
    assert set(answer) == {"statement", "qr"}
    keys = keyset(server)
    qr_jws, payload = check_status_qr(answer["qr"], answer["statement"], keys, "share-status+jwt")
    assert payload["kind"] == "share-status" and payload["aud"] == "locker:share-status" and payload["scope"] == "status"
    assert payload["valid"] is True and payload["status"] == 2 and payload["docType"] == "VACER"
    assert set(payload) == {"aud", "docType", "exp", "iat", "iss", "issuedOn", "issuer", "jti", "kind", "scope", "status", "valid"}

    # qrencode draws it (numeric mode for the digits), zbarimg reads back exactly the text.
    png = os.path.join(workdir, "status.png")
    subprocess.run(["qrencode", "-o", png, answer["qr"]], check=True, timeout=60)
    out = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == answer["qr"], out.stderr

    # One changed character of the JWS, in its payload or its signature, fails.
    head, body, sig = qr_jws.split(".")
    i = len(body) // 2
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(".".join([head, body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1:], sig]), keys,
                                algorithms=["Ed25519"], registry=STATUS)
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(".".join([head, body, sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]]), keys,
                                algorithms=["Ed25519"], registry=STATUS)

    # Each asked-for code spent one use; the third use is the last.
    last = requests.post(server.base + "/v1/shares/redeem", json={"token": token, "qr": True}, timeout=10)
    assert last.status_code == 200
    assert requests.post(server.base + "/v1/shares/redeem", json={"token": token, "qr": True}, timeout=10).status_code == 404
    assert requests.post(server.base + "/v1/shares/redeem", json={"token": token, "qr": "yes"}, timeout=10).status_code == 400


def test_document_grant_ignores_qr_and_answers_the_document(status_server):
    server, doc, _ = status_server
    h = lc.bearer(lc.sign_in(server.base, server.storage, MOBILE))
    share = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", headers=h, json={"label": "Office", "scope": "document"}, timeout=10)
    r = requests.post(server.base + "/v1/shares/redeem", json={"token": share.json()["token"], "qr": True}, timeout=10)
    assert r.status_code == 200 and r.content == b"%PDF-1.7 cert" and "qr" not in r.headers.get("Content-Type", "")


def test_kyc_answer_qr_verifies_with_joserfc_for_that_verifier(status_server):
    server, _, verifier = status_server
    h = {"Authorization": "Bearer " + verifier}

    def ask():
        r = requests.post(server.base + "/v1/kyc-vs/requests", json={"mobile": MOBILE, "name": NAME, "purpose": "Ticket", "nonce": "n-1"},
                          headers=h, timeout=10)
        assert r.status_code == 202, r.text
        return r.json()["requestId"], lc.read_otps(server.storage, MOBILE)[-1]

    request_id, otp = ask()
    r = requests.post(f"{server.base}/v1/kyc-vs/requests/{request_id}/confirm", json={"otp": otp, "qr": True}, headers=h, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json" and r.headers["Cache-Control"] == "no-store"
    answer = r.json()
    assert set(answer) == {"jws", "qr"}
    _, payload = check_status_qr(answer["qr"], answer["jws"], keyset(server), "kyc-vs+jwt")
    assert payload["kind"] == "kyc-vs" and payload["aud"] == "irctc" and payload["status"] == 2 and payload["nonce"] == "n-1"
    assert set(payload) == {"aud", "exp", "iat", "iss", "jti", "kind", "nonce", "status"}

    # Without "qr" (or with false), the answer is the bare JWS, as before.
    request_id, otp = ask()
    r = requests.post(f"{server.base}/v1/kyc-vs/requests/{request_id}/confirm", json={"otp": otp, "qr": False}, headers=h, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/jose" and r.text.count(".") == 2
