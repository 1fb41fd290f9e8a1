"""Offline-verifiable QR codes in a real browser (headless Chromium + Selenium, as test_browser.py).

The citizen, on a 360-px phone, opens "Show QR code": the card's QR fills the screen's width, black
on white whatever the theme, and zbarimg reads a SMART Health Card from the screenshot that
joserfc verifies with the published JWKS. A stranger's session sees no card. A verifier opens the
offline checker once with the network, then with lockerd stopped the page still opens (service
worker) and checks a card and a status code with the keys it saved; one changed digit and another
deployment's key fail; a card revoked meanwhile still passes against the old list and fails as
revoked once the page updates its lists. The README's QR screenshot is a real, readable card.
"""
import json
import os
import subprocess
import zlib

import pytest
import requests
from joserfc import jws as jose_jws
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import locker_client as lc
from conftest import LOCKER_CLI, start_with_cowin
from test_browser import SHOTS, browser, shot, sign_in

MOBILE = "+919811100001"  # test_browser.sign_in's number
STRANGER = "+919811100002"
README_SHOT = os.path.join(os.path.dirname(__file__), "..", "docs", "images", "portal-qr.png")
CARD = JWSRegistry(header_registry={"zip": HeaderParameter("Compression", "str", required=True)}, algorithms=["ES256"])


@pytest.fixture
def vault(workdir):
    server, key, api_key = start_with_cowin(workdir)
    storage = server.storage
    docs = {}
    for mobile, doc_id in ((MOBILE, "QRCARD1"), (STRANGER, "QRCARD2")):
        body, header = lc.build_push(key, mobile, "VACER", doc_id, "2026-11-01", lc.vacer_claims("Asha Verma", 2), lc.fake_pdf(20_000), "application/pdf")
        r = lc.push(server.base, api_key, body, header)
        assert r.status_code == 201, r.text
        docs[mobile] = r.json()
    yield server, storage, docs, workdir
    server.stop()


def zbar(path):
    out = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"zbarimg read no code in {path}: {out.stderr}"
    return out.stdout.strip()


def card_payload(text, base):
    """A shc:/ text verified by joserfc with the deployment's JWKS; the inflated payload."""
    assert text.startswith("shc:/"), text[:20]
    keys = KeySet.import_key_set(requests.get(base + "/.well-known/jwks.json", timeout=10).json())
    obj = jose_jws.deserialize_compact(lc.numeric_qr_to_jws(text, "shc:/"), keys, algorithms=["ES256"], registry=CARD)
    return json.loads(zlib.decompress(obj.payload, wbits=-15))


def patient(payload):
    entries = payload["vc"]["credentialSubject"]["fhirBundle"]["entry"]
    return next(e["resource"] for e in entries if e["resource"]["resourceType"] == "Patient")


