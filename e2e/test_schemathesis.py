"""Property-based contract test: Schemathesis drives the live lockerd from its own /openapi.yaml.

Set-up: a real lockerd, one issuer (CLI), one signed-in citizen with a few documents, and one partner
app (CLI) the citizen connected: its access token is obtained without a browser, by the consent form
posted with the portal's session cookie. Then Schemathesis CLI runs, all with every check, a fixed
seed and at most MAX_EXAMPLES cases per operation; each must exit 0:
  1. every operation but those that end a credential (logout, partner revocation, disconnection),
     with random ids (issuer key, session token and partner token per security scheme);
  2. the document routes pinned to real ids/URIs, so the 200/410 paths and their headers are checked
     (the partner's download too), the partner's authorization pinned to the registered app (so its
     200 page and 303 error redirects are checked), and the admin endpoint with the admin credential;
  3. the partner revocation and the disconnection (pinned to the real connection), which end the
     partner token; then logout (last, since it ends the session).
Positive pushes are ordered and signed by e2e/schemathesis_hooks.py.
"""
import hashlib
import html.parser
import json
import os
import subprocess
import sys
import urllib.parse

import requests
from cryptography.hazmat.primitives import serialization

from conftest import LOCKER_CLI, Lockerd
from locker_client import (b64url, bearer, build_push, fake_pdf, json_credential, make_issuer_key, push,
                           register_issuer, sign_in, vacer_claims)

SEED = 20261122
MAX_EXAMPLES = 30
RUN_TIMEOUT = 900  # seconds per Schemathesis run
ISSUER_ID = "in.gov.fuzz"
MOBILE = "+919876500001"
PARTNER_ID = "in.fuzz.app"
PARTNER_REDIRECT = "http://127.0.0.1:9/cb"  # never called: the 303s are not followed
HERE = os.path.dirname(os.path.abspath(__file__))

AUTH_AND_HOOKS = f"""
hooks = "{os.path.join(HERE, 'schemathesis_hooks.py')}"

[auth.openapi.issuerKey]
bearer = "${{LOCKER_ISSUER_KEY}}"

[auth.openapi.session]
bearer = "${{LOCKER_SESSION}}"

[auth.openapi.adminKey]
bearer = "${{LOCKER_ADMIN}}"

[auth.openapi.partnerToken]
bearer = "${{LOCKER_PARTNER_TOKEN}}"

# Positive pushes are signed by the hook, so anything but success, a URI clash or a document type
# the fuzz issuer is not registered for (403 /problems/doc-type-not-allowed: the issuer is
# registered for VACER and MARKS, the schema allows any five capitals) is a mismatch.
[[operations]]
include-operation-id = "pushDocument"
checks.positive_data_acceptance.expected-statuses = ["2xx", "403", "409", "410"]

# The stateful phase revokes documents it pushed; their content is then 410 by contract.
[[operations]]
include-operation-id = "downloadDocument"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "404", "410"]

# A health card of a revoked certificate is 410, of any other document type 404, by contract.
[[operations]]
include-operation-id = ["getHealthCard", "getHealthCardQR"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "404", "410"]

# Sharing a document the stateful phase revoked is 410 by contract too.
[[operations]]
include-operation-id = "createShare"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "404", "410"]

# A partner's download of a document the stateful phase revoked: 410 by contract.
[[operations]]
include-operation-id = "partnerDownload"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "404", "410"]

# An authorization must name a registered partner and one of its redirect URIs exactly, which no
# schema can say: a drawn client_id gets the 400 page (run 2 pins the registered app). With the
# app's own, every other fault goes back to its redirect URI by 303 (RFC 6749 4.1.2.1): that is
# how OAuth refuses an authorization request, so there 303 is the rejection.
[[operations]]
include-operation-id = ["authorizePartner", "portalConsentPage"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400"]
checks.negative_data_rejection.expected-statuses = ["303", "400"]

# The consent form's answer is a 303: to the app's redirect URI (with the code, or an OAuth error as on
# the authorization), or, signed out (Schemathesis sends no portal cookie), to the sign-in page, as
# the disconnect button's form is answered too.
[[operations]]
include-operation-id = ["portalAuthorize", "portalDisconnect"]
checks.negative_data_rejection.expected-statuses = ["303", "400", "403", "404", "413", "415"]

# A well-formed token request with a drawn code, refresh token or client: 400 invalid_grant or
# 401 invalid_client (a schema says what is well formed, not which codes exist).
[[operations]]
include-operation-id = "exchangePartnerToken"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401"]
"""


