"""`--log-format json`: every line lockerd writes is one JSON object with the event's fields,
and, as in the text format, no token, OTP, mobile number or name gets into it."""
import json
import os

import requests

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd


def test_json_logs_are_one_object_per_line_and_carry_no_secret(workdir):
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage, extra_args=["--log-format", "json"]).start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    mobile = "+919811177123"
    body, ctype = lc.build_push(key, mobile, "VACER", "JL1", "2026-11-01", lc.vacer_claims("Zorawar Quixote", 2), b"%PDF-1.7 log", "application/pdf")
    pushed = lc.push(node.base, api, body, ctype)
    assert pushed.status_code == 201
    session = lc.sign_in(node.base, storage, mobile)
    otp = lc.read_otps(storage, mobile)[-1]
    got = requests.get(f"{node.base}/v1/documents/{pushed.json()['id']}/content", headers=lc.bearer(session), timeout=10)
    assert got.status_code == 200
    grant = requests.post(f"{node.base}/v1/documents/{pushed.json()['id']}/shares", json={"label": "x"}, headers=lc.bearer(session), timeout=10).json()
    requests.get(f"{node.base}/s/{grant['token']}", timeout=10)
    node.stop()

    text = node.read_log()
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line parses
    assert len(records) >= 5
    for record in records:
        assert {"ts", "level", "label", "message"} <= record.keys() and record["ts"].endswith("Z"), record
    requests_logged = [r for r in records if r.get("path")]
    assert any(r["path"] == "/v1/documents/{id}/content" and r.get("status") == "200" for r in requests_logged), requests_logged[-5:]
    assert any(r["path"] == "/s/{token}" for r in requests_logged)
    for secret in (session, session[len("lk_ses_"):], api, otp, mobile, mobile[3:], "Zorawar", grant["token"][len("lk_shr_"):]):
        assert secret not in text, f"{secret[:6]}… leaked into the JSON log"


def test_an_unknown_log_format_stops_start_up_in_one_line(workdir):
    import subprocess
    from conftest import LOCKERD
    out = subprocess.run([LOCKERD, "--storage", os.path.join(workdir, "S"), "--log-format", "xml"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and out.stderr.strip() == 'lockerd: error: invalid value for logFormat: "xml" (expected text or json)', out.stderr
