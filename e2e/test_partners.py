"""`locker partners`: registering partner apps (OAuth 2.0 clients) — exact redirect URIs, a
confidential client's secret shown once and stored only as a hash, every change audited, and
hostile input refused with a clear line."""
import json
import os
import subprocess

from conftest import LOCKER_CLI


def cli(storage, *args):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=120)


def test_partners_are_registered_listed_and_disabled_with_their_secret_shown_once(lockerd):
    storage = lockerd.storage
    added = cli(storage, "partners", "add", "--id", "in.cowin.health", "--name", "CoWIN Health", "--confidential",
                "--redirect-uri", "https://health.example.in/oauth/cb", "--redirect-uri", "in.cowin.health:/cb", "--json")
    assert added.returncode == 0, added.stderr
    record = json.loads(added.stdout)
    secret = record["clientSecret"]
    assert record["clientId"] == "in.cowin.health" and secret.startswith("lk_pcs_") and len(secret) > 30
    assert record["redirectURIs"] == ["https://health.example.in/oauth/cb", "in.cowin.health:/cb"]
    public = cli(storage, "partners", "add", "--id", "in.rail.app", "--name", "Rail App", "--redirect-uri", "http://127.0.0.1:53124/cb", "--json")
    assert public.returncode == 0 and json.loads(public.stdout)["clientSecret"] is None

    listed = json.loads(cli(storage, "partners", "list", "--json").stdout)
    assert [(p["id"], p["confidential"], p["disabled"]) for p in listed] == [("in.cowin.health", True, False), ("in.rail.app", False, False)]
    assert secret not in cli(storage, "partners", "list").stdout
    # The secret is nowhere under Storage/ (only its hash is kept).
    for root, _, files in os.walk(storage):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                assert secret.encode() not in f.read(), os.path.join(root, name)

    assert cli(storage, "partners", "add", "--id", "in.cowin.health", "--name", "Again", "--redirect-uri", "https://x.example.in/cb").stderr \
        .strip().endswith("partner in.cowin.health already exists")
    disabled = cli(storage, "partners", "disable", "--id", "in.rail.app", "--json")
    assert disabled.returncode == 0 and json.loads(disabled.stdout) == {"id": "in.rail.app", "disabled": True}
    assert [p["disabled"] for p in json.loads(cli(storage, "partners", "list", "--json").stdout)] == [False, True]
    missing = cli(storage, "partners", "disable", "--id", "no.such.app")
    assert missing.returncode != 0 and "no partner no.such.app" in missing.stderr
    assert cli(storage, "audit", "verify").returncode == 0


def test_partner_registration_refuses_hostile_input_in_one_line(lockerd):
    storage = lockerd.storage
    cases = {
        "fragment": (["--id", "a.app", "--name", "A", "--redirect-uri", "https://a.example.in/cb#x"], "invalid --redirect-uri"),
        "plain http": (["--id", "a.app", "--name", "A", "--redirect-uri", "http://a.example.in/cb"], "invalid --redirect-uri"),
        "script": (["--id", "a.app", "--name", "A", "--redirect-uri", "javascript:alert(1)"], "invalid --redirect-uri"),
        "user info": (["--id", "a.app", "--name", "A", "--redirect-uri", "https://u:p@a.example.in/cb"], "invalid --redirect-uri"),
        "no redirect": (["--id", "a.app", "--name", "A"], "give at least one --redirect-uri"),
        "bad id": (["--id", "A App", "--name", "A", "--redirect-uri", "https://a.example.in/cb"], "invalid --id"),
        "bidi name": (["--id", "a.app", "--name", "A\u202eppa", "--redirect-uri", "https://a.example.in/cb"], "--name must be"),
    }
    for label, (args, message) in cases.items():
        out = cli(storage, "partners", "add", *args)
        assert out.returncode != 0 and message in out.stderr and len(out.stderr.strip().splitlines()) == 1, (label, out.stderr)
    assert json.loads(cli(storage, "partners", "list", "--json").stdout) == []
