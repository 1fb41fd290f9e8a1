"""`locker verify-qr`: the offline check a verifier at a counter makes, with a JWKS and a revocation
list saved earlier and no network. A card's PNG from GET /v1/documents/{id}/qr (read in-process by
libpng and zbar), its shc:/ text, and status codes (locker:/…) as text and as a qrencode PNG; one
changed digit, another deployment's keys, an expired answer and a card revoked once the list is
refreshed all fail with exit status 1; what cannot be checked at all is exit status 2."""
import datetime
import json
import os
import struct
import subprocess
import zlib

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd

MOBILE = "+919812345621"
NAME = "Asha Verma"


def verify(*args, expect=None):
    out = subprocess.run([LOCKER_CLI, "verify-qr", *args], capture_output=True, text=True, timeout=60)
    if expect is not None:
        assert out.returncode == expect, (args, out.stdout, out.stderr)
    return out


def verify_json(*args, expect=0):
    return json.loads(verify(*args, "--json", expect=expect).stdout)


def save(workdir, name, content):
    path = os.path.join(workdir, name)
    with open(path, "wb") as f:
        f.write(content)
    return path


def start(workdir, name):
    storage = os.path.join(workdir, name, "Storage")
    os.makedirs(os.path.dirname(storage))
    return Lockerd(storage).start()


@pytest.fixture
def deployment(workdir):
    """A lockerd with an issuer, a verifier and the citizen's vaccination certificate; the verifier's
    saved JWKS; a status code from a status-scope redemption."""
    server = start(workdir, "a")
    key, pem = lc.make_issuer_key()
    pem_path = save(workdir, "issuer.pub", pem)
    api = lc.register_issuer(LOCKER_CLI, server.storage, "in.gov.cowin", "CoWIN", pem_path)
    body, ctype = lc.build_push(key, MOBILE, "VACER", "V1", "2026-11-01", lc.vacer_claims(NAME, 2), b"%PDF-1.7 cert", "application/pdf")
    r = lc.push(server.base, api, body, ctype)
    assert r.status_code == 201, r.text
    doc = r.json()
    session = lc.bearer(lc.sign_in(server.base, server.storage, MOBILE))
    share = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", headers=session,
                          json={"label": "Counter", "scope": "status", "maxUses": 1}, timeout=10).json()
    status_qr = requests.post(server.base + "/v1/shares/redeem", json={"token": share["token"], "qr": True}, timeout=10).json()["qr"]
    jwks = requests.get(server.base + "/.well-known/jwks.json", timeout=10)
    kid = [k for k in jwks.json()["keys"] if k["kty"] == "EC"][0]["kid"]
    yield {"server": server, "doc": doc, "session": session, "status_qr": status_qr, "kid": kid,
           "jwks": save(workdir, "jwks.json", jwks.content), "dir": workdir}
    server.stop()


