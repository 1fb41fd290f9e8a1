"""lockerd over TLS (--tls-cert/--tls-key): HTTP/1.1 and HTTP/2 by ALPN, certificates swapped on
SIGHUP without dropping open connections, Secure portal cookies, and clear start-up failures.

Every certificate is made here with `cryptography`: a root CA, an intermediate, and server
certificates for 127.0.0.1 issued by the intermediate; the server's file holds the leaf and
then the intermediate (a chain), and clients trust only the root.
"""
import datetime
import http.client
import ipaddress
import json
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import LOCKERD, Lockerd
from locker_client import read_otps

MOBILE = "+919811122233"


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, subject_key, issuer, issuer_key, *, ca, path_length=None, leaf_for=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer.subject if issuer is not None else _name(subject))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = (
            builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(leaf_for)), x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate):
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write(path, data):
    temp = path + ".tmp"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


class PKI:
    """A root, an intermediate, and server certificates for 127.0.0.1 in files under `folder`."""

    def __init__(self, folder):
        self.folder = folder
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _certificate("Locker Test Root", self.root_key, None, self.root_key, ca=True)
        self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate = _certificate("Locker Test Intermediate", self.intermediate_key, self.root, self.root_key, ca=True, path_length=0)
        self.ca = os.path.join(folder, "ca.pem")
        self.cert = os.path.join(folder, "server.pem")
        self.key = os.path.join(folder, "server.key")
        _write(self.ca, _pem(self.root))

    def issue(self):
        """A new server key and certificate (a fresh serial) written over server.pem and server.key."""
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _certificate("127.0.0.1", key, self.intermediate, self.intermediate_key, ca=False, leaf_for="127.0.0.1")
        _write(self.key, _key_pem(key))
        _write(self.cert, _pem(leaf) + _pem(self.intermediate))
        return leaf.serial_number


@pytest.fixture
def pki(workdir):
    return PKI(workdir)


@pytest.fixture
def tls_lockerd(workdir, pki):
    serial = pki.issue()
    server = Lockerd(os.path.join(workdir, "Storage"), ["--tls-cert", pki.cert, "--tls-key", pki.key], ca=pki.ca).start()
    server.serial = serial
    yield server
    assert server.stop() == 0, "SIGTERM ends a TLS lockerd gracefully too"


def client_context(ca, alpn=("h2", "http/1.1")):
    context = ssl.create_default_context(cafile=ca)
    context.set_alpn_protocols(list(alpn))
    return context


