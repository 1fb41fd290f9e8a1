"""The power-loss file system itself (e2e/powerloss_fs.py): what a cut keeps and what it takes.

Each test mounts a fresh instance over a backing folder, writes through the mount, cuts the power,
and mounts a fresh instance again to look: fsynced bytes stay, un-fsynced bytes go; a name is
durable only after its folder is fsynced. Also checks what SQLite needs (fcntl locks across
processes, the mmapped -shm of WAL mode) and that the model loses a WAL commit made under
synchronous = NORMAL but keeps one made under FULL.
"""
import os
import sqlite3
import subprocess
import sys

import pytest

from powerloss_fs import PowerLossMount, require_fuse


class Machine:
    """A backing folder that can be mounted, cut and mounted again."""

    def __init__(self, root):
        self.backing = os.path.join(root, "backing")
        self.mnt = os.path.join(root, "mnt")
        self.mount = None

    def boot(self):
        self.mount = PowerLossMount(self.backing, self.mnt)
        return self.mount

    def reboot(self):
        self.mount.close()
        return self.boot()

    def power_cut_and_reboot(self):
        report = self.mount.cut()
        self.reboot()
        return report

    def path(self, *parts):
        return os.path.join(self.mnt, *parts)


@pytest.fixture
def machine(tmp_path):
    require_fuse()
    m = Machine(str(tmp_path))
    m.boot()
    yield m
    m.mount.close()


def write_file(path, data, fsync=True):
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        if fsync:
            os.fsync(f.fileno())


def fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_unsynced_writes_are_lost_fsynced_writes_stay(machine):
    a, b = machine.path("a"), machine.path("b")
    write_file(a, b"A" * 10000)
    write_file(b, b"B" * 100)
    fsync_dir(machine.mnt)
    with open(a, "r+b") as f:              # overwrite the middle, append; no fsync
        f.seek(5000)
        f.write(b"x" * 6000)
    with open(b, "ab") as f:               # append, then fsync: durable
        f.write(b"more")
        f.flush()
        os.fdatasync(f.fileno())
    assert read(a) == b"A" * 5000 + b"x" * 6000
    report = machine.power_cut_and_reboot()
    assert report["files"] == 1 and report["blocks"] >= 2
    assert read(a) == b"A" * 10000
    assert read(b) == b"B" * 100 + b"more"


def test_a_new_name_needs_its_folder_fsynced(machine):
    os.mkdir(machine.path("d1"))
    os.mkdir(machine.path("d2"))
    fsync_dir(machine.mnt)
    write_file(machine.path("d1", "synced-file"), b"data")            # file fsynced, folder not
    write_file(machine.path("d2", "unsynced-file"), b"data", fsync=False)
    fsync_dir(machine.path("d2"))                                      # folder fsynced, file not
    os.mkdir(machine.path("d3"))                                       # root not fsynced again
    machine.power_cut_and_reboot()
    assert os.listdir(machine.path("d1")) == []
    assert read(machine.path("d2", "unsynced-file")) == b""
    assert sorted(os.listdir(machine.mnt)) == ["d1", "d2"]


def test_rename_is_undone_without_a_folder_fsync(machine):
    target, temp = machine.path("key"), machine.path("key.tmp")
    write_file(target, b"old")
    fsync_dir(machine.mnt)
    write_file(temp, b"new")
    os.rename(temp, target)
    assert read(target) == b"new"
    report = machine.power_cut_and_reboot()
    assert report["names"] == 1
    assert read(target) == b"old"
    assert not os.path.exists(temp)        # never durable: its creation was not fsynced either

    write_file(temp, b"new")
    os.rename(temp, target)
    fsync_dir(machine.mnt)
    machine.power_cut_and_reboot()
    assert read(target) == b"new"
    assert not os.path.exists(temp)


def test_unlink_and_truncate_are_undone(machine):
    big, gone = machine.path("big"), machine.path("gone")
    content = os.urandom(3 * 4096 + 123)
    write_file(big, content)
    write_file(gone, b"still here")
    fsync_dir(machine.mnt)
    os.truncate(big, 100)
    with open(big, "ab") as f:
        f.write(b"tail")
    os.unlink(gone)
    machine.power_cut_and_reboot()
    assert read(big) == content
    assert read(gone) == b"still here"


def test_nothing_reaches_the_disk_after_the_cut(machine):
    path = machine.path("f")
    write_file(path, b"durable")
    fsync_dir(machine.mnt)
    f = open(path, "r+b", buffering=0)
    machine.mount.cut()
    with pytest.raises(OSError):
        f.write(b"after the cut")
    with pytest.raises(OSError):
        open(machine.path("new"), "wb")
    with pytest.raises(OSError):
        os.fsync(f.fileno())
    f.close()
    machine.mount.close()
    assert read(os.path.join(machine.backing, "f")) == b"durable"
    assert os.listdir(machine.backing) == ["f"]


def sqlite_rows(path):
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("SELECT v FROM t ORDER BY v")]
    finally:
        db.close()


def test_sqlite_wal_commits_survive_only_when_fsynced(machine):
    path = machine.path("db.sqlite")
    db = sqlite3.connect(path, isolation_level=None)
    assert db.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE t (v INTEGER)")
    db.execute("INSERT INTO t VALUES (1)")

    # fcntl locks work across processes on the mount (SQLite's write lock).
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
         "db.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()", path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    other.close()
    holder.communicate("", timeout=10)

    db.execute("INSERT INTO t VALUES (2)")          # FULL: the WAL is fsynced at commit
    machine.mount.cut()
    db.close()                                      # the process dies with the power
    machine.reboot()
    assert sqlite_rows(path) == [1, 2]

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")       # WAL + NORMAL: commits wait for a checkpoint
    db.execute("INSERT INTO t VALUES (3)")
    assert sqlite_rows(path) == [1, 2, 3]
    machine.mount.cut()
    db.close()
    machine.reboot()
    assert sqlite_rows(path) == [1, 2]
