"""`locker audit archive --before DATE --to DIR` (issue #21): old audit entries move into a sealed
file, the live log shrinks, and `audit verify` still walks the whole chain, archives first; a
checkpoint whose entry was archived still verifies; a moved archive is found with --archives; a
changed one fails verify. Runs on SQLite and on PostgreSQL (LOCKER_TEST_BACKEND)."""
import datetime
import json
import os
import shutil
import subprocess
import time

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd


def cli(storage, *args):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=120)


def test_archived_entries_leave_the_live_log_and_still_verify_end_to_end(workdir):
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage).start()
    try:
        key, pem = lc.make_issuer_key()
        pem_path = os.path.join(workdir, "issuer.pub")
        open(pem_path, "wb").write(pem)
        api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)

        def push(doc_id):
            body, ctype = lc.build_push(key, "+919811100088", "VACER", doc_id, "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7 x", "application/pdf")
            assert lc.push(node.base, api, body, ctype).status_code == 201

        for i in range(6):
            push(f"A{i}")
        checkpoint = os.path.join(workdir, "checkpoint.jws")
        assert cli(storage, "audit", "checkpoint", "--to", checkpoint).returncode == 0
        before = json.loads(cli(storage, "audit", "verify", "--json").stdout)
        time.sleep(0.05)
        cutoff = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        time.sleep(0.05)
        push("B0")

        archive_dir = os.path.join(workdir, "archive")
        out = cli(storage, "audit", "archive", "--before", cutoff, "--to", archive_dir, "--json")
        assert out.returncode == 0, out.stderr
        moved = json.loads(out.stdout)
        assert moved["archived"] >= 7 and moved["firstSeq"] == 1 and os.path.exists(moved["file"])
        assert b"in.gov.cowin" not in open(moved["file"], "rb").read(), "archive files are sealed"

        report = json.loads(cli(storage, "audit", "verify", "--json").stdout)
        assert report["intact"] and report["archivedEntries"] == moved["archived"]
        # The live log lost the archived entries and gained the archive's own entry.
        assert report["entries"] == before["entries"] + 1 + 1 - moved["archived"]
        assert cli(storage, "audit", "verify", "--checkpoint", checkpoint).returncode == 0, "a checkpoint of an archived entry still holds"

        push("B1")  # the live chain goes on from the archive's last hash
        assert cli(storage, "audit", "verify").returncode == 0
        assert "nothing to archive" in cli(storage, "audit", "archive", "--before", "2020-01-01", "--to", archive_dir).stdout

        # Moved: found with --archives; missing without it.
        moved_dir = os.path.join(workdir, "elsewhere")
        shutil.move(archive_dir, moved_dir)
        missing = cli(storage, "audit", "verify")
        assert missing.returncode == 1 and "is missing" in missing.stdout
        # A checkpoint cannot vouch for archived entries whose file is gone.
        assert cli(storage, "audit", "verify", "--checkpoint", checkpoint).returncode == 1
        assert cli(storage, "audit", "verify", "--archives", moved_dir).returncode == 0

        # Changed: one flipped byte fails verify.
        path = os.path.join(moved_dir, os.path.basename(moved["file"]))
        data = bytearray(open(path, "rb").read())
        data[-5] ^= 1
        open(path, "wb").write(bytes(data))
        changed = cli(storage, "audit", "verify", "--archives", moved_dir)
        assert changed.returncode == 1 and "was changed" in changed.stdout

        bad = cli(storage, "audit", "archive", "--before", "yesterday", "--to", archive_dir)
        assert bad.returncode != 0 and "invalid --before" in bad.stderr
    finally:
        node.stop()
