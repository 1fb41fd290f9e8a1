"""KYC-VS answers checked with someone else's code: joserfc, using only the published JWKS."""
import base64
import json
import re
import time

import pytest
import requests
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

import locker_client as lc
from conftest import LOCKER_CLI, start_with_cowin


@pytest.fixture
def kyc_server(workdir):
    server, key, issuer_key = start_with_cowin(workdir)
    verifier_key = lc.register_verifier(LOCKER_CLI, server.storage, "irctc", "IRCTC", origin="https://www.irctc.co.in")
    body, ctype = lc.build_push(key, "+919812340000", "VACER", "K1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7 cert", "application/pdf")
    assert lc.push(server.base, issuer_key, body, ctype).status_code == 201
    yield server, verifier_key
    server.stop()


def ask_and_confirm(server, verifier_key, name):
    h = {"Authorization": "Bearer " + verifier_key}
    r = requests.post(server.base + "/v1/kyc-vs/requests", json={"mobile": "+919812340000", "name": name, "purpose": "Ticket", "nonce": "abc"}, headers=h, timeout=10)
    assert r.status_code == 202, r.text
    otp = lc.read_otps(server.storage, "+919812340000")[-1]
    c = requests.post(server.base + f"/v1/kyc-vs/requests/{r.json()['requestId']}/confirm", json={"otp": otp}, headers=h, timeout=10)
    assert c.status_code == 200, c.text
    assert c.headers["Content-Type"] == "application/jose"
    return c.text


def check_kyc_answer(token, keyset, verifier_id, nonce):
    """The KYC-VS check exactly as docs/api.md tells a verifier to make it; raises on any failure."""
    obj = jws.deserialize_compact(token, keyset, algorithms=["Ed25519"])  # signature by the JWKS key named by kid
    if obj.protected.get("typ") != "kyc-vs+jwt":
        raise ValueError("not a KYC-VS answer (typ)")
    payload = json.loads(obj.payload)
    if payload.get("kind") != "kyc-vs":
        raise ValueError("not a KYC-VS answer (kind)")
    if payload.get("aud") != verifier_id:
        raise ValueError("answer for another verifier (aud)")
    if not isinstance(payload.get("exp"), int) or payload["exp"] <= time.time():
        raise ValueError("expired (exp)")
    if payload.get("nonce") != nonce:
        raise ValueError("answer to another request (nonce)")
    return obj, payload


def jwks(server):
    return KeySet.import_key_set(requests.get(server.base + "/.well-known/jwks.json", timeout=10).json())


def test_answer_verifies_with_joserfc_using_only_the_jwks(kyc_server):
    server, verifier_key = kyc_server
    token = ask_and_confirm(server, verifier_key, "asha  VERMA")
    obj, payload = check_kyc_answer(token, jwks(server), "irctc", "abc")
    assert obj.protected["alg"] == "Ed25519" and obj.protected["kid"] and obj.protected["typ"] == "kyc-vs+jwt"
    assert payload["status"] == 2 and payload["kind"] == "kyc-vs"
    assert payload["exp"] > payload["iat"]
    assert set(payload) == {"kind", "status", "iss", "aud", "jti", "iat", "exp", "nonce"}
    with pytest.raises(ValueError):
        check_kyc_answer(token, jwks(server), "another.verifier", "abc")


def test_share_statement_has_its_own_type_and_fails_the_kyc_check(kyc_server):
    server, verifier_key = kyc_server
    session = lc.sign_in(server.base, server.storage, "+919812340000")
    doc = requests.get(server.base + "/v1/documents", headers=lc.bearer(session), timeout=10).json()["documents"][0]
    grant = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", json={"label": "Employer", "scope": "status"},
                          headers=lc.bearer(session), timeout=10).json()
    statement = requests.post(server.base + "/v1/shares/redeem", json={"token": grant["token"]}, timeout=10).json()["statement"]
    obj = jws.deserialize_compact(statement, jwks(server), algorithms=["Ed25519"])  # genuinely signed by Locker
    assert obj.protected["typ"] == "share-status+jwt"
    payload = json.loads(obj.payload)
    assert payload["kind"] == "share-status" and payload["aud"] == "locker:share-status" and payload["status"] == 2
    for audience, nonce in [("irctc", None), ("irctc", "abc"), ("locker:share-status", None)]:
        with pytest.raises(ValueError):
            check_kyc_answer(statement, jwks(server), audience, nonce)


def test_payload_edited_by_one_byte_fails_in_joserfc(kyc_server):
    server, verifier_key = kyc_server
    token = ask_and_confirm(server, verifier_key, "Asha Verma")
    keyset = KeySet.import_key_set(requests.get(server.base + "/.well-known/jwks.json", timeout=10).json())
    header, payload, sig = token.split(".")
    raw = bytearray(lc.b64url_decode(payload))
    raw[raw.index(b'"status":') + len(b'"status":')] = ord("1")  # claim status 1 instead of 2
    forged = ".".join([header, lc.b64url(bytes(raw)), sig])
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, keyset, algorithms=["Ed25519"])
    flipped = bytearray(lc.b64url_decode(payload))
    flipped[5] ^= 1
    with pytest.raises(Exception):
        jws.deserialize_compact(".".join([header, lc.b64url(bytes(flipped)), sig]), keyset, algorithms=["Ed25519"])
