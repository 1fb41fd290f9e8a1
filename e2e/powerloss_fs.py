"""A write-back file system for tests: what is not fsynced is lost on a simulated power cut.

A FUSE pass-through (fusepy, libfuse 2) over a backing folder. Every operation reaches the backing
folder at once, so running programs see an ordinary file system; beside that it keeps, in memory,
what a power cut would take back:

* file contents: for each file written or truncated since its last fsync/fdatasync, its size and
  the original bytes of every 4 KiB block touched since then (an undo log, read from the backing
  file before the first overwrite);
* folder entries: for each folder whose entries changed (create, mknod, mkdir, unlink, rmdir,
  rename, link, symlink) since its last fsync, what each touched name pointed to before (a hard
  link to the old file kept in a stash folder beside the backing folder, "a folder", or absent).

Strict model, as POSIX promises and no more: fsync(file) makes that file's bytes and size durable,
not its name; a name (a new file, a rename's target or source, an unlink) becomes durable only
with an fsync of the folder that holds it. Metadata (modes, owners, times) is not modelled.
Renaming a folder is refused with EXDEV (nothing here needs it, and undoing it is not modelled).

`cut` is the power cut: under the one lock every operation takes, it reverts all of the above in
the backing folder (files to their last-fsynced bytes, folders to their last-fsynced entries) and
from then on refuses every operation with EIO, so nothing a still-running process does after the
cut can become durable. Kill the processes, unmount, and mount a fresh instance on the same backing
folder: that is the machine after the power came back.

Run as a process (`python3 powerloss_fs.py BACKING MOUNTPOINT`, in the foreground); it reads
commands from stdin, one per line, and answers each with one JSON line on stdout:
  cut        the power cut (above); answers the counts of what was reverted
  sync       everything becomes durable, like sync(1)
  stats      what a cut would revert now
  unmount    lazy unmount; the process then exits
End of stdin unmounts too. It prints {"ready": true} once the kernel has mounted it.
`PowerLossMount` below starts and drives one from a test.

Needs /dev/fuse, libfuse2 (Debian: libfuse2, fuse) and fusepy; run as root (or with fusermount).
"""
import errno
import json
import os
import queue
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import PurePosixPath

BLOCK = 4096


