"""Partner apps (OAuth 2.0, DigiLocker's "Authorized Partner" API, issue #17) from outside.

An independent OAuth client, Authlib's requests `OAuth2Session` with PKCE (S256), plays the
partner against a real lockerd: it builds the authorization URL and calls the token, refresh
and revocation endpoints. The partner's redirect URI is a tiny http.server on another loopback
port that records what it receives. The whole flow runs once in headless Chromium: the citizen
arrives from the partner's site (another site: `localhost` against lockerd's `127.0.0.1`),
signs in with the OTP from the SMS outbox, lands back on the consent page and allows; the
partner then lists and downloads the citizen's certificates. The refusals drive the consent
step with `requests` and the portal's session cookie (`approve` below).

One lockerd serves the module; each test registers its own partner apps. The code-expiry test
moves lockerd's clock with libfaketime when it is installed (scripts/install-deps test), and
otherwise waits the code's 60 s lifetime out.
"""
import glob
import html.parser
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

import locker_client as lc
from conftest import BACKEND, LOCKER_CLI, Lockerd, free_port, postgres_for

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

MOBILE_A = "+919822200001"
MOBILE_B = "+919822200002"
MOBILE_C = "+919822200003"  # rekeyed by one test: nobody else uses this citizen
ISSUER = "in.gov.cowin"
AUTHORIZE = "/public/oauth2/1/authorize"
TOKEN = "/public/oauth2/1/token"
REVOKE = "/public/oauth2/1/revoke"
USER = "/public/oauth2/1/user"
ISSUED = "/public/oauth2/2/files/issued"
FILE = "/public/oauth2/1/file/"
BOTH = "files.list files.download"
LIST_WORDS = "see the list of your certificates"
DOWNLOAD_WORDS = "download your certificates"
NOT_VALID = "link is not valid"  # the 400 page for an unknown client or redirect URI
FAKETIME_LIB = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)


# ---------------------------------------------------------------------------------------------
# The partner's side: its redirect URI and its start page
# ---------------------------------------------------------------------------------------------

class PartnerSite(http.server.BaseHTTPRequestHandler):
    """Records every request's path and query; /start shows a link to `start_link`."""
    hits = []
    start_link = ""

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/start":
            body = (f'<!doctype html><html><head><meta charset="utf-8"><title>Rail App</title></head><body>'
                    f'<a id="connect" href="{self.start_link}">Connect your Locker</a></body></html>').encode()
        else:
            PartnerSite.hits.append((path, query))
            body = b'<!doctype html><html><head><meta charset="utf-8"><title>Rail App</title></head><body><p id="got">Thanks</p></body></html>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# ---------------------------------------------------------------------------------------------
# Module fixture: one lockerd, an issuer, three citizens with certificates
# ---------------------------------------------------------------------------------------------

class Env:
    pass


def cli(storage, *args, timeout=120):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=timeout)


def marked_pdf(marker: bytes, size=20_000):
    """A PDF-looking document carrying `marker` in clear, so a plaintext copy can be found on disk."""
    head, tail = b"%PDF-1.7\n% " + marker + b"\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def push_doc(env, mobile, doc_id, issued_on, content, name="Asha Verma"):
    body, header = lc.build_push(env.issuer_key, mobile, "VACER", doc_id, issued_on, lc.vacer_claims(name, 2), content, "application/pdf")
    r = lc.push(env.base, env.api_key, body, header)
    assert r.status_code == 201, r.text
    return r.json()


def setup_vault(env, server, workdir):
    env.server, env.base, env.storage, env.workdir = server, server.base, server.storage, workdir
    env.issuer_key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    env.api_key = lc.register_issuer(LOCKER_CLI, env.storage, ISSUER, "CoWIN", pem_path, doc_types="VACER")


@pytest.fixture(scope="module")
def env():
    workdir = tempfile.mkdtemp(prefix="locker-oauth-")
    server = Lockerd(os.path.join(workdir, "Storage")).start()
    PartnerSite.hits = []
    site_port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), PartnerSite)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    e = Env()
    try:
        setup_vault(e, server, workdir)
        e.site = f"http://127.0.0.1:{site_port}"
        e.cross_site = f"http://localhost:{site_port}"  # another site than 127.0.0.1 for the browser
        e.callback = e.site + "/cb"
        e.marker = ("LOCKER-OAUTH-MARKER-" + uuid.uuid4().hex).encode()
        e.content_a1 = marked_pdf(e.marker)
        e.doc_a1 = push_doc(e, MOBILE_A, "OAUTH-A1", "2026-10-15", e.content_a1)
        e.content_a2 = marked_pdf(e.marker + b"-2", 9_000)
        e.doc_a2 = push_doc(e, MOBILE_A, "OAUTH-A2", "2026-11-01", e.content_a2)
        e.doc_a3 = push_doc(e, MOBILE_A, "OAUTH-A3", "2026-11-02", marked_pdf(b"revoked", 3_000))
        r = requests.delete(f"{e.base}/v1/issuer/documents/{e.doc_a3['uri']}", headers=lc.bearer(e.api_key), timeout=10)
        assert r.status_code == 200, r.text
        e.doc_b1 = push_doc(e, MOBILE_B, "OAUTH-B1", "2026-11-01", marked_pdf(b"citizen-b", 5_000), name="Ravi Kumar")
        e.doc_c1 = push_doc(e, MOBILE_C, "OAUTH-C1", "2026-11-01", marked_pdf(b"citizen-c", 5_000), name="Meera Iyer")
        e.sessions = {}
        yield e
    finally:
        httpd.shutdown()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def session_of(env, mobile):
    """The citizen's session token (`lk_ses_…`), one OTP sign-in per citizen and module."""
    if mobile not in env.sessions:
        env.sessions[mobile] = lc.sign_in(env.base, env.storage, mobile)
    return env.sessions[mobile]


# ---------------------------------------------------------------------------------------------
# Partners and the OAuth client
# ---------------------------------------------------------------------------------------------

