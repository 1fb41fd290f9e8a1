"""Pull-through issuers (issue #18) from outside: DigiLocker Issuer API
Pull URI and Pull Doc requests against a stand-in issuer.

The stand-in is a small threaded http.server on a free loopback port that speaks the spec's XML.
It checks every request the way an issuer would (the `x-digilocker-hmac` header: Base64
HMAC-SHA256 of the raw body with the shared key; the `keyhash` attribute: hex SHA-256 of key + ts;
401 when either is wrong), parses it with xml.etree (requests carry no DTDs), records it, echoes
ts/txn and picks its answer by the UDF1 value the citizen typed (see `Handler.pull_uri`). For
Pull Doc it returns the bytes of a URI it issued, and can be switched to fail.

One lockerd (`--pull-timeout 2`) serves the module. A Status 9 ("pending") pull is made by an
early test and checked by a late one, so Locker's background retry (every minute at first)
overlaps the other tests. Runs against SQLite and, with LOCKER_TEST_BACKEND=postgres, PostgreSQL.
"""
import base64
import gzip
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from xml.sax.saxutils import quoteattr

import pytest
import requests

import locker_client as lc
from conftest import BACKEND, LOCKER_CLI, Lockerd, free_port

MOBILE_A = "+919822300001"
MOBILE_B = "+919822300002"
NAME_A = "Asha Verma"
ISSUER = "in.gov.pullme"
ISSUER_NAME = "Pull Board"
DOWN_ISSUER = "in.gov.pulldown"      # its pull URL is a closed port
WRONG_ISSUER = "in.gov.pullwrong"    # registered with another key than the stand-in checks
PUSH_ISSUER = "in.gov.cowin"         # push-only: not a pull issuer
PULL_TIMEOUT = 2
SLOW_SECONDS = 7                     # longer than --pull-timeout
FIELDS = [{"name": "UDF1", "label": "Beneficiary reference ID"}, {"name": "FullName", "label": "Name on the certificate"}]
PULLED = "/v1/pulled-documents"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def mac(key: str, body: bytes) -> str:
    return b64(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest())


def doc_id_for(udf1: str) -> str:
    """The issuer's document id for a reference: unrelated to the reference's text."""
    return "D" + hashlib.sha256(udf1.encode()).hexdigest()[:15].upper()


def marked_pdf(marker: bytes, size=24_000):
    head, tail = b"%PDF-1.7\n% " + marker + b"\n", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


# ---------------------------------------------------------------------------------------------
# The stand-in issuer
# ---------------------------------------------------------------------------------------------

class StandIn:
    """What the issuer knows and what it has seen."""

    def __init__(self, keys, phone10):
        self.keys = keys            # orgId -> the shared key the issuer checks against
        self.phone10 = phone10      # the citizen the issuer's records belong to
        self.lock = threading.Lock()
        self.requests = []          # every POST, parsed: dicts (see Handler.do_POST)
        self.probes = []            # every GET (an XXE fetch would land here)
        self.pending_seen = {}      # UDF1 -> how many times answered
        self.issued = {}            # URI -> PDF bytes
        self.markers = {}           # URI -> marker
        self.doc_mode = "ok"        # Pull Doc: ok | error | slow | badsig
        self.port = None
        self._huge = None

    # What the tests ask about
    def seen(self, kind=None, udf1=None, uri=None):
        with self.lock:
            rows = list(self.requests)
        return [r for r in rows if (kind is None or r["kind"] == kind)
                and (udf1 is None or r["fields"].get("UDF1") == udf1)
                and (uri is None or r["fields"].get("URI") == uri)]

    def pdf_for(self, org, udf1):
        uri = f"{org}-VACER-{doc_id_for(udf1)}"
        with self.lock:
            if uri not in self.issued:
                marker = ("PULL-MARKER-" + uuid.uuid4().hex).encode()
                self.markers[uri] = marker
                self.issued[uri] = marked_pdf(marker)
            return uri, self.issued[uri]

    def huge(self):
        if self._huge is None:
            self._huge = b"A" * (25 * 1024 * 1024)
        return self._huge


def person_xml(name=None, phone=None, dob="01-01-1990", gender="F"):
    attrs = ""
    if name is not None:
        attrs += f" name={quoteattr(name)}"
    attrs += f' dob="{dob}" gender="{gender}"'
    if phone is not None:
        attrs += f" phone={quoteattr(phone)}"
    return f"<IssuedTo><Persons><Person{attrs}/></Persons></IssuedTo>"


