"""scripts/install-deps: waits (bounded) for another apt/dpkg process's lock, shows apt's errors,
installs without recommends. Runs the script against a lock file a child process holds, and
against a fake apt-get and dpkg-query on PATH, so no real package is installed."""
import os
import stat
import subprocess
import sys
import time

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "install-deps")


def hold_lock(path, seconds):
    """A child process holding an fcntl write lock on `path` (as apt and dpkg take theirs)."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'w'); fcntl.lockf(f, fcntl.LOCK_EX); "
         "print('held', flush=True); time.sleep(float(sys.argv[2]))", path, str(seconds)],
        stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def run(args, env_extra, timeout=60):
    env = dict(os.environ, LOCKER_APT_LOCK_NOTICE="1", **env_extra)
    started = time.monotonic()
    result = subprocess.run(["bash", SCRIPT, *args], capture_output=True, text=True, env=env, timeout=timeout)
    return result, time.monotonic() - started


def test_gives_up_after_the_timeout_naming_the_holder(tmp_path):
    lock = str(tmp_path / "lock-frontend")
    holder = hold_lock(lock, 30)
    try:
        result, elapsed = run(["wait-apt-lock"], {"LOCKER_APT_LOCK_FILES": f"{tmp_path}/absent {lock}",
                                                  "LOCKER_APT_LOCK_TIMEOUT": "3"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1, result.stderr
    assert f"waiting for another apt/dpkg process (pid {holder.pid}) to finish…" in result.stderr
    assert result.stderr.count("waiting for another") >= 2          # repeated every LOCKER_APT_LOCK_NOTICE s
    assert f"gave up after 3 s: another apt/dpkg process (pid {holder.pid})" in result.stderr
    assert 2.5 <= elapsed < 15


def test_goes_on_once_the_lock_is_released(tmp_path):
    lock = str(tmp_path / "lock")
    holder = hold_lock(lock, 2)
    try:
        result, elapsed = run(["wait-apt-lock"], {"LOCKER_APT_LOCK_FILES": lock, "LOCKER_APT_LOCK_TIMEOUT": "30"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert f"(pid {holder.pid})" in result.stderr
    assert elapsed < 15


def test_an_unheld_lock_file_does_not_wait(tmp_path):
    lock = tmp_path / "lock"
    lock.write_text("")
    result, elapsed = run(["wait-apt-lock"], {"LOCKER_APT_LOCK_FILES": str(lock)})
    assert result.returncode == 0 and result.stderr == "" and elapsed < 5


def test_dry_run_plans_a_bare_machine():
    result, _ = run(["test"], {"LOCKER_INSTALL_DRY_RUN": "1"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    update = [l for l in lines if l.endswith(" update")]
    install = [l for l in lines if " install " in l and "apt-get" in l]
    assert len(update) == 1 and "-o DPkg::Lock::Timeout=600" in update[0]
    assert len(install) == 1 and "--no-install-recommends" in install[0] and "-o DPkg::Lock::Timeout=600" in install[0]
    for package in ("chromium", "chromium-driver", "libfuse2", "fuse", "libsqlite3-dev", "libssl-dev", "libzbar-dev", "libpng-dev",
                    "zbar-tools", "qrencode"):
        assert f" {package}" in install[0]
    assert any("pip install" in l and "e2e/requirements.txt" in l for l in lines)


def fake_tools(folder, apt_exit):
    """A dpkg-query that finds nothing installed and an apt-get that logs its arguments."""
    os.makedirs(folder)
    log = os.path.join(folder, "apt-get.log")
    tools = {
        "dpkg-query": "#!/bin/sh\nexit 1\n",
        "apt-get": f'#!/bin/sh\necho "$*" >> "{log}"\n'
                   f'case "$*" in *install*) echo "E: Unable to locate package libsqlite3-dev (fake)"; exit {apt_exit};; esac\n'
                   'echo "Reading package lists... Done"\n',
        "sudo": '#!/bin/sh\nexec "$@"\n',
    }
    for name, text in tools.items():
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return log


@pytest.mark.parametrize("apt_exit", [100, 0])
def test_apt_errors_are_shown_and_recommends_skipped(tmp_path, apt_exit):
    bin_dir = str(tmp_path / "bin")
    log = fake_tools(bin_dir, apt_exit)
    result, _ = run(["run"], {"PATH": f"{bin_dir}:{os.environ['PATH']}",
                              "LOCKER_APT_LOCK_FILES": str(tmp_path / "no-lock")})
    calls = open(log).read().splitlines()
    assert len(calls) == 2 and calls[0].endswith("update") and "DPkg::Lock::Timeout=600" in calls[0]
    assert "install -y --no-install-recommends libsqlite3-dev openssl curl" in calls[1]
    if apt_exit:
        assert result.returncode == apt_exit
        assert "E: Unable to locate package libsqlite3-dev (fake)" in result.stderr   # not swallowed
        assert "failed (100)" in result.stderr
    else:
        assert "Unable to locate" not in result.stderr + result.stdout      # quiet when it works
