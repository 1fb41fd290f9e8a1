"""Every `--json` output of the `locker` CLI uses JSON's own types (numbers, booleans, arrays),
never their text: `{"intact": "false"}` is truthy in every scripting language."""
import json
import os
import re
import subprocess

from conftest import LOCKER_CLI
from locker_client import build_push, make_issuer_key, push, register_issuer, vacer_claims

TEXT_OF_A_TYPE = re.compile(r"^(true|false|null|-?\d+(\.\d+)?)$")


def typed_strings(value, path="$"):
    """Paths of string values that spell a number, a boolean or null."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in typed_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in typed_strings(v, f"{path}[{i}]")]
    if isinstance(value, str) and TEXT_OF_A_TYPE.match(value):
        return [f"{path}={value!r}"]
    return []


def cli_json(storage, *args, expect=0):
    result = subprocess.run([LOCKER_CLI, "--storage", storage, *args, "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_every_json_output_uses_json_types(lockerd, workdir):
    storage = lockerd.storage
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pub")
    with open(pem_path, "wb") as f:
        f.write(pem)
    api_key = register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    body, ctype = build_push(key, "+919811100005", "VACER", "J1", "2026-11-01", vacer_claims("Asha Verma", 2), b"%PDF-1.7 j", "application/pdf")
    assert push(lockerd.base, api_key, body, ctype).status_code == 201

    outputs = {}
    outputs["issuers add"] = cli_json(storage, "issuers", "add", "--id", "in.gov.cbse", "--name", "CBSE", "--public-key", pem_path, "--doc-types", "MARKS")
    outputs["issuers list"] = cli_json(storage, "issuers", "list")
    outputs["verifiers add"] = cli_json(storage, "verifiers", "add", "--id", "irctc", "--name", "IRCTC", "--origin", "https://www.irctc.co.in")
    outputs["verifiers list"] = cli_json(storage, "verifiers", "list")
    outputs["verifiers disable"] = cli_json(storage, "verifiers", "disable", "--id", "irctc")
    outputs["partners add"] = cli_json(storage, "partners", "add", "--id", "in.cowin.health", "--name", "CoWIN Health",
                                       "--redirect-uri", "https://health.example.in/cb", "--confidential")
    outputs["partners list"] = cli_json(storage, "partners", "list")
    outputs["partners disable"] = cli_json(storage, "partners", "disable", "--id", "in.cowin.health")
    outputs["keys status"] = cli_json(storage, "keys", "status")
    outputs["keys rotate"] = cli_json(storage, "keys", "rotate")
    outputs["keys rewrap"] = cli_json(storage, "keys", "rewrap")
    outputs["keys retire"] = cli_json(storage, "keys", "retire", "--below", "2")
    outputs["keys destroy"] = cli_json(storage, "keys", "destroy", "1")
    outputs["keys rotate-signing"] = cli_json(storage, "keys", "rotate-signing")
    outputs["keys verify"] = cli_json(storage, "keys", "verify", "--deep")
    outputs["citizens rekey"] = cli_json(storage, "citizens", "rekey", "--mobile", "+919811100005")
    outputs["documents revoke"] = cli_json(storage, "documents", "revoke", "in.gov.cowin-VACER-J1", "--reason", "Pushed in error")
    outputs["admin reset-credential"] = cli_json(storage, "admin", "reset-credential")
    outputs["issuers disable"] = cli_json(storage, "issuers", "disable", "--id", "in.gov.cowin")
    outputs["audit verify"] = cli_json(storage, "audit", "verify")
    outputs["audit checkpoint"] = cli_json(storage, "audit", "checkpoint")

    for name, value in outputs.items():
        assert typed_strings(value) == [], f"{name}: {json.dumps(value)}"
    assert outputs["audit verify"]["intact"] is True and isinstance(outputs["audit verify"]["entries"], int)
    assert outputs["issuers disable"]["disabled"] is True
    assert isinstance(outputs["audit checkpoint"]["seq"], int) and outputs["audit checkpoint"]["jws"].count(".") == 2
    assert outputs["partners list"][0]["confidential"] is True and "clientSecret" not in outputs["partners list"][0]
    assert isinstance(outputs["keys rotate-signing"]["retired"], list)
    assert outputs["keys destroy"] == {"destroyed": 1}
    assert outputs["citizens rekey"]["documents"] == 1
