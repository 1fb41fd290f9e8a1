"""`locker push` against the real lockerd: an issuer registered with the CLI signs and pushes
with its openssl-made Ed25519 key, and the citizen sees (and downloads) the document. Refusals
are one line on standard error with exit status 1."""
import json
import os
import subprocess

import requests

import locker_client as lc
from conftest import LOCKER_CLI, Lockerd, free_port

MOBILE = "+919844400001"


def run(*args, env=None, timeout=60):
    return subprocess.run([LOCKER_CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def openssl_key(workdir, name):
    """An issuer key as the README makes it: (private PEM path, public PEM path)."""
    private, public = os.path.join(workdir, f"{name}.pem"), os.path.join(workdir, f"{name}.pub")
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", private], check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", public], check=True, capture_output=True)
    return private, public


def register(storage, public_pem):
    """`locker issuers add`, with --doc-types VACER where this CLI has that option."""
    help_text = run("issuers", "add", "--help").stdout
    extra = ["--doc-types", "VACER"] if "--doc-types" in help_text else []
    out = run("--storage", storage, "issuers", "add", "--id", "in.gov.cowin", "--name", "CoWIN",
              "--public-key", public_pem, *extra, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["apiKey"]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def metadata(doc_id="CLI-1", **changes):
    document = {"mobile": MOBILE, "docType": "VACER", "docId": doc_id, "issuedOn": "2026-11-01",
                "claims": lc.vacer_claims("Asha Verma", 2)}
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def test_locker_push_signs_and_pushes_and_the_citizen_sees_it(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    try:
        private, public = openssl_key(workdir, "cowin")
        api_key = register(storage, public)
        key_file = write(os.path.join(workdir, "issuer.key"), (api_key + "\n").encode())
        meta = write(os.path.join(workdir, "meta.json"), json.dumps(metadata(), indent=2).encode())
        content = lc.fake_pdf(30_000)
        pdf = write(os.path.join(workdir, "cert.pdf"), content)
        common = ["push", "--url", server.base, "--key", private, "--metadata", meta, "--content", pdf]

        out = run(*common, "--api-key-file", key_file)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("created: in.gov.cowin-VACER-CLI-1, version 1, 30000 bytes"), out.stdout

        again = run(*common, "--api-key-file", key_file, "--json")
        assert again.returncode == 0, again.stderr
        answer = json.loads(again.stdout)
        assert answer["result"] == "unchanged" and answer["uri"] == "in.gov.cowin-VACER-CLI-1"

        # The key from the environment; a changed certificate is an update.
        write(pdf, content + b"% revised")
        updated = run(*common, env={"LOCKER_ISSUER_API_KEY": api_key})
        assert updated.returncode == 0, updated.stderr
        assert updated.stdout.startswith("updated: in.gov.cowin-VACER-CLI-1, version 2"), updated.stdout

        session = lc.sign_in(server.base, storage, MOBILE)
        docs = requests.get(server.base + "/v1/documents", headers=lc.bearer(session), timeout=10).json()["documents"]
        assert [d["uri"] for d in docs] == ["in.gov.cowin-VACER-CLI-1"]
        got = requests.get(f"{server.base}/v1/documents/{docs[0]['id']}/content", headers=lc.bearer(session), timeout=10)
        assert got.status_code == 200 and got.content == content + b"% revised"
    finally:
        server.stop()


def test_locker_push_refusals_are_one_line_and_exit_1(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    try:
        private, public = openssl_key(workdir, "cowin")
        other, _ = openssl_key(workdir, "other")
        api_key = register(storage, public)
        key_file = write(os.path.join(workdir, "issuer.key"), api_key.encode())
        pdf = write(os.path.join(workdir, "cert.pdf"), lc.fake_pdf(2_000))
        good = write(os.path.join(workdir, "meta.json"), json.dumps(metadata()).encode())
        no_claims = write(os.path.join(workdir, "no-claims.json"), json.dumps(metadata(claims=None)).encode())

        def push(meta, key=private, url=server.base, api=("--api-key-file", key_file), env=None):
            return run("push", "--url", url, *api, "--key", key, "--metadata", meta, "--content", pdf, env=env)

        cases = [
            (push(no_claims), "lacks the required field claims"),
            (push(good, key=other), "does not verify"),
            (push(good, key=public), "not an unencrypted Ed25519 private key"),
            (push(good, url=f"http://127.0.0.1:{free_port()}"), "cannot reach lockerd"),
            (push(good, api=(), env={"LOCKER_ISSUER_API_KEY": ""}), "must start with lk_iss_"),
            (push(good, url="ftp://127.0.0.1"), "--url must be"),
        ]
        for result, words in cases:
            assert result.returncode == 1, (words, result.stdout, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and words in lines[0], (words, result.stderr)
            assert result.stdout == ""
        # Nothing refused was stored: the good push is the URI's first version.
        created = push(good)
        assert created.returncode == 0 and created.stdout.startswith("created: in.gov.cowin-VACER-CLI-1, version 1,"), created.stderr
    finally:
        server.stop()
