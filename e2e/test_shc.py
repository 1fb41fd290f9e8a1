"""SMART Health Cards of a citizen's vaccination certificate, checked with other people's code:
zbarimg (zbar-tools) reads the QR image, joserfc verifies the JWS with only the published JWKS,
Python's zlib inflates the payload, the revocation list names a revoked card's rid, and
healthcards (a SMART Health Card parser from PyPI) decodes the shc:/ text and verifies the card
with the JWKS it fetches from the card's iss."""
import json
import os
import re
import subprocess
import time
import urllib.request
import zlib

import healthcards.parser
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwcrypto import jwk as jwcrypto_jwk
from jwcrypto import jws as jwcrypto_jws
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter

import locker_client as lc
from conftest import LOCKER_CLI, start_with_cowin

MOBILE = "+919812345601"
OTHER = "+919812345602"
# SMART Health Cards put `zip: DEF` in the JWS header (the payload is raw DEFLATE); joserfc
# refuses header parameters it does not know unless told about them.
SHC = JWSRegistry(header_registry={"zip": HeaderParameter("Compression", "str", required=True)}, algorithms=["ES256"])
TYPES = ["https://smarthealth.cards#health-card", "https://smarthealth.cards#immunization", "https://smarthealth.cards#covid19"]


@pytest.fixture
def shc_server(workdir):
    server, key, api = start_with_cowin(workdir)

    def push(mobile, doc_type, doc_id, claims):
        body, ctype = lc.build_push(key, mobile, doc_type, doc_id, "2026-11-01", claims, b"%PDF-1.7 cert", "application/pdf")
        r = lc.push(server.base, api, body, ctype)
        assert r.status_code == 201, r.text
        return r.json()

    docs = {
        "vacer": push(MOBILE, "VACER", "S1", lc.vacer_claims("Asha Verma", 2, vaccine="COVISHIELD", last_dose_on="2026-10-01")),
        "marks": push(MOBILE, "MARKS", "M1", {"name": "Asha Verma", "total": 480}),
        "other": push(OTHER, "VACER", "S2", lc.vacer_claims("Ravi Kumar", 1, vaccine="COVAXIN")),
    }
    yield server, docs
    server.stop()


def numeric_to_jws(text):
    return lc.numeric_qr_to_jws(text, "shc:/")


