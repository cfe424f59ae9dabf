"""Helpers for the browser tests: a Browser around Selenium, plain HTTP requests, the demo's users."""
from __future__ import annotations

import base64
import html
import http.client
import json
import os
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.common.exceptions import NoSuchElementException, TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

DEMO_PASSWORD = "demo-password"
SESSION_COOKIE = "pi_session"
WRONG_CREDENTIALS = "Email or password is incorrect."
TOO_MANY_ATTEMPTS = "Too many failed sign-ins"
SIGNED_OUT = "You are signed out."
NOT_ALLOWED = "Not allowed"
NOT_FOUND = "Page not found"

_PARTNER_USER_NAV = ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings"]
_PARTNER_ADMIN_NAV = _PARTNER_USER_NAV + ["Users", "Webhooks"]


@dataclass(frozen=True)
class DemoUser:
    email: str
    org_name: str
    nav: list[str]


DEMO_USERS = [
    DemoUser("admin@bluefin.example", "Bluefin Consulting", _PARTNER_ADMIN_NAV),
    DemoUser("user@bluefin.example", "Bluefin Consulting", _PARTNER_USER_NAV),
    DemoUser("admin@cedar.example", "Cedar Systems", _PARTNER_ADMIN_NAV),
    DemoUser("admin@kestrel.example", "Kestrel IT", _PARTNER_ADMIN_NAV),
    DemoUser("reviewer@vendor.example", "Vendor", ["Home", "Customer claims", "Review", "Catalogue", "Partners"]),
    DemoUser("manager@vendor.example", "Vendor",
             ["Home", "Customer claims", "Payee profiles", "Enrollment", "Earnings", "Payments", "Review", "Catalogue", "Partners", "Webhooks"]),
    # The second program manager, who approves the runs the first gathers.
    DemoUser("finance@vendor.example", "Vendor",
             ["Home", "Customer claims", "Payee profiles", "Enrollment", "Earnings", "Payments", "Review", "Catalogue", "Partners", "Webhooks"]),
]
USER = {u.email: u for u in DEMO_USERS}


def unavailable(reason: str):
    """A test that cannot run without something scripts/e2e.sh provides: skipped in an ad-hoc run, failed under CI
    (scripts/test.sh sets CI), so a CI run cannot pass without it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set)")
    pytest.skip(reason)


def slug(text: str) -> str:
    """A file-name-safe form of a label or test id."""
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", text).strip("_")[:120] or "page"


# --- plain HTTP, for what a browser hides (status, headers, requests without a token) ---------------

@dataclass
class HTTPResult:
    status: int
    headers: http.client.HTTPMessage
    body: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def h1(self) -> str | None:
        m = re.search(r"<h1\b[^>]*>(.*?)</h1>", self.body, re.S | re.I)
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()) if m else None


def http_request(base_url: str, method: str, path: str, cookies: dict[str, str] | None = None,
                 form: dict[str, str] | None = None) -> HTTPResult:
    """One request, no redirects followed, with the given cookies and an urlencoded form body."""
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    headers = {"Accept": "text/html"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"{parts.scheme}://{parts.netloc}"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return HTTPResult(resp.status, resp.headers, resp.read().decode("utf-8", "replace"))
    finally:
        conn.close()


# --- the mail-drop folder (MAIL_DROP_DIR of the server under test) ---------------------------------

@dataclass
class Email:
    to: str
    subject: str
    kind: str
    body: str


def read_mail_drop(folder: str | Path) -> list[Email]:
    """Every message the server has delivered so far, oldest first."""
    import email
    from email import policy

    found = []
    for path in sorted(Path(folder).glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append(Email(str(msg["To"]), str(msg["Subject"]), str(msg["X-Incentives-Kind"]), msg.get_content()))
    return found


def wait_for_email(folder: str | Path, to: str, kind: str, timeout: float = 15) -> Email:
    """The newest message to `to` of `kind`, waiting for the mail service to deliver it."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        matches = [m for m in read_mail_drop(folder) if m.to == to and m.kind == kind]
        if matches:
            return matches[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} email to {to} in {folder} after {timeout} s")
        time.sleep(0.2)


