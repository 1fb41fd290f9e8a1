"""One vault, one identity; one storage folder, one lockerd (against the real binaries)."""
import hashlib
import os
import shutil
import subprocess
import time

import pytest
import requests

from conftest import LOCKER_CLI, Lockerd
from locker_client import bearer, build_push, make_issuer_key, push, register_issuer, sign_in, vacer_claims


def populated(workdir, name, mobile):
    """A vault with one pushed certificate; lockerd stopped again. Returns the storage path."""
    storage = os.path.join(workdir, name)
    server = Lockerd(storage).start()
    try:
        key, pem = make_issuer_key()
        pem_path = os.path.join(workdir, name + ".pub")
        with open(pem_path, "wb") as f:
            f.write(pem)
        api_key = register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
        body, ctype = build_push(key, mobile, "VACER", "C1", "2026-11-01", vacer_claims("Asha Verma", 2), b"%PDF-1.7 x", "application/pdf")
        assert push(server.base, api_key, body, ctype).status_code == 201
    finally:
        server.stop()
    return storage


def digest_tree(path):
    """SHA-256 of every file under `path` (to prove nothing was written). Left out: SQLite's
    shared-memory index and an empty WAL (SQLite makes them to read a WAL database) and the
    lockerd lock file (taken before the vault is opened)."""
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if name.endswith("-shm") or name == "lockerd.lock" or (name.endswith("-wal") and os.path.getsize(full) == 0):
                continue
            with open(full, "rb") as f:
                out[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
    return out


def test_a_keyring_from_another_vault_stops_lockerd_and_every_cli_command(workdir):
    a = populated(workdir, "A", "+919811100001")
    b = populated(workdir, "B", "+919811100002")
    own = os.path.join(workdir, "b-keyring.json")
    shutil.copyfile(os.path.join(b, "keys", "keyring.json"), own)
    shutil.copyfile(os.path.join(a, "keys", "keyring.json"), os.path.join(b, "keys", "keyring.json"))
    before = digest_tree(b)

    server = Lockerd(b)
    with pytest.raises(RuntimeError) as failed:
        server.start(timeout=20)
    assert server.proc.returncode == 1
    lines = [line for line in server.read_log().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("lockerd: error: ") and "different vaults" in lines[0]

    for command in (["keys", "status"], ["issuers", "list"], ["audit", "verify"], ["keys", "verify", "--deep"]):
        result = subprocess.run([LOCKER_CLI, "--storage", b, *command], capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "different vaults" in result.stderr, (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    after = digest_tree(b)
    assert after == before, "a refused start or command wrote nothing"

    # With its own keyring back, B starts again; A was never affected.
    shutil.copyfile(own, os.path.join(b, "keys", "keyring.json"))
    Lockerd(b).start().stop()
    Lockerd(a).start().stop()


def test_a_second_lockerd_on_the_same_storage_is_refused_naming_the_first(workdir):
    storage = os.path.join(workdir, "Storage")
    first = Lockerd(storage).start()
    try:
        second = Lockerd(storage)
        with pytest.raises(RuntimeError):
            second.start(timeout=20)
        assert second.proc.returncode == 1
        lines = [line for line in second.read_log().splitlines() if line.strip()]
        assert len(lines) == 1, lines
        assert f"pid {first.proc.pid}" in lines[0] and "in use" in lines[0], lines[0]
        # The first keeps serving, and the CLI works beside it.
        assert requests.get(first.base + "/healthz", timeout=5).status_code == 200
        result = subprocess.run([LOCKER_CLI, "--storage", storage, "keys", "status", "--json"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
    finally:
        first.stop()
    # Once the first has stopped, the folder can be served again.
    Lockerd(storage).start().stop()


def test_a_keyring_copied_over_a_running_vault_is_refused_and_the_vault_keeps_serving(workdir):
    a = populated(workdir, "A", "+919811100001")
    b = populated(workdir, "B", "+919811100002")
    server = Lockerd(b).start()
    try:
        own = sign_in(server.base, b, "+919811100002")
        before = requests.get(server.base + "/v1/documents", headers=bearer(own), timeout=10).json()["documents"]
        assert len(before) == 1
        shutil.copyfile(os.path.join(a, "keys", "keyring.json"), os.path.join(b, "keys", "keyring.json"))
        time.sleep(2.5)  # the key watcher looks once a second
        assert requests.get(server.base + "/healthz", timeout=5).status_code == 200
        # The known citizen still signs in to their document; no second citizen appears.
        token = sign_in(server.base, b, "+919811100002")
        after = requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10).json()["documents"]
        assert [d["id"] for d in after] == [d["id"] for d in before]
        content = requests.get(server.base + f"/v1/documents/{after[0]['id']}/content", headers=bearer(token), timeout=10)
        assert content.status_code == 200 and content.content == b"%PDF-1.7 x"
        assert "keyring refused" in server.read_log()
    finally:
        server.stop()


def test_the_cli_refuses_a_storage_folder_given_twice(workdir):
    result = subprocess.run([LOCKER_CLI, "--storage", os.path.join(workdir, "A"), "--storage", os.path.join(workdir, "B"), "keys", "status"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "more than once" in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(workdir, "A")) and not os.path.exists(os.path.join(workdir, "B")), "nothing was created"


def test_a_rekey_from_the_cli_ends_a_cached_session_on_the_next_request(workdir):
    b = populated(workdir, "B", "+919811100002")
    server = Lockerd(b).start()
    try:
        token = sign_in(server.base, b, "+919811100002")
        for _ in range(2):  # the second answer comes from lockerd's session cache
            assert requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10).status_code == 200
        result = subprocess.run([LOCKER_CLI, "--storage", b, "citizens", "rekey", "--mobile", "+919811100002"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert requests.get(server.base + "/v1/documents", headers=bearer(token), timeout=10).status_code == 401
    finally:
        server.stop()
