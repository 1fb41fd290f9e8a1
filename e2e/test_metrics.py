"""`--metrics-port`: Prometheus' text format on 127.0.0.1, parsed here by `prometheus_client`'s
own parser; the series move after a push and a download, labels carry route templates and
actions only, and the API port does not serve it."""
import os

import requests
from prometheus_client.parser import text_string_to_metric_families

import locker_client as lc
from conftest import BACKEND, LOCKER_CLI, Lockerd, free_port


def scrape(port):
    r = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, r.text


def value(samples, name, **labels):
    return sum(v for (n, ls), v in samples.items() if n == name and all(dict(ls).get(k) == w for k, w in labels.items()))


def test_metrics_count_requests_pushes_and_downloads_without_personal_data(workdir):
    port = free_port()
    storage = os.path.join(workdir, "Storage")
    node = Lockerd(storage, extra_args=["--metrics-port", str(port)]).start()
    try:
        assert requests.get(node.base + "/metrics", timeout=10).status_code == 404, "never on the API port"
        before, _ = scrape(port)
        key, pem = lc.make_issuer_key()
        pem_path = os.path.join(workdir, "issuer.pub")
        open(pem_path, "wb").write(pem)
        api = lc.register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
        mobile = "+919811188123"
        body, ctype = lc.build_push(key, mobile, "VACER", "MX1", "2026-11-01", lc.vacer_claims("Asha Verma", 2), b"%PDF-1.7 m", "application/pdf")
        pushed = lc.push(node.base, api, body, ctype)
        assert pushed.status_code == 201
        session = lc.sign_in(node.base, storage, mobile)
        for _ in range(2):
            assert requests.get(f"{node.base}/v1/documents/{pushed.json()['id']}/content", headers=lc.bearer(session), timeout=10).status_code == 200
        after, text = scrape(port)

        downloads = "/v1/documents/{id}/content"
        assert value(after, "hb_requests_total", http_route=downloads) - value(before, "hb_requests_total", http_route=downloads) == 2
        assert value(after, "hb_requests_total", http_route=downloads, http_response_status_code="200") == 2
        assert value(after, "http_server_request_duration_count", http_route=downloads) == 2
        audited = {dict(ls).get("action") for (n, ls), _ in after.items() if n == "locker_audit_events_total"}
        assert value(after, "locker_audit_events_total") > value(before, "locker_audit_events_total")
        assert len(audited) >= 2, audited
        assert value(after, "locker_otp_sent_total", kind="sign-in") == 1
        assert value(after, "locker_commit_batch_size_count") >= 3
        assert value(after, "locker_commit_duration_count") >= 3
        if BACKEND == "sqlite":  # PostgreSQL keeps its own WAL
            assert any(n == "locker_wal_bytes" for n, _ in after)
        for secret in (session, session[7:], api, mobile, mobile[3:], pushed.json()["id"], "Asha"):
            assert secret not in text, f"{secret[:8]}… in /metrics"
    finally:
        node.stop()


def test_the_metrics_port_is_checked_at_start(workdir):
    import subprocess
    from conftest import LOCKERD
    out = subprocess.run([LOCKERD, "--storage", os.path.join(workdir, "S"), "--port", "8123", "--metrics-port", "8123"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "invalid value for metricsPort" in out.stderr and out.stderr.count("\n") == 1, out.stderr
