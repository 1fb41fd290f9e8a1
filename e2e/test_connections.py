"""Held-open connections cannot take lockerd down: a cap in all and per client address (503 and
close when over), idle / header / body timeouts, and an open-file limit raised at start.
Small configured limits keep every test to a few seconds; only loopback addresses are used."""
import contextlib
import os
import resource
import socket
import sys
import time

import pytest

from conftest import Lockerd

# Source addresses 127.0.0.x other than .1 and /proc/<pid>/limits are Linux's.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux loopback and /proc")

FAST = ["--idle-timeout", "4", "--header-timeout", "2", "--body-timeout", "3"]


@contextlib.contextmanager
def soft_file_limit(soft):
    """Starts children with a low soft RLIMIT_NOFILE (they inherit it), as a default 1,024 or 256 would."""
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, old[1]), old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, old)


def start(workdir, *args, soft_limit=None):
    server = Lockerd(os.path.join(workdir, "Storage"), extra_args=list(args))
    if soft_limit:
        with soft_file_limit(soft_limit):
            server.start()
    else:
        server.start()
    time.sleep(0.3)  # let the start-up health check's connection close on the server side
    return server


def connect(server, source="127.0.0.1"):
    return socket.create_connection(("127.0.0.1", server.port), timeout=5, source_address=(source, 0))


def wait_closed(sock, seconds):
    """(closed?, bytes received): whether the server closed `sock` within `seconds`."""
    data = b""
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, data
            sock.settimeout(left)
            chunk = sock.recv(4096)
            if not chunk:
                return True, data
            data += chunk
    except socket.timeout:
        return False, data
    except (ConnectionResetError, BrokenPipeError):
        return True, data


def healthz(server, source):
    """Seconds a /healthz on a fresh connection from `source` took; fails unless it is 200."""
    began = time.monotonic()
    with connect(server, source) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: locker\r\nConnection: close\r\n\r\n")
        closed, data = wait_closed(s, 5)
    assert data.startswith(b"HTTP/1.1 200"), data[:200]
    return time.monotonic() - began


def poll_closed(sockets, seconds, want):
    """Watches `sockets` until `want` of them are closed by the server or `seconds` pass;
    returns {socket: bytes received before the close}."""
    closed = {}
    deadline = time.monotonic() + seconds
    while len(closed) < want and time.monotonic() < deadline:
        for s in sockets:
            if s not in closed:
                done, data = wait_closed(s, 0.005)
                if done:
                    closed[s] = data
    return closed


def test_per_address_cap_refuses_clearly_and_others_are_still_served(workdir):
    server = start(workdir, "--max-connections-per-client", "64", *FAST)
    sockets = []
    try:
        sockets = [connect(server) for _ in range(100)]
        refused = poll_closed(sockets, 2.5, 36)
        assert len(refused) == 36, f"{len(refused)} of 100 closed at once; expected the 36 over the cap"
        answers = [data for data in refused.values() if data]
        assert answers, "the refusal is an answer, not just a close"
        for data in answers:
            assert data.startswith(b"HTTP/1.1 503") and b"/problems/too-many-connections" in data, data[:300]
        # Another client is served at once while 64 idle sockets from 127.0.0.1 are held.
        assert healthz(server, "127.0.0.2") < 1.0
        held = [s for s in sockets if s not in refused]
        assert len(held) == 64
        # The idle timeout (4 s) closes every one of them; none answers anything.
        idle_closed = poll_closed(held, 8, 64)
        assert len(idle_closed) == 64, f"{64 - len(idle_closed)} idle sockets were never closed"
        assert not any(idle_closed.values())
        assert healthz(server, "127.0.0.1") < 1.0, "the address's count was freed"
        assert server.proc.poll() is None
    finally:
        for s in sockets:
            s.close()
        server.stop()
    log = server.read_log()
    assert log.count("connections refused") == 1, "refusals are logged, once per 10 s, not once per connection"
    assert "refused=1 " in log or log.rstrip().endswith("refused=1")


def test_total_cap_answers_503_and_frees_when_connections_close(workdir):
    server = start(workdir, "--max-connections", "20", "--max-connections-per-client", "100", *FAST)
    held = []
    try:
        held = [connect(server) for _ in range(20)]
        time.sleep(0.3)
        with connect(server, "127.0.0.2") as extra:
            closed, data = wait_closed(extra, 2)
        assert closed and data.startswith(b"HTTP/1.1 503"), data[:200]
        assert b"Connection: close" in data or b"connection: close" in data
        assert b"/problems/too-many-connections" in data
        for s in held:
            s.close()
        held = []
        time.sleep(0.3)
        assert healthz(server, "127.0.0.2") < 1.0
        assert server.proc.poll() is None
    finally:
        for s in held:
            s.close()
        server.stop()


