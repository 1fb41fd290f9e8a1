"""A small client for Locker's HTTP API and admin CLI, shared by the pytest suites and bench/*.sh.

It speaks exactly docs/api.md: issuer keys and registration (`locker issuers add --json`), signed
multipart pushes, OTP sign-in through the embedded SMS outbox (Storage/outbox/sms.jsonl).
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import time

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PUSH_CONTEXT = b"locker-push-v1"
OTP_RE = re.compile(r"[0-9]{6}")


def b64url(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_issuer_key():
    """A fresh Ed25519 issuer key: (private_key, PEM SubjectPublicKeyInfo bytes)."""
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_key, pem


def register_issuer(cli_path, storage, issuer_id, name, pem_path, timeout=60, doc_types="VACER,MARKS"):
    """Registers an issuer, allowed to push `doc_types`, with the admin CLI and returns its API key (`lk_iss_…`)."""
    result = subprocess.run(
        [cli_path, "--storage", storage, "issuers", "add", "--id", issuer_id, "--name", name,
         "--public-key", pem_path, "--doc-types", doc_types, "--json"],
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"locker issuers add failed ({result.returncode}): {result.stderr.strip()}")
    report = json.loads(result.stdout)
    if report.get("id") != issuer_id or not str(report.get("apiKey", "")).startswith("lk_iss_"):
        raise RuntimeError(f"unexpected output from locker issuers add: {result.stdout!r}")
    return report["apiKey"]


def register_verifier(cli_path, storage, verifier_id, name, origin=None, timeout=60):
    """Registers a verifier (`locker verifiers add --json`), with its web origin when given, and returns its API key."""
    args = [cli_path, "--storage", storage, "verifiers", "add", "--id", verifier_id, "--name", name]
    if origin is not None:
        args += ["--origin", origin]
    result = subprocess.run([*args, "--json"], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"locker verifiers add failed ({result.returncode}): {result.stderr.strip()}")
    return json.loads(result.stdout)["apiKey"]


def push_signature(private_key, metadata: bytes, content: bytes) -> str:
    """base64url Ed25519 signature over "locker-push-v1" ‖ 0x00 ‖ SHA-256(metadata) ‖ SHA-256(content)."""
    message = PUSH_CONTEXT + b"\x00" + hashlib.sha256(metadata).digest() + hashlib.sha256(content).digest()
    return b64url(private_key.sign(message))


def metadata_bytes(mobile, doc_type, doc_id, issued_on, claims) -> bytes:
    """The metadata part exactly as pushed: compact JSON, UTF-8."""
    document = {"mobile": mobile, "docType": doc_type, "docId": doc_id, "issuedOn": issued_on, "claims": claims}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def build_push(private_key, mobile, doc_type, doc_id, issued_on, claims, content: bytes, content_type):
    """A signed push body: (body bytes, Content-Type header value).

    Parts in the contract's order: metadata (application/json), content (the given type, filename
    "content"), signature (base64url text).
    """
    metadata = metadata_bytes(mobile, doc_type, doc_id, issued_on, claims)
    signature = push_signature(private_key, metadata, content).encode("ascii")
    while True:
        boundary = "locker-" + os.urandom(16).hex()
        marker = b"--" + boundary.encode("ascii")
        if marker not in metadata and marker not in content:
            break
    parts = [
        (b'Content-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n', metadata),
        (b'Content-Disposition: form-data; name="content"; filename="content"\r\nContent-Type: '
         + content_type.encode("ascii") + b"\r\n", content),
        (b'Content-Disposition: form-data; name="signature"\r\n', signature),
    ]
    body = bytearray()
    for headers, payload in parts:
        body += marker + b"\r\n" + headers + b"\r\n" + payload + b"\r\n"
    body += marker + b"--\r\n"
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def push(base_url, api_key, body, content_type_header, session=None, timeout=30):
    """POST /v1/issuer/documents; returns the requests.Response."""
    http = session or requests
    return http.post(
        base_url + "/v1/issuer/documents", data=body, timeout=timeout,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": content_type_header},
    )


def read_otps(storage, mobile):
    """Every OTP sent to `mobile`, oldest first, from Storage/outbox/sms.jsonl."""
    path = os.path.join(storage, "outbox", "sms.jsonl")
    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    otps = []
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue  # a line still being written
        if message.get("to") != mobile:
            continue
        match = OTP_RE.search(str(message.get("text", "")))
        if match:
            otps.append(match.group(0))
    return otps


def sign_in(base_url, storage, mobile, timeout=10):
    """OTP sign-in as `mobile`; returns the session token (`lk_ses_…`)."""
    before = len(read_otps(storage, mobile))
    r = requests.post(base_url + "/v1/auth/otp", json={"mobile": mobile}, timeout=timeout)
    if r.status_code != 202:
        raise RuntimeError(f"POST /v1/auth/otp for {mobile}: {r.status_code} {r.text}")
    challenge = r.json()["challengeId"]
    deadline = time.monotonic() + timeout
    while True:
        otps = read_otps(storage, mobile)
        if len(otps) > before:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"no OTP for {mobile} in the SMS outbox")
        time.sleep(0.02)
    r = requests.post(base_url + "/v1/auth/token", json={"challengeId": challenge, "otp": otps[-1]}, timeout=timeout)
    if r.status_code != 200:
        raise RuntimeError(f"POST /v1/auth/token for {mobile}: {r.status_code} {r.text}")
    return r.json()["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def vacer_claims(name, doses, required=2, vaccine="COVISHIELD", last_dose_on="2026-10-01"):
    """Claims for a VACER (vaccination certificate) push."""
    claims = {"name": name, "dosesReceived": doses, "dosesRequired": required, "vaccine": vaccine}
    if doses > 0:
        claims["lastDoseOn"] = last_dose_on
    return claims


def fake_pdf(size, rng_bytes=os.urandom):
    """`size` bytes that start and end like a PDF; the middle is random."""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    return head + rng_bytes(max(0, size - len(head) - len(tail))) + tail


def json_credential(size, name="Asha Verma"):
    """A JSON document of about `size` bytes (a credential with a random proof)."""
    document = {"@context": "https://example.invalid/credentials/v1", "type": "VaccinationCertificate",
                "subject": {"name": name}, "proof": ""}
    base = len(json.dumps(document, separators=(",", ":")))
    document["proof"] = b64url(os.urandom(max(0, (size - base) * 3 // 4)))
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def jws_to_numeric_qr(jws, prefix):
    """A compact JWS as a QR's numeric-mode text: `prefix` (`shc:/` or `locker:/`), then two
    digits per character, each the character's code minus 45 (the inverse of numeric_qr_to_jws)."""
    return prefix + "".join(f"{ord(c) - 45:02d}" for c in jws)


def numeric_qr_to_jws(text, prefix):
    """A QR's numeric-mode text (`shc:/` or `locker:/`, then two digits per character, each the
    character's code minus 45) back to the compact JWS, as SMART Health Cards define it."""
    assert text.startswith(prefix), text[:20]
    digits = text[len(prefix):]
    assert re.fullmatch(r"(\d\d)+", digits)
    return "".join(chr(int(digits[i:i + 2]) + 45) for i in range(0, len(digits), 2))
