"""Share grants against the real lockerd: exact use counting under a race, and no token in the log."""
import concurrent.futures as cf
import os
import threading

import requests

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd


def setup_share(workdir, max_uses, scope="document"):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage, extra_args=["--log-level", "info"]).start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    content = b"%PDF-1.7 shared certificate " + os.urandom(2000)
    body, ctype = lc.build_push(key, "+919855500000", "VACER", "S1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), content, "application/pdf")
    doc = lc.push(server.base, api, body, ctype).json()
    session = lc.sign_in(server.base, storage, "+919855500000")
    r = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", json={"label": "Race", "maxUses": max_uses, "scope": scope},
                      headers=lc.bearer(session), timeout=10)
    assert r.status_code == 201, r.text
    return server, session, r.json(), content


def test_exactly_n_of_50_concurrent_redemptions_succeed(workdir):
    server, session, grant, content = setup_share(workdir, max_uses=7)
    try:
        start = threading.Barrier(50)

        def redeem(_):
            start.wait(timeout=20)
            r = requests.post(server.base + "/v1/shares/redeem", json={"token": grant["token"]}, timeout=30)
            return r.status_code, r.content
        with cf.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(redeem, range(50)))
        ok = [body for status, body in results if status == 200]
        assert len(ok) == 7, sorted(status for status, _ in results)
        assert all(body == content for body in ok)
        assert sorted(status for status, _ in results).count(404) == 43
        shares = requests.get(server.base + "/v1/shares", headers=lc.bearer(session), timeout=10).json()["shares"]
        assert shares[0]["usesSpent"] == 7 and shares[0]["state"] == "used-up"
        events = requests.get(server.base + "/v1/activity?limit=200", headers=lc.bearer(session), timeout=10).json()["events"]
        assert sum(1 for e in events if e["action"] == "share.redeemed") == 7
    finally:
        server.stop()


def test_tokens_never_reach_the_log(workdir):
    server, session, grant, _ = setup_share(workdir, max_uses=3)
    try:
        token = grant["token"]
        assert requests.get(server.base + "/s/" + token, timeout=10).status_code == 200
        assert requests.post(server.base + "/v1/shares/redeem", json={"token": token}, timeout=10).status_code == 200
        assert requests.post(server.base + "/v1/shares/redeem", data={"token": token}, timeout=10).status_code == 200
        assert requests.get(server.base + "/s/" + token + "?x=1", timeout=10).status_code == 200
    finally:
        server.stop()
    log = server.read_log()
    assert "/s/{token}" in log, "the link page requests were logged (as the route template)"
    secret_part = token[len("lk_shr_"):]
    assert secret_part not in log
    assert session[len("lk_ses_"):] not in log
    for otp in lc.read_otps(server.storage, "+919855500000"):
        assert f" {otp}" not in log and f"={otp}" not in log
