"""The README's tour, run exactly as written: the block between `<!-- tour:begin -->` and
`<!-- tour:end -->` is pasted into bash from top to bottom (with `set -e`), in a fresh folder,
against a real lockerd. Only two things are pointed elsewhere, through variables the tour itself
reads: `LOCKER_URL` (a free port instead of 8080) and `LOCKER_BIN` (the binaries under test)."""
import os
import re
import subprocess

from conftest import LOCKER_CLI, Lockerd

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def tour_script():
    text = open(README, encoding="utf-8").read()
    section = text.split("<!-- tour:begin -->", 1)[1].split("<!-- tour:end -->", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert blocks, "no sh blocks in the README's tour"
    return "\n".join(blocks)


def test_the_readme_tour_runs_as_written(workdir):
    script = tour_script()
    folder = os.path.join(workdir, "repo")
    os.makedirs(folder)
    server = Lockerd(os.path.join(folder, "Storage")).start()
    try:
        env = dict(os.environ, LOCKER_URL=server.base, LOCKER_BIN=os.path.dirname(os.path.abspath(LOCKER_CLI)))
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=folder, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"the tour stopped (exit {result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        out = result.stdout
        # What the tour promises a reader sees along the way.
        assert '{"status":"ok"}' in out
        assert "/problems/not-found" in out
        assert os.path.exists(os.path.join(folder, "VACER-CWN-0001.pdf")), "the download was saved under its own name"
        with open(os.path.join(folder, "VACER-CWN-0001.pdf"), "rb") as f:
            assert f.read() == open(os.path.join(folder, "cert.pdf"), "rb").read()
        assert "audit log intact" in out
        assert '"statement": "ey' in out, "the clerk's redemption answered a signed statement"
        assert '"status": 2' in out and '"kind": "kyc-vs"' in out, "the verifier's answer decoded: fully vaccinated"
    finally:
        server.stop()
