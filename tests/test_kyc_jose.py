"""KYC-VS answers checked with someone else's code: joserfc, using only the published JWKS."""
import base64
import json
import os
import re

import pytest
import requests
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd


def register_verifier(storage, vid, name, origin):
    import subprocess
    out = subprocess.run([LOCKER_CLI, "--storage", storage, "verifiers", "add", "--id", vid, "--name", name, "--origin", origin, "--json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["apiKey"]


@pytest.fixture
def kyc_server(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    issuer_key = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    verifier_key = register_verifier(storage, "irctc", "IRCTC", "https://www.irctc.co.in")
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


def test_answer_verifies_with_joserfc_using_only_the_jwks(kyc_server):
    server, verifier_key = kyc_server
    token = ask_and_confirm(server, verifier_key, "asha  VERMA")
    keyset = KeySet.import_key_set(requests.get(server.base + "/.well-known/jwks.json", timeout=10).json())
    obj = jws.deserialize_compact(token, keyset, algorithms=["Ed25519"])
    assert obj.protected["alg"] == "Ed25519" and obj.protected["kid"]
    payload = json.loads(obj.payload)
    assert payload["status"] == 2 and payload["aud"] == "irctc" and payload["nonce"] == "abc"
    assert payload["exp"] > payload["iat"]
    assert set(payload) == {"status", "iss", "aud", "jti", "iat", "exp", "nonce"}


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