class Forms(html.parser.HTMLParser):
    """The hidden inputs of each form of a page, by action."""

    def __init__(self, text):
        super().__init__()
        self.forms = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action", ""), (a.get("method") or "get").lower(), {}))
        elif tag == "input" and self.forms and (a.get("type") or "").lower() == "hidden":
            self.forms[-1][2][a.get("name")] = a.get("value") or ""


def register_partner(storage):
    """`locker partners add --json` for the fuzz app (public: PKCE alone)."""
    out = subprocess.run([LOCKER_CLI, "--storage", storage, "partners", "add", "--id", PARTNER_ID, "--name", "Fuzz App",
                          "--redirect-uri", PARTNER_REDIRECT, "--json"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["clientId"] == PARTNER_ID and record["clientSecret"] is None, record


def partner_token(base, session_token):
    """A partner access token (`lk_pat_…`) without a browser: the consent page and its form with the
    portal's session cookie (the citizen allows), then the code traded at the token endpoint."""
    verifier = b64url(os.urandom(32))
    query = {"response_type": "code", "client_id": PARTNER_ID, "redirect_uri": PARTNER_REDIRECT, "state": "s",
             "code_challenge": b64url(hashlib.sha256(verifier.encode("ascii")).digest()), "code_challenge_method": "S256"}
    cookie = {"Cookie": f"locker_session={session_token}"}
    page = requests.get(base + "/portal/authorize", params=query, headers=cookie, allow_redirects=False, timeout=10)
    assert page.status_code == 200, (page.status_code, page.text[:500])
    forms = [hidden for action, method, hidden in Forms(page.text).forms
             if urllib.parse.urlsplit(action).path == "/portal/authorize" and method == "post"]
    assert len(forms) == 1 and forms[0].get("csrf"), page.text[:2000]
    form = {name: forms[0].get(name, "") for name in
            ("csrf", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope")}
    r = requests.post(base + "/portal/authorize", data=dict(form, decision="allow"), headers=cookie,
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303, (r.status_code, r.text[:500])
    location = r.headers["Location"]
    assert location.startswith(PARTNER_REDIRECT + "?"), location
    answer = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).items()}
    assert answer.get("state") == "s" and answer.get("code", "").startswith("lk_pco_"), location
    r = requests.post(base + "/public/oauth2/1/token", timeout=10, allow_redirects=False,
                      data={"grant_type": "authorization_code", "client_id": PARTNER_ID, "code": answer["code"],
                            "redirect_uri": PARTNER_REDIRECT, "code_verifier": verifier})
    assert r.status_code == 200, (r.status_code, r.text)
    token = r.json()
    assert token["access_token"].startswith("lk_pat_") and token["scope"].split() == ["files.list", "files.download"], token
    return token["access_token"]


def schemathesis_run(workdir, name, config, url, env, *args):
    config_path = os.path.join(workdir, f"schemathesis-{name}.toml")
    with open(config_path, "w") as f:
        f.write(config)
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", config_path, "run", url,
           "--checks", "all", "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
           "--generation-codec", "utf-8", "--generation-database", "none", "--request-timeout", "10",
           "--no-color", *args]
    result = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    output = result.stdout + result.stderr
    print(f"--- schemathesis {name}: exit {result.returncode}\n{output}")
    return result.returncode, output


def test_schemathesis_finds_no_contract_violation(workdir):
    storage = os.path.join(workdir, "Storage")
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    private_path = os.path.join(workdir, "issuer-private.pem")
    with open(private_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))

    server = Lockerd(storage)
    try:
        server.start()
        api_key = register_issuer(LOCKER_CLI, storage, ISSUER_ID, "Fuzz Board", pem_path)

        def push_doc(doc_id, content, content_type):
            body, header = build_push(key, MOBILE, "VACER", doc_id, "2026-11-01", vacer_claims("Asha Verma", 2),
                                      content, content_type)
            r = push(server.base, api_key, body, header)
            assert r.status_code == 201, r.text
            return r.json()

        push_doc("PDF-1", fake_pdf(20_000), "application/pdf")
        push_doc("JSON-1", json_credential(4096), "application/json")
        token = sign_in(server.base, storage, MOBILE)
        assert requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10).status_code == 200

        register_partner(storage)
        partner = partner_token(server.base, token)
        assert requests.get(server.base + "/public/oauth2/1/user", headers=bearer(partner), timeout=10).status_code == 200
        connections = requests.get(server.base + "/v1/connections", headers=bearer(token), timeout=10).json()["connections"]
        assert [c["partnerId"] for c in connections] == [PARTNER_ID], connections
        connection_id = connections[0]["id"]

        url = server.base + "/openapi.yaml"
        admin = open(os.path.join(storage, "keys", "admin-credential")).read().strip()
        env = dict(os.environ, LOCKER_ISSUER_KEY=api_key, LOCKER_SESSION=token, LOCKER_ADMIN=admin,
                   LOCKER_PARTNER_TOKEN=partner, LOCKER_ISSUER_PRIVATE_KEY=private_path, LOCKER_CITIZEN_MOBILE=MOBILE)

        # 1. Everything but what ends a credential (run 3), random ids.
        code, out = schemathesis_run(workdir, "all", AUTH_AND_HOOKS, url, env, "--exclude-operation-id", "logout",
                                     "--exclude-operation-id", "revokePartnerToken", "--exclude-operation-id", "deleteConnection",
                                     "--exclude-operation-id", "adminKeyStatus", "--exclude-operation-id", "adminLatestAuditCheckpoint",
                                     "--exclude-operation-id", "adminSignAuditCheckpoint")
        assert code == 0, f"schemathesis found contract violations (run 1):\n{out[-3000:]}"
        r = requests.get(server.base + "/public/oauth2/2/files/issued", headers=bearer(partner), timeout=10)
        assert r.status_code == 200, "run 1 must not have ended the partner's connection"

        # 2. The document routes on real ids: 200 with headers, and a revocation (then 410 on its content).
        # Fresh documents: run 1 may have revoked the ones it found in the list.
        docs = {"PDF-2": push_doc("PDF-2", fake_pdf(20_000), "application/pdf"),
                "REVOKE-ME": push_doc("REVOKE-ME", fake_pdf(5_000), "application/pdf")}
        pinned = AUTH_AND_HOOKS + f"""
[[operations]]
include-operation-id = ["getDocument", "downloadDocument"]
parameters = {{ "path.id" = "{docs['PDF-2']['id']}" }}

[[operations]]
include-operation-id = "revokeDocument"
parameters = {{ "path.uri" = "{docs['REVOKE-ME']['uri']}" }}

[[operations]]
include-operation-id = "partnerDownload"
parameters = {{ "path.uri" = "{docs['PDF-2']['uri']}" }}

[[operations]]
include-operation-id = ["authorizePartner", "portalConsentPage"]
parameters = {{ "query.client_id" = "{PARTNER_ID}", "query.redirect_uri" = "{PARTNER_REDIRECT}" }}
"""
        code, out = schemathesis_run(workdir, "pinned", pinned, url, env,
                                     "--include-operation-id", "getDocument",
                                     "--include-operation-id", "downloadDocument",
                                     "--include-operation-id", "revokeDocument",
                                     "--include-operation-id", "partnerDownload",
                                     "--include-operation-id", "authorizePartner",
                                     "--include-operation-id", "portalConsentPage")
        assert code == 0, f"schemathesis found contract violations (run 2):\n{out[-3000:]}"
        r = requests.get(f"{server.base}/v1/documents/{docs['PDF-2']['id']}/content", headers=bearer(token), timeout=10)
        assert r.status_code == 200, "run 2 must have exercised a live download"
        owner_bytes = r.content
        r = requests.get(f"{server.base}/v1/documents/{docs['REVOKE-ME']['id']}/content", headers=bearer(token), timeout=10)
        assert r.status_code == 410 and r.headers["Content-Type"].startswith("application/problem+json"), r.text
        r = requests.get(f"{server.base}/public/oauth2/1/file/{docs['PDF-2']['uri']}", headers=bearer(partner), timeout=10)
        assert r.status_code == 200 and r.content == owner_bytes, "run 2 must have exercised the partner's live download"
        r = requests.get(f"{server.base}/public/oauth2/1/file/{docs['REVOKE-ME']['uri']}", headers=bearer(partner), timeout=10)
        assert r.status_code == 410 and r.json()["error"] == "invalid_uri", r.text
        query = {"response_type": "code", "client_id": PARTNER_ID, "redirect_uri": PARTNER_REDIRECT,
                 "code_challenge": "A" * 43, "code_challenge_method": "S256"}
        assert requests.get(server.base + "/public/oauth2/1/authorize", params=query, timeout=10,
                            allow_redirects=False).status_code == 200, "the pinned authorization is a valid one"

        # 2b. The admin endpoint, with every check but one: without the admin credential it answers
        # exactly as an unknown route (404, so it cannot be discovered), where Schemathesis's
        # authentication checks insist on 401/403. That behaviour is asserted here instead.
        code, out = schemathesis_run(workdir, "admin", AUTH_AND_HOOKS, url, env, "--include-operation-id", "adminKeyStatus",
                                     "--include-operation-id", "adminLatestAuditCheckpoint", "--include-operation-id", "adminSignAuditCheckpoint",
                                     "--exclude-checks", "missing_required_header,ignored_auth")
        assert code == 0, f"schemathesis found contract violations (admin run):\n{out[-3000:]}"
        unknown = requests.get(server.base + "/v1/admin/unknown", timeout=10)
        for headers in ({}, bearer("lk_adm_" + "A" * 43), bearer(token)):
            r = requests.get(server.base + "/v1/admin/keys", headers=headers, timeout=10)
            assert r.status_code == 404 and r.text == unknown.text
        assert requests.get(server.base + "/v1/admin/keys", headers=bearer(admin), timeout=10).status_code == 200

        # 3. What ends the partner's connection: revocation (drawn tokens) and disconnection (pinned to the
        # real connection, so its 204 is checked); after them the partner token is dead.
        ending = AUTH_AND_HOOKS + f"""
[[operations]]
include-operation-id = "deleteConnection"
parameters = {{ "path.id" = "{connection_id}" }}
"""
        code, out = schemathesis_run(workdir, "partner-end", ending, url, env, "--include-operation-id", "revokePartnerToken",
                                     "--include-operation-id", "deleteConnection")
        assert code == 0, f"schemathesis found contract violations (partner-end run):\n{out[-3000:]}"
        r = requests.get(server.base + "/public/oauth2/1/user", headers=bearer(partner), timeout=10)
        assert r.status_code == 401 and r.json()["error"] == "invalid_token", "the disconnection must end the partner token"
        assert requests.get(server.base + "/v1/connections", headers=bearer(token), timeout=10).json()["connections"] == []

        # 4. Logout last: it ends the session the other runs used.
        code, out = schemathesis_run(workdir, "logout", AUTH_AND_HOOKS, url, env, "--include-operation-id", "logout")
        assert code == 0, f"schemathesis found contract violations (run 3):\n{out[-3000:]}"
        r = requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10)
        assert r.status_code == 401, "the session must be gone after logout"
    finally:
        server.stop()
