"""Paths, flags and the log, against the real lockerd: one spelling per path (no admin oracle,
no share token served or logged under //s/…), a normalised public URL, and flags given once."""
import http.client
import os
import re
import subprocess

import requests

import locker_client as lc
from conftest import LOCKER_CLI, LOCKERD, Lockerd


def raw(server, method, path, headers=None):
    """One request with the path exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def share_with_trailing_slash_public_url(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage)
    server.extra_args = ["--log-level", "info", "--public-url", server.base + "/"]
    server.start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    body, ctype = lc.build_push(key, "+919855500001", "VACER", "P1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7 x", "application/pdf")
    doc = lc.push(server.base, api, body, ctype).json()
    session = lc.sign_in(server.base, storage, "+919855500001")
    r = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", json={"label": "Clerk", "maxUses": 2},
                      headers=lc.bearer(session), timeout=10)
    assert r.status_code == 201, r.text
    return server, session, r.json()


def test_share_token_never_logged_with_trailing_slash_public_url_or_double_slash_path(workdir):
    server, session, grant = share_with_trailing_slash_public_url(workdir)
    token = grant["token"]
    try:
        assert grant["link"] == server.base + "/s/" + token, "the public URL's trailing slash is dropped"
        assert requests.get(grant["link"], timeout=10).status_code == 200
        assert raw(server, "HEAD", "/s/" + token)[0] == 200
        for path in ["//s/" + token, "//s/" + token + "/", "/s/" + token + "/", "///s/" + token]:
            status, _, body = raw(server, "GET", path)
            assert status == 404, path
            assert token.encode() not in body
        assert raw(server, "POST", "//v1/shares/redeem/x")[0] == 404
        shares = requests.get(server.base + "/v1/shares", headers=lc.bearer(session), timeout=10).json()["shares"]
        assert shares[0]["usesSpent"] == 0
    finally:
        server.stop()
    log = server.read_log()
    assert "/s/{token}" in log, "link requests are logged by route template"
    assert token[len("lk_shr_"):] not in log
    assert token[len("lk_shr_"):][:12] not in log


def test_public_url_with_query_or_fragment_is_refused(workdir):
    for bad in ["http://127.0.0.1:1/?x=1", "http://127.0.0.1:1/#f"]:
        result = subprocess.run([LOCKERD, "--storage", os.path.join(workdir, "S"), "--public-url", bad],
                                capture_output=True, text=True, timeout=20)
        assert result.returncode == 1
        assert result.stderr.startswith("lockerd: error: invalid value for publicURL") and result.stderr.count("\n") == 1
    assert not os.path.exists(os.path.join(workdir, "S"))


def test_admin_routes_look_like_unknown_routes_however_spelled(lockerd):
    unknown = raw(lockerd, "POST", "/v1/admin/nope")
    assert unknown[0] == 404
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]:
        for path in ["/v1/admin/keys", "//v1/admin/keys", "/v1//admin/keys", "/v1/admin//keys", "/v1/admin/keys/", "/v1/admin/nope", "//v1/admin/nope"]:
            status, headers, body = raw(lockerd, method, path, {"Authorization": "Bearer lk_adm_wrong"} if path.endswith("keys") else None)
            assert status == 404, (method, path, status)
            assert "Allow" not in headers and "allow" not in headers, (method, path)
            if method != "HEAD":
                assert body == unknown[2], (method, path)
    # An ordinary route: 405 with Allow (including HEAD) only when spelled canonically.
    status, headers, _ = raw(lockerd, "POST", "/healthz")
    assert status == 405 and headers.get("Allow") == "GET, HEAD"
    assert raw(lockerd, "POST", "//healthz")[0] == 404


def run(*args, cwd):
    return subprocess.run([LOCKERD, *args], capture_output=True, text=True, timeout=20, cwd=cwd)


def test_a_flag_given_twice_is_an_error_not_a_silent_default(workdir):
    a, b = os.path.join(workdir, "A"), os.path.join(workdir, "B")
    for args, name in [(["--storage", a, "--storage", b], "--storage"), (["--storage", a, "--port", "1", "--port", "2"], "--port"),
                       (["--storage", a, "--port=1", "--port=2"], "--port"), (["--storage", a, "--log-level", "info", "--log-level=debug"], "--log-level")]:
        result = run(*args, cwd=workdir)
        assert result.returncode == 1, args
        assert result.stderr == f"lockerd: error: option {name} is given more than once\n", result.stderr
    for folder in ["A", "B", "Storage"]:
        assert not os.path.exists(os.path.join(workdir, folder)), f"{folder} was created"


def test_help_lists_every_flag_in_the_readme_configuration_table(workdir):
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `(--[a-z-]+)", table, re.M))
    assert len(documented) >= 17, documented
    result = run("--help", cwd=workdir)
    assert result.returncode == 0
    listed = set(re.findall(r"^\s+(--[a-z-]+)", result.stdout, re.M))
    assert documented <= listed, documented - listed
    assert listed - {"--help"} <= documented, (listed - {"--help"}) - documented
    for flag in documented:
        env = "LOCKER_" + flag[2:].upper().replace("-", "_")
        assert env in result.stdout, env


def test_head_answers_carry_no_body_on_a_kept_alive_connection(lockerd):
    # Bytes after a HEAD answer would be read as the next answer: the last GET checks there were none.
    conn = http.client.HTTPConnection("127.0.0.1", lockerd.port, timeout=10)
    try:
        for path in ["/healthz", "/openapi.yaml", "/v1/admin/nope", "/v1/admin/keys", "/v1/auth/otp", "//healthz", "/s/lk_shr_unknown"]:
            conn.request("HEAD", path)
            r = conn.getresponse()
            assert r.read() == b""
            assert r.status in (200, 404, 405), (path, r.status)
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b'{"status":"ok"}'
    finally:
        conn.close()