class _Undo:
    """What a cut restores in one file (one inode): its last-fsynced size and touched blocks."""

    def __init__(self, fd, size):
        self.fd = fd            # our own read-write descriptor on the backing inode
        self.size = size        # size at the last fsync
        self.blocks = {}        # block index -> bytes the block held at the last fsync

    def save(self, start, end):
        """Keeps the durable bytes of [start, end) (only what lies below the durable size)."""
        end = min(end, self.size)
        if start >= end:
            return
        for index in range(start // BLOCK, (end + BLOCK - 1) // BLOCK):
            if index not in self.blocks:
                data = os.pread(self.fd, BLOCK, index * BLOCK)
                self.blocks[index] = data[: max(0, self.size - index * BLOCK)]

    def restore(self):
        os.ftruncate(self.fd, self.size)
        for index, data in self.blocks.items():
            if data:
                os.pwrite(self.fd, data, index * BLOCK)
        return len(self.blocks)

    def close(self):
        os.close(self.fd)


def _operations_base():
    from fuse import Operations  # imported late so the module loads (and tests can skip) without fusepy
    return Operations


class PowerLossState:
    """The backing folder plus the un-synced state a cut reverts. Thread-safe (one lock)."""

    def __init__(self, backing, stash):
        self.backing = os.path.realpath(backing)
        self.stash = os.path.realpath(stash)
        shutil.rmtree(self.stash, ignore_errors=True)
        os.makedirs(self.stash)
        if os.stat(self.stash).st_dev != os.stat(self.backing).st_dev:
            raise ValueError("the stash folder must be on the backing folder's file system (hard links)")
        self.lock = threading.RLock()
        self.undo = {}          # (st_dev, st_ino) -> _Undo
        self.entries = {}       # folder path ("/", "/a") -> {name: None | ("dir", mode) | ("file", stash path)}
        self.frozen = False
        self.stash_counter = 0

    def real(self, path):
        return self.backing + path if path != "/" else self.backing

    # -- bookkeeping -------------------------------------------------------------------------

    def file_undo(self, fd, size=None):
        """The undo record of the file open as `fd` (the backing descriptor), made on first use."""
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        record = self.undo.get(key)
        if record is None:
            own = os.open(f"/proc/self/fd/{fd}", os.O_RDWR)
            record = self.undo[key] = _Undo(own, st.st_size if size is None else size)
        return record, st

    def touch_entry(self, path):
        """Remembers what `path`'s name held at the folder's last fsync, before it changes."""
        parent, name = os.path.split(path)
        names = self.entries.setdefault(parent, {})
        if name in names:
            return
        real = self.real(path)
        try:
            st = os.lstat(real)
        except FileNotFoundError:
            names[name] = None
            return
        if stat.S_ISDIR(st.st_mode):
            names[name] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            self.stash_counter += 1
            keep = os.path.join(self.stash, str(self.stash_counter))
            os.link(real, keep, follow_symlinks=False)
            names[name] = ("file", keep)

    def forget_entries(self, folder):
        for origin in (self.entries.pop(folder, None) or {}).values():
            if origin and origin[0] == "file":
                os.unlink(origin[1])

    def forget_file(self, fd):
        st = os.fstat(fd)
        record = self.undo.pop((st.st_dev, st.st_ino), None)
        if record:
            record.close()

    def check(self):
        if self.frozen:
            raise OSError(errno.EIO, "the power is off")

    # -- control -----------------------------------------------------------------------------

    def stats(self):
        with self.lock:
            return {"files": len(self.undo), "blocks": sum(len(u.blocks) for u in self.undo.values()),
                    "folders": len(self.entries), "names": sum(len(n) for n in self.entries.values()),
                    "frozen": self.frozen}

    def sync(self):
        """Everything becomes durable (sync(1))."""
        with self.lock:
            self.check()
            for record in self.undo.values():
                record.close()
            self.undo.clear()
            for folder in list(self.entries):
                self.forget_entries(folder)
            return self.stats()

    def cut(self):
        """The power cut: revert everything not fsynced, then refuse every operation."""
        with self.lock:
            if self.frozen:
                return {"files": 0, "blocks": 0, "names": 0, "frozen": True}
            self.frozen = True
            files, blocks, names = 0, 0, 0
            for record in self.undo.values():
                blocks += record.restore()
                files += 1
                record.close()
            self.undo.clear()
            # Shallow folders first: a folder whose creation is undone goes with its contents,
            # and a durable folder that was removed comes back before its entries do.
            for folder in sorted(self.entries, key=lambda f: len(PurePosixPath(f).parts)):
                real_folder = self.real(folder)
                if not os.path.isdir(real_folder) or os.path.islink(real_folder):
                    continue
                for name, origin in self.entries[folder].items():
                    names += self._restore_entry(os.path.join(real_folder, name), origin)
            for folder in list(self.entries):
                self.forget_entries(folder)
            return {"files": files, "blocks": blocks, "names": names, "frozen": True}

    @staticmethod
    def _restore_entry(real, origin):
        try:
            now = os.lstat(real)
        except FileNotFoundError:
            now = None
        if origin is None:
            if now is None:
                return 0
        elif origin[0] == "dir":
            if now is not None and stat.S_ISDIR(now.st_mode):
                return 0
        else:
            kept = os.lstat(origin[1])
            if now is not None and (now.st_dev, now.st_ino) == (kept.st_dev, kept.st_ino):
                return 0
        if now is not None:
            if stat.S_ISDIR(now.st_mode):
                shutil.rmtree(real)
            else:
                os.unlink(real)
        if origin is not None:
            if origin[0] == "dir":
                os.mkdir(real, origin[1])
            else:
                os.link(origin[1], real, follow_symlinks=False)
        return 1


def make_operations(state):
    """fusepy Operations over `state` (a PowerLossState)."""
    Operations = _operations_base()

    class PowerLossFS(Operations):
        """Pass-through with an undo log; see the module doc. Every operation takes the lock."""

        def __init__(self):
            self.s = state

        def init(self, path):
            _reply({"ready": True})

        # -- reads (refused after the cut too: the machine is off) ----------------------------

        def getattr(self, path, fh=None):
            with self.s.lock:
                st = os.lstat(self.s.real(path))
                return {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime",
                                                      "st_nlink", "st_size", "st_uid", "st_blocks")}

        def access(self, path, amode):
            with self.s.lock:
                self.s.check()
                if not os.access(self.s.real(path), amode):
                    raise OSError(errno.EACCES, "access")
                return 0

        def readdir(self, path, fh):
            with self.s.lock:
                self.s.check()
                return [".", ".."] + os.listdir(self.s.real(path))

        def readlink(self, path):
            with self.s.lock:
                self.s.check()
                return os.readlink(self.s.real(path))

        def statfs(self, path):
            st = os.statvfs(self.s.real(path))
            return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                                  "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

        def open(self, path, flags):
            with self.s.lock:
                self.s.check()
                # Always read-write and never O_APPEND: the kernel reads pages through any open
                # handle and gives appends their offset itself.
                fd = os.open(self.s.real(path), os.O_RDWR)
                if flags & os.O_TRUNC:
                    self._truncate_fd(fd, 0)
                return fd

        def read(self, path, size, offset, fh):
            with self.s.lock:
                self.s.check()
                return os.pread(fh, size, offset)

        def release(self, path, fh):
            os.close(fh)
            return 0

        def flush(self, path, fh):
            return 0

        def opendir(self, path):
            with self.s.lock:
                self.s.check()
                return 0

        def releasedir(self, path, fh):
            return 0

        # -- file contents ------------------------------------------------------------------

        def write(self, path, data, offset, fh):
            with self.s.lock:
                self.s.check()
                record, _ = self.s.file_undo(fh)
                record.save(offset, offset + len(data))
                return os.pwrite(fh, data, offset)

        def _truncate_fd(self, fd, length):
            record, st = self.s.file_undo(fd)
            if length < st.st_size:
                record.save(length, st.st_size)
            os.ftruncate(fd, length)

        def truncate(self, path, length, fh=None):
            with self.s.lock:
                self.s.check()
                if fh is not None:
                    self._truncate_fd(fh, length)
                    return 0
                fd = os.open(self.s.real(path), os.O_RDWR)
                try:
                    self._truncate_fd(fd, length)
                finally:
                    os.close(fd)
                return 0

        def fsync(self, path, datasync, fh):
            with self.s.lock:
                self.s.check()
                self.s.forget_file(fh)
                return 0

        # -- folder entries ----------------------------------------------------------------

        def fsyncdir(self, path, datasync, fh):
            with self.s.lock:
                self.s.check()
                self.s.forget_entries(path)
                return 0

        def create(self, path, mode, fi=None):
            with self.s.lock:
                self.s.check()
                real = self.s.real(path)
                existed = os.path.lexists(real)
                self.s.touch_entry(path)
                fd = os.open(real, os.O_RDWR | os.O_CREAT, mode)
                if not existed:
                    self.s.file_undo(fd, size=0)   # durable content of a new file: empty
                return fd

        def mknod(self, path, mode, dev):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(path)
                os.mknod(self.s.real(path), mode, dev)
                return 0

        def mkdir(self, path, mode):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(path)
                os.mkdir(self.s.real(path), mode)
                return 0

        def unlink(self, path):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(path)
                os.unlink(self.s.real(path))
                return 0

        def rmdir(self, path):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(path)
                os.rmdir(self.s.real(path))
                return 0

        def rename(self, old, new):
            with self.s.lock:
                self.s.check()
                if stat.S_ISDIR(os.lstat(self.s.real(old)).st_mode):
                    raise OSError(errno.EXDEV, "renaming folders is not modelled")
                self.s.touch_entry(old)
                self.s.touch_entry(new)
                os.rename(self.s.real(old), self.s.real(new))
                return 0

        def link(self, target, source):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(target)
                os.link(self.s.real(source), self.s.real(target))
                return 0

        def symlink(self, target, source):
            with self.s.lock:
                self.s.check()
                self.s.touch_entry(target)
                os.symlink(source, self.s.real(target))
                return 0

        # -- metadata (applied at once, not modelled) ------------------------------------------

        def chmod(self, path, mode):
            with self.s.lock:
                self.s.check()
                os.chmod(self.s.real(path), mode)
                return 0

        def chown(self, path, uid, gid):
            with self.s.lock:
                self.s.check()
                os.lchown(self.s.real(path), uid, gid)
                return 0

        def utimens(self, path, times=None):
            with self.s.lock:
                self.s.check()
                os.utime(self.s.real(path), times, follow_symlinks=False)
                return 0

    return PowerLossFS()