def white_png(side=64):
    """A white greyscale PNG with no code in it."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff" * side for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def crl(d, name="crl.json"):
    r = requests.get(f"{d['server'].base}/.well-known/crl/{d['kid']}.json", timeout=10)
    assert r.status_code == 200
    return save(d["dir"], name, r.content)


def test_card_png_verifies_and_a_revocation_fails_once_the_list_is_refreshed(deployment):
    d = deployment
    png = save(d["dir"], "card.png", requests.get(f"{d['server'].base}/v1/documents/{d['doc']['id']}/qr", headers=d["session"], timeout=30).content)
    old_list = crl(d, "crl-before.json")
    out = verify(png, "--jwks", d["jwks"], "--crl", old_list, expect=0)
    assert out.stdout.startswith("VALID: a SMART Health Card signed by key " + d["kid"]) and "not revoked" in out.stdout
    assert "kind: smart-health-card" in out.stdout and NAME in out.stdout and "9812345621" not in out.stdout
    verdict = verify_json(png, "--jwks", d["jwks"], "--crl", old_list)
    assert verdict["valid"] is True and verdict["kind"] == "smart-health-card" and verdict["failure"] is None and verdict["kid"] == d["kid"]
    rid = verdict["claims"]["vc"]["rid"]

    # The same card as text (zbarimg's reading of the PNG), and from standard input.
    text = subprocess.run(["zbarimg", "--raw", "-q", png], capture_output=True, text=True, timeout=60).stdout.strip()
    assert text.startswith("shc:/")
    assert verify_json(text, "--jwks", d["jwks"])["claims"]["vc"]["rid"] == rid
    stdin = subprocess.run([LOCKER_CLI, "verify-qr", "-", "--jwks", d["jwks"]], input=text + "\n", capture_output=True, text=True, timeout=60)
    assert stdin.returncode == 0, stdin.stderr

    revoked = subprocess.run([LOCKER_CLI, "--storage", d["server"].storage, "documents", "revoke", d["doc"]["uri"], "--reason", "Withdrawn"],
                             capture_output=True, text=True, timeout=60)
    assert revoked.returncode == 0, revoked.stderr
    # Until the verifier syncs, its old list cannot know; after, the card fails.
    verify(png, "--jwks", d["jwks"], "--crl", old_list, expect=0)
    new_list = crl(d, "crl-after.json")
    out = verify(png, "--jwks", d["jwks"], "--crl", new_list, expect=1)
    assert out.stdout.startswith(f"INVALID (revoked): rid {rid} is in the revocation list of key {d['kid']}")
    assert verify_json(text, "--jwks", d["jwks"], "--crl", new_list, expect=1)["failure"] == "revoked"


def test_the_card_key_rolls_over_and_cards_of_the_old_key_keep_verifying_and_being_revoked(deployment):
    d = deployment
    server = d["server"]

    def card_text():
        jws = requests.get(f"{server.base}/v1/documents/{d['doc']['id']}/shc", headers=d["session"], timeout=10).json()["verifiableCredential"][0]
        return lc.jws_to_numeric_qr(jws, "shc:/")

    old_card = card_text()
    rolled = subprocess.run([LOCKER_CLI, "--storage", server.storage, "keys", "rotate-signing", "--card", "--json"],
                            capture_output=True, text=True, timeout=60)
    assert rolled.returncode == 0, rolled.stderr
    rolled = json.loads(rolled.stdout)
    assert rolled["retired"] == [d["kid"]] and rolled["kid"] != d["kid"]
    # The running lockerd signs new cards with the new key at once; the JWKS publishes both.
    new_card = card_text()
    jwks = requests.get(server.base + "/.well-known/jwks.json", timeout=10).json()
    assert [k["kid"] for k in jwks["keys"] if k["kty"] == "EC"] == [rolled["kid"], d["kid"]]
    assert sum(1 for k in jwks["keys"] if k["kty"] == "OKP") >= 1, "the status key is untouched"
    jwks_path = save(d["dir"], "jwks-rolled.json", json.dumps(jwks).encode())
    lists = []
    for kid in (d["kid"], rolled["kid"]):
        r = requests.get(f"{server.base}/.well-known/crl/{kid}.json", timeout=10)
        assert r.status_code == 200 and r.json()["kid"] == kid and r.json()["rids"] == []
        lists += ["--crl", save(d["dir"], f"crl-{kid}.json", r.content)]
    assert verify_json(old_card, "--jwks", jwks_path, *lists)["kid"] == d["kid"]
    assert verify_json(new_card, "--jwks", jwks_path, *lists)["kid"] == rolled["kid"]
    # A verifier still holding the JWKS from before the roll-over knows the old key only.
    assert verify_json(new_card, "--jwks", d["jwks"], expect=1)["failure"] == "unknown-key"

    # Revoked, the certificate's cards under either key fail, each by its own key's list.
    revoked = subprocess.run([LOCKER_CLI, "--storage", server.storage, "documents", "revoke", d["doc"]["uri"], "--reason", "Withdrawn"],
                             capture_output=True, text=True, timeout=60)
    assert revoked.returncode == 0, revoked.stderr
    lists = []
    for kid in (d["kid"], rolled["kid"]):
        lists += ["--crl", save(d["dir"], f"crl-{kid}-after.json", requests.get(f"{server.base}/.well-known/crl/{kid}.json", timeout=10).content)]
    for card in (old_card, new_card):
        assert verify_json(card, "--jwks", jwks_path, *lists, expect=1)["failure"] == "revoked"


def test_status_codes_verify_as_text_and_png_and_one_changed_digit_fails(deployment):
    d = deployment
    verdict = verify_json(d["status_qr"], "--jwks", d["jwks"])
    assert verdict["valid"] is True and verdict["kind"] == "share-status"
    assert verdict["claims"]["status"] == 2 and verdict["claims"]["valid"] is True and "name" not in verdict["claims"]

    png = save(d["dir"], "status.png", b"")
    subprocess.run(["qrencode", "-o", png, d["status_qr"]], check=True, timeout=60)  # a 1-bit palette PNG
    assert verify(png, "--jwks", d["jwks"], expect=0).stdout.startswith("VALID: a share statement signed by key ")

    card = subprocess.run(["zbarimg", "--raw", "-q", save(d["dir"], "card.png", requests.get(
        f"{d['server'].base}/v1/documents/{d['doc']['id']}/qr", headers=d["session"], timeout=30).content)], capture_output=True, text=True).stdout.strip()
    for text in (d["status_qr"], card):
        prefix = text.index("/") + 1
        for i in (prefix + 3, len(text) // 2, len(text) - 2):
            edited = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1:]
            out = verify(edited, "--jwks", d["jwks"], expect=1)
            assert out.stdout.startswith("INVALID ("), out.stdout


def test_kyc_answer_code_checks_the_audience_and_codes_the_issuer(deployment):
    d = deployment
    verifier = subprocess.run([LOCKER_CLI, "--storage", d["server"].storage, "verifiers", "add", "--id", "irctc", "--name", "IRCTC", "--json"],
                              capture_output=True, text=True, timeout=60)
    h = {"Authorization": "Bearer " + json.loads(verifier.stdout)["apiKey"]}
    r = requests.post(d["server"].base + "/v1/kyc-vs/requests", json={"mobile": MOBILE, "name": NAME, "purpose": "Ticket"}, headers=h, timeout=10)
    otp = lc.read_otps(d["server"].storage, MOBILE)[-1]
    answer = requests.post(f"{d['server'].base}/v1/kyc-vs/requests/{r.json()['requestId']}/confirm", json={"otp": otp, "qr": True},
                           headers=h, timeout=10).json()
    verdict = verify_json(answer["qr"], "--jwks", d["jwks"], "--audience", "irctc")
    assert verdict["kind"] == "kyc-vs" and verdict["claims"]["status"] == 2 and verdict["claims"]["aud"] == "irctc"
    assert verify_json(answer["qr"], "--jwks", d["jwks"], "--audience", "uidai", expect=1)["failure"] == "wrong-audience"
    # --iss: the deployment's own public URL passes; any other is refused, for answers and cards alike.
    assert verify_json(answer["qr"], "--jwks", d["jwks"], "--iss", d["server"].base)["valid"] is True
    other = verify_json(answer["qr"], "--jwks", d["jwks"], "--iss", "https://locker.example.in", expect=1)
    assert other["failure"] == "wrong-issuer" and other["detail"] == f"issued by {d['server'].base}, not https://locker.example.in"
    png = save(d["dir"], "card-iss.png", requests.get(f"{d['server'].base}/v1/documents/{d['doc']['id']}/qr", headers=d["session"], timeout=30).content)
    assert verify_json(png, "--jwks", d["jwks"], "--iss", d["server"].base)["valid"] is True
    assert verify_json(png, "--jwks", d["jwks"], "--iss", d["server"].base + "/", expect=1)["failure"] == "wrong-issuer"


def test_strangers_keys_expiry_and_what_cannot_be_checked(deployment):
    d = deployment
    # Another deployment's JWKS knows neither key; its revocation list is for another key.
    stranger = start(d["dir"], "b")
    try:
        other_jwks = save(d["dir"], "other-jwks.json", requests.get(stranger.base + "/.well-known/jwks.json", timeout=10).content)
        other_kid = [k for k in json.load(open(other_jwks))["keys"] if k["kty"] == "EC"][0]["kid"]
        other_crl = save(d["dir"], "other-crl.json", requests.get(f"{stranger.base}/.well-known/crl/{other_kid}.json", timeout=10).content)
    finally:
        stranger.stop()
    assert other_kid != d["kid"]
    card = save(d["dir"], "card.png", requests.get(f"{d['server'].base}/v1/documents/{d['doc']['id']}/qr", headers=d["session"], timeout=30).content)
    assert verify_json(card, "--jwks", other_jwks, expect=1)["failure"] == "unknown-key"
    assert verify_json(d["status_qr"], "--jwks", other_jwks, expect=1)["failure"] == "unknown-key"
    assert verify_json(card, "--jwks", d["jwks"], "--crl", other_crl, expect=1)["failure"] == "no-revocation-list"

    # A stranger's forgery: the genuine code's header and claims, signed with a key of its own.
    genuine = lc.numeric_qr_to_jws(d["status_qr"], "locker:/")
    head, body, _ = genuine.split(".")
    forged = f"{head}.{body}." + lc.b64url(Ed25519PrivateKey.generate().sign(f"{head}.{body}".encode()))
    forged_qr = lc.jws_to_numeric_qr(forged, "locker:/")
    assert verify_json(forged_qr, "--jwks", d["jwks"], expect=1)["failure"] == "bad-signature"

    # A status answer lives five minutes (a minute of clock skew allowed): checked ten minutes on, it has expired.
    exp = verify_json(d["status_qr"], "--jwks", d["jwks"])["claims"]["exp"]
    later = datetime.datetime.fromtimestamp(exp + 600, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    expired = verify_json(d["status_qr"], "--jwks", d["jwks"], "--at", later, expect=1)
    assert expired["failure"] == "expired" and expired["claims"]["exp"] == exp

    # Not a code, no code in the image, no such file, a JWKS that is not one: exit status 2 or 1, one clear line.
    out = verify(os.path.join(d["dir"], "absent.png"), "--jwks", d["jwks"], expect=2)
    assert "is not shc:/… or locker:/… text, nor a file" in out.stderr
    out = verify(save(d["dir"], "white.png", white_png()), "--jwks", d["jwks"], expect=2)
    assert "no QR code found in the image" in out.stderr
    out = verify(save(d["dir"], "not-a-png.png", b"\x89PNG\r\n\x1a\nbroken"), "--jwks", d["jwks"], expect=2)
    assert "PNG" in out.stderr
    out = verify(d["status_qr"], "--jwks", save(d["dir"], "bad-jwks.json", b"[]"), expect=2)
    assert "is not a JWK Set" in out.stderr
    text_file = save(d["dir"], "hello.txt", b"hello\n")
    assert verify_json(text_file, "--jwks", d["jwks"], expect=1)["failure"] == "malformed"


def test_help_names_every_option():
    out = subprocess.run([LOCKER_CLI, "verify-qr", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for word in ("IMAGE|TEXT", "--jwks", "--crl", "--audience", "--iss", "wrong-issuer", "--at", "--json", "shc:/", "locker:/", "Exit status", "revoked"):
        assert word in out.stdout, word
    assert "verify-qr" in subprocess.run([LOCKER_CLI, "--help"], capture_output=True, text=True, timeout=60).stdout
