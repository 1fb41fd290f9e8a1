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

import locker_client as lc

LOCKERD = os.environ.get("LOCKERD", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "lockerd"))
LOCKER_CLI = os.environ.get("LOCKER_CLI", os.path.join(os.path.dirname(__file__), "..", ".build", "debug", "locker"))
# LOCKER_TEST_BACKEND=postgres runs the HTTP suite against PostgreSQL: every lockerd a test
# starts gets a database of its own on one throwaway server (e2e/pg.py), tied to its storage
# folder, and `locker` is reached through a shim that passes that database to the CLI, so the
# tests themselves stay the same for both backends.
BACKEND = os.environ.get("LOCKER_TEST_BACKEND", "sqlite")
# LOCKER_TEST_ROOT_KEY=hsm (with the postgres backend): every such lockerd's root key is an AES
# key in a throwaway SoftHSM2 token (e2e/hsm.py), given as --root-key 'pkcs11:…', instead of a file.
ROOT_KEY = os.environ.get("LOCKER_TEST_ROOT_KEY", "file")
_softhsm = None
if BACKEND == "postgres" and ROOT_KEY == "hsm":
    import atexit
    import hsm
    _softhsm = hsm.SoftHSM().start()
    atexit.register(_softhsm.cleanup)
    os.environ["SOFTHSM2_CONF"] = _softhsm.conf  # inherited by every lockerd and locker started
if BACKEND == "postgres":
    _shim_dir = tempfile.mkdtemp(prefix="locker-cli-shim-")
    _REAL_CLI = os.path.abspath(LOCKER_CLI)
    LOCKER_CLI = os.path.join(_shim_dir, "locker")
    with open(LOCKER_CLI, "w") as f:
        f.write(f"""#!/usr/bin/env bash
# Finds --storage DIR among the arguments and uses the database lockerd was given for DIR.
storage="${{LOCKER_STORAGE:-Storage}}"; prev=""
for a in "$@"; do [ "$prev" = "--storage" ] && storage="$a"; case "$a" in --storage=*) storage="${{a#--storage=}}";; esac; prev="$a"; done
if [ -f "$storage.pgenv" ]; then . "$storage.pgenv"; export LOCKER_DATABASE; [ -n "${{LOCKER_ROOT_KEY:-}}" ] && export LOCKER_ROOT_KEY || export LOCKER_ROOT_KEY_FILE; fi
exec {_REAL_CLI} "$@"
""")
    os.chmod(LOCKER_CLI, 0o755)

_postgres = None

# LOCKER_TEST_BLOB_STORE=s3 runs the HTTP suite with sealed blobs in an object store: one
# session-wide SeaweedFS (e2e/seaweed.py) and one bucket, given to every lockerd (--blob-store)
# and to the CLI (LOCKER_BLOB_STORE and the AWS_* keys in the environment). Objects are swept
# only after the default grace of an hour, so the tests' vaults can share the bucket.
BLOB_STORE = os.environ.get("LOCKER_TEST_BLOB_STORE", "files")
_seaweed = None


def seaweed_server():
    """The one SeaweedFS of this test run, started on first use."""
    global _seaweed
    if _seaweed is None:
        import atexit
        import seaweed
        _seaweed = seaweed.SeaweedFS().start()
        atexit.register(_seaweed.cleanup)
    return _seaweed


def session_blob_store():
    """The session's --blob-store URL; also exported for the CLI."""
    server = seaweed_server()
    bucket = server.create_bucket("locker-e2e")
    url = server.blob_store(bucket)
    os.environ.update(server.env(), LOCKER_BLOB_STORE=url)
    return url


def postgres_server():
    """The one throwaway PostgreSQL of this test run, started on first use."""
    global _postgres
    if _postgres is None:
        import atexit
        import pg
        _postgres = pg.Postgres().start()
        atexit.register(_postgres.cleanup)
    return _postgres


def postgres_for(storage):
    """The database and root key tied to a storage folder (made on first use, kept for restarts)."""
    import pg
    env_file = storage.rstrip("/") + ".pgenv"
    if not os.path.exists(env_file):
        url = postgres_server().create_database()
        # One key per storage folder: sibling folders are separate deployments.
        if _softhsm is not None:
            uri = _softhsm.make_key(_REAL_CLI)
            with open(env_file, "w") as f:
                f.write(f"LOCKER_DATABASE={url}\nLOCKER_ROOT_KEY='{uri}'\n")
        else:
            key = pg.root_key_file(os.path.dirname(storage.rstrip("/")) or ".", os.path.basename(storage.rstrip("/")) + ".root.key")
            with open(env_file, "w") as f:
                f.write(f"LOCKER_DATABASE={url}\nLOCKER_ROOT_KEY_FILE={key}\n")
    values = dict(line.split("=", 1) for line in open(env_file).read().split("\n") if line)
    return values["LOCKER_DATABASE"], values.get("LOCKER_ROOT_KEY_FILE") or values["LOCKER_ROOT_KEY"].strip("'")


def root_key_args(key):
    """The lockerd flag for a root key from postgres_for: a pkcs11: URI or a key file."""
    return ["--root-key", key] if key.startswith("pkcs11:") else ["--root-key-file", key]


def embedded_only(reason="tests the embedded SQLite storage folder itself"):
    """Marks a test that is about the embedded storage (files, fsync, the folder's identity)."""
    return pytest.mark.skipif(BACKEND == "postgres", reason=reason)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lockerd:
    """A lockerd process with its own storage folder and port.

    `ca`: for a lockerd given --tls-cert/--tls-key, the CA file its certificate chains to; its
    base URL is then https and the health check verifies the certificate against that CA."""

    def __init__(self, storage, extra_args=(), env=None, ca=None):
        self.storage = storage
        self.port = free_port()
        self.ca = ca
        self.base = f"{'https' if ca else 'http'}://127.0.0.1:{self.port}"
        self.log_path = os.path.join(os.path.dirname(storage), f"lockerd-{self.port}.log")
        self.extra_args = list(extra_args)
        self.env = env
        self.proc = None

    def start(self, timeout=30):
        self.log = open(self.log_path, "ab")
        env = dict(os.environ, **(self.env or {}))
        args = list(self.extra_args)
        if BACKEND == "postgres" and "--database" not in args:
            url, key = postgres_for(self.storage)
            args += ["--database", url, *root_key_args(key)]
        if BLOB_STORE == "s3" and "--blob-store" not in args:
            args += ["--blob-store", session_blob_store()]
            env = dict(os.environ, **(self.env or {}))
        self.proc = subprocess.Popen(
            [LOCKERD, "--port", str(self.port), "--storage", self.storage, *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"lockerd exited with {self.proc.returncode}: {self.read_log()}")
            try:
                if requests.get(self.base + "/healthz", timeout=1, verify=self.ca or True).status_code == 200:
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


def start_with_cowin(workdir):
    """A lockerd on workdir/Storage with CoWIN (in.gov.cowin, VACER and MARKS) registered under a
    fresh Ed25519 key, saved as workdir/issuer.pub: (server, the issuer's private key, its API key)."""
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    key, pem = lc.make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    with open(pem_path, "wb") as f:
        f.write(pem)
    return server, key, lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)


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