class Partner:
    def __init__(self, record, redirect_uri):
        self.id = record["clientId"]
        self.name = record["name"]
        self.secret = record["clientSecret"]
        self.redirect_uri = redirect_uri


def add_partner(env, partner_id, name, confidential=False, redirect_uri=None):
    redirect_uri = redirect_uri or env.callback
    args = ["partners", "add", "--id", partner_id, "--name", name, "--redirect-uri", redirect_uri, "--json"]
    out = cli(env.storage, *(args + (["--confidential"] if confidential else [])))
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["clientId"] == partner_id and record["redirectURIs"] == [redirect_uri]
    assert (record["clientSecret"] or "").startswith("lk_pcs_") if confidential else record["clientSecret"] is None
    return Partner(record, redirect_uri)


def client(env, partner, secret=None, auth_method=None):
    """Authlib's OAuth2Session as the partner; `.last` is the last HTTP response it got."""
    s = OAuth2Session(
        client_id=partner.id, client_secret=secret if secret is not None else partner.secret,
        token_endpoint_auth_method=auth_method, revocation_endpoint_auth_method=auth_method,
        redirect_uri=partner.redirect_uri, code_challenge_method="S256", token_endpoint=env.base + TOKEN,
    )
    s.last = None
    s.hooks["response"].append(lambda r, *a, **k: setattr(s, "last", r))
    return s


def authorization_url(env, oauth, scope=None, **extra):
    """(url, state, code_verifier) from Authlib's create_authorization_url with PKCE."""
    verifier = generate_token(64)
    if scope is not None:
        extra["scope"] = scope
    url, state = oauth.create_authorization_url(env.base + AUTHORIZE, code_verifier=verifier, **extra)
    return url, state, verifier


class Forms(html.parser.HTMLParser):
    """Every form (action, hidden inputs, submit buttons) and every link of a page."""

    def __init__(self, text):
        super().__init__()
        self.forms, self.links = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": (a.get("method") or "get").lower(), "hidden": {}, "buttons": []})
        elif tag == "input" and self.forms and (a.get("type") or "").lower() == "hidden":
            self.forms[-1]["hidden"][a.get("name")] = a.get("value") or ""
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append((a.get("name"), a.get("value"), a.get("id")))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


def same_query(forwarded, original):
    """The forward carries the authorize query (an omitted scope may be spelt out as its default, both)."""
    got = urllib.parse.parse_qs(urllib.parse.urlsplit(forwarded).query)
    want = urllib.parse.parse_qs(urllib.parse.urlsplit(original).query)
    if "scope" not in want and got.get("scope") == [BOTH]:
        want["scope"] = [BOTH]
    return got == want


def cookie(session_token):
    return {"Cookie": f"locker_session={session_token}"}


class Consent:
    """What the citizen's side of one authorization produced."""
    forward = consent_page = consent_response = decision_response = None
    query = {}


def approve(env, url, session_token, decision="allow"):
    """Drives the consent step as the citizen's browser would, with requests: the public authorize
    page (200, forwarding to /portal/authorize on Locker's origin), the consent page with the
    portal cookie, and the form posted with `decision`; the 303 is not followed."""
    c = Consent()
    c.forward = requests.get(url, allow_redirects=False, timeout=10)
    assert c.forward.status_code == 200, (c.forward.status_code, c.forward.headers.get("Location"), c.forward.text[:300])
    links = [h for h in Forms(c.forward.text).links if urllib.parse.urlsplit(h).path == "/portal/authorize"]
    assert links, c.forward.text
    portal_url = urllib.parse.urljoin(env.base + "/", links[0])
    assert portal_url.startswith(env.base + "/portal/authorize?")
    assert same_query(portal_url, url), (portal_url, url)
    assert "http-equiv" in c.forward.text.lower() and "refresh" in c.forward.text.lower()
    c.consent_response = requests.get(portal_url, headers=cookie(session_token), allow_redirects=False, timeout=10)
    assert c.consent_response.status_code == 200, c.consent_response.text[:500]
    c.consent_page = c.consent_response.text
    forms = [f for f in Forms(c.consent_page).forms if urllib.parse.urlsplit(f["action"]).path == "/portal/authorize" and f["method"] == "post"]
    assert len(forms) == 1, c.consent_page
    form = forms[0]
    assert {"csrf", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope"} <= set(form["hidden"])
    assert ("decision", "allow", "allow") in form["buttons"] and ("decision", "deny", "deny") in form["buttons"]
    data = dict(form["hidden"], decision=decision)
    c.decision_response = requests.post(env.base + "/portal/authorize", data=data, headers=cookie(session_token), allow_redirects=False, timeout=10)
    c.form = data
    assert c.decision_response.status_code == 303, (c.decision_response.status_code, c.decision_response.text[:300])
    location = c.decision_response.headers["Location"]
    c.location = location
    c.query = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).items()}
    return c


def get_code(env, partner, mobile, scope=None, oauth=None, redirect_uri=None):
    """A fresh authorization code for `partner` from citizen `mobile`: (oauth session, code, verifier)."""
    oauth = oauth or client(env, partner)
    extra = {"redirect_uri": redirect_uri} if redirect_uri else {}
    url, state, verifier = authorization_url(env, oauth, scope=scope, **extra)
    c = approve(env, url, session_of(env, mobile))
    assert c.location.startswith(partner.redirect_uri + ("&" if "?" in partner.redirect_uri else "?")), c.location
    assert c.query["state"] == state and c.query["code"].startswith("lk_pco_"), c.query
    return oauth, c.query["code"], verifier


def connect(env, partner, mobile, scope=None):
    """A live connection: (oauth session holding the token, token)."""
    oauth, code, verifier = get_code(env, partner, mobile, scope=scope)
    token = oauth.fetch_token(code=code, code_verifier=verifier)
    return oauth, token