_out_lock = threading.Lock()


def _reply(message):
    with _out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def _unmount(mountpoint):
    for tool in ("fusermount", "fusermount3"):
        if shutil.which(tool):
            return subprocess.run([tool, "-u", "-z", mountpoint], capture_output=True).returncode
    return subprocess.run(["umount", "-l", mountpoint], capture_output=True).returncode


def _control(state, mountpoint):
    for line in sys.stdin:
        command = line.strip()
        try:
            if command == "cut":
                _reply({"cut": state.cut()})
            elif command == "sync":
                _reply({"sync": state.sync()})
            elif command == "stats":
                _reply({"stats": state.stats()})
            elif command == "unmount":
                _reply({"unmount": True})
                break
            elif command:
                _reply({"error": f"unknown command {command!r}"})
        except Exception as exc:  # report, keep serving
            _reply({"error": f"{type(exc).__name__}: {exc}"})
    _unmount(mountpoint)


def main(argv):
    import argparse
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)   # fusepy's float-times notice
    parser = argparse.ArgumentParser(description="Pass-through FUSE file system that forgets un-fsynced writes on `cut`.")
    parser.add_argument("backing")
    parser.add_argument("mountpoint")
    parser.add_argument("--stash", help="where replaced files are kept until a folder fsync (default: BACKING.stash)")
    args = parser.parse_args(argv)
    from fuse import FUSE
    state = PowerLossState(args.backing, args.stash or os.path.realpath(args.backing) + ".stash")
    threading.Thread(target=_control, args=(state, args.mountpoint), daemon=True).start()
    FUSE(make_operations(state), args.mountpoint, foreground=True, nothreads=False, hard_remove=True,
         big_writes=True, max_write=131072, fsname="powerloss", subtype="powerloss")