def zbar(path):
    out = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_card_verifies_with_zbar_joserfc_and_zlib_and_revocation_reaches_the_crl(shc_server, workdir):
    server, docs = shc_server
    token = lc.sign_in(server.base, server.storage, MOBILE)
    h = lc.bearer(token)
    doc_id = docs["vacer"]["id"]

    # The SMART Health Card file format.
    r = requests.get(f"{server.base}/v1/documents/{doc_id}/shc", headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/smart-health-card"
    assert r.headers["Cache-Control"] == "no-store"
    card = r.json()["verifiableCredential"]
    assert len(card) == 1

    # The QR image, read by zbarimg, holds a card: numeric mode, two digits a character.
    r = requests.get(f"{server.base}/v1/documents/{doc_id}/qr", headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "image/png" and r.headers["Cache-Control"] == "no-store"
    assert r.content.startswith(b"\x89PNG\r\n\x1a\n")
    png = os.path.join(workdir, "card.png")
    open(png, "wb").write(r.content)
    text = zbar(png)
    assert text.startswith("shc:/")
    token_jws = numeric_to_jws(text)
    header = json.loads(lc.b64url_decode(token_jws.split(".")[0]))
    assert header["alg"] == "ES256" and header["zip"] == "DEF"
    # A fresh signature each time (ECDSA), over the same header.
    assert card[0].split(".")[0] == token_jws.split(".")[0]

    svg = requests.get(f"{server.base}/v1/documents/{doc_id}/qr?format=svg", headers=h, timeout=30)
    assert svg.status_code == 200 and svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and svg.text.count("<path") == 1
    assert requests.get(f"{server.base}/v1/documents/{doc_id}/qr?format=gif", headers=h, timeout=30).status_code == 400

    # joserfc verifies it with only the published JWKS; the kid is the key's RFC 7638 thumbprint.
    published = requests.get(server.base + "/.well-known/jwks.json", timeout=10).json()
    ec = [k for k in published["keys"] if k["kty"] == "EC"]
    assert len(ec) == 1 and ec[0]["crv"] == "P-256" and ec[0]["alg"] == "ES256" and ec[0]["use"] == "sig"
    assert ec[0]["kid"] == header["kid"]
    keyset = KeySet.import_key_set(published)
    assert keyset.get_by_kid(header["kid"]).thumbprint() == header["kid"]
    for candidate in (token_jws, card[0]):
        obj = jws.deserialize_compact(candidate, keyset, algorithms=["ES256"], registry=SHC)
        raw = zlib.decompress(obj.payload, wbits=-15)
        payload = json.loads(raw)
        assert payload["iss"] == server.base  # the public URL (by default http://HOST:PORT)
        assert isinstance(payload["nbf"], int) and abs(payload["nbf"] - time.time()) < 600
        assert payload["vc"]["type"] == TYPES
        bundle = payload["vc"]["credentialSubject"]["fhirBundle"]
        assert payload["vc"]["credentialSubject"]["fhirVersion"] == "4.0.1"
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
        resources = [e["resource"] for e in bundle["entry"]]
        assert bundle["entry"][0]["fullUrl"] == "resource:0"
        patient = resources[0]
        assert patient["resourceType"] == "Patient" and patient["name"][0]["text"] == "Asha Verma"
        shots = [r for r in resources if r["resourceType"] == "Immunization"]
        assert len(shots) == 2
        for shot in shots:
            assert shot["status"] == "completed" and shot["patient"] == {"reference": "resource:0"}
            assert shot["vaccineCode"]["coding"] == [{"system": "http://hl7.org/fhir/sid/cvx", "code": "210"}]
            assert shot["occurrenceDateTime"] == "2026-10-01"
        # The card carries no mobile number.
        assert b"9812345601" not in raw and b"mobile" not in raw
        rid = payload["vc"]["rid"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{11}", rid)

    # A one-character edit anywhere in the JWS fails verification.
    head, body, sig = token_jws.split(".")
    i = len(body) // 2
    forged = ".".join([head, body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1:], sig])
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, keyset, algorithms=["ES256"], registry=SHC)
    forged_sig = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(".".join([head, body, forged_sig]), keyset, algorithms=["ES256"], registry=SHC)

    # Another citizen, an unknown id, a document of another type: 404; nobody signed in: 401.
    other = lc.bearer(lc.sign_in(server.base, server.storage, OTHER))
    for path in ("shc", "qr"):
        assert requests.get(f"{server.base}/v1/documents/{doc_id}/{path}", headers=other, timeout=10).status_code == 404
        assert requests.get(f"{server.base}/v1/documents/{docs['marks']['id']}/{path}", headers=h, timeout=10).status_code == 404
        assert requests.get(f"{server.base}/v1/documents/{docs['other']['id']}/{path}", headers=h, timeout=10).status_code == 404
        assert requests.get(f"{server.base}/v1/documents/{doc_id}/{path}", timeout=10).status_code == 401

    # The revocation list: public, cacheable, empty until the issuer's card is revoked.
    crl_url = f"{server.base}/.well-known/crl/{header['kid']}.json"
    crl = requests.get(crl_url, timeout=10)
    assert crl.status_code == 200 and crl.headers["Cache-Control"] == "public, max-age=300"
    assert crl.json() == {"kid": header["kid"], "method": "rid", "ctr": 0, "rids": []}
    assert requests.get(f"{server.base}/.well-known/crl/not-our-key.json", timeout=10).status_code == 404

    revoked = subprocess.run([LOCKER_CLI, "--storage", server.storage, "documents", "revoke", docs["vacer"]["uri"], "--reason", "Withdrawn", "--json"],
                             capture_output=True, text=True, timeout=60)
    assert revoked.returncode == 0, revoked.stderr
    crl = requests.get(crl_url, timeout=10).json()
    assert crl["ctr"] == 1 and crl["rids"] == [rid]
    for path in ("shc", "qr"):
        gone = requests.get(f"{server.base}/v1/documents/{doc_id}/{path}", headers=h, timeout=10)
        assert gone.status_code == 410 and gone.json()["type"] == "/problems/revoked"


def check_bundle(payload, name, doses, cvx, on):
    """The FHIR bundle of a card holds the patient's name and one completed immunization per dose."""
    assert payload["vc"]["type"] == TYPES
    resources = [e["resource"] for e in payload["vc"]["credentialSubject"]["fhirBundle"]["entry"]]
    assert resources[0]["resourceType"] == "Patient" and resources[0]["name"][0]["text"] == name
    shots = [r for r in resources if r["resourceType"] == "Immunization"]
    assert len(shots) == doses and len(resources) == doses + 1
    for shot in shots:
        assert shot["status"] == "completed" and shot["patient"] == {"reference": "resource:0"}
        assert shot["vaccineCode"]["coding"] == [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx}]
        assert shot["occurrenceDateTime"] == on