def resource(env, path, access_token):
    return requests.get(env.base + path, headers=lc.bearer(access_token), timeout=10)


def assert_invalid_token(r):
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.json()["error"] == "invalid_token"
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer") and 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def assert_oauth_error(call, error, status, oauth):
    with pytest.raises(OAuthError) as caught:
        call()
    assert caught.value.error == error, (caught.value.error, caught.value.description)
    assert caught.value.description, "error_description"
    assert oauth.last.status_code == status, (oauth.last.status_code, oauth.last.text)
    assert "no-store" in oauth.last.headers.get("Cache-Control", "")
    return caught.value


def raw_token(env, data, auth=None):
    return requests.post(env.base + TOKEN, data=data, auth=auth, timeout=10)


def audit_intact(storage):
    out = cli(storage, "audit", "verify", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["intact"] is True


def files_under(folder):
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    yield path, f.read()


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------

# The same headless Chromium as the portal's browser test.
from test_browser import browser  # noqa: E402


def wait_otp(storage, mobile, before, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        otps = lc.read_otps(storage, mobile)
        if len(otps) > before:
            return otps[-1]
        time.sleep(0.05)
    raise AssertionError("no OTP in the outbox")


def wait_hit(before, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(PartnerSite.hits) > before:
            return PartnerSite.hits[before]
        time.sleep(0.05)
    raise AssertionError("the partner's redirect URI got nothing")


def body_text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


# ---------------------------------------------------------------------------------------------
# 1. The whole flow
# ---------------------------------------------------------------------------------------------

def test_the_whole_flow_in_a_browser_then_the_partner_lists_and_downloads(env):
    partner = add_partner(env, "in.rail.app", "Rail App")
    oauth = client(env, partner)
    url, state, verifier = authorization_url(env, oauth, scope=BOTH)
    PartnerSite.start_link = url.replace("&", "&amp;")
    driver = browser(os.path.join(env.workdir, "dl"))
    try:
        # The citizen starts on the partner's site (another site than Locker's) and follows its link.
        driver.get(env.cross_site + "/start")
        driver.find_element(By.ID, "connect").click()
        WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "mobile"))
        assert urllib.parse.urlsplit(driver.current_url).netloc == urllib.parse.urlsplit(env.base).netloc
        before = len(lc.read_otps(env.storage, MOBILE_A))
        driver.find_element(By.ID, "mobile").send_keys(MOBILE_A)
        driver.find_element(By.ID, "mobile").submit()
        otp = wait_otp(env.storage, MOBILE_A, before)
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "otp"))
        driver.find_element(By.ID, "otp").send_keys(otp)
        driver.find_element(By.ID, "otp").submit()
        # Back on the consent page, not the home page.
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "allow"))
        here = urllib.parse.urlsplit(driver.current_url)
        assert here.path == "/portal/authorize", driver.current_url
        assert same_query(driver.current_url, url), (driver.current_url, url)
        text = body_text(driver)
        assert "Rail App" in text and LIST_WORDS in text and DOWNLOAD_WORDS in text and "30 days" in text, text
        assert "Your certificates" not in text
        before_hits = len(PartnerSite.hits)
        driver.find_element(By.ID, "allow").click()
        path, query = wait_hit(before_hits)
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "got"))
        got = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        assert path == "/cb" and got["state"] == state and got["code"].startswith("lk_pco_"), (path, query)

        # The partner trades the code, with the PKCE verifier, through Authlib.
        token = oauth.fetch_token(code=got["code"], code_verifier=verifier)
        answer = oauth.last
        assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"] and answer.headers.get("Pragma") == "no-cache"
        raw = answer.json()
        assert set(raw) == {"access_token", "token_type", "expires_in", "refresh_token", "scope", "digilockerid"}, raw
        assert raw["token_type"] == "Bearer" and raw["expires_in"] == 3600 and raw["scope"] == BOTH
        assert token["access_token"].startswith("lk_pat_") and token["refresh_token"].startswith("lk_prt_")
        citizen_id = raw["digilockerid"]
        assert citizen_id

        user = oauth.get(env.base + USER, timeout=10)
        assert user.status_code == 200 and user.json() == {"digilockerid": citizen_id}

        issued = oauth.get(env.base + ISSUED, timeout=10)
        assert issued.status_code == 200 and "no-store" in issued.headers["Cache-Control"]
        listing = issued.json()
        assert listing["resource"] == "issued"
        # Newest first; the revoked one is not there; nothing of citizen B's.
        assert [i["uri"] for i in listing["items"]] == [env.doc_a2["uri"], env.doc_a1["uri"]], listing
        first = listing["items"][1]
        assert first == {"name": "Vaccination certificate", "type": "file", "size": str(len(env.content_a1)), "date": "15-10-2026",
                         "parent": "", "mime": ["application/pdf"], "uri": env.doc_a1["uri"], "doctype": "VACER",
                         "description": "Vaccination certificate", "issuerid": ISSUER, "issuer": "CoWIN"}, first

        download = oauth.get(env.base + FILE + env.doc_a1["uri"], timeout=10)
        assert download.status_code == 200, download.text
        assert download.content == env.content_a1
        session = session_of(env, MOBILE_A)
        own = requests.get(f"{env.base}/v1/documents/{env.doc_a1['id']}/content", headers=lc.bearer(session), timeout=10)
        assert own.status_code == 200 and own.content == env.content_a1
        assert download.headers["Cache-Control"] == "no-store"
        assert download.headers["Locker-Signature"] and download.headers["Locker-Signature"] == own.headers["Locker-Signature"]
        for header in ("Content-Type", "Content-Disposition", "ETag"):
            assert download.headers.get(header) == own.headers.get(header), header
        gone = oauth.get(env.base + FILE + env.doc_a3["uri"], timeout=10)
        assert gone.status_code == 410 and gone.json()["error"] == "invalid_uri" and "revoked" in gone.json()["error_description"]

        # What the citizen sees: the activity (API and portal) and the connected app.
        events = requests.get(env.base + "/v1/activity?limit=50", headers=lc.bearer(session), timeout=10).json()["events"]
        actions = [e["action"] for e in events]
        assert "partner.listed" in actions and "partner.downloaded" in actions, actions
        driver.get(env.base + "/")
        WebDriverWait(driver, 10).until(lambda d: "Your certificates" in d.page_source)
        home = body_text(driver)
        assert "rail app downloaded your vaccination certificate on your behalf" in home.lower(), home
        assert "Connected apps" in home and "Rail App" in home

        # No plaintext of the documents, and none of the tokens, anywhere under Storage/.
        secrets = [env.marker, got["code"].encode(), token["access_token"].encode(), token["refresh_token"].encode()]
        for path, data in files_under(env.storage):
            for secret in secrets:
                assert secret not in data, (path, secret[:24])

        # Signed in already, the citizen comes again from the partner's site: straight to the
        # consent page (the forwarder brings the SameSite=Strict cookie), and denies this time.
        url2, state2, _ = authorization_url(env, oauth, scope="files.list")
        PartnerSite.start_link = url2.replace("&", "&amp;")
        driver.get(env.cross_site + "/start")
        driver.find_element(By.ID, "connect").click()
        WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "deny") or d.find_elements(By.ID, "mobile"))
        assert driver.find_elements(By.ID, "deny"), "a signed-in citizen arriving from the partner's site is asked to sign in again"
        text = body_text(driver)
        assert LIST_WORDS in text and DOWNLOAD_WORDS not in text, text
        before_hits = len(PartnerSite.hits)
        driver.find_element(By.ID, "deny").click()
        path, query = wait_hit(before_hits)
        denied = urllib.parse.parse_qs(query)
        assert path == "/cb" and denied["error"] == ["access_denied"] and denied["state"] == [state2] and "code" not in denied, query

        # The portal's Disconnect button ends the connection at once.
        driver.get(env.base + "/")
        WebDriverWait(driver, 10).until(lambda d: "Connected apps" in d.page_source)
        disconnect = ("form[action*='/portal/connections/'][action$='/disconnect'] button, "
                      "form[action*='/portal/connections/'][action$='/disconnect'] input[type=submit]")
        buttons = driver.find_elements(By.CSS_SELECTOR, disconnect)
        assert len(buttons) == 1, driver.page_source
        assert buttons[0].text.strip() == "Disconnect" or buttons[0].get_attribute("value") == "Disconnect"
        buttons[0].click()
        WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, disconnect) and "Your certificates" in d.page_source)
        assert urllib.parse.urlsplit(driver.current_url).path == "/"
        assert "Rail App downloaded" in body_text(driver)
        assert requests.get(env.base + "/v1/connections", headers=lc.bearer(session), timeout=10).json()["connections"] == []
        assert_invalid_token(resource(env, USER, token["access_token"]))
        assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_grant", 400, oauth)
    finally:
        driver.quit()
    audit_intact(env.storage)


