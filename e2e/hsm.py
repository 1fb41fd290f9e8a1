"""A throwaway SoftHSM2 token for the tests: SOFTHSM2_CONF points at a config in a temporary
folder whose tokendir holds one token made with softhsm2-util (label "locker", user PIN 1234,
SO PIN 5678). Root keys are made in it with `locker keys init-root`."""
import os
import shutil
import subprocess
import tempfile
import uuid

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "locker"
PIN = "1234"
SO_PIN = "5678"


def available():
    return os.path.exists(MODULE) and shutil.which("softhsm2-util") is not None


class SoftHSM:
    def __init__(self, folder=None):
        self.dir = folder or tempfile.mkdtemp(prefix="locker-softhsm-")
        self.tokens = os.path.join(self.dir, "tokens")
        self.conf = os.path.join(self.dir, "softhsm2.conf")
        self.pin_file = os.path.join(self.dir, "user.pin")

    def start(self, label=TOKEN, pin=PIN):
        os.makedirs(self.tokens, exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(f"directories.tokendir = {self.tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n")
        subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", SO_PIN],
                       check=True, capture_output=True, text=True, env=self.env())
        with open(self.pin_file, "w") as f:
            f.write(pin + "\n")
        os.chmod(self.pin_file, 0o600)
        return self

    def env(self, base=None):
        return dict(base if base is not None else os.environ, SOFTHSM2_CONF=self.conf)

    def uri(self, key_label, token=TOKEN, pin_file=None, module=MODULE):
        return f"pkcs11:token={token};object={key_label}?module-path={module}&pin-source=file:{pin_file or self.pin_file}"

    def make_key(self, cli, key_label=None):
        """Creates a root key with `locker keys init-root`; returns its URI."""
        key_label = key_label or "root-" + uuid.uuid4().hex[:10]
        uri = self.uri(key_label)
        out = subprocess.run([cli, "keys", "init-root", "--root-key", uri], capture_output=True, text=True, timeout=60, env=self.env())
        if out.returncode != 0:
            raise RuntimeError(f"init-root failed: {out.stderr}")
        return uri

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
