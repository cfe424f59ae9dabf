"""A partner admin adds a webhook endpoint pointing at a small HTTP receiver started here on 127.0.0.1,
sees the signing secret once, sends a test event, and the receiver gets it with a signature that checks
out against that secret (verified here with hmac); the delivery page then shows the attempt."""
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"thanks")

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def signature_secrets(headers: dict[str, str], body: bytes, candidates: list[str]) -> list[str]:
    """The receiver's check: `t=<ts>,v1=<hex>` where hex = HMAC-SHA256(secret, "<ts>.<body>")."""
    parts = headers["webhook-signature"].split(",")
    timestamp = headers["webhook-timestamp"]
    assert parts[0] == f"t={timestamp}"
    given = {p[3:] for p in parts[1:] if p.startswith("v1=")}
    return [s for s in candidates
            if hmac.new(s.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest() in given]


def test_partner_admin_adds_an_endpoint_and_receives_a_signed_test_event(browser, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    browser.sign_in("admin@bluefin.example")
    browser.open("/settings/webhooks", "webhooks")
    form = browser.find('form[action="/settings/webhooks"]')
    form.find_element("css selector", "#webhook-url").send_keys(url)
    form.find_element("css selector", "#webhook-description").send_keys("Browser test receiver")
    browser.click_and_wait(browser.submit_button(form, "Add endpoint"), "after adding")
    assert browser.h1() == "Endpoint added"
    secret = browser.text("#webhook-secret")
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret or "")

    browser.open("/settings/webhooks", "the list, without the secret")
    assert secret not in browser.driver.page_source
    row = browser.find(f'a[href^="/settings/webhooks/"]')
    assert row.text == url
    browser.click_and_wait(row, "the endpoint")
    assert secret not in browser.driver.page_source
    form = browser.find('form[action$="/test"]')
    browser.click_and_wait(browser.submit_button(form, "Send test event"), "after queueing the test event")
    assert "Test event queued" in (browser.text(".flash") or "")

    deadline = time.time() + 20
    while not _Receiver.received and time.time() < deadline:
        time.sleep(0.2)
    assert _Receiver.received, "the receiver got nothing within 20 s"
    headers, body = _Receiver.received[0]
    assert signature_secrets(headers, body, [secret, "whsec_not-it"]) == [secret]
    event = json.loads(body)
    assert event["type"] == "webhook.ping" and headers["webhook-id"] == event["id"]
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 120

    # The delivery page shows the attempt once the service has recorded it.
    delivery_path = browser.path
    deadline = time.time() + 20
    while True:
        browser.open(delivery_path, "the delivery")
        if browser.maybe("#attempts") is not None or time.time() > deadline:
            break
        time.sleep(0.5)
    assert "HTTP 200" in browser.text("#attempts")
    assert browser.text("#delivery-status") == "Delivered"
    assert "webhook.ping" in browser.text(".webhook-payload")
