"""A throwaway PostgreSQL for the tests: Debian's server, started by initdb/pg_ctl as an
unprivileged user, on a free loopback port, in a temporary folder, stopped at the end."""
import glob
import os
import shutil
import subprocess
import tempfile
import uuid

from conftest import free_port

PG_USER = "locker-pg"


def _bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: install Debian's postgresql (scripts/install-deps test)")
    return path


def _as_pg(cmd, **kw):
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", PG_USER, "--"] + cmd
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="locker-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.admin = "locker"

    def start(self):
        if os.geteuid() == 0:
            shutil.chown(self.dir, user=PG_USER)
        _as_pg([_bin("initdb"), "-D", self.data, "-U", self.admin, "--auth=trust", "-E", "UTF8", "--no-sync"])
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c max_connections=300 -c fsync=on"
        _as_pg([_bin("pg_ctl"), "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "-t", "60", "start"])
        return self

    def stop(self, mode="fast"):
        try:
            _as_pg([_bin("pg_ctl"), "-D", self.data, "-m", mode, "-w", "stop"])
        except subprocess.CalledProcessError:
            pass

    def restart(self):
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} -c max_connections=300"
        _as_pg([_bin("pg_ctl"), "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "-t", "60", "start"])

    def cleanup(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, sql, db="postgres"):
        return _as_pg([_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.admin, "-d", db, "-v", "ON_ERROR_STOP=1", "-Atc", sql]).stdout

    def create_database(self):
        name = "locker_" + uuid.uuid4().hex[:12]
        self.psql(f"CREATE DATABASE {name}")
        return f"postgres://{self.admin}@127.0.0.1:{self.port}/{name}"


def root_key_file(folder, name="root.key"):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(path, 0o600)
    return path
