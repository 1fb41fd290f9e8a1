"""The citizen portal and the KYC-VS consent page in a real browser.

Headless Chromium (Debian's chromium + chromium-driver) driven by Selenium, against a live lockerd:
a citizen signs in with the OTP read from the SMS outbox, sees a pushed certificate, downloads it
(bytes equal), creates a one-use share; a second browser redeems it; the first sees the use in
its activity and the share spent. Then a verifier's page, served from another loopback origin,
embeds the consent page in an iframe; the citizen types the OTP there and the parent page receives
the signed status by postMessage. A clerk who types a wrong passcode on a share link gets a page
(not JSON) with the tries left. At 360 px nothing on our pages touches the screen's edge.
Screenshots of the main pages at 360 px and 1280 px go to
artifacts/screenshots/ (not committed).
"""
import base64
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse

import pytest
import requests

from conftest import LOCKER_CLI, Lockerd, free_port
from locker_client import bearer, build_push, fake_pdf, make_issuer_key, push, read_otps, register_issuer, sign_in as api_sign_in, vacer_claims

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SHOTS = os.path.join(os.path.dirname(__file__), "..", "artifacts", "screenshots")
MOBILE = "+919811100001"


def browser(download_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    driver.set_page_load_timeout(30)
    return driver


# Every visible element's box, except the page-wide containers and the header's full-width
# band (whose own content is padded in), must keep clear of both screen edges.
EDGE_CHECK = """
const width = document.documentElement.clientWidth;
const skip = new Set(['HTML', 'BODY', 'HEADER', 'MAIN', 'SCRIPT', 'STYLE', 'LINK', 'META', 'TITLE']);
const touching = [];
for (const el of document.querySelectorAll('body *')) {
  if (skip.has(el.tagName)) continue;
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) continue;
  if (box.left <= 0 || box.right >= width) {
    touching.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '')
                  + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
}
return [width, touching];
"""


def assert_clear_of_edges(driver, name):
    width, touching = driver.execute_script(EDGE_CHECK)
    assert not touching, f"{name} at {width} px: these touch the screen edge: {touching}"


def shot(driver, name, ours=True):
    os.makedirs(SHOTS, exist_ok=True)
    # A 360-px phone, and a 1280-px window at 200 % zoom (640 CSS px): no sideways scrolling.
    for width in (360, 640) if ours else ():
        driver.set_window_size(width, 900)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px"
        if width == 360:
            assert_clear_of_edges(driver, name)
    for width in (360, 1280):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(height, 600), 4000))
        driver.save_screenshot(os.path.join(SHOTS, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def wait_for_file(directory, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [f for f in os.listdir(directory) if not f.endswith(".crdownload")]
        if done:
            time.sleep(0.2)
            return os.path.join(directory, done[0])
        time.sleep(0.1)
    raise AssertionError(f"no download in {directory}")


def wait_otp(storage, mobile, before, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        otps = read_otps(storage, mobile)
        if len(otps) > before:
            return otps[-1]
        time.sleep(0.05)
    raise AssertionError("no OTP in the outbox")


@pytest.fixture
def portal(workdir):
    storage = os.path.join(workdir, "Storage")
    server = Lockerd(storage).start()
    key, pem = make_issuer_key()
    pem_path = os.path.join(workdir, "issuer.pem")
    with open(pem_path, "wb") as f:
        f.write(pem)
    api_key = register_issuer(LOCKER_CLI, storage, "in.gov.cowin", "CoWIN", pem_path)
    content = fake_pdf(60_000)
    body, header = build_push(key, MOBILE, "VACER", "BROWSER1", "2026-11-01", vacer_claims("Asha Verma", 2), content, "application/pdf")
    assert push(server.base, api_key, body, header).status_code == 201
    yield server, storage, content, workdir
    server.stop()


def sign_in(driver, server, storage):
    driver.get(server.base + "/")
    before = len(read_otps(storage, MOBILE))
    field = driver.find_element(By.ID, "mobile")
    assert driver.find_element(By.CSS_SELECTOR, "label[for=mobile]").text
    field.send_keys(MOBILE)
    field.submit()
    otp = wait_otp(storage, MOBILE, before)
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "otp"))
    driver.find_element(By.ID, "otp").send_keys(otp)
    driver.find_element(By.ID, "otp").submit()
    WebDriverWait(driver, 10).until(lambda d: "Your certificates" in d.page_source)


def test_citizen_signs_in_downloads_shares_and_sees_the_use(portal):
    server, storage, content, workdir = portal
    a_downloads, b_downloads = os.path.join(workdir, "dl-a"), os.path.join(workdir, "dl-b")
    os.makedirs(a_downloads)
    os.makedirs(b_downloads)
    a = browser(a_downloads)
    b = browser(b_downloads)
    try:
        a.get(server.base + "/")
        shot(a, "signin")
        sign_in(a, server, storage)
        assert "Vaccination certificate" in a.page_source and "CoWIN" in a.page_source
        shot(a, "home")
        cookie = a.get_cookie("locker_session")
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert a.execute_script("return document.cookie").find("locker_session") < 0, "script cannot read the session"

        a.find_element(By.LINK_TEXT, "Download").click()
        with open(wait_for_file(a_downloads), "rb") as f:
            assert f.read() == content

        a.find_element(By.TAG_NAME, "summary").click()
        a.find_element(By.CSS_SELECTOR, "input[name=label]").send_keys("Hospital")
        a.find_element(By.CSS_SELECTOR, ".share-form button[type=submit]").click()
        WebDriverWait(a, 10).until(lambda d: d.find_elements(By.ID, "share-link"))
        link = a.find_element(By.ID, "share-link").get_attribute("value")
        assert "/s/lk_shr_" in link
        shot(a, "share-created")

        b.get(link)  # the link page spends nothing
        assert "A certificate was shared with you" in b.page_source
        shot(b, "share-link")
        a.get(server.base + "/")
        assert a.find_element(By.CSS_SELECTOR, ".share .uses").text == "0"
        b.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        with open(wait_for_file(b_downloads), "rb") as f:
            assert f.read() == content

        a.get(server.base + "/")
        share = a.find_element(By.CSS_SELECTOR, ".share")
        assert share.find_element(By.CSS_SELECTOR, ".uses").text == "1"
        assert share.find_element(By.CSS_SELECTOR, ".state").text == "used-up"
        activity = a.find_element(By.CSS_SELECTOR, ".activity").text
        assert "downloaded via the grant 'Hospital'" in activity
        shot(a, "home-after-share")

        a.find_element(By.CSS_SELECTOR, "header button").click()
        WebDriverWait(a, 10).until(lambda d: d.find_elements(By.ID, "mobile"))
        assert a.get_cookie("locker_session") is None
    finally:
        a.quit()
        b.quit()


def test_a_wrong_passcode_shows_the_clerk_a_page_not_json(portal):
    server, storage, content, workdir = portal
    session = api_sign_in(server.base, storage, MOBILE)
    documents = requests.get(server.base + "/v1/documents", headers=bearer(session), timeout=10).json()["documents"]
    r = requests.post(f"{server.base}/v1/documents/{documents[0]['id']}/shares", headers=bearer(session), timeout=10,
                      json={"label": "Clinic", "passcode": "4321", "maxUses": 1})
    assert r.status_code == 201, r.text
    grant = r.json()
    clerk = browser(os.path.join(workdir, "dl-c"))
    try:
        clerk.get(grant["link"])
        assert clerk.find_element(By.CSS_SELECTOR, "header .brand").text == "Locker"
        clerk.find_element(By.ID, "passcode").send_keys("0000")
        clerk.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        WebDriverWait(clerk, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
        assert clerk.find_element(By.CSS_SELECTOR, "p.error").text == "The passcode is wrong; 4 tries left before the link locks."
        assert clerk.find_elements(By.ID, "passcode"), "the form is there to try again"
        assert "application/problem+json" not in clerk.page_source and '"type"' not in clerk.page_source
        shot(clerk, "share-wrong-passcode")

        assert requests.delete(f"{server.base}/v1/shares/{grant['id']}", headers=bearer(session), timeout=10).status_code == 204
        clerk.find_element(By.ID, "passcode").send_keys("4321")
        clerk.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        WebDriverWait(clerk, 10).until(lambda d: "does not work any more" in d.page_source)
        assert "unknown, expired, used up or withdrawn" in clerk.page_source
        shot(clerk, "share-link-gone")
    finally:
        clerk.quit()


class VerifierPage(http.server.BaseHTTPRequestHandler):
    """A verifier's site on its own loopback origin: embeds the consent page, shows what it gets."""
    embed_url = ""
    lockerd_origin = ""

    def do_GET(self):
        html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Verifier</title></head><body>
<h1>Ticket counter</h1><p id="jws">waiting</p>
<iframe id="consent" src="{self.embed_url}" width="400" height="420"></iframe>
<script>
window.addEventListener('message', function (e) {{
  if (e.origin !== '{self.lockerd_origin}' || !e.data || e.data.type !== 'locker-kyc-vs') return;
  document.getElementById('jws').textContent = e.data.jws;
}});
</script></body></html>"""
        data = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_verifier_page_embeds_consent_and_receives_the_signed_status(portal):
    server, storage, content, workdir = portal
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    # Two registered origins, the framing page on the second: the answer must reach the one framing it.
    out = subprocess.run([LOCKER_CLI, "--storage", storage, "verifiers", "add", "--id", "railways", "--name", "Railway Counter",
                          "--origin", "https://counter.railways.example", "--origin", origin, "--json"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    verifier_key = json.loads(out.stdout)["apiKey"]
    before = len(read_otps(storage, MOBILE))
    r = requests.post(server.base + "/v1/kyc-vs/requests", json={"mobile": MOBILE, "name": "Asha Verma", "purpose": "PNR ending 11"},
                      headers={"Authorization": f"Bearer {verifier_key}"}, timeout=10)
    assert r.status_code == 202, r.text
    request_id = r.json()["requestId"]
    otp = wait_otp(storage, MOBILE, before)

    VerifierPage.embed_url = f"{server.base}/kyc-vs/embed?request={request_id}&origin={urllib.parse.quote(origin, safe='')}"
    VerifierPage.lockerd_origin = server.base
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), VerifierPage)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    driver = browser(os.path.join(workdir, "dl-v"))
    try:
        driver.get(origin + "/")
        driver.switch_to.frame(driver.find_element(By.ID, "consent"))
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "otp"))
        assert "Railway Counter" in driver.page_source
        driver.find_element(By.ID, "otp").send_keys(otp)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        driver.switch_to.default_content()
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "jws").text.count(".") == 2)
        shot(driver, "kyc-embed", ours=False)  # the parent is the verifier's page, not ours
        jws = driver.find_element(By.ID, "jws").text
        payload = json.loads(base64.urlsafe_b64decode(jws.split(".")[1] + "=="))
        assert payload["status"] == 2 and payload["jti"] == request_id
    finally:
        driver.quit()
        httpd.shutdown()