def test_card_verifies_with_the_healthcards_library(shc_server, workdir, monkeypatch):
    server, docs = shc_server
    h = lc.bearer(lc.sign_in(server.base, server.storage, MOBILE))
    doc_id = docs["vacer"]["id"]
    r = requests.get(f"{server.base}/v1/documents/{doc_id}/shc", headers=h, timeout=30)
    assert r.status_code == 200, r.text
    card = r.json()["verifiableCredential"][0]
    r = requests.get(f"{server.base}/v1/documents/{doc_id}/qr", headers=h, timeout=30)
    assert r.status_code == 200, r.text
    png = os.path.join(workdir, "card.png")
    open(png, "wb").write(r.content)
    text = zbar(png)

    # healthcards fetches the key set from the card's iss + /.well-known/jwks.json with urllib;
    # here it may reach only this lockerd (iss is its public URL, http://127.0.0.1:PORT).
    fetched = []
    real_urlopen = urllib.request.urlopen

    def loopback_only(url, *args, **kwargs):
        assert isinstance(url, str) and url.startswith(server.base + "/"), url
        fetched.append(url)
        return real_urlopen(url, *args, **kwargs)
    monkeypatch.setattr(urllib.request, "urlopen", loopback_only)

    # healthcards reads the QR's numeric text as our own decoder does.
    from_qr = healthcards.parser.decode_qr_to_jws(text)
    assert from_qr == numeric_to_jws(text)
    for candidate in (from_qr, card):
        decoded = healthcards.parser.JWS(candidate)  # decodes, inflates, fetches the JWKS, verifies
        assert decoded.verified is True and decoded.as_dict()["verification"] == {"verified": True}
        assert decoded.issuer == server.base
        assert decoded.header["alg"] == "ES256" and decoded.header["zip"] == "DEF"
        check_bundle(decoded.payload, "Asha Verma", 2, "210", "2026-10-01")
    assert fetched == [server.base + "/.well-known/jwks.json"] * 2

    # One digit of the shc:/ text changed, inside the signature: healthcards rejects the card.
    head, body, sig = from_qr.split(".")
    start = len("shc:/") + 2 * (len(head) + 1 + len(body) + 1)
    # The first pair, among the signature's first len(sig) // 2 characters (never its last, whose
    # low bits are padding), coding a lower-case letter whose next code is one too: the edited
    # text still decodes to base64url of the same length, with one signature byte changed.
    at = next(i for i in range(start, start + len(sig), 2) if 52 <= int(text[i:i + 2]) <= 76 and text[i + 1] != "9")
    forged_text = text[:at + 1] + str(int(text[at + 1]) + 1) + text[at + 2:]
    assert len(forged_text) == len(text) and sum(a != b for a, b in zip(text, forged_text)) == 1
    forged = healthcards.parser.decode_qr_to_jws(forged_text)
    assert forged.split(".")[:2] == [head, body] and forged != from_qr
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        healthcards.parser.JWS(forged)

    # Another card, for another name, signed by another P-256 key under our kid: rejected too,
    # as a JWS and as shc:/ text, though it verifies with the forger's own key.
    payload = json.loads(zlib.decompress(lc.b64url_decode(body), wbits=-15))
    payload["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["name"][0]["text"] = "Ravi Kumar"
    deflate = zlib.compressobj(wbits=-15)
    forged_body = lc.b64url(deflate.compress(json.dumps(payload, separators=(",", ":")).encode()) + deflate.flush())
    forger = ec.generate_private_key(ec.SECP256R1())
    r_, s_ = decode_dss_signature(forger.sign(f"{head}.{forged_body}".encode("ascii"), ec.ECDSA(hashes.SHA256())))
    other_card = f"{head}.{forged_body}.{lc.b64url(r_.to_bytes(32, 'big') + s_.to_bytes(32, 'big'))}"
    control = jwcrypto_jws.JWS()
    control.deserialize(other_card)
    control.verify(jwcrypto_jwk.JWK.from_pyca(forger.public_key()), alg="ES256")
    assert control.is_valid
    for candidate in (other_card, healthcards.parser.decode_qr_to_jws(lc.jws_to_numeric_qr(other_card, "shc:/"))):
        with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
            healthcards.parser.JWS(candidate)
    assert len(fetched) == 5
