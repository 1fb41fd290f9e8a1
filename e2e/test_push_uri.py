"""DigiLocker's Push URI API for pull issuers (#18 item 5): an issuer adds, updates and withdraws a
URI in a citizen's list without sending the document; a wrong hmac, a stale or replayed `ts`, an
unknown citizen and another issuer's URI are refused, and nothing changes then."""
import hashlib
import os
import subprocess
import time

import requests

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd

ISSUER = "in.gov.pushme"
KEY = "push-uri-shared-key"
MOBILE = "+919833300001"


def test_push_uri_adds_updates_and_withdraws_and_refuses_forgeries_and_replays(workdir):
    storage = os.path.join(workdir, "Storage")
    key_file = os.path.join(workdir, "issuer.key")
    open(key_file, "w").write(KEY + "\n")
    node = Lockerd(storage).start()
    try:
        out = subprocess.run([LOCKER_CLI, "--storage", storage, "issuers", "add", "--id", ISSUER, "--name", "Push Board",
                              "--pull-url", "http://127.0.0.1:9/pull", "--pull-doc-types", "VACER", "--pull-key-file", key_file,
                              "--pull-field", "UDF1=Reference"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        token = lc.sign_in(node.base, storage, MOBILE)
        citizen = citizen_id(storage)  # the DigiLockerId a Pull URI request would have told the issuer

        def call(action, uri=f"{ISSUER}-VACER-42", ts=None, key=KEY, who=None, doctype="VACER"):
            ts = ts or str(int(time.time() * 1000))
            time.sleep(0.002)  # a fresh millisecond for the next call
            digest = hashlib.sha256((key + ISSUER + ts).encode()).hexdigest()
            fields = dict(clientid=ISSUER, ts=ts, hmac=digest, digilockerid=who or citizen, uri=uri, doctype=doctype,
                          description="Vaccination certificate", docid="42", issuedate="01-11-2026", validfrom="", validto="", action=action)
            return requests.post(node.base + "/public/account/1/pushuri", files={k: (None, v) for k, v in fields.items()}, timeout=10)

        def listed():
            return [d["uri"] for d in requests.get(node.base + "/v1/pulled-documents", headers=lc.bearer(token), timeout=10).json()["documents"]]

        r = call("A")
        assert r.status_code == 200 and r.json() == {"status": "ok", "action": "A", "uri": f"{ISSUER}-VACER-42"}, r.text
        assert listed() == [f"{ISSUER}-VACER-42"]
        ts = str(int(time.time() * 1000))
        assert call("U", ts=ts).status_code == 200
        assert call("U", ts=ts).status_code == 401, "a replayed ts is refused"
        assert call("A", ts=str(int(time.time()) - 3600)).status_code == 401, "a ts an hour old is refused"
        assert call("A", uri=f"{ISSUER}-VACER-43", key="not-the-key").status_code == 401
        assert call("A", uri="in.gov.other-VACER-1").status_code == 400, "another issuer's URI"
        assert call("A", uri=f"{ISSUER}-MARKS-1", doctype="MARKS").status_code == 400, "a type it is not registered for"
        assert call("A", who="0" * 32).status_code == 404
        assert listed() == [f"{ISSUER}-VACER-42"], "refused calls change nothing"
        assert call("D").status_code == 200 and listed() == []
        assert call("D").status_code == 404
        actions = [e["action"] for e in requests.get(node.base + "/v1/activity", headers=lc.bearer(token), timeout=10).json()["events"]]
        assert actions[:3] == ["document.pull-withdrawn", "document.pull-updated", "document.pull-announced"], actions
        assert subprocess.run([LOCKER_CLI, "--storage", storage, "audit", "verify"], capture_output=True, timeout=60).returncode == 0
    finally:
        node.stop()


def citizen_id(storage):
    """The one citizen's Locker id, read from the storage engine the test runs on."""
    from conftest import BACKEND, postgres_for, postgres_server
    if BACKEND == "postgres":
        url, _ = postgres_for(storage)
        return postgres_server().psql("SELECT id FROM citizens", db=url.rsplit("/", 1)[1]).strip()
    import sqlite3
    return sqlite3.connect(os.path.join(storage, "db", "locker.sqlite")).execute("SELECT id FROM citizens").fetchone()[0]