def uri_response(ts, txn, status, person="", uri=None, content=None, prolog="", data_content=True):
    details = ""
    if status == 1:
        details = "<DocDetails>" + person + f"<URI>{uri}</URI>"
        if content is not None:
            details += f"<DocContent>{content}</DocContent>"
        if data_content:
            details += "<DataContent>" + b64(b'<Certificate type="VACER"/>') + "</DataContent>"
        details += "</DocDetails>"
    return (prolog + f"<PullURIResponse><ResponseStatus Status=\"{status}\" ts={quoteattr(ts)} txn={quoteattr(txn)}>{status}"
            f"</ResponseStatus>{details}</PullURIResponse>").encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    issuer: StandIn = None

    def log_message(self, *args):
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send(self, status, body, content_type="application/xml", headers=()):
        self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        with self.issuer.lock:
            self.issuer.probes.append(self.path)
        self.send(404, b"nothing here", "text/plain")

    def do_POST(self):
        issuer = self.issuer
        body = self.read_body()
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                  "kind": None, "attrs": {}, "fields": {}, "children": [], "auth": None, "at": time.monotonic()}
        try:
            if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                raise ValueError("a DTD in a request")
            root = ET.fromstring(body)
        except (ET.ParseError, ValueError) as error:
            record["auth"] = f"unparsed: {error}"
            with issuer.lock:
                issuer.requests.append(record)
            return self.send(400, b"<Error>bad request</Error>")
        record["kind"] = root.tag
        record["attrs"] = dict(root.attrib)
        details = root.find("DocDetails")
        if details is not None:
            record["children"] = [child.tag for child in details]
            record["fields"] = {child.tag: (child.text or "") for child in details}
        org, ts, txn = root.get("orgId", ""), root.get("ts", ""), root.get("txn", "")
        key = issuer.keys.get(org)
        if key is None:
            record["auth"] = "unknown org"
        elif not hmac.compare_digest(self.headers.get("x-digilocker-hmac", ""), mac(key, body)):
            record["auth"] = "bad hmac"
        elif root.get("keyhash", "").lower() != hashlib.sha256((key + ts).encode("utf-8")).hexdigest():
            record["auth"] = "bad keyhash"
        else:
            record["auth"] = "ok"
        with issuer.lock:
            issuer.requests.append(record)
        if record["auth"] != "ok":
            return self.send(401, b"<Error>unauthorized</Error>")
        if root.tag == "PullURIRequest" and self.path == "/pull":
            return self.pull_uri(key, org, ts, txn, record["fields"])
        if root.tag == "PullDocRequest" and self.path == "/pull":
            return self.pull_doc(key, ts, txn, record["fields"])
        return self.send(404, b"<Error>unknown request</Error>")

    def signed(self, key, body):
        """An answer with the optional x-digilocker-hmac of its body."""
        self.send(200, body, headers=[("x-digilocker-hmac", mac(key, body))])

    def pull_uri(self, key, org, ts, txn, fields):
        issuer = self.issuer
        udf1 = fields.get("UDF1", "")
        mode = udf1.split("-", 1)[0]
        me = person_xml(NAME_A, issuer.phone10)

        def found(person=me, ts=ts, txn=txn, prolog=""):
            uri, pdf = issuer.pdf_for(org, udf1)
            return uri_response(ts, txn, 1, person, uri, b64(pdf), prolog)

        if mode == "OK":
            return self.signed(key, found())
        if mode == "NOSIG":              # a correct answer without the optional answer HMAC
            return self.send(200, found())
        if mode == "VARIANT":            # same person, written differently: spacing/case, country code
            return self.signed(key, found(person_xml("  asha   VERMA ", "91" + issuer.phone10)))
        if mode == "NAMEONLY":           # no phone; the name alone is compared
            return self.signed(key, found(person_xml(NAME_A, None)))
        if mode == "NAMEWRONG":          # the citizen's phone, another name
            return self.signed(key, found(person_xml("Ravi Kumar", issuer.phone10)))
        if mode == "PHONEWRONG":         # the citizen's name, another phone
            return self.signed(key, found(person_xml(NAME_A, "9000000001")))
        if mode == "NOPERSON":           # neither phone nor name to compare
            return self.signed(key, found(person_xml(None, None)))
        if mode == "PENDING":
            with issuer.lock:
                count = issuer.pending_seen.get(udf1, 0)
                issuer.pending_seen[udf1] = count + 1
            if count == 0:
                return self.signed(key, uri_response(ts, txn, 9))
            return self.send(200, found())
        if mode == "NONE":
            return self.signed(key, uri_response(ts, txn, 0))
        if mode == "MISMATCH":
            return self.signed(key, found(person_xml("Ravi Kumar", "9000000001", gender="M")))
        if mode == "SLOW":
            time.sleep(SLOW_SECONDS)
            return self.signed(key, found())
        if mode == "DRIP":               # headers at once, the body only after the timeout
            body = found()
            self.close_connection = True
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body[:40])
                self.wfile.flush()
                time.sleep(SLOW_SECONDS)
                self.wfile.write(body[40:])
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if mode == "XXE":
            prolog = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PullURIResponse [\n'
                      '  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
                      f'  <!ENTITY probe SYSTEM "http://127.0.0.1:{issuer.port}/xxe-probe">\n]>\n')
            body = (prolog + f'<PullURIResponse><ResponseStatus Status="1" ts={quoteattr(ts)} txn={quoteattr(txn)}>1</ResponseStatus>'
                    f'<DocDetails>{me}<URI>{org}-VACER-&xxe;&probe;</URI><DocContent>{b64(b"%PDF-1.7 xxe")}</DocContent>'
                    '</DocDetails></PullURIResponse>').encode()
            return self.signed(key, body)
        if mode == "BOMB":
            entities = '  <!ENTITY lol0 "lol">\n' + "".join(
                f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
            prolog = f'<?xml version="1.0"?>\n<!DOCTYPE PullURIResponse [\n{entities}]>\n'
            uri = f"{org}-VACER-{doc_id_for(udf1)}"
            body = (prolog + f'<PullURIResponse><ResponseStatus Status="1" ts={quoteattr(ts)} txn={quoteattr(txn)}>1</ResponseStatus>'
                    f'<DocDetails><IssuedTo><Persons><Person name="&lol9;" phone="{issuer.phone10}"/></Persons></IssuedTo>'
                    f'<URI>{uri}</URI><DocContent>{b64(b"%PDF-1.7 bomb")}</DocContent></DocDetails></PullURIResponse>').encode()
            return self.signed(key, body)
        if mode in ("HUGE", "HUGECHUNKED"):
            head = (f'<PullURIResponse><ResponseStatus Status="1" ts={quoteattr(ts)} txn={quoteattr(txn)}>1</ResponseStatus>'
                    f'<DocDetails>{me}<URI>{org}-VACER-{doc_id_for(udf1)}</URI><DocContent>').encode()
            tail = b"</DocContent></DocDetails></PullURIResponse>"
            filler = issuer.huge()
            self.close_connection = True
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                if mode == "HUGE":
                    self.send_header("Content-Length", str(len(head) + len(filler) + len(tail)))
                else:
                    self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                if mode == "HUGE":
                    self.wfile.write(head)
                    for i in range(0, len(filler), 1 << 20):
                        self.wfile.write(filler[i:i + (1 << 20)])
                    self.wfile.write(tail)
                else:
                    for piece in [head] + [filler[i:i + (1 << 20)] for i in range(0, len(filler), 1 << 20)] + [tail]:
                        self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if mode == "GZIPHUGE":           # 25 MB once inflated (Locker offers Accept-Encoding: gzip)
            head = (f'<PullURIResponse><ResponseStatus Status="1" ts={quoteattr(ts)} txn={quoteattr(txn)}>1</ResponseStatus>'
                    f'<DocDetails>{me}<URI>{org}-VACER-{doc_id_for(udf1)}</URI><DocContent>').encode()
            body = gzip.compress(head + issuer.huge() + b"</DocContent></DocDetails></PullURIResponse>", 6)
            return self.send(200, body, headers=[("Content-Encoding", "gzip")])
        if mode == "BADSIG":
            body = found()
            return self.send(200, body, headers=[("x-digilocker-hmac", mac(key + "-not-it", body))])
        if mode == "GARBAGE":
            return self.send(200, b"this is not XML at all <<< \x00\x01 >>>")
        if mode == "ECHO":               # a correct answer to another request
            return self.signed(key, found(ts="2020-01-01T00:00:00+05:30", txn="someone-else"))
        if mode == "REDIRECT":           # an HTTP answer other than 200: not followed
            self.close_connection = True
            self.send_response(307)
            self.send_header("Location", f"http://127.0.0.1:{issuer.port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        if mode == "ODDSTATUS":          # a Status the spec does not know
            return self.signed(key, found().replace(b'Status="1"', b'Status="7"'))
        if mode == "HTTP500":
            return self.send(500, b"<Error>internal error</Error>")
        if mode == "OTHERURI":           # a URI of another issuer
            _, pdf = issuer.pdf_for(org, udf1)
            return self.signed(key, uri_response(ts, txn, 1, me, f"in.gov.elsewhere-VACER-{doc_id_for(udf1)}", b64(pdf)))
        if mode == "OTHERTYPE":          # a URI of another document type than asked
            _, pdf = issuer.pdf_for(org, udf1)
            return self.signed(key, uri_response(ts, txn, 1, me, f"{org}-MARKS-{doc_id_for(udf1)}", b64(pdf)))
        return self.signed(key, uri_response(ts, txn, 0))

    def pull_doc(self, key, ts, txn, fields):
        issuer = self.issuer
        mode = issuer.doc_mode
        if mode == "error":
            return self.send(503, b"<Error>down for maintenance</Error>")
        if mode == "slow":
            time.sleep(SLOW_SECONDS)
        pdf = issuer.issued.get(fields.get("URI", ""))
        if pdf is None:
            body = f'<PullDocResponse><ResponseStatus Status="0" ts={quoteattr(ts)} txn={quoteattr(txn)}>0</ResponseStatus></PullDocResponse>'.encode()
        else:
            body = (f'<PullDocResponse><ResponseStatus Status="1" ts={quoteattr(ts)} txn={quoteattr(txn)}>1</ResponseStatus>'
                    f'<DocDetails><DocContent>{b64(pdf)}</DocContent></DocDetails></PullDocResponse>').encode()
        if mode == "badsig":
            return self.send(200, body, headers=[("x-digilocker-hmac", mac("not-the-key", body))])
        if mode == "echo":               # the right document, answering another request
            body = body.replace(f"txn={quoteattr(txn)}".encode(), b'txn="someone-else"')
        if mode == "garbage":
            body = b"<PullDocResponse><ResponseStatus Status="
        if mode == "xxe":
            body = (b'<?xml version="1.0"?>\n<!DOCTYPE PullDocResponse [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    + body.replace(b"</DocContent>", b"&xxe;</DocContent>"))
        if mode == "huge":
            body = body.replace(b"</DocContent>", b"A" * (25 * 1024 * 1024) + b"</DocContent>")
        return self.signed(key, body)


# ---------------------------------------------------------------------------------------------
# Module fixture: one lockerd, the stand-in, the issuers, two citizens
# ---------------------------------------------------------------------------------------------

class Env:
    pass


def cli(storage, *args, timeout=120):
    return subprocess.run([LOCKER_CLI, "--storage", storage, *args], capture_output=True, text=True, timeout=timeout)


def add_pull_issuer(env, issuer_id, name, url, key_file, *extra):
    args = ["issuers", "add", "--id", issuer_id, "--name", name, "--pull-url", url, "--pull-doc-types", "VACER",
            "--pull-key-file", key_file]
    for field in FIELDS:
        args += ["--pull-field", f"{field['name']}={field['label']}"]
    return cli(env.storage, *args, *extra, "--json")


@pytest.fixture(scope="module")
def env():
    workdir = tempfile.mkdtemp(prefix="locker-pull-")
    e = Env()
    e.workdir = workdir
    e.key = "pull-shared-" + uuid.uuid4().hex
    e.wrong_key = "pull-other-" + uuid.uuid4().hex
    e.issuer = StandIn({ISSUER: e.key, WRONG_ISSUER: e.key}, MOBILE_A[-10:])
    handler = type("BoundHandler", (Handler,), {"issuer": e.issuer})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    e.issuer.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    e.pull_url = f"http://127.0.0.1:{e.issuer.port}/pull"
    server = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--pull-timeout", str(PULL_TIMEOUT)]).start()
    try:
        e.server, e.base, e.storage = server, server.base, server.storage
        e.key_file = os.path.join(workdir, "pull.key")
        with open(e.key_file, "w") as f:
            f.write(e.key + "\n")  # the CLI trims the text
        os.chmod(e.key_file, 0o600)
        wrong_file = os.path.join(workdir, "wrong.key")
        with open(wrong_file, "w") as f:
            f.write(e.wrong_key)
        e.added = add_pull_issuer(e, ISSUER, ISSUER_NAME, e.pull_url, e.key_file)
        assert e.added.returncode == 0, e.added.stderr
        down = add_pull_issuer(e, DOWN_ISSUER, "Down Board", f"http://127.0.0.1:{free_port()}/pull", e.key_file)
        assert down.returncode == 0, down.stderr
        wrong = add_pull_issuer(e, WRONG_ISSUER, "Wrong Key Board", e.pull_url, wrong_file)
        assert wrong.returncode == 0, wrong.stderr
        _, pem = lc.make_issuer_key()
        pem_path = os.path.join(workdir, "cowin.pub")
        with open(pem_path, "wb") as f:
            f.write(pem)
        lc.register_issuer(LOCKER_CLI, e.storage, PUSH_ISSUER, "CoWIN", pem_path, doc_types="VACER")
        e.session_a = lc.sign_in(e.base, e.storage, MOBILE_A)
        e.session_b = lc.sign_in(e.base, e.storage, MOBILE_B)
        e.issued_docs = []      # (record, udf1) of every document pulled for citizen A
        e.pending = None
        yield e
    finally:
        httpd.shutdown()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def pull(env, udf1, session=None, issuer=ISSUER, doc_type="VACER", fields=None, timeout=60):
    if fields is None:
        fields = {"FullName": NAME_A, "UDF1": udf1}
    return requests.post(env.base + PULLED, json={"issuerId": issuer, "docType": doc_type, "fields": fields},
                         headers=lc.bearer(session or env.session_a), timeout=timeout)


def listed(env, session=None):
    r = requests.get(env.base + PULLED, headers=lc.bearer(session or env.session_a), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["documents"]


def listed_ids(env, session=None):
    return {d["id"] for d in listed(env, session)}


def content(env, doc_id, session=None, timeout=30):
    return requests.get(f"{env.base}{PULLED}/{doc_id}/content", headers=lc.bearer(session or env.session_a), timeout=timeout)


def assert_problem(r, status, slug, retry_after=False):
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert r.headers.get("Content-Type", "").startswith("application/problem+json"), r.headers
    body = r.json()
    assert body["type"] == f"/problems/{slug}" and body["status"] == status, body
    if retry_after:
        value = r.headers.get("Retry-After", "")
        assert value.strip().isdigit() and int(value) >= 1, f"Retry-After: {value!r}"
    return body


def assert_document(record, status, uri=None):
    for name in ("id", "issuerId", "issuerName", "docType", "uri", "status", "createdAt", "updatedAt"):
        assert name in record, (name, record)
    assert len(record["id"]) == 32 and all(c in "0123456789abcdef" for c in record["id"]), record
    assert record["issuerId"] == ISSUER and record["issuerName"] == ISSUER_NAME and record["docType"] == "VACER", record
    assert record["status"] == status, record
    if status == "pending":
        assert record["uri"] is None, record
    else:
        assert record["uri"] == uri, record
    for stamp in ("createdAt", "updatedAt"):
        datetime.fromisoformat(record[stamp].replace("Z", "+00:00"))


def expected_uri(udf1):
    return f"{ISSUER}-VACER-{doc_id_for(udf1)}"


def check_request(rec, kind, env, org=ISSUER):
    """A request Locker sent, as the spec words it."""
    assert rec["auth"] == "ok", rec["auth"]
    assert rec["kind"] == kind
    assert rec["headers"].get("content-type", "").split(";")[0].strip().lower() == "application/xml", rec["headers"]
    attrs = rec["attrs"]
    assert attrs.get("ver") == "1.0" and attrs.get("orgId") == org and attrs.get("format") == "pdf", attrs
    assert attrs.get("txn"), attrs
    ts = datetime.fromisoformat(attrs["ts"])
    assert ts.tzinfo is not None and abs((ts - datetime.now(timezone.utc)).total_seconds()) < 600, attrs["ts"]
    assert b"<!DOCTYPE" not in rec["body"] and b"<!ENTITY" not in rec["body"]


def files_under(folder):
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                try:
                    with open(path, "rb") as f:
                        yield path, f.read()
                except OSError:
                    continue


def at_rest_secrets(env, udf1s):
    """What must not be found at rest: each document's marker, a stretch of its bytes (raw and as
    Base64, as the issuer sent it) and the citizen's search values."""
    secrets = []
    with env.issuer.lock:
        issued = dict(env.issuer.issued)
    for uri, pdf in issued.items():
        secrets += [env.issuer.markers[uri], pdf[6000:6048], b64(pdf)[12000:12064].encode()]
    secrets += [u.encode() for u in udf1s]
    return secrets


def assert_nothing_at_rest(env, secrets):
    for path, data in files_under(env.storage):
        for secret in secrets:
            assert secret not in data, (path, secret[:32])
    if BACKEND == "postgres":
        import pg
        from conftest import postgres_for, postgres_server
        url, _ = postgres_for(env.storage)
        dump = pg._as_pg([pg._bin("pg_dump"), "--data-only", "-d", url]).stdout.encode()
        for secret in secrets:
            for form in (secret, secret.hex().encode()):
                assert form not in dump, ("pg_dump", secret[:32])
        for path, data in files_under(postgres_server().data):  # the heap, TOAST and WAL files
            for secret in secrets:
                assert secret not in data, (path, secret[:32])


# ---------------------------------------------------------------------------------------------
# Tests (in file order; they share the module's lockerd)
# ---------------------------------------------------------------------------------------------

def test_cli_registers_pull_issuers(env):
    report = json.loads(env.added.stdout)
    assert report == {"id": ISSUER, "name": ISSUER_NAME, "pullURL": env.pull_url, "pullDocTypes": ["VACER"],
                      "pullFields": FIELDS}, report
    assert env.key not in env.added.stdout and env.key not in env.added.stderr
    out = cli(env.storage, "issuers", "list", "--json")
    assert out.returncode == 0, out.stderr
    rows = {row["id"]: row for row in json.loads(out.stdout)}
    for issuer_id in (ISSUER, DOWN_ISSUER, WRONG_ISSUER):
        assert rows[issuer_id].get("pull") is True, rows[issuer_id]
    assert env.key not in out.stdout and env.wrong_key not in out.stdout
    # Refused registrations change nothing.
    bad_field = cli(env.storage, "issuers", "add", "--id", "in.gov.badfield", "--name", "Bad", "--pull-url", env.pull_url,
                    "--pull-doc-types", "VACER", "--pull-key-file", env.key_file, "--pull-field", "UDF9=Nine", "--json")
    assert bad_field.returncode != 0
    no_key = cli(env.storage, "issuers", "add", "--id", "in.gov.nokey", "--name", "No Key", "--pull-url", env.pull_url,
                 "--pull-doc-types", "VACER", "--pull-field", "UDF1=Reference", "--json")
    assert no_key.returncode != 0
    rows = {row["id"] for row in json.loads(cli(env.storage, "issuers", "list", "--json").stdout)}
    assert "in.gov.badfield" not in rows and "in.gov.nokey" not in rows
    # The key file's content is kept sealed: not in plaintext at rest.
    assert_nothing_at_rest(env, [env.key.encode(), env.wrong_key.encode()])


def test_pending_pull_is_accepted(env):
    """Status 9: 202 pending; the request is retried in the background (checked at the end)."""
    udf1 = "PENDING-" + uuid.uuid4().hex
    r = pull(env, udf1)
    assert r.status_code == 202, r.text
    record = r.json()
    assert_document(record, "pending")
    env.pending = (record, udf1, time.monotonic())
    assert record["id"] in {d["id"] for d in listed(env) if d["status"] == "pending"}
    assert_problem(content(env, record["id"]), 409, "pending")
    first = env.issuer.seen("PullURIRequest", udf1=udf1)
    assert len(first) == 1
    check_request(first[0], "PullURIRequest", env)


def test_pull_issuers_listed_for_citizens(env):
    r = requests.get(env.base + "/v1/pull-issuers", headers=lc.bearer(env.session_a), timeout=10)
    assert r.status_code == 200, r.text
    issuers = {i["id"]: i for i in r.json()["issuers"]}
    assert set(issuers) == {ISSUER, DOWN_ISSUER, WRONG_ISSUER}, issuers  # not the push-only issuer
    mine = issuers[ISSUER]
    assert mine["name"] == ISSUER_NAME and mine["docTypes"] == ["VACER"], mine
    assert sorted(mine["fields"], key=lambda f: f["name"]) == sorted(FIELDS, key=lambda f: f["name"]), mine
    assert env.key not in r.text and env.pull_url not in r.text
    assert requests.get(env.base + "/v1/pull-issuers", timeout=10).status_code == 401


def test_pull_list_download_and_nothing_at_rest(env):
    udf1s = ["OK-" + uuid.uuid4().hex, "OK-" + uuid.uuid4().hex]
    records = []
    for n, udf1 in enumerate(udf1s):
        if n:
            time.sleep(1.1)  # distinct createdAt for "newest first"
        r = pull(env, udf1)
        assert r.status_code == 201, r.text
        record = r.json()
        assert_document(record, "issued", expected_uri(udf1))
        assert record["id"] in r.headers.get("Location", ""), r.headers
        records.append(record)
        env.issued_docs.append((record, udf1))

    # What the issuer got: one Pull URI request each, as the spec words it.
    sent = env.issuer.seen("PullURIRequest", udf1=udf1s[0])
    assert len(sent) == 1
    check_request(sent[0], "PullURIRequest", env)
    fields = sent[0]["fields"]
    assert set(sent[0]["children"]) == {"DocType", "DigiLockerId", "FullName", "MobileNo", "UDF1"}, sent[0]["children"]
    assert fields["DocType"] == "VACER" and fields["FullName"] == NAME_A and fields["UDF1"] == udf1s[0]
    assert fields["MobileNo"] == MOBILE_A[-10:] and fields["DigiLockerId"], fields
    citizen = fields["DigiLockerId"]
    txns = [r["attrs"]["txn"] for r in env.issuer.seen("PullURIRequest")]
    assert len(txns) == len(set(txns)), "a txn was used twice"

    # The list: newest first, the same shape.
    docs = listed(env)
    positions = [[d["id"] for d in docs].index(rec["id"]) for rec in records]
    assert positions[1] < positions[0], docs
    for rec, udf1 in zip(records, udf1s):
        shown = next(d for d in docs if d["id"] == rec["id"])
        assert_document(shown, "issued", expected_uri(udf1))

    # Downloads: byte-identical, no-store, and every one fetched from the issuer again.
    record, udf1 = records[0], udf1s[0]
    pdf = env.issuer.issued[record["uri"]]
    before = len(env.issuer.seen("PullDocRequest", uri=record["uri"]))
    events_before = requests.get(env.base + "/v1/activity?limit=200", headers=lc.bearer(env.session_a), timeout=10).json()["events"]
    pulled_before = len([e for e in events_before if e["action"] == "document.pulled"])
    for n in range(3):
        r = content(env, record["id"])
        assert r.status_code == 200, r.text[:300]
        assert r.content == pdf
        assert r.headers["Content-Type"].split(";")[0] == "application/pdf"
        assert r.headers.get("Cache-Control") == "no-store", r.headers
        assert r.headers.get("Content-Disposition") == f'attachment; filename="VACER-{doc_id_for(udf1)}.pdf"', r.headers
        docs_sent = env.issuer.seen("PullDocRequest", uri=record["uri"])
        assert len(docs_sent) == before + n + 1, "a download was not fetched from the issuer"
        check_request(docs_sent[-1], "PullDocRequest", env)
        assert docs_sent[-1]["fields"]["DigiLockerId"] == citizen
    assert content(env, records[1]["id"]).content == env.issuer.issued[records[1]["uri"]]

    # Activity: each download audited as document.pulled, naming the issuer; the portal says so too.
    events = requests.get(env.base + "/v1/activity?limit=200", headers=lc.bearer(env.session_a), timeout=10).json()["events"]
    pulled = [e for e in events if e["action"] == "document.pulled"]
    assert len(pulled) == pulled_before + 4, [e["action"] for e in events]
    assert all(ISSUER in json.dumps(e) or ISSUER_NAME in json.dumps(e) for e in pulled), pulled
    page = requests.get(env.base + "/", cookies={"locker_session": env.session_a}, timeout=10)
    assert page.status_code == 200
    assert f"fetched from {ISSUER_NAME}" in page.text, page.text[-3000:]
    for issuer_id in (ISSUER, DOWN_ISSUER, WRONG_ISSUER):  # one form per pull issuer and doc type
        assert f'name="issuerId" value="{issuer_id}"' in page.text, issuer_id

    # Nothing of the documents at rest: no marker, no stretch of the bytes, not the reference typed
    # (nor the pending one's, which Locker keeps sealed).
    assert_nothing_at_rest(env, at_rest_secrets(env, udf1s + ([env.pending[1]] if env.pending else [])))
    log = env.server.read_log()
    for uri, marker in env.issuer.markers.items():
        assert marker.decode() not in log


def test_person_matching_variants_accepted(env):
    for prefix in ("VARIANT", "NAMEONLY", "NOSIG"):
        udf1 = f"{prefix}-{uuid.uuid4().hex}"
        r = pull(env, udf1)
        assert r.status_code == 201, (prefix, r.status_code, r.text)
        assert_document(r.json(), "issued", expected_uri(udf1))
        env.issued_docs.append((r.json(), udf1))


def test_field_values_are_escaped_in_the_xml(env):
    """Values may hold XML's own characters: they reach the issuer as typed, not as markup."""
    udf1 = "OK-" + uuid.uuid4().hex[:8] + "</UDF1><DocType>MARKS</DocType><UDF1>&amp;\"'"
    r = pull(env, udf1)
    assert r.status_code == 201, r.text
    sent = env.issuer.seen("PullURIRequest", udf1=udf1)
    assert len(sent) == 1, [x["fields"] for x in env.issuer.seen("PullURIRequest")[-1:]]
    assert sent[0]["children"].count("DocType") == 1 and sent[0]["fields"]["DocType"] == "VACER"
    env.issued_docs.append((r.json(), udf1))


# (UDF1 mode, issuer, status, problem slug, Retry-After expected, reaches the stand-in)
REFUSALS = [
    ("NONE", ISSUER, 404, "not-at-issuer", False, True),
    ("MISMATCH", ISSUER, 422, "person-mismatch", False, True),
    ("NAMEWRONG", ISSUER, 422, "person-mismatch", False, True),
    ("PHONEWRONG", ISSUER, 422, "person-mismatch", False, True),
    ("NOPERSON", ISSUER, 422, "person-mismatch", False, True),
    ("SLOW", ISSUER, 504, "issuer-timeout", True, True),
    ("DRIP", ISSUER, 504, "issuer-timeout", True, True),
    ("XXE", ISSUER, 502, "issuer-failed", True, True),
    ("BOMB", ISSUER, 502, "issuer-failed", True, True),
    ("HUGE", ISSUER, 502, "issuer-failed", True, True),
    ("HUGECHUNKED", ISSUER, 502, "issuer-failed", True, True),
    ("GZIPHUGE", ISSUER, 502, "issuer-failed", True, True),
    ("BADSIG", ISSUER, 502, "issuer-failed", True, True),
    ("GARBAGE", ISSUER, 502, "issuer-failed", True, True),
    ("ECHO", ISSUER, 502, "issuer-failed", True, True),
    ("HTTP500", ISSUER, 502, "issuer-failed", True, True),
    ("REDIRECT", ISSUER, 502, "issuer-failed", True, True),
    ("ODDSTATUS", ISSUER, 502, "issuer-failed", True, True),
    ("OK", DOWN_ISSUER, 502, "issuer-failed", True, False),
    ("OK", WRONG_ISSUER, 502, "issuer-failed", True, True),
]


@pytest.mark.parametrize("mode,issuer,status,slug,retry_after,reaches", REFUSALS,
                         ids=[f"{m}-{i.split('.')[-1]}" for m, i, *_ in REFUSALS])
def test_refusals_add_nothing(env, mode, issuer, status, slug, retry_after, reaches):
    udf1 = f"{mode}-{uuid.uuid4().hex}"
    before = listed_ids(env)
    started = time.monotonic()
    r = pull(env, udf1, issuer=issuer)
    elapsed = time.monotonic() - started
    assert_problem(r, status, slug, retry_after)
    if status == 504 or mode in ("HUGE", "HUGECHUNKED", "GZIPHUGE"):
        assert elapsed < PULL_TIMEOUT + 3.5, f"answered after {elapsed:.1f} s with --pull-timeout {PULL_TIMEOUT}"
    assert listed_ids(env) - before == set(), "a refused pull was added to the list"
    got = env.issuer.seen("PullURIRequest", udf1=udf1)
    if reaches:
        assert got, "the stand-in issuer never got the request"
        assert got[0]["auth"] == ("bad hmac" if issuer == WRONG_ISSUER else "ok"), got[0]["auth"]
    if mode == "REDIRECT":
        assert env.issuer.seen() and not [r for r in env.issuer.seen() if r["path"] != "/pull"], "Locker followed the redirect"
    if mode == "XXE":
        assert env.issuer.probes == [], "Locker fetched an external entity"
        assert "root:" not in r.text


@pytest.mark.parametrize("mode", ["OTHERURI", "OTHERTYPE"])
def test_uri_of_another_issuer_or_type_refused(env, mode):
    """The spec says Locker checks the URI's form; which problem it is, it leaves open."""
    udf1 = f"{mode}-{uuid.uuid4().hex}"
    before = listed_ids(env)
    r = pull(env, udf1)
    assert r.status_code in (422, 502), (r.status_code, r.text)
    assert r.headers.get("Content-Type", "").startswith("application/problem+json")
    assert listed_ids(env) - before == set()


def test_unknown_issuer_doc_type_and_bad_fields(env):
    before_ids, before_requests = listed_ids(env), len(env.issuer.seen())
    for issuer, doc_type in (("in.gov.nobody", "VACER"), (ISSUER, "MARKS"), (PUSH_ISSUER, "VACER")):
        assert_problem(pull(env, "OK-" + uuid.uuid4().hex, issuer=issuer, doc_type=doc_type), 404, "not-found")
    bad_fields = [
        {"FullName": NAME_A},                                                # UDF1 missing
        {"FullName": NAME_A, "UDF1": "OK-" + uuid.uuid4().hex, "UDF2": "x"},  # not a field of this issuer
        {"FullName": NAME_A, "UDF1": "OK-" + uuid.uuid4().hex, "Foo": "x"},   # not a field at all
        {"FullName": NAME_A, "UDF1": "OK-" + "x" * 98},                       # 101 characters
        {"FullName": NAME_A, "UDF1": "OK-abc\u0007def"},                      # a control character
        {"FullName": NAME_A, "UDF1": "OK-abc\ndef"},
    ]
    for fields in bad_fields:
        assert_problem(pull(env, None, fields=fields), 400, "bad-request")
    assert listed_ids(env) == before_ids
    assert len(env.issuer.seen()) == before_requests, "a refused request reached the issuer"


def test_unknown_id_and_no_session(env):
    unknown = uuid.uuid4().hex
    assert_problem(content(env, unknown), 404, "not-found")
    r = requests.delete(f"{env.base}{PULLED}/{unknown}", headers=lc.bearer(env.session_a), timeout=10)
    assert_problem(r, 404, "not-found")
    before = len(env.issuer.seen())
    r = requests.post(env.base + PULLED, json={"issuerId": ISSUER, "docType": "VACER",
                                               "fields": {"FullName": NAME_A, "UDF1": "OK-" + uuid.uuid4().hex}}, timeout=10)
    assert_problem(r, 401, "unauthorized")
    assert requests.get(env.base + PULLED, timeout=10).status_code == 401
    assert requests.get(f"{env.base}{PULLED}/{env.issued_docs[0][0]['id']}/content", timeout=10).status_code == 401
    assert len(env.issuer.seen()) == before


def test_another_citizens_pulled_document_is_not_found(env):
    record, _ = env.issued_docs[0]
    before = len(env.issuer.seen("PullDocRequest"))
    assert record["id"] not in listed_ids(env, env.session_b)
    assert_problem(content(env, record["id"], env.session_b), 404, "not-found")
    r = requests.delete(f"{env.base}{PULLED}/{record['id']}", headers=lc.bearer(env.session_b), timeout=10)
    assert_problem(r, 404, "not-found")
    assert len(env.issuer.seen("PullDocRequest")) == before, "another citizen's download reached the issuer"
    assert record["id"] in listed_ids(env)
    # Citizen B is another person to the issuer: their own request carries their own id and mobile.
    udf1 = "NONE-" + uuid.uuid4().hex
    assert_problem(pull(env, udf1, session=env.session_b), 404, "not-at-issuer")
    sent = env.issuer.seen("PullURIRequest", udf1=udf1)[0]["fields"]
    assert sent["MobileNo"] == MOBILE_B[-10:]
    mine = env.issuer.seen("PullURIRequest", udf1=env.issued_docs[0][1])[0]["fields"]
    assert sent["DigiLockerId"] != mine["DigiLockerId"]
    assert listed(env, env.session_b) == []


def test_duplicate_pull_conflicts_and_delete(env):
    udf1 = "OK-" + uuid.uuid4().hex
    r = pull(env, udf1)
    assert r.status_code == 201, r.text
    record = r.json()
    assert_problem(pull(env, udf1), 409, "conflict")
    assert [d["id"] for d in listed(env) if d["uri"] == record["uri"]] == [record["id"]]

    r = requests.delete(f"{env.base}{PULLED}/{record['id']}", headers=lc.bearer(env.session_a), timeout=10)
    assert r.status_code == 204, r.text
    assert record["id"] not in listed_ids(env)
    assert_problem(content(env, record["id"]), 404, "not-found")
    r = requests.delete(f"{env.base}{PULLED}/{record['id']}", headers=lc.bearer(env.session_a), timeout=10)
    assert_problem(r, 404, "not-found")
    # Gone from the list, the same URI may be pulled again.
    again = pull(env, udf1)
    assert again.status_code == 201, again.text
    assert again.json()["uri"] == record["uri"]
    env.issued_docs.append((again.json(), udf1))


@pytest.mark.parametrize("mode,status,slug", [("error", 502, "issuer-failed"), ("badsig", 502, "issuer-failed"),
                                              ("echo", 502, "issuer-failed"), ("garbage", 502, "issuer-failed"),
                                              ("xxe", 502, "issuer-failed"), ("huge", 502, "issuer-failed"),
                                              ("slow", 504, "issuer-timeout")])
def test_download_while_issuer_fails(env, mode, status, slug):
    record, _ = env.issued_docs[0]
    before = len(env.issuer.seen("PullDocRequest", uri=record["uri"]))
    env.issuer.doc_mode = mode
    try:
        started = time.monotonic()
        r = content(env, record["id"])
        elapsed = time.monotonic() - started
    finally:
        env.issuer.doc_mode = "ok"
    assert_problem(r, status, slug, retry_after=True)
    assert elapsed < PULL_TIMEOUT + 3.5, elapsed
    assert len(env.issuer.seen("PullDocRequest", uri=record["uri"])) == before + 1
    r = content(env, record["id"])
    assert r.status_code == 200 and r.content == env.issuer.issued[record["uri"]]


def test_pending_pull_becomes_issued(env):
    if env.pending is None:
        pytest.skip("the pending pull was not accepted")
    record, udf1, posted = env.pending
    deadline = posted + 90
    shown = None
    while time.monotonic() < deadline:
        shown = next((d for d in listed(env) if d["id"] == record["id"]), None)
        assert shown is not None, "the pending document left the list"
        if shown["status"] == "issued":
            break
        time.sleep(2)
    assert shown and shown["status"] == "issued", f"still {shown} 90 s after the pull"
    assert_document(shown, "issued", expected_uri(udf1))
    tries = env.issuer.seen("PullURIRequest", udf1=udf1)
    assert len(tries) >= 2
    for rec in tries:
        check_request(rec, "PullURIRequest", env)
        assert rec["fields"]["UDF1"] == udf1 and rec["fields"]["FullName"] == NAME_A
    assert len({rec["attrs"]["txn"] for rec in tries}) == len(tries)
    r = content(env, record["id"])
    assert r.status_code == 200 and r.content == env.issuer.issued[shown["uri"]]
    env.issued_docs.append((shown, udf1))


def test_nothing_at_rest_and_audit_intact(env):
    udf1s = [udf1 for _, udf1 in env.issued_docs]
    if env.pending is not None:
        udf1s.append(env.pending[1])
    assert_nothing_at_rest(env, at_rest_secrets(env, udf1s))
    out = cli(env.storage, "audit", "verify", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["intact"] is True
