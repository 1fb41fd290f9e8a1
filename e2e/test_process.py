"""The real lockerd binary: start-up failures, graceful shutdown, body limits on the wire."""
import hashlib
import json
import os
import signal
import socket
import subprocess
import time

import requests

from conftest import LOCKERD, LOCKER_CLI, Lockerd, embedded_only


def run_lockerd(*args, timeout=20):
    return subprocess.run([LOCKERD, *args], capture_output=True, text=True, timeout=timeout)


@embedded_only("reads keyring.json; on PostgreSQL the key ring is a sealed row")
def test_health_and_keyring_created_on_first_start(lockerd):
    r = requests.get(lockerd.base + "/healthz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    keyring = os.path.join(lockerd.storage, "keys", "keyring.json")
    assert oct(os.stat(keyring).st_mode & 0o777) == "0o600"


@embedded_only("corrupts keyring.json; on PostgreSQL a wrong root key is refused (test_cluster.py)")
def test_corrupt_key_file_fails_with_one_clear_line_and_touches_no_data(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    assert server.stop() == 0
    db = os.path.join(storage, "db", "locker.sqlite")
    before = hashlib.sha256(open(db, "rb").read()).hexdigest()
    keyring = os.path.join(storage, "keys", "keyring.json")
    with open(keyring, "r+b") as f:
        f.seek(40)
        f.write(b"\x00garbage")
    result = run_lockerd("--port", "1", "--storage", storage)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "corrupt keyring" in lines[0] and keyring in lines[0]
    assert hashlib.sha256(open(db, "rb").read()).hexdigest() == before
    assert b"garbage" in open(keyring, "rb").read(), "the damaged keyring must be left for the admin, not replaced"


def test_bad_config_value_fails_with_one_line(workdir):
    result = run_lockerd("--port", "eighty", "--storage", os.path.join(workdir, "S"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "port" in result.stderr
    assert not os.path.exists(os.path.join(workdir, "S")), "no storage folder may be created before config is valid"


def test_unknown_time_zone_fails_with_one_line(workdir):
    result = run_lockerd("--time-zone", "Mars/Olympus_Mons", "--storage", os.path.join(workdir, "S"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "timeZone" in result.stderr and "Mars/Olympus_Mons" in result.stderr
    assert not os.path.exists(os.path.join(workdir, "S"))


def test_storage_path_that_is_a_file_fails_clearly(workdir):
    path = os.path.join(workdir, "not-a-folder")
    open(path, "w").write("x")
    result = run_lockerd("--port", "1", "--storage", path)
    assert result.returncode == 1
    assert "is not a folder" in result.stderr and result.stderr.strip().count("\n") == 0


def test_sigterm_shuts_down_gracefully(workdir):
    server = Lockerd(os.path.join(workdir, "Storage")).start()
    start = time.monotonic()
    assert server.stop(signal.SIGTERM) == 0
    assert time.monotonic() - start < 10


def test_declared_oversized_body_gets_413_before_it_is_sent(lockerd):
    # Announce 100 MB and send none of it: the answer must come at once, so nothing was buffered.
    with socket.create_connection(("127.0.0.1", lockerd.port), timeout=5) as s:
        s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head
    assert json.loads(body)["type"] == "/problems/payload-too-large"
    assert requests.get(lockerd.base + "/healthz", timeout=5).status_code == 200


def test_cli_keys_status_reports_the_running_vaults_keyring(lockerd):
    out = subprocess.run([LOCKER_CLI, "--storage", lockerd.storage, "keys", "status", "--json"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["primaryVersion"] == 1
    assert [v["version"] for v in report["versions"]] == [1]
    assert report["versions"][0]["primary"] is True


def test_cli_refuses_a_storage_folder_without_keyring(workdir):
    out = subprocess.run([LOCKER_CLI, "--storage", workdir, "keys", "status"], capture_output=True, text=True, timeout=20)
    assert out.returncode != 0
    assert "no keyring" in out.stderr


def test_cli_disables_an_issuer_while_lockerd_runs(lockerd, workdir):
    import locker_client as lc
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    open(pem_path, "wb").write(pem)
    api = lc.register_issuer(LOCKER_CLI, lockerd.storage, "in.gov.test", "Test", pem_path)
    body, ctype = lc.build_push(key, "+919800012345", "VACER", "D1", "2026-11-01", lc.vacer_claims("A B", 1), b"x", "application/pdf")
    assert lc.push(lockerd.base, api, body, ctype).status_code == 201
    out = subprocess.run([LOCKER_CLI, "--storage", lockerd.storage, "issuers", "disable", "--id", "in.gov.test", "--json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"id": "in.gov.test", "disabled": True}
    body, ctype = lc.build_push(key, "+919800012345", "VACER", "D2", "2026-11-01", lc.vacer_claims("A B", 1), b"y", "application/pdf")
    assert lc.push(lockerd.base, api, body, ctype).status_code == 401
    missing = subprocess.run([LOCKER_CLI, "--storage", lockerd.storage, "verifiers", "disable", "--id", "nobody"], capture_output=True, text=True, timeout=30)
    assert missing.returncode != 0 and "no verifier nobody" in missing.stderr
