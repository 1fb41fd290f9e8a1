"""The SMS port pointed at an HTTP gateway (a party outside Locker, so a stand-in is fair)."""
import http.server
import json
import os
import re
import threading

import pytest
import requests

from conftest import Lockerd, free_port


class Gateway:
    """A loopback HTTP server that records POSTed messages, or refuses them."""

    def __init__(self, status=200, location=None):
        self.messages = []
        self.paths = []
        self.status = status
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                gateway.paths.append(self.path)
                gateway.messages.append((self.headers.get("Content-Type"), json.loads(self.rfile.read(length))))
                # Only the configured path answers with the configured status (a redirect, say);
                # anywhere else accepts, so a followed redirect would look like a success.
                self.send_response(gateway.status if self.path == "/sms" else 200)
                if location and self.path == "/sms":
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # where a client following a 301/302/303 would go next
                gateway.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_otp_goes_to_the_configured_gateway_and_not_the_outbox(workdir):
    gateway = Gateway()
    server = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--sms-gateway-url", gateway.url]).start()
    try:
        r = requests.post(server.base + "/v1/auth/otp", json={"mobile": "+919812300000"}, timeout=10)
        assert r.status_code == 202
        assert len(gateway.messages) == 1
        content_type, message = gateway.messages[0]
        assert content_type == "application/json"
        assert message["to"] == "+919812300000"
        otp = re.search(r"\d{6}", message["text"]).group(0)
        t = requests.post(server.base + "/v1/auth/token", json={"challengeId": r.json()["challengeId"], "otp": otp}, timeout=10)
        assert t.status_code == 200
        assert not os.path.exists(os.path.join(server.storage, "outbox", "sms.jsonl"))
    finally:
        server.stop()
        gateway.close()


def test_a_refusing_gateway_gives_503_not_a_silent_success(workdir):
    gateway = Gateway(status=500)
    server = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--sms-gateway-url", gateway.url]).start()
    try:
        r = requests.post(server.base + "/v1/auth/otp", json={"mobile": "+919812300000"}, timeout=20)
        assert r.status_code == 503
        assert r.json()["type"] == "/problems/sms-unavailable"
    finally:
        server.stop()
        gateway.close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirecting_gateway_is_a_failed_send_and_is_not_followed(workdir, status):
    gateway = Gateway(status=status, location="/elsewhere")
    server = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--sms-gateway-url", gateway.url]).start()
    try:
        r = requests.post(server.base + "/v1/auth/otp", json={"mobile": "+919812300000"}, timeout=20)
        assert r.status_code == 503
        assert r.json()["type"] == "/problems/sms-unavailable"
        assert gateway.paths == ["/sms"], "the OTP went on to the redirect target"
    finally:
        server.stop()
        gateway.close()