# -- driving one from a test ---------------------------------------------------------------------

def fuse_unavailable():
    """Why a PowerLossMount cannot work here, or None."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing"
    try:
        import fuse  # noqa: F401
    except (ImportError, OSError, EnvironmentError) as exc:
        return f"fusepy/libfuse2 unavailable: {exc} (scripts/install-deps test installs them)"
    if os.geteuid() != 0 and not shutil.which("fusermount"):
        return "not root and no fusermount"
    return None


def require_fuse():
    """Skips the calling test where FUSE is unavailable; fails it instead under LOCKER_REQUIRE_FUSE=1
    (scripts/test sets it, so CI never skips these tests quietly)."""
    import pytest
    reason = fuse_unavailable()
    if reason:
        if os.environ.get("LOCKER_REQUIRE_FUSE") == "1":
            pytest.fail(f"LOCKER_REQUIRE_FUSE=1 but {reason}")
        pytest.skip(reason)


class PowerLossMount:
    """One mounted instance (a child process) of the file system above."""

    def __init__(self, backing, mountpoint, timeout=15):
        self.backing, self.mountpoint = backing, mountpoint
        os.makedirs(backing, exist_ok=True)
        os.makedirs(mountpoint, exist_ok=True)
        self.log = open(os.path.join(os.path.dirname(os.path.abspath(mountpoint)),
                                     f"powerloss-{os.path.basename(mountpoint)}.log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), backing, mountpoint],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, bufsize=1,
        )
        self.replies = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self._next(timeout)
        if not first.get("ready"):
            self.close()
            raise RuntimeError(f"powerloss_fs did not mount: {first}")
        deadline = time.monotonic() + timeout
        while not os.path.ismount(mountpoint):
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("powerloss_fs said ready but the mount is not there")
            time.sleep(0.02)

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.replies.put(json.loads(line))
            except ValueError:
                self.replies.put({"error": f"bad line {line!r}"})
        self.replies.put({"error": f"powerloss_fs exited ({self.proc.wait()})"})

    def _next(self, timeout):
        try:
            return self.replies.get(timeout=timeout)
        except queue.Empty:
            return {"error": f"no answer from powerloss_fs within {timeout} s"}

    def command(self, name, timeout=30):
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        reply = self._next(timeout)
        if name not in reply:
            raise RuntimeError(f"powerloss_fs {name}: {reply}")
        return reply[name]

    def cut(self):
        """The power cut: un-synced state is gone and every further operation fails."""
        return self.command("cut")

    def sync(self):
        return self.command("sync")

    def stats(self):
        return self.command("stats")

    def close(self, timeout=5):
        """Unmounts (lazily) and waits for the process to end; kills it if files on the mount
        are still open after `timeout` seconds (their further operations then fail)."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()   # end of commands: the process unmounts and exits
            except OSError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.ismount(self.mountpoint):
            _unmount(self.mountpoint)
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    main(sys.argv[1:])