def test_the_portal_shows_the_card_full_screen_and_it_scans(vault):
    server, storage, docs, workdir = vault
    doc = docs[MOBILE]
    a = browser(os.path.join(workdir, "dl"))
    try:
        sign_in(a, server, storage)
        link = a.find_element(By.CSS_SELECTOR, f"#doc-{doc['id']} a.show-qr")
        assert link.text == "Show QR code"
        link.click()
        WebDriverWait(a, 10).until(lambda d: d.execute_script("const i = document.getElementById('qr-code'); return i && i.complete && i.naturalWidth > 0"))
        assert a.current_url.endswith(f"/portal/documents/{doc['id']}/qr")
        assert a.find_element(By.ID, "qr-fullscreen").is_displayed() == a.execute_script("return document.fullscreenEnabled")
        a.set_window_size(360, 800)
        # Black on white whatever the theme, and the browser may not darken it.
        style = a.execute_script("const s = getComputedStyle(document.body); return [s.backgroundColor, s.color, s.colorScheme]")
        assert style[0] == "rgb(255, 255, 255)" and style[1] == "rgb(0, 0, 0)" and set(style[2].split()) == {"only", "light"}, style
        # On a phone the code takes the width of the content column.
        widths = a.execute_script("return [document.getElementById('qr-code').getBoundingClientRect().width, document.querySelector('main').clientWidth]")
        assert widths[0] >= 0.85 * (widths[1] - 32), widths
        shot(a, "portal-qr")
        a.set_window_size(360, 800)
        image = os.path.join(SHOTS, "portal-qr-code.png")
        a.find_element(By.ID, "qr-code").screenshot(image)
        payload = card_payload(zbar(image), server.base)
        assert patient(payload)["name"][0]["text"] == "Asha Verma"
        assert payload["iss"] == server.base and "mobile" not in json.dumps(payload)

        # Showing it is an access like a download: it is in the citizen's activity.
        a.get(server.base + "/")
        assert "You made a SMART Health Card of your vaccination certificate (QR code)" in a.find_element(By.CSS_SELECTOR, ".activity").text

        # Another citizen's card is not there for this session: a page, not the card.
        other = docs[STRANGER]["id"]
        a.get(f"{server.base}/portal/documents/{other}/qr")
        assert "Not found" in a.find_element(By.TAG_NAME, "h1").text and not a.find_elements(By.ID, "qr-code")
        cookie = {"locker_session": a.get_cookie("locker_session")["value"]}
        r = requests.get(f"{server.base}/portal/documents/{other}/qr.svg", cookies=cookie, timeout=10)
        assert r.status_code == 404 and "svg" not in r.headers["Content-Type"]
        mine = requests.get(f"{server.base}/portal/documents/{doc['id']}/qr.svg", cookies=cookie, timeout=10)
        assert mine.status_code == 200 and mine.headers["Content-Type"] == "image/svg+xml" and mine.headers["Cache-Control"] == "no-store"
        # Signed out: the page sends to sign-in, the image is a 404.
        anonymous = requests.get(f"{server.base}/portal/documents/{doc['id']}/qr", allow_redirects=False, timeout=10)
        assert anonymous.status_code == 303 and anonymous.headers["Location"] == "/"
        assert requests.get(f"{server.base}/portal/documents/{doc['id']}/qr.svg", timeout=10).status_code == 404
    finally:
        a.quit()


def check(driver, text, audience=""):
    driver.find_element(By.ID, "check-text").clear()
    driver.find_element(By.ID, "check-text").send_keys(text)
    if driver.find_element(By.ID, "check-audience").get_attribute("value") != audience:
        driver.execute_script("document.querySelector('details').open = true")
        field = driver.find_element(By.ID, "check-audience")
        field.clear()
        field.send_keys(audience)
    driver.find_element(By.ID, "check-run").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#check-verdict .card"))
    card = driver.find_element(By.CSS_SELECTOR, "#check-verdict .card")
    facts = dict(zip((e.text for e in card.find_elements(By.TAG_NAME, "dt")), (e.text for e in card.find_elements(By.TAG_NAME, "dd"))))
    return card.get_attribute("data-valid") == "true", card.get_attribute("data-failure"), card.text, facts


def wait_synced(driver, after=0):
    WebDriverWait(driver, 15).until(lambda d: int(d.find_element(By.ID, "check-sync").get_attribute("data-synced-at") or 0) > after)
    return int(driver.find_element(By.ID, "check-sync").get_attribute("data-synced-at"))