def handshake(server, alpn=("h2", "http/1.1")):
    """A fresh TLS connection: (negotiated ALPN protocol, TLS version, the leaf's serial)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        with client_context(server.ca, alpn).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            serial = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True)).serial_number
            return tls.selected_alpn_protocol(), tls.version(), serial


def curl(server, *args):
    return subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", server.ca, *args],
                          capture_output=True, text=True, timeout=30)


def test_curl_speaks_http1_and_http2_with_the_ca(tls_lockerd):
    assert tls_lockerd.base.startswith("https://")
    plain = curl(tls_lockerd, tls_lockerd.base + "/healthz")
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == {"status": "ok"}
    for flag, version in [("--http2", "2"), ("--http1.1", "1.1")]:
        r = curl(tls_lockerd, flag, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", tls_lockerd.base + "/healthz")
        assert r.returncode == 0, r.stderr
        assert r.stdout == f"{version} 200", (flag, r.stdout)
    # Over HTTP/2 the middleware and bodies work as on HTTP/1.1: a JSON body, a problem+json 404, HEAD.
    otp = curl(tls_lockerd, "--http2", "-H", "Content-Type: application/json", "-d", json.dumps({"mobile": MOBILE}),
               "-w", "\n%{http_version} %{http_code}", tls_lockerd.base + "/v1/auth/otp")
    body, status = otp.stdout.rsplit("\n", 1)
    assert status == "2 202", otp.stdout
    assert json.loads(body)["challengeId"]
    missing = curl(tls_lockerd, "--http2", "-i", tls_lockerd.base + "/nope")
    assert missing.stdout.startswith("HTTP/2 404") and "application/problem+json" in missing.stdout
    head = curl(tls_lockerd, "--http2", "-I", tls_lockerd.base + "/openapi.yaml")
    assert head.stdout.startswith("HTTP/2 200"), head.stdout
    # The certificate is checked: without the CA, curl refuses it.
    unknown = subprocess.run(["curl", "-sS", "--max-time", "10", tls_lockerd.base + "/healthz"], capture_output=True, text=True, timeout=30)
    assert unknown.returncode != 0


def test_python_clients_verify_the_chain_and_alpn_prefers_h2(tls_lockerd):
    r = requests.get(tls_lockerd.base + "/healthz", verify=tls_lockerd.ca, timeout=10)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    protocol, version, serial = handshake(tls_lockerd)
    assert protocol == "h2"
    assert version in ("TLSv1.2", "TLSv1.3")
    assert serial == tls_lockerd.serial
    assert handshake(tls_lockerd, alpn=("http/1.1",))[0] == "http/1.1"


def test_plain_http_to_the_tls_port_gets_no_http_answer(tls_lockerd):
    with socket.create_connection(("127.0.0.1", tls_lockerd.port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        try:
            while chunk := s.recv(4096):
                received += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    assert not received.startswith(b"HTTP/"), received[:80]
    assert b"status" not in received
    with pytest.raises(requests.RequestException):
        requests.get(f"http://127.0.0.1:{tls_lockerd.port}/healthz", timeout=10)
    # The server goes on serving TLS.
    assert requests.get(tls_lockerd.base + "/healthz", verify=tls_lockerd.ca, timeout=10).status_code == 200


def wait_for(condition, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_sighup_swaps_the_certificate_and_keeps_open_connections(tls_lockerd, pki):
    old_serial = tls_lockerd.serial
    kept = http.client.HTTPSConnection("127.0.0.1", tls_lockerd.port, timeout=10, context=client_context(tls_lockerd.ca, ("http/1.1",)))
    kept.request("GET", "/healthz")
    assert kept.getresponse().read() == b'{"status":"ok"}'
    kept_socket = kept.sock

    new_serial = pki.issue()  # a new key as well as a new certificate
    assert new_serial != old_serial
    tls_lockerd.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: handshake(tls_lockerd)[2] == new_serial, what="new connections to get the new certificate")
    assert "TLS certificate reloaded" in tls_lockerd.read_log()

    # The connection opened before the SIGHUP is the same one, still on the old certificate, and still answers.
    for _ in range(3):
        kept.request("GET", "/healthz")
        assert kept.getresponse().read() == b'{"status":"ok"}'
    assert kept.sock is kept_socket
    assert x509.load_der_x509_certificate(kept.sock.getpeercert(binary_form=True)).serial_number == old_serial
    kept.close()

    # A bad file on the next SIGHUP is logged and the certificate in use stays.
    with open(pki.key, "wb") as f:
        f.write(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    tls_lockerd.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "TLS certificate not reloaded" in tls_lockerd.read_log(), what="the refused reload to be logged")
    assert pki.key in tls_lockerd.read_log()
    assert tls_lockerd.proc.poll() is None
    assert handshake(tls_lockerd)[2] == new_serial
    assert requests.get(tls_lockerd.base + "/healthz", verify=tls_lockerd.ca, timeout=10).status_code == 200


def test_portal_cookies_are_secure_and_the_public_url_is_https(tls_lockerd):
    session = requests.Session()
    ca = tls_lockerd.ca  # given with each request: REQUESTS_CA_BUNDLE in the environment would win over session.verify
    start = session.get(tls_lockerd.base + "/", verify=ca, timeout=10)
    assert start.status_code == 200
    pre = start.raw.headers.getlist("Set-Cookie")
    assert pre and all("; Secure" in c for c in pre), pre
    csrf = start.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    before = len(read_otps(tls_lockerd.storage, MOBILE))
    otp_page = session.post(tls_lockerd.base + "/portal/sign-in", data={"csrf": csrf, "mobile": MOBILE}, verify=ca, timeout=10)
    assert otp_page.status_code == 200, otp_page.text
    challenge = otp_page.text.split('name="challengeId" value="', 1)[1].split('"', 1)[0]
    wait_for(lambda: len(read_otps(tls_lockerd.storage, MOBILE)) > before, what="the OTP")
    otp = read_otps(tls_lockerd.storage, MOBILE)[-1]
    signed_in = session.post(tls_lockerd.base + "/portal/verify", data={"csrf": csrf, "challengeId": challenge, "otp": otp},
                             allow_redirects=False, verify=ca, timeout=10)
    assert signed_in.status_code == 303, signed_in.text
    cookie = [c for c in signed_in.raw.headers.getlist("Set-Cookie") if c.startswith("locker_session=")]
    assert len(cookie) == 1 and "; Secure" in cookie[0] and "HttpOnly" in cookie[0], cookie
    home = session.get(tls_lockerd.base + "/", verify=ca, timeout=10)
    assert home.status_code == 200 and "Sign out" in home.text
    # With TLS and no --public-url, Locker's public URL (the issuer of its metadata) is https.
    metadata = session.get(tls_lockerd.base + "/.well-known/oauth-authorization-server", verify=ca, timeout=10).json()
    assert metadata["issuer"] == tls_lockerd.base


def test_tls_files_from_the_environment(workdir, pki):
    serial = pki.issue()
    server = Lockerd(os.path.join(workdir, "Storage"), env={"LOCKER_TLS_CERT": pki.cert, "LOCKER_TLS_KEY": pki.key}, ca=pki.ca).start()
    try:
        assert handshake(server)[2] == serial
    finally:
        server.stop()


def run_lockerd(workdir, *args):
    storage = os.path.join(workdir, "S")
    result = subprocess.run([LOCKERD, "--port", "1", "--storage", storage, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("lockerd: error: ")
    assert not os.path.exists(storage), "nothing may be created before the TLS files are good"
    return lines[0]


def test_a_wrong_or_missing_tls_file_stops_lockerd_with_one_line(workdir, pki):
    pki.issue()
    other_key = os.path.join(workdir, "other.key")
    _write(other_key, _key_pem(ec.generate_private_key(ec.SECP256R1())))
    line = run_lockerd(workdir, "--tls-cert", pki.cert, "--tls-key", other_key)
    assert other_key in line and "does not belong" in line and pki.cert in line

    garbage = os.path.join(workdir, "garbage.key")
    _write(garbage, b"this is not a key\n")
    line = run_lockerd(workdir, "--tls-cert", pki.cert, "--tls-key", garbage)
    assert garbage in line and "private key" in line

    line = run_lockerd(workdir, "--tls-cert", pki.key, "--tls-key", pki.key)
    assert pki.key in line and "certificate" in line

    missing = os.path.join(workdir, "missing.pem")
    line = run_lockerd(workdir, "--tls-cert", missing, "--tls-key", pki.key)
    assert missing in line and "does not exist" in line

    assert "--tls-key" in run_lockerd(workdir, "--tls-cert", pki.cert)
    assert "--tls-cert" in run_lockerd(workdir, "--tls-key", pki.key)


def test_connection_caps_and_a_handshake_deadline_hold_under_tls(workdir, pki):
    pki.issue()
    server = Lockerd(os.path.join(workdir, "Storage"), ["--tls-cert", pki.cert, "--tls-key", pki.key,
                     "--max-connections-per-client", "3", "--header-timeout", "2"], ca=pki.ca).start()
    try:
        time.sleep(0.5)  # the health check's connection is gone
        silent = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(3)]
        time.sleep(0.3)
        # Over the cap: closed before the handshake, with nothing said.
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            handshake(server)
        # Connections that never shake hands are closed at the header deadline, and free their slots.
        started = time.monotonic()
        for s in silent:
            assert s.recv(1) == b""
            s.close()
        assert time.monotonic() - started < 5
        wait_for(lambda: handshake(server)[0] == "h2", what="a slot to be free again")
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_sighup_without_tls_is_logged_and_ignored(workdir):
    server = Lockerd(os.path.join(workdir, "Storage")).start()
    try:
        server.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "SIGHUP: nothing to reload" in server.read_log(), what="the SIGHUP to be logged")
        assert requests.get(server.base + "/healthz", timeout=10).status_code == 200
    finally:
        assert server.stop() == 0


def test_an_idle_http2_connection_is_closed_even_if_its_client_never_answers(workdir, pki):
    pki.issue()
    timeouts = [arg for name in ("idle", "header", "body", "send") for arg in (f"--{name}-timeout", "2")]
    server = Lockerd(os.path.join(workdir, "Storage"), ["--tls-cert", pki.cert, "--tls-key", pki.key, *timeouts], ca=pki.ca).start()
    try:
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=15)
        with client_context(server.ca, ("h2",)).wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.selected_alpn_protocol() == "h2"
            # The client preface and an empty SETTINGS frame; then it reads, and answers nothing
            # (not the server's SETTINGS, nor the PING that comes with the idle GOAWAY).
            tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            started = time.monotonic()
            while tls.recv(4096):
                pass
            assert time.monotonic() - started < 8
        assert server.proc.poll() is None
    finally:
        server.stop()
