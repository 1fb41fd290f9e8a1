"""Documents kept by their issuers reach the holders of a document-scope share and the partner
apps a citizen allowed, "the same way" as pushed ones (#18 item 3): each time fetched afresh from
the issuer (a Pull Doc request), nothing stored, each access audited; a status-scope share of
one is refused (Locker holds no claims of it), and an issuer that fails spends no use.
Uses the stand-in issuer of e2e/test_pull_issuers.py."""
import base64
import hashlib
import re
import subprocess
import urllib.parse

import requests

import locker_client as lc
from conftest import LOCKER_CLI
from test_pull_issuers import ISSUER, env, pull  # noqa: F401  (env is the module's stand-in issuer and lockerd)


def pulled_doc(env, udf1):
    r = pull(env, udf1)
    assert r.status_code == 201, r.text
    record = r.json()
    return record, env.issuer.issued[record["uri"]]


def pull_doc_requests(env, uri):
    return len(env.issuer.seen("PullDocRequest", uri=uri))


def test_a_document_share_of_a_pulled_document_fetches_it_afresh_and_spends_one_use(env):
    record, pdf = pulled_doc(env, "OK-SHARE-1")
    session = lc.bearer(env.session_a)
    status = requests.post(f"{env.base}/v1/documents/{record['id']}/shares", json={"label": "Clerk", "scope": "status"}, headers=session, timeout=10)
    assert status.status_code == 400, status.text
    made = requests.post(f"{env.base}/v1/documents/{record['id']}/shares", json={"label": "Railway clerk", "maxUses": 1}, headers=session, timeout=10)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    page = requests.get(f"{env.base}/s/{token}", timeout=10)
    assert page.status_code == 200 and "Vaccination certificate" in page.text
    before = pull_doc_requests(env, record["uri"])
    r = requests.post(env.base + "/v1/shares/redeem", json={"token": token}, timeout=30)
    assert r.status_code == 200 and r.content == pdf and r.headers["Cache-Control"] == "no-store"
    assert pull_doc_requests(env, record["uri"]) == before + 1, "fetched from the issuer for the redemption"
    assert requests.post(env.base + "/v1/shares/redeem", json={"token": token}, timeout=30).status_code == 404, "one use only"
    events = requests.get(env.base + "/v1/activity", headers=session, timeout=10).json()["events"]
    redeemed = next(e for e in events if e["action"] == "share.redeemed")
    assert redeemed["detail"]["pulled"] == "true" and redeemed["detail"]["uri"] == record["uri"], "the audit says it was pulled"


def test_an_issuer_failing_a_shared_redemption_spends_no_use(env):
    record, pdf = pulled_doc(env, "OK-SHARE-2")
    made = requests.post(f"{env.base}/v1/documents/{record['id']}/shares", json={"label": "Clerk", "maxUses": 1}, headers=lc.bearer(env.session_a), timeout=10)
    token = made.json()["token"]
    env.issuer.doc_mode = "garbage"
    try:
        r = requests.post(env.base + "/v1/shares/redeem", json={"token": token}, timeout=30)
        assert r.status_code == 502, r.text
    finally:
        env.issuer.doc_mode = "ok"
    r = requests.post(env.base + "/v1/shares/redeem", json={"token": token}, timeout=30)
    assert r.status_code == 200 and r.content == pdf, "the failed try spent nothing"


def test_a_partner_app_lists_and_downloads_a_pulled_document(env):
    record, pdf = pulled_doc(env, "OK-PARTNER-1")
    redirect = "http://127.0.0.1:9/cb"
    added = subprocess.run([LOCKER_CLI, "--storage", env.storage, "partners", "add", "--id", "in.pull.reader", "--name", "Pull Reader",
                            "--redirect-uri", redirect], capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = dict(response_type="code", client_id="in.pull.reader", redirect_uri=redirect, state="s", code_challenge=challenge, code_challenge_method="S256")
    cookie = {"locker_session": env.session_a}
    page = requests.get(env.base + "/portal/authorize", params=query, cookies=cookie, timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    allowed = requests.post(env.base + "/portal/authorize", data=dict(query, csrf=csrf, decision="allow"), cookies=cookie, allow_redirects=False, timeout=10)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(allowed.headers["Location"]).query)["code"][0]
    tokens = requests.post(env.base + "/public/oauth2/1/token", data=dict(grant_type="authorization_code", code=code, redirect_uri=redirect,
                                                                          code_verifier=verifier, client_id="in.pull.reader"), timeout=10).json()
    partner = lc.bearer(tokens["access_token"])
    items = requests.get(env.base + "/public/oauth2/2/files/issued", headers=partner, timeout=10).json()["items"]
    assert record["uri"] in [i["uri"] for i in items]
    before = pull_doc_requests(env, record["uri"])
    r = requests.get(f"{env.base}/public/oauth2/1/file/{record['uri']}", headers=partner, timeout=30)
    assert r.status_code == 200 and r.content == pdf and r.headers["Cache-Control"] == "no-store"
    assert pull_doc_requests(env, record["uri"]) == before + 1
    events = requests.get(env.base + "/v1/activity", headers=lc.bearer(env.session_a), timeout=10).json()["events"]
    assert events[0]["action"] == "partner.downloaded"
    # Citizen B's pulled URI is not A's partner's to fetch.
    other = pull(env, "OK-PARTNER-B", session=env.session_b)
    if other.status_code == 201:
        miss = requests.get(f"{env.base}/public/oauth2/1/file/{other.json()['uri']}", headers=partner, timeout=10)
        assert miss.status_code == 404 and miss.json()["error"] == "invalid_uri"
