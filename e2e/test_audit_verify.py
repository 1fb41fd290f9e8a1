"""`locker audit verify` catches an edited, a deleted and a swapped entry (issue #6's audit part)."""
import json
import os
import shutil
import sqlite3
import subprocess

import requests

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd, embedded_only


def verify(storage):
    out = subprocess.run([LOCKER_CLI, "--storage", storage, "audit", "verify", "--json"], capture_output=True, text=True, timeout=30)
    return out.returncode, json.loads(out.stdout) if out.stdout.strip() else {}


def tamper(storage, *statements):
    db = sqlite3.connect(os.path.join(storage, "db", "locker.sqlite"))
    db.execute("DROP TRIGGER IF EXISTS auditLog_no_update")
    db.execute("DROP TRIGGER IF EXISTS auditLog_no_delete")
    for sql in statements:
        db.execute(sql)
    db.commit()
    db.close()


@embedded_only("edits locker.sqlite directly; the PostgreSQL twin is in test_cluster.py")
def test_audit_verify_names_the_first_broken_entry(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    for n in range(4):
        lc.sign_in(server.base, storage, f"+91980000100{n}")
    server.stop()
    code, report = verify(storage)
    assert code == 0 and report["intact"] is True and report["entries"] >= 4

    cases = {
        "edited": ["UPDATE auditLog SET detail = '{}' WHERE seq = 2"],
        "deleted": ["DELETE FROM auditLog WHERE seq = 2"],
        "swapped": ["UPDATE auditLog SET seq = -1 WHERE seq = 2", "UPDATE auditLog SET seq = 2 WHERE seq = 3",
                    "UPDATE auditLog SET seq = 3 WHERE seq = -1"],
    }
    for name, statements in cases.items():
        copy = os.path.join(workdir, f"Storage-{name}")
        shutil.copytree(storage, copy)
        tamper(copy, *statements)
        code, report = verify(copy)
        assert code == 1, name
        assert report["intact"] is False and report["firstBrokenEntry"] in (2, 3), (name, report)
