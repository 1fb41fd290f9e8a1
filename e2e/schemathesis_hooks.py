"""Schemathesis hooks for e2e/test_schemathesis.py, loaded through its config file's `hooks`.

A push needs a real Ed25519 signature and its parts in the contract's order, neither of which an
OpenAPI schema can say. So for every *positive* generated push this hook puts the parts in order,
addresses it to the signed-in test citizen (so the object-level checks can read it back), moves an
`issuedOn` after today to today (a rule that depends on the clock, outside any schema) and signs
exactly the bytes Schemathesis will send. Negative cases are left alone. The server must then
accept every schema-valid push: a 400 or 422 there is a contract mismatch, not noise.
"""
import datetime
import json
import os
import sys

import schemathesis
from cryptography.hazmat.primitives.serialization import load_pem_private_key

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from locker_client import push_signature  # noqa: E402

with open(os.environ["LOCKER_ISSUER_PRIVATE_KEY"], "rb") as _f:
    _KEY = load_pem_private_key(_f.read(), password=None)
_MOBILE = os.environ["LOCKER_CITIZEN_MOBILE"]
_PARTS = ("metadata", "content", "signature")


def _wire_bytes(value):
    """The bytes Schemathesis 4 sends for a string-like multipart value."""
    if isinstance(value, bytes):
        return value
    data = getattr(value, "data", None)  # schemathesis' Binary (a str subclass holding bytes)
    if isinstance(data, bytes):
        return data
    return str(value).encode("utf-8")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() != "POST" or case.operation.path != "/v1/issuer/documents":
        return
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    body = case.body
    if not isinstance(body, dict) or set(body) != set(_PARTS) or not isinstance(body["metadata"], dict):
        return
    metadata = dict(body["metadata"], mobile=_MOBILE)
    # "Not after tomorrow (UTC)" depends on the clock, which no schema can say: a later date is
    # moved to today.
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    if isinstance(metadata.get("issuedOn"), str) and metadata["issuedOn"] > today:
        metadata["issuedOn"] = today
    content = body["content"]
    if not isinstance(content, str) or hasattr(content, "data"):
        # Raw bytes (e.g. a sample file) would mark the edited case invalid; send them as text instead.
        content = _wire_bytes(content).decode("latin-1")
    part_types = dict(case.multipart_content_types or {})
    if part_types.get("content", "application/pdf").startswith("application/json") and isinstance(content, str):
        content = json.dumps(content)  # a JSON document, as the part's type promises
    # Schemathesis serializes an application/json part with plain json.dumps(value).
    signature = push_signature(_KEY, json.dumps(metadata).encode("utf-8"), _wire_bytes(content))
    case.body = {"metadata": metadata, "content": content, "signature": signature}