def test_the_offline_checker_works_with_no_network_and_sees_a_revocation_after_syncing(vault):
    server, storage, docs, workdir = vault
    doc = docs[MOBILE]
    h = lc.bearer(lc.sign_in(server.base, storage, MOBILE))
    card = requests.get(f"{server.base}/v1/documents/{doc['id']}/shc", headers=h, timeout=10).json()["verifiableCredential"][0]
    card_text = lc.jws_to_numeric_qr(card, "shc:/")
    share = requests.post(f"{server.base}/v1/documents/{doc['id']}/shares", headers=h, json={"label": "Counter", "scope": "status", "maxUses": 1}, timeout=10)
    assert share.status_code == 201, share.text
    status_text = requests.post(server.base + "/v1/shares/redeem", json={"token": share.json()["token"], "qr": True}, timeout=10).json()["qr"]
    verifier = {"Authorization": "Bearer " + lc.register_verifier(LOCKER_CLI, storage, "irctc", "IRCTC")}
    asked = requests.post(server.base + "/v1/kyc-vs/requests", json={"mobile": MOBILE, "name": "Asha Verma", "purpose": "Ticket"}, headers=verifier, timeout=10)
    assert asked.status_code == 202, asked.text
    otp = lc.read_otps(storage, MOBILE)[-1]
    kyc_text = requests.post(f"{server.base}/v1/kyc-vs/requests/{asked.json()['requestId']}/confirm", json={"otp": otp, "qr": True},
                             headers=verifier, timeout=10).json()["qr"]

    v = browser(os.path.join(workdir, "dl-v"))
    v.set_script_timeout(15)
    try:
        v.get(server.base + "/portal/check")
        synced = wait_synced(v)
        # The camera button shows only where the browser can read a QR from it (not headless Linux Chromium).
        can_scan = v.execute_async_script("const done = arguments[0]; if (!('BarcodeDetector' in window)) return done(false);"
                                          " BarcodeDetector.getSupportedFormats().then(f => done(f.includes('qr_code')), () => done(false));")
        assert v.find_element(By.ID, "check-scan").is_displayed() == can_scan
        # The service worker has taken the page: from now on it opens without the server.
        assert v.execute_async_script("const done = arguments[0]; navigator.serviceWorker.ready.then(r => done(!!r.active), () => done(false));")
        v.set_window_size(360, 800)
        shot(v, "check")
        server.stop()

        v.get(server.base + "/portal/check")
        WebDriverWait(v, 10).until(lambda d: "Offline: using the saved copy." in d.find_element(By.ID, "check-sync").text)
        assert int(v.find_element(By.ID, "check-sync").get_attribute("data-synced-at")) == synced
        ok, failure, text, facts = check(v, card_text)
        assert ok, text
        assert facts["Name"] == "Asha Verma" and facts["Doses"] == "2 (last 2026-10-01)" and facts["Issued by"] == server.base, facts
        shot(v, "check-valid")
        ok, failure, text, facts = check(v, status_text)
        assert ok and facts["Status"] == "fully vaccinated" and facts["Document"] == "VACER from in.gov.cowin", (text, facts)

        # A KYC-VS answer: for this verifier it holds; a verifier id that is not its audience refuses it.
        ok, _, text, facts = check(v, kyc_text, "irctc")
        assert ok and facts["Status"] == "fully vaccinated" and facts["For verifier"] == "irctc", (text, facts)
        assert check(v, kyc_text, "someone-else")[1] == "wrong-audience"

        # One changed digit (in the payload's middle), and the card under a key this page never saw.
        middle = len(card_text) // 2
        edited = card_text[:middle] + ("1" if card_text[middle] != "1" else "2") + card_text[middle + 1:]
        ok, failure, _, facts = check(v, edited)
        assert not ok and failure in ("bad-signature", "malformed") and not facts, "nothing of an unverified code is shown"
        header, payload, signature = card.split(".")
        stranger_header = lc.b64url(json.dumps({"alg": "ES256", "zip": "DEF", "kid": "another-deployment"}).encode())
        forged = lc.jws_to_numeric_qr(f"{stranger_header}.{payload}.{signature}", "shc:/")
        assert check(v, forged)[1] == "unknown-key"
        assert check(v, "hello")[1] == "malformed"
        # A status code's one edited digit fails too.
        status_edit = status_text[:-3] + ("0" if status_text[-3] != "0" else "1") + status_text[-2:]
        assert not check(v, status_edit)[0]

        # The issuer revokes while the verifier is offline: the saved list still passes the card.
        revoked = subprocess.run([LOCKER_CLI, "--storage", storage, "documents", "revoke", doc["uri"], "--reason", "Withdrawn"],
                                 capture_output=True, text=True, timeout=60)
        assert revoked.returncode == 0, revoked.stderr
        server.start()
        ok, _, text, _ = check(v, card_text)
        assert ok, "a saved list from before the revocation cannot know of it"
        v.find_element(By.ID, "check-refresh").click()
        wait_synced(v, synced)
        assert "Updated." in v.find_element(By.ID, "check-sync").text
        ok, failure, text, facts = check(v, card_text)
        assert not ok and failure == "revoked" and text.startswith("Revoked"), text
    finally:
        v.quit()


def test_the_readme_screenshot_is_a_real_card():
    """docs/images/portal-qr.png (README, "Offline-verifiable QR codes") is the portal's QR page as
    the browser test above captured it: zbarimg must find a SMART Health Card in it."""
    text = zbar(README_SHOT)
    assert text.startswith("shc:/") and lc.numeric_qr_to_jws(text, "shc:/").count(".") == 2
