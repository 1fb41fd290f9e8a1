"""`--trusted-proxy`: behind a proxy it names, X-Forwarded-For gives the client address the
per-client limits count; from anyone else the header is ignored, so a client cannot choose the
address it is counted under."""
import os
import subprocess

import requests

from conftest import LOCKERD, Lockerd


def ask_code(node, mobile, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return requests.post(node.base + "/v1/auth/otp", json={"mobile": mobile}, headers=headers, timeout=10).status_code


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(workdir):
    node = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--trusted-proxy", "127.0.0.1,10.0.0.0/8", "--otp-per-client-per-hour", "3"]).start()
    try:
        assert [ask_code(node, f"+91985550100{i}", "203.0.113.7") for i in range(3)] == [202, 202, 202]
        assert ask_code(node, "+919855501009", "203.0.113.7") == 429
        # Another client behind the same proxy has its own count.
        assert ask_code(node, "+919855501010", "203.0.113.8") == 202
        # Prepending a made-up address does not escape: the right-most untrusted hop counts.
        assert ask_code(node, "+919855501011", "198.51.100.1, 203.0.113.7") == 429
        # A trusted proxy in the chain is skipped.
        assert ask_code(node, "+919855501012", "203.0.113.7, 10.1.2.3") == 429
    finally:
        node.stop()


def test_without_a_trusted_proxy_the_header_is_ignored(workdir):
    node = Lockerd(os.path.join(workdir, "Storage"), extra_args=["--otp-per-client-per-hour", "3"]).start()
    try:
        assert [ask_code(node, f"+91985550200{i}", f"203.0.113.{i}") for i in range(3)] == [202, 202, 202]
        assert ask_code(node, "+919855502009", "203.0.113.99") == 429
    finally:
        node.stop()


def test_a_trusted_proxy_that_is_not_an_address_stops_start_up_in_one_line(workdir):
    out = subprocess.run([LOCKERD, "--storage", os.path.join(workdir, "S"), "--trusted-proxy", "proxy.example.in"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "invalid value for trustedProxy" in out.stderr, out.stderr