def test_a_trickled_request_head_is_cut_off_by_the_header_timeout(workdir):
    server = start(workdir, *FAST)
    try:
        with connect(server) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            began = time.monotonic()
            closed = False
            while time.monotonic() - began < 6:
                try:
                    s.sendall(b"X")  # one byte of a never-ending header line every 0.2 s
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                closed, _ = wait_closed(s, 0.2)
                if closed:
                    break
            took = time.monotonic() - began
        assert closed and 1.5 < took < 3.5, f"closed={closed} after {took:.1f}s (header timeout 2 s, idle 4 s)"
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_a_trickled_request_body_is_cut_off_by_the_body_timeout(workdir):
    server = start(workdir, *FAST)
    try:
        with connect(server) as s:
            s.sendall(b"POST /v1/auth/otp HTTP/1.1\r\nHost: locker\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
            began = time.monotonic()
            closed = False
            while time.monotonic() - began < 8:
                try:
                    s.sendall(b" ")
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                closed, _ = wait_closed(s, 0.2)
                if closed:
                    break
            took = time.monotonic() - began
        assert closed and 2.5 < took < 4.5, f"closed={closed} after {took:.1f}s (body timeout 3 s)"
        assert healthz(server, "127.0.0.1") < 1.0
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_open_file_limit_is_raised_and_hundreds_of_held_sockets_do_not_crash_it(workdir):
    server = start(workdir, *FAST, soft_limit=256)
    held = []
    try:
        limits = open(f"/proc/{server.proc.pid}/limits").read()
        line = next(l for l in limits.splitlines() if l.startswith("Max open files"))
        soft, hard = (int(x) if x.isdigit() else 1 << 62 for x in line.split()[3:5])
        assert soft == min(hard, max(65536, soft)) and soft > 256, line
        # 300 idle sockets from five addresses: over the inherited 256, under the raised limit.
        for i in range(300):
            held.append(connect(server, f"127.0.0.{10 + i % 5}"))
        time.sleep(0.5)
        assert healthz(server, "127.0.0.2") < 2.0
        assert server.proc.poll() is None
    finally:
        for s in held:
            s.close()
        server.stop()


def test_a_connection_answered_before_its_body_was_read_still_idles_out(workdir):
    # Declared over the 64 KiB limit: 413 at once; the client then sends the body anyway and
    # goes quiet. That connection is idle like any other and must be closed after idleTimeout.
    server = start(workdir, *FAST)
    try:
        with connect(server) as s:
            s.sendall(b"POST /v1/auth/otp HTTP/1.1\r\nHost: locker\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n")
            s.settimeout(5)
            assert s.recv(4096).startswith(b"HTTP/1.1 413")
            try:
                s.sendall(b" " * 70000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            began = time.monotonic()
            closed, _ = wait_closed(s, 8)
            took = time.monotonic() - began
        assert closed and took < 6.5, f"closed={closed} after {took:.1f}s (idle timeout 4 s)"
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_a_client_that_pipelines_and_never_reads_is_cut_by_the_send_timeout(workdir):
    # 200 pipelined GETs of the 50 KB contract (10 MB, more than the sockets' buffers hold), a 4 KB
    # receive buffer, and nothing read for a while: the
    # answers stop moving, and after --send-timeout the connection is closed (it used to stay
    # open past every timeout, holding its slot). The server keeps serving others throughout.
    server = start(workdir, *FAST, "--send-timeout", "2")
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.sendall(b"GET /openapi.yaml HTTP/1.1\r\nHost: locker\r\n\r\n" * 200)
        began = time.monotonic()
        time.sleep(1.0)
        assert healthz(server, "127.0.0.2") < 2.0
        time.sleep(3.0)  # past --send-timeout with nothing taken
        # Now drain what was sent: the stream must end (closed) well before all 200 answers.
        s.settimeout(10)
        received = 0
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            received += len(chunk)
            if time.monotonic() - began > 15:
                break
        s.close()
        assert time.monotonic() - began < 12, "the stalled connection was closed by the send timeout"
        assert received < 200 * 40_000, f"not every pipelined answer was sent ({received} bytes)"
        assert server.proc.poll() is None
    finally:
        server.stop()
