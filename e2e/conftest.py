"""Process-level fixtures: start the real lockerd binary on a free loopback port."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

LOCKERD = os.environ.get("LOCKERD", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "lockerd"))
LOCKER_CLI = os.environ.get("LOCKER_CLI", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "locker"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lockerd:
    """A lockerd process with its own storage folder and port."""

    def __init__(self, storage, extra_args=(), env=None):
        self.storage = storage
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(os.path.dirname(storage), f"lockerd-{self.port}.log")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen(
            [LOCKERD, "--port", str(self.port), "--storage", self.storage, *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lockerd exited with {self.proc.returncode}: {self.read_log()}")
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("lockerd did not become healthy")

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        if getattr(self, "log", None):
            self.log.close()
        return self.proc.returncode if self.proc else None

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="locker-proc-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def lockerd(workdir):
    server = Lockerd(os.path.join(workdir, "Storage")).start()
    yield server
    server.stop()