# --- the browser -------------------------------------------------------------------------------------

class Browser:
    """A Selenium driver bound to the server under test; every page it lands on is screenshotted."""

    def __init__(self, driver, base_url: str, shot_dir: Path):
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.shot_dir = shot_dir
        self.shots = 0
        self.shot_every_page = True  # False: only the screenshots asked for with always=True (a failure)
        self.status: int | None = None  # HTTP status of the last document loaded

    # navigation
    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.driver.current_url).path

    @property
    def query(self) -> str:
        return urllib.parse.urlsplit(self.driver.current_url).query

    def open(self, path: str, label: str | None = None) -> int | None:
        self._drain_log()
        self.driver.get(self.url(path))
        self._after_load(label or ("home" if path == "/" else path))
        return self.status

    def click_and_wait(self, element: WebElement, label: str) -> int | None:
        """Clicks a link or button that loads a new page, waits for it, records its status."""
        self.mark_page()
        element.click()
        self.wait_for_new_page(label)
        return self.status

    def mark_page(self) -> None:
        """Marks the current document, so that wait_for_new_page can tell when another one replaced it."""
        self._drain_log()
        self.driver.execute_script("window.__e2eOldPage = true;")

    def wait_for_new_page(self, label: str) -> None:
        self._wait("a new page after: " + label,
                   "return window.__e2eOldPage === undefined && document.readyState === 'complete';")
        self.status = self._document_status()
        self.shot(label)

    def _after_load(self, label: str) -> None:
        self._wait("loading " + label, "return document.readyState === 'complete';")
        self.status = self._document_status()
        self.shot(label)

    def _wait(self, what: str, script: str, timeout: float = 30) -> None:
        def done(driver):
            try:
                return driver.execute_script(script)
            except WebDriverException:  # the document is being replaced
                return False
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(done)
        except TimeoutException:
            raise AssertionError(f"timed out waiting for {what} at {self.driver.current_url}") from None

    def _drain_log(self) -> None:
        try:
            self.driver.get_log("performance")
        except WebDriverException:
            pass

    def _document_status(self) -> int | None:
        """The status of the last top-level document response, read from Chromium's network log."""
        status = None
        try:
            entries = self.driver.get_log("performance")
        except WebDriverException:
            return None
        for entry in entries:
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.responseReceived" and msg["params"].get("type") == "Document":
                status = msg["params"]["response"].get("status")
        return int(status) if status is not None else None

    # screenshots
    def shot(self, label: str, always: bool = False) -> Path | None:
        if not (self.shot_every_page or always):
            return None
        self.shots += 1
        self.shot_dir.mkdir(parents=True, exist_ok=True)
        target = self.shot_dir / f"{self.shots:02d}-{slug(label)}.png"
        target.write_bytes(self._full_page_png())
        return target

    def _full_page_png(self) -> bytes:
        try:
            metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            clip = {"x": 0, "y": 0, "width": min(size["width"], 2000), "height": min(size["height"], 8000),
                    "scale": 1}
            data = self.driver.execute_cdp_cmd("Page.captureScreenshot",
                                               {"format": "png", "captureBeyondViewport": True, "clip": clip})
            return base64.b64decode(data["data"])
        except (WebDriverException, KeyError):
            return self.driver.get_screenshot_as_png()

    # reading the page
    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def maybe(self, css: str) -> WebElement | None:
        found = self.find_all(css)
        return found[0] if found else None

    def h1(self) -> str | None:
        el = self.maybe("h1")
        return " ".join(el.text.split()) if el else None

    def text(self, css: str) -> str | None:
        el = self.maybe(css)
        return " ".join(el.text.split()) if el else None

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.driver.get_cookies()}

    def fetch(self, href: str, binary: bool = False) -> tuple[int, dict[str, str], str | bytes]:
        """GETs a link of the page with the browser's cookies, as a download would: status, headers, body
        (text, or the bytes when `binary`)."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies().items())
        request = urllib.request.Request(urllib.parse.urljoin(self.base_url + "/", href), headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=15) as response:
            body = response.read()
            return response.status, dict(response.headers), body if binary else body.decode("utf-8")

    def nav_links(self) -> list[WebElement]:
        return self.find_all('nav[aria-label="Main"] a')

    def nav_texts(self) -> list[str]:
        return [" ".join(a.text.split()) for a in self.nav_links()]

    # signing in and out
    def submit_button(self, form: WebElement, caption: str) -> WebElement:
        for el in form.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            text = el.text if el.tag_name == "button" else (el.get_attribute("value") or "")
            if " ".join(text.split()) == caption:
                return el
        raise NoSuchElementException(f'no submit button "{caption}" in the form')

    def login_form(self) -> WebElement:
        return self.find('form[method="post"][action="/login"]')

    def submit_login(self, email: str, password: str, label: str = "after sign-in") -> None:
        """Fills the sign-in form on the current page and submits it."""
        form = self.login_form()
        email_input = form.find_element(By.CSS_SELECTOR, "input#email")
        email_input.clear()
        email_input.send_keys(email)
        password_input = form.find_element(By.CSS_SELECTOR, "input#password")
        password_input.clear()
        password_input.send_keys(password)
        self.click_and_wait(self.submit_button(form, "Sign in"), label)

    def sign_in(self, email: str, password: str = DEMO_PASSWORD, start: str = "/login",
                expect_success: bool = True) -> None:
        self.open(start, f"sign-in page for {email}")
        self.submit_login(email, password,
                          f"after sign-in as {email}" if expect_success else f"after sign-in attempt as {email}")
        if expect_success:
            assert self.maybe("header.site-header .whoami") is not None, (
                f"signing in as {email} did not show a signed-in page (.whoami); at {self.driver.current_url}, "
                f"login error: {self.text('#login-error')!r}, h1: {self.h1()!r}")

    def sign_out(self) -> None:
        form = self.find('form.signout[method="post"][action="/logout"]')
        self.click_and_wait(self.submit_button(form, "Sign out"), "after sign-out")


# --- the claims list ---------------------------------------------------------------------------------

@dataclass
class ClaimRow:
    id: int
    href: str
    text: str
    location: str | None


_CLAIM_HREF = re.compile(r"^/claims/(\d+)$")


def claim_rows(browser: Browser, max_pages: int = 5) -> list[ClaimRow]:
    """The rows of /claims (following rel=next links for a few pages), with each row's location cell."""
    rows: list[ClaimRow] = []
    browser.open("/claims", "claims list")
    assert browser.status == 200, f"/claims answered {browser.status}"
    for page in range(max_pages):
        table = browser.maybe("table")
        assert table is not None, f"/claims has no table (h1 {browser.h1()!r})"
        headers = [" ".join(th.text.split()).lower() for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        loc_index = next((i for i, h in enumerate(headers) if "location" in h), None)
        for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
            links = tr.find_elements(By.CSS_SELECTOR, 'a[href^="/claims/"]')
            if not links:
                continue
            href = links[0].get_dom_attribute("href")
            m = _CLAIM_HREF.match(href or "")
            assert m, f"claim link {href!r} on /claims is not /claims/<numeric id>"
            cells = tr.find_elements(By.CSS_SELECTOR, "th, td")
            location = None
            if loc_index is not None and loc_index < len(cells):
                location = " ".join(cells[loc_index].text.split())
            rows.append(ClaimRow(int(m.group(1)), href, " ".join(tr.text.split()), location))
        nxt = browser.maybe('a[rel~="next"]')
        if nxt is None or page == max_pages - 1:
            break
        browser.click_and_wait(nxt, f"claims list page {page + 2}")
    return rows