# ---------------------------------------------------------------------------------------------
# 2. Refusals
# ---------------------------------------------------------------------------------------------

def test_a_wrong_or_missing_code_verifier_or_redirect_uri_gets_no_token(env):
    partner = add_partner(env, "in.test.pkce", "PKCE App")
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    assert_oauth_error(lambda: oauth.fetch_token(code=code, code_verifier=generate_token(64)), "invalid_grant", 400, oauth)
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    assert_oauth_error(lambda: oauth.fetch_token(code=code), "invalid_request", 400, oauth)  # no code_verifier
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    assert_oauth_error(lambda: oauth.fetch_token(code=code, code_verifier=verifier, redirect_uri=partner.redirect_uri + "x"),
                       "invalid_grant", 400, oauth)
    r = raw_token(env, {"grant_type": "password", "client_id": partner.id, "username": "a", "password": "b"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    # The partner's own right answer still works for a fresh code.
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    assert oauth.fetch_token(code=code, code_verifier=verifier)["access_token"].startswith("lk_pat_")


def test_authorize_refuses_plain_pkce_and_other_bad_requests_by_redirect(env):
    partner = add_partner(env, "in.test.plain", "Plain App")
    oauth = client(env, partner)
    verifier = generate_token(64)

    def refused(url, error, state):
        r = requests.get(url, allow_redirects=False, timeout=10)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        location = r.headers["Location"]
        assert location.startswith(partner.redirect_uri + "?"), location
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        assert q["error"] == [error] and q["state"] == [state] and "code" not in q, q
        assert q.get("error_description", [""])[0]
        # The consent page re-validates: a signed-in citizen gets the same redirect, no consent form.
        portal = requests.get(url.replace(AUTHORIZE, "/portal/authorize"), headers=cookie(session_of(env, MOBILE_A)),
                              allow_redirects=False, timeout=10)
        assert portal.status_code == 303 and portal.headers["Location"] == location, (portal.status_code, portal.text[:300])

    url, state = oauth.create_authorization_url(env.base + AUTHORIZE, code_challenge=verifier, code_challenge_method="plain")
    refused(url, "invalid_request", state)
    url, state = oauth.create_authorization_url(env.base + AUTHORIZE)  # no code_challenge at all
    refused(url, "invalid_request", state)
    url, state = oauth.create_authorization_url(env.base + AUTHORIZE, code_challenge=generate_token(43))  # no method
    refused(url, "invalid_request", state)
    url, state, _ = authorization_url(env, oauth, response_type="token")
    refused(url, "unsupported_response_type", state)
    url, state, _ = authorization_url(env, oauth, scope="files.list profile")
    refused(url, "invalid_scope", state)
    for challenge in ("A" * 42, "A" * 129, "A" * 42 + "+"):  # 43-128 characters of [A-Za-z0-9-._~]
        url, state = oauth.create_authorization_url(env.base + AUTHORIZE, code_challenge=challenge, code_challenge_method="S256")
        refused(url, "invalid_request", state)


def test_a_redirect_uri_not_registered_gets_a_page_and_no_redirect(env):
    partner = add_partner(env, "in.test.redirect", "Redirect App")
    oauth = client(env, partner)
    session = session_of(env, MOBILE_A)
    before = len(PartnerSite.hits)
    wrong = [env.site + "/other", env.callback + "/", env.callback + "?x=1", env.cross_site + "/cb", None]
    for redirect_uri in wrong:
        extra = {"redirect_uri": redirect_uri} if redirect_uri else {}
        url, state, _ = authorization_url(env, oauth, **extra)
        if redirect_uri is None:
            parts = urllib.parse.urlsplit(url)
            query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "redirect_uri"]
            url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
        for target in (url, url.replace(AUTHORIZE, "/portal/authorize")):
            r = requests.get(target, headers=cookie(session), allow_redirects=True, timeout=10)
            assert r.status_code == 400 and not r.history, (redirect_uri, target, r.status_code, [h.status_code for h in r.history])
            assert "text/html" in r.headers["Content-Type"] and NOT_VALID in r.text
    # An unknown client id: the same page.
    url, state, _ = authorization_url(env, client(env, Partner({"clientId": "no.such.app", "name": "", "clientSecret": None}, env.callback)))
    r = requests.get(url, allow_redirects=True, timeout=10)
    assert r.status_code == 400 and not r.history and NOT_VALID in r.text
    # A consent form posted with another redirect URI than the registered one sends nobody there.
    url, state, _ = authorization_url(env, oauth)
    consent = requests.get(url.replace(AUTHORIZE, "/portal/authorize"), headers=cookie(session), timeout=10)
    form = Forms(consent.text).forms
    hidden = next(f["hidden"] for f in form if urllib.parse.urlsplit(f["action"]).path == "/portal/authorize")
    r = requests.post(env.base + "/portal/authorize", data=dict(hidden, redirect_uri=env.site + "/other", decision="allow"),
                      headers=cookie(session), allow_redirects=True, timeout=10)
    assert r.status_code == 400 and not any(h.headers.get("Location", "").startswith(env.site) for h in r.history), r.status_code
    time.sleep(0.3)
    assert PartnerSite.hits[before:] == [], PartnerSite.hits[before:]


def test_the_consent_form_needs_its_csrf_token(env):
    partner = add_partner(env, "in.test.csrf", "CSRF App")
    oauth = client(env, partner)
    url, state, _ = authorization_url(env, oauth)
    session = session_of(env, MOBILE_A)
    consent = requests.get(url.replace(AUTHORIZE, "/portal/authorize"), headers=cookie(session), timeout=10)
    hidden = next(f["hidden"] for f in Forms(consent.text).forms if urllib.parse.urlsplit(f["action"]).path == "/portal/authorize")
    wrong = dict(hidden, decision="allow", csrf="wrong")
    missing = {k: v for k, v in wrong.items() if k != "csrf"}
    for data in (wrong, missing):
        r = requests.post(env.base + "/portal/authorize", data=data, headers=cookie(session), allow_redirects=False, timeout=10)
        assert r.status_code == 403 and "Location" not in r.headers, (data.get("csrf"), r.status_code, r.text[:200])
        assert r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"]
    connections = requests.get(env.base + "/v1/connections", headers=lc.bearer(session), timeout=10).json()["connections"]
    assert all(c["partnerId"] != partner.id for c in connections), connections


def test_signing_in_from_the_consent_page_returns_there_and_nowhere_else(env):
    partner = add_partner(env, "in.test.next", "Next App")
    url, state, _ = authorization_url(env, client(env, partner))
    portal_url = url.replace(AUTHORIZE, "/portal/authorize")

    def sign_in(next_value=None):
        """The portal's sign-in from the consent page, with requests; `next` replaced when given: the 303's Location."""
        browser_like = requests.Session()
        page = browser_like.get(portal_url, timeout=10)
        assert page.status_code == 200 and "Sign in" in page.text
        form = next(f for f in Forms(page.text).forms if urllib.parse.urlsplit(f["action"]).path == "/portal/sign-in")
        assert urllib.parse.urljoin(env.base + "/", form["hidden"]["next"]).startswith(env.base + "/portal/authorize?")
        before = len(lc.read_otps(env.storage, MOBILE_B))
        otp_page = browser_like.post(env.base + "/portal/sign-in", data=dict(form["hidden"], mobile=MOBILE_B), timeout=10)
        otp_form = next(f for f in Forms(otp_page.text).forms if urllib.parse.urlsplit(f["action"]).path == "/portal/verify")
        data = dict(otp_form["hidden"], otp=wait_otp(env.storage, MOBILE_B, before))
        if next_value is not None:
            data["next"] = next_value
        r = browser_like.post(env.base + "/portal/verify", data=data, allow_redirects=False, timeout=10)
        assert r.status_code == 303, (r.status_code, r.text[:200])
        return r.headers["Location"]

    back = urllib.parse.urljoin(env.base + "/", sign_in())
    assert back.startswith(env.base + "/portal/authorize?") and same_query(back, url), back
    for evil in ("https://evil.example/x", "//evil.example/x"):
        location = urllib.parse.urljoin(env.base + "/", sign_in(evil))
        assert location.startswith(env.base + "/"), (evil, location)


def test_a_replayed_code_fails_and_ends_the_connection_made_from_it(env):
    partner = add_partner(env, "in.test.replay", "Replay App")
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    token = oauth.fetch_token(code=code, code_verifier=verifier)
    assert resource(env, USER, token["access_token"]).status_code == 200
    thief = client(env, partner)
    assert_oauth_error(lambda: thief.fetch_token(code=code, code_verifier=verifier), "invalid_grant", 400, thief)
    assert_invalid_token(resource(env, USER, token["access_token"]))
    assert_invalid_token(resource(env, ISSUED, token["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_grant", 400, oauth)
    connections = requests.get(env.base + "/v1/connections", headers=lc.bearer(session_of(env, MOBILE_A)), timeout=10).json()["connections"]
    assert all(c["partnerId"] != partner.id for c in connections), connections


def faked_clock_vault(workdir):
    """A lockerd whose wall clock the test moves (libfaketime): (env, move(seconds))."""
    storage = os.path.join(workdir, "Storage")
    clock_file = os.path.join(workdir, "faketime")
    with open(clock_file, "w") as f:
        f.write("+0\n")
    server = Lockerd(storage, env={"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": clock_file, "FAKETIME_NO_CACHE": "1",
                                   "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
    # With libfaketime preloaded a Swift program does not see its command line: the same settings by environment.
    server.env.update(LOCKER_PORT=str(server.port), LOCKER_STORAGE=storage)
    if BACKEND == "postgres":
        url, key = postgres_for(storage)
        server.env.update(LOCKER_DATABASE=url, **({"LOCKER_ROOT_KEY": key} if key.startswith("pkcs11:") else {"LOCKER_ROOT_KEY_FILE": key}))
    server.start()

    def move(seconds):
        with open(clock_file, "w") as f:
            f.write(f"+{seconds}\n")
    return server, move


def test_codes_access_tokens_and_connections_expire_on_time(env, workdir):
    if FAKETIME_LIB is None:
        # No libfaketime (scripts/install-deps test installs it): wait the code's lifetime out for
        # real and leave the hour and the 30 days untested.
        partner = add_partner(env, "in.test.expiry", "Expiry App")
        oauth, code, verifier = get_code(env, partner, MOBILE_B)
        time.sleep(61)
        assert_oauth_error(lambda: oauth.fetch_token(code=code, code_verifier=verifier), "invalid_grant", 400, oauth)
        return
    server, move = faked_clock_vault(workdir)
    try:
        vault = Env()
        setup_vault(vault, server, workdir)
        vault.callback, vault.sessions = env.callback, {}
        push_doc(vault, MOBILE_B, "EXPIRY-1", "2026-11-01", marked_pdf(b"expiry", 3_000))
        partner = add_partner(vault, "in.test.expiry", "Expiry App")
        late_oauth, late_code, late_verifier = get_code(vault, partner, MOBILE_B)
        oauth, code, verifier = get_code(vault, partner, MOBILE_B)
        move(50)  # still inside the code's 60 s: the server works under the moved clock
        token = oauth.fetch_token(code=code, code_verifier=verifier)
        assert resource(vault, USER, token["access_token"]).status_code == 200
        move(61)
        assert_oauth_error(lambda: late_oauth.fetch_token(code=late_code, code_verifier=late_verifier), "invalid_grant", 400, late_oauth)
        # The access token lasts an hour; the refresh token as long as the connection.
        move(50 + 3590)
        assert resource(vault, USER, token["access_token"]).status_code == 200
        move(50 + 3610)
        assert_invalid_token(resource(vault, USER, token["access_token"]))
        token = oauth.refresh_token(refresh_token=token["refresh_token"])
        assert resource(vault, USER, token["access_token"]).status_code == 200
        # The connection lasts 30 days from the consent.
        move(29 * 86400)
        token = oauth.refresh_token(refresh_token=token["refresh_token"])
        assert resource(vault, ISSUED, token["access_token"]).status_code == 200
        move(30 * 86400 + 120)
        assert_invalid_token(resource(vault, USER, token["access_token"]))
        assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_grant", 400, oauth)
    finally:
        server.stop()


def test_a_code_presented_by_another_partner_fails_and_stays_its_owners(env):
    a = add_partner(env, "in.test.owner", "Owner App")
    b = add_partner(env, "in.test.other", "Other App")  # the same redirect URI: only the client differs
    oauth_a, code, verifier = get_code(env, a, MOBILE_A)
    oauth_b = client(env, b)
    assert_oauth_error(lambda: oauth_b.fetch_token(code=code, code_verifier=verifier), "invalid_grant", 400, oauth_b)
    token = oauth_a.fetch_token(code=code, code_verifier=verifier)
    assert resource(env, USER, token["access_token"]).status_code == 200
    # B's refresh with A's refresh token: refused, and A's connection is untouched by it.
    r = raw_token(env, {"grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": b.id})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert resource(env, USER, token["access_token"]).status_code == 200


def test_a_reused_refresh_token_ends_the_whole_connection(env):
    partner = add_partner(env, "in.test.refresh", "Refresh App")
    oauth, first = connect(env, partner, MOBILE_A)
    first = dict(first)
    second = dict(oauth.refresh_token(refresh_token=first["refresh_token"]))
    raw = oauth.last.json()
    assert oauth.last.status_code == 200 and "no-store" in oauth.last.headers["Cache-Control"]
    assert raw["token_type"] == "Bearer" and raw["expires_in"] == 3600 and raw["scope"] == BOTH
    assert second["refresh_token"].startswith("lk_prt_") and second["refresh_token"] != first["refresh_token"]
    assert second["access_token"].startswith("lk_pat_") and second["access_token"] != first["access_token"]
    assert resource(env, USER, second["access_token"]).status_code == 200
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=first["refresh_token"]), "invalid_grant", 400, oauth)
    assert_invalid_token(resource(env, USER, second["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=second["refresh_token"]), "invalid_grant", 400, oauth)


def test_a_disabled_partner_loses_its_tokens_and_its_client(env):
    partner = add_partner(env, "in.test.disabled", "Disabled App")
    oauth, token = connect(env, partner, MOBILE_A)
    assert resource(env, ISSUED, token["access_token"]).status_code == 200
    out = cli(env.storage, "partners", "disable", "--id", partner.id, "--json")
    assert out.returncode == 0, out.stderr
    assert_invalid_token(resource(env, USER, token["access_token"]))
    assert_invalid_token(resource(env, FILE + env.doc_a1["uri"], token["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_client", 401, oauth)
    url, _, _ = authorization_url(env, client(env, partner))
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 400 and NOT_VALID in r.text


def test_the_citizen_sees_and_disconnects_an_app_through_the_api(env):
    partner = add_partner(env, "in.test.disconnect", "Disconnect App")
    oauth, token = connect(env, partner, MOBILE_A, scope="files.list")
    session = session_of(env, MOBILE_A)
    assert resource(env, ISSUED, token["access_token"]).status_code == 200
    connections = requests.get(env.base + "/v1/connections", headers=lc.bearer(session), timeout=10).json()["connections"]
    mine = [c for c in connections if c["partnerId"] == partner.id]
    assert len(mine) == 1, connections
    c = mine[0]
    assert c["partnerName"] == "Disconnect App" and c["scopes"] == ["files.list"] and c["lastUsedAt"] is not None
    assert {"id", "partnerId", "partnerName", "scopes", "createdAt", "expiresAt", "lastUsedAt"} <= set(c)
    lasts = datetime.fromisoformat(c["expiresAt"]) - datetime.fromisoformat(c["createdAt"])
    assert abs(lasts - timedelta(days=30)) < timedelta(minutes=1), lasts
    # Another citizen can neither see nor end it.
    other = session_of(env, MOBILE_B)
    assert all(x["id"] != c["id"] for x in requests.get(env.base + "/v1/connections", headers=lc.bearer(other), timeout=10).json()["connections"])
    r = requests.delete(f"{env.base}/v1/connections/{c['id']}", headers=lc.bearer(other), timeout=10)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("application/problem+json")
    assert resource(env, USER, token["access_token"]).status_code == 200
    r = requests.delete(f"{env.base}/v1/connections/{c['id']}", headers=lc.bearer(session), timeout=10)
    assert r.status_code == 204, r.text
    assert_invalid_token(resource(env, USER, token["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_grant", 400, oauth)
    assert requests.delete(f"{env.base}/v1/connections/{c['id']}", headers=lc.bearer(session), timeout=10).status_code in (204, 404)
    assert requests.delete(f"{env.base}/v1/connections/{'0' * 32}", headers=lc.bearer(session), timeout=10).status_code == 404


def test_another_citizens_uri_looks_exactly_like_a_missing_one(env):
    partner = add_partner(env, "in.test.uri", "URI App")
    oauth, token = connect(env, partner, MOBILE_A)
    theirs = resource(env, FILE + env.doc_b1["uri"], token["access_token"])
    missing = resource(env, FILE + f"{ISSUER}-VACER-NO-SUCH-DOC", token["access_token"])
    malformed = resource(env, FILE + "..%2F..%2Fetc", token["access_token"])
    for r in (theirs, missing, malformed):
        assert r.status_code == 404 and r.json()["error"] == "invalid_uri", (r.status_code, r.text)
    assert theirs.content == missing.content and theirs.headers["Content-Type"] == missing.headers["Content-Type"]
    assert env.doc_b1["uri"] not in [i["uri"] for i in resource(env, ISSUED, token["access_token"]).json()["items"]]


def test_a_token_without_files_download_cannot_download(env):
    partner = add_partner(env, "in.test.scope", "Scope App")
    oauth = client(env, partner)
    url, state, verifier = authorization_url(env, oauth, scope="files.list")
    c = approve(env, url, session_of(env, MOBILE_A))
    assert "Scope App" in c.consent_page and LIST_WORDS in c.consent_page and DOWNLOAD_WORDS not in c.consent_page
    token = oauth.fetch_token(code=c.query["code"], code_verifier=verifier)
    assert oauth.last.json()["scope"] == "files.list"
    assert resource(env, ISSUED, token["access_token"]).status_code == 200
    assert resource(env, USER, token["access_token"]).status_code == 200
    r = resource(env, FILE + env.doc_a1["uri"], token["access_token"])
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope" and env.content_a1 not in r.content
    # And the other way round.
    oauth, token = connect(env, partner, MOBILE_A, scope="files.download")
    assert oauth.last.json()["scope"] == "files.download"
    r = resource(env, ISSUED, token["access_token"])
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
    assert resource(env, FILE + env.doc_a1["uri"], token["access_token"]).content == env.content_a1


def test_a_confidential_partner_authenticates_with_its_secret(env):
    partner = add_partner(env, "in.test.confidential", "Confidential App", confidential=True)
    # HTTP Basic (Authlib's default with a secret).
    oauth, code, verifier = get_code(env, partner, MOBILE_A)
    token = oauth.fetch_token(code=code, code_verifier=verifier)
    assert resource(env, USER, token["access_token"]).status_code == 200
    refreshed = oauth.refresh_token(refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    # client_secret_post works as well.
    post = client(env, partner, auth_method="client_secret_post")
    post_oauth, code, verifier = get_code(env, partner, MOBILE_A, oauth=post)
    assert post_oauth.fetch_token(code=code, code_verifier=verifier)["access_token"].startswith("lk_pat_")
    # A wrong secret by Basic, a wrong one by form, and none at all: 401 invalid_client.
    _, code, verifier = get_code(env, partner, MOBILE_A)
    wrong = client(env, partner, secret="lk_pcs_" + "A" * 43)
    assert_oauth_error(lambda: wrong.fetch_token(code=code, code_verifier=verifier), "invalid_client", 401, wrong)
    assert wrong.last.headers.get("WWW-Authenticate", "").lower().startswith("basic")
    wrong_post = client(env, partner, secret="lk_pcs_" + "B" * 43, auth_method="client_secret_post")
    assert_oauth_error(lambda: wrong_post.fetch_token(code=code, code_verifier=verifier), "invalid_client", 401, wrong_post)
    none = client(env, partner, secret="", auth_method="none")
    assert_oauth_error(lambda: none.fetch_token(code=code, code_verifier=verifier), "invalid_client", 401, none)
    assert_oauth_error(lambda: wrong.refresh_token(refresh_token=refreshed["refresh_token"]), "invalid_client", 401, wrong)
    r = wrong.revoke_token(env.base + REVOKE, token=refreshed["access_token"], token_type_hint="access_token")
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert resource(env, USER, refreshed["access_token"]).status_code == 200
    # Revoking with the right secret ends the connection.
    r = oauth.revoke_token(env.base + REVOKE, token=refreshed["access_token"], token_type_hint="access_token")
    assert r.status_code == 200 and r.json() == {}
    assert_invalid_token(resource(env, USER, refreshed["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=refreshed["refresh_token"]), "invalid_grant", 400, oauth)


def test_a_public_partner_revokes_its_connection(env):
    partner = add_partner(env, "in.test.revoke", "Revoke App")
    oauth, token = connect(env, partner, MOBILE_A)
    r = oauth.revoke_token(env.base + REVOKE, token="lk_prt_" + "x" * 43, token_type_hint="refresh_token")
    assert r.status_code == 200 and r.json() == {}  # any token string (RFC 7009)
    assert resource(env, USER, token["access_token"]).status_code == 200
    r = oauth.revoke_token(env.base + REVOKE, token=token["refresh_token"], token_type_hint="refresh_token")
    assert r.status_code == 200 and r.json() == {}
    assert_invalid_token(resource(env, USER, token["access_token"]))
    r = requests.post(env.base + REVOKE, data={"token": token["access_token"], "client_id": "no.such.app"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    # Another partner cannot end this partner's connection by revoking its token.
    other = add_partner(env, "in.test.revoke2", "Other Revoke App")
    oauth, token = connect(env, partner, MOBILE_A)
    r = client(env, other).revoke_token(env.base + REVOKE, token=token["refresh_token"], token_type_hint="refresh_token")
    assert r.status_code == 200 and r.json() == {}
    assert resource(env, USER, token["access_token"]).status_code == 200
    assert oauth.refresh_token(refresh_token=token["refresh_token"])["access_token"].startswith("lk_pat_")


def test_partner_tokens_and_session_tokens_do_not_open_each_others_doors(env):
    partner = add_partner(env, "in.test.doors", "Doors App")
    oauth, token = connect(env, partner, MOBILE_A)
    session = session_of(env, MOBILE_A)
    assert_invalid_token(resource(env, USER, session))
    assert_invalid_token(resource(env, FILE + env.doc_a1["uri"], session))
    assert_invalid_token(resource(env, USER, env.api_key))
    assert_invalid_token(resource(env, USER, "lk_pat_" + "A" * 43))
    assert_invalid_token(resource(env, ISSUED, token["refresh_token"]))
    r = requests.get(env.base + ISSUED, timeout=10)
    assert r.status_code == 401 and r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    for path in ("/v1/documents", f"/v1/documents/{env.doc_a1['id']}/content", "/v1/connections", "/v1/activity"):
        assert requests.get(env.base + path, headers=lc.bearer(token["access_token"]), timeout=10).status_code == 401, path


def test_a_redirect_uri_with_a_query_gets_the_code_appended_and_the_form_may_go_there(env):
    redirect = env.callback + "?app=rail"
    partner = add_partner(env, "in.test.query", "Query App", redirect_uri=redirect)
    oauth = client(env, partner)
    url, state, verifier = authorization_url(env, oauth)
    c = approve(env, url, session_of(env, MOBILE_A))
    csp = c.consent_response.headers["Content-Security-Policy"]
    assert f"form-action 'self' {env.callback};" in csp + ";" and "frame-ancestors 'none'" in csp, csp
    assert c.location.startswith(redirect + "&code=lk_pco_") and c.query["app"] == "rail" and c.query["state"] == state, c.location
    assert oauth.fetch_token(code=c.query["code"], code_verifier=verifier)["access_token"].startswith("lk_pat_")


def test_the_metadata_document_names_the_endpoints(env):
    r = requests.get(env.base + "/.well-known/oauth-authorization-server", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    m = r.json()
    base = env.base
    auth_methods = ["client_secret_basic", "client_secret_post", "none"]
    assert m == {
        "issuer": base, "authorization_endpoint": base + AUTHORIZE, "token_endpoint": base + TOKEN,
        "revocation_endpoint": base + REVOKE, "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"], "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods, "revocation_endpoint_auth_methods_supported": auth_methods,
        "scopes_supported": ["files.list", "files.download"], "service_documentation": base + "/openapi.yaml",
    }, m
    AuthorizationServerMetadata(m).validate()  # RFC 8414, as Authlib reads it
    assert requests.get(m["service_documentation"], timeout=10).status_code == 200


def test_a_citizen_rekey_ends_the_connections(env):
    partner = add_partner(env, "in.test.rekey", "Rekey App")
    oauth, token = connect(env, partner, MOBILE_C)
    assert resource(env, FILE + env.doc_c1["uri"], token["access_token"]).status_code == 200
    out = cli(env.storage, "citizens", "rekey", "--mobile", MOBILE_C, "--json")
    assert out.returncode == 0, out.stderr
    env.sessions.pop(MOBILE_C, None)
    # The CLI says a running lockerd may trust what it cached for up to 5 s more.
    deadline = time.monotonic() + 7
    while resource(env, USER, token["access_token"]).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert_invalid_token(resource(env, USER, token["access_token"]))
    assert_oauth_error(lambda: oauth.refresh_token(refresh_token=token["refresh_token"]), "invalid_grant", 400, oauth)
    session = session_of(env, MOBILE_C)
    assert requests.get(env.base + "/v1/connections", headers=lc.bearer(session), timeout=10).json()["connections"] == []
    # A new connection after the rekey works and reads the rewrapped document.
    oauth, token = connect(env, partner, MOBILE_C)
    assert resource(env, FILE + env.doc_c1["uri"], token["access_token"]).status_code == 200
    audit_intact(env.storage)
