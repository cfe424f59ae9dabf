"""A vendor runs a program from an empty database, in a real browser, the way the README's "Set up your own program"
tells it: the program manager (made with `incentives users add`) starts the program, adds an area, drafts and publishes
an engagement with rates, creates a partner organization and location and invites its first admin; the admin accepts
from the emailed link, enrolls, adds bank and tax profiles; the vendor approves the bank profile and the enrollment,
lists the location and marks its criterion met; the partner sees "1 of 1", adds a customer, gets consent, submits; the
reviewer ticks the customer checklist and approves. Its own server on a fresh SQLite file (no --demo), stopped by its PID."""
from __future__ import annotations

import datetime
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from support import Browser, read_mail_drop, unavailable, wait_for_email
from test_claim_lifecycle import PDF, act, link_path, status

PASSWORD = "first-program-walk-1"
MANAGER, REVIEWER, ADMIN = "robin@vendor.example", "sam@vendor.example", "ines@harbor.example"


class Instance:
    """`incentives serve` on an empty SQLite file, with its own mail-drop folder."""

    def __init__(self, binary: str):
        self.folder = Path(tempfile.mkdtemp(prefix="incentives-first-program."))
        self.mail = self.folder / "mail"
        self.environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
                            "DATABASE_URL": f"sqlite:{self.folder / 'incentives.sqlite'}", "MAIL_DROP_DIR": str(self.mail),
                            "MAIL_POLL_SECONDS": "1", "UPLOAD_DIR": str(self.folder / "uploads")}
        self.binary = binary
        # `serve`'s own options (`--demo` for a demo instance of its own).
        self.serve_options: list[str] = []
        self.server: subprocess.Popen | None = None

    def run(self, *arguments: str, stdin: str | None = None) -> str:
        done = subprocess.run([self.binary, *arguments], input=stdin, capture_output=True, text=True, env=self.environment,
                              cwd=self.folder, timeout=120)
        assert done.returncode == 0, f"incentives {' '.join(arguments)}: {done.stderr}"
        return done.stdout

    def start(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.server = subprocess.Popen([self.binary, "serve", *self.serve_options, "--host", "127.0.0.1", "--port", str(port)],
                                       stdout=open(self.folder / "server.log", "wb"), stderr=subprocess.STDOUT,
                                       env=self.environment, cwd=self.folder)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(url + "/health", timeout=2).read() == b"ok":
                    return url
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"no /health from the fresh instance: {(self.folder / 'server.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def fresh(request, chromium, screenshots_root):
    def prepare(instance: Instance) -> None:
        instance.run("migrate")
        for email, name, role in ((MANAGER, "Robin Park", "program_manager"), (REVIEWER, "Sam Reyes", "reviewer")):
            instance.run("users", "add", "--email", email, "--name", name, "--vendor", role, "--password-stdin", stdin=PASSWORD + "\n")

    yield from instance_and_browser(request, chromium, screenshots_root, "test_first_program", prepare)


def instance_and_browser(request, chromium, screenshots_root, folder: str, prepare=lambda instance: None, serve_options=()):
    """A fixture's body: an instance of its own (`prepare` runs before it serves), a browser on it with a screenshot folder
    per test, and the instance stopped by its PID afterwards. Yields (browser, instance)."""
    binary = os.environ.get("E2E_BIN")
    if not binary:
        unavailable("E2E_BIN comes from scripts/e2e.sh")
    instance = Instance(binary)
    instance.serve_options = list(serve_options)
    try:
        prepare(instance)
        url = instance.start()
        driver = chromium.get()
        driver.get(url + "/health")
        driver.delete_all_cookies()
        shots = screenshots_root / folder / request.node.name
        shutil.rmtree(shots, ignore_errors=True)
        yield Browser(driver, url, shots), instance
        driver.get(url + "/health")
        driver.delete_all_cookies()
    finally:
        instance.stop()


def fill(browser: Browser, css: str, value: str) -> None:
    field = browser.find(css)
    field.clear()
    field.send_keys(value)


def submit(browser: Browser, form_css: str, caption: str, label: str) -> None:
    browser.click_and_wait(browser.submit_button(browser.find(form_css), caption), label)


def switch(browser: Browser, email: str) -> None:
    if browser.maybe("form.signout") is not None:
        browser.sign_out()
    browser.sign_in(email, PASSWORD)


def test_a_program_from_an_empty_database_to_an_approved_claim(fresh):
    browser, instance = fresh
    today = datetime.date.today()

    # The program manager starts the program, adds an area, and drafts an engagement with rates.
    browser.sign_in(MANAGER, PASSWORD)
    browser.open("/catalogue", "the empty catalogue")
    fill(browser, "#program-name", "Harbor Partner Program")
    fill(browser, "#program-manager-name", "Robin Park")
    fill(browser, "#program-manager-email", MANAGER)
    submit(browser, "#program-form", "Start the program", "the program started")
    fill(browser, "#area-name", "Data platform")
    fill(browser, "#area-code", "data-platform")
    submit(browser, "#area-form", "Add area", "the area added")
    assert browser.find("#area-data-platform").text.startswith("Data platform")
    browser.click_and_wait(browser.find('a[href^="/catalogue/engagements/new?area="]'), "the new engagement form")
    form = "#engagement-form"
    fill(browser, "#field-name", "Data platform assessment")
    fill(browser, "#field-rate-a", "4000")
    fill(browser, "#field-rate-b", "2500")
    fill(browser, "#field-rate-c", "1000")
    fill(browser, "#field-description", "A two-day assessment of the customer's data platform.")
    fill(browser, "#field-partner-criteria", "One certified data engineer")
    # Customer criteria: one the program checks (a domain or tenant recorded), one the reviewer confirms in review.
    browser.find('input[name="customer_check"][value="customer_id_recorded"]').click()
    fill(browser, "#field-customer-criteria", "The customer runs a data platform in production")
    browser.find('input[name="proof"][value="findings_document"]').click()
    fill(browser, "#field-proof-findings-document", "The findings, signed by the customer")
    submit(browser, form, "Save draft", "the draft")
    engagement = browser.path
    engagement_id = int(re.search(r"/catalogue/engagements/(\d+)$", engagement).group(1))
    # The findings template partners fill in, uploaded on the draft's form.
    browser.open(f"{engagement}/draft", "the draft's form")
    template = Path(tempfile.mkdtemp()) / "Harbor findings template v1.txt"
    template.write_text("Findings\n1. Current platform\n2. Recommendations\n3. Customer sign-off\n")
    browser.find("#template-input-findings_document").send_keys(str(template))
    browser.click_and_wait(browser.find("#upload-template-findings_document"), "the template uploaded")
    assert browser.text("#template-file-findings_document") == template.name
    browser.open(engagement, "the draft")
    submit(browser, "#publish-form", "Publish version 1", "published")
    assert browser.text("#engagement-status") == "Active"

    # A partner organization with one location; its first admin is invited by email, the location to enroll.
    browser.open("/partners", "partners")
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, "Add partner organization"), "the new partner form")
    fill(browser, "#organization-name", "Harbor Analytics")
    browser.click_and_wait(browser.find('form[action="/partners/new"] button[type="submit"]'), "the partner")
    partner = browser.path
    fill(browser, "#location-name", "Harbor Analytics - Lisbon")
    fill(browser, "#location-country", "PT")
    browser.click_and_wait(browser.driver.find_element(By.XPATH, "//button[normalize-space()='Add location']"), "the location added")
    fill(browser, "#admin-name", "Ines Costa")
    fill(browser, "#admin-email", ADMIN)
    browser.click_and_wait(browser.driver.find_element(By.XPATH, "//button[normalize-space()='Send invitation']"), "the admin invited")
    browser.click_and_wait(browser.find('button[name="only"]'), "the location invited to enroll")
    assert "Invited" in browser.find("table").text
    browser.sign_out()

    # The admin accepts from the emailed link, enrolls, and adds the location's bank and tax profiles.
    # Two invitations reach the admin: the account (a link to join) and the location's enrollment.
    wait_for_email(instance.mail, ADMIN, "invitation")
    invitation = next(m for m in read_mail_drop(instance.mail) if m.to == ADMIN and "/invitations/" in m.body)
    browser.open(link_path(invitation, "invitations"), "the emailed invitation")
    fill(browser, "#password", PASSWORD)
    fill(browser, "#password_confirmation", PASSWORD)
    browser.click_and_wait(browser.find('button[type="submit"].primary'), "joined and signed in")
    browser.open("/enrollment", "enrollment")
    row = browser.find("table#enrollments tbody tr")
    browser.click_and_wait(row.find_element(By.CSS_SELECTOR, 'button[value="accept"]'), "the invitation accepted")
    assert "Assign a bank profile and add a valid tax profile" in browser.find("table#enrollments").text
    browser.open("/payee-profiles/bank/new", "a new bank profile")
    Select(browser.find("#bank-country")).select_by_value("PT")
    fill(browser, "#bank-bank-name", "Banco Atlantico")
    fill(browser, "#bank-account-number", "PT50 0002 0123 1234 5678 9015 4")
    fill(browser, "#bank-swift-bic", "BCOMPTPL")
    browser.click_and_wait(browser.driver.find_element(By.XPATH, "//button[normalize-space()='Save for validation']"), "the bank profile")
    assert browser.path == "/payee-profiles", browser.text(".form-error")
    lisbon = browser.find("#payee-locations tbody tr")
    if browser.maybe("#payee-locations select") is not None:
        browser.click_and_wait(lisbon.find_element(By.XPATH, ".//button[normalize-space()='Assign']"), "the bank profile assigned")
    browser.click_and_wait(browser.find("#payee-locations tbody tr").find_element(By.PARTIAL_LINK_TEXT, "Add or renew"), "a tax profile")
    fill(browser, "#tax-id", "PT-509123456")
    fill(browser, "#tax-expires-on", (today + datetime.timedelta(days=365)).isoformat())
    browser.click_and_wait(browser.driver.find_element(By.XPATH, "//button[normalize-space()='Save tax profile']"), "the tax profile")
    browser.open("/enrollment", "enrollment, profiles given")
    browser.click_and_wait(browser.find('table#enrollments button[value="submit"]'), "the enrollment submitted")
    assert "Validating" in browser.find("table#enrollments").text
    browser.sign_out()

    # The vendor approves the bank profile and the enrollment, lists the location and marks its criterion met.
    browser.sign_in(MANAGER, PASSWORD)
    browser.open("/payee-profiles", "payee profiles for validation")
    browser.click_and_wait(browser.find('button[id^="approve-"]'), "the bank profile approved")
    browser.open("/enrollment", "enrollments to validate")
    browser.click_and_wait(browser.find('table#enrollments button[value="approve"]'), "the enrollment approved")
    assert "Enrolled" in browser.find("table#enrollments").text
    browser.open(f"{engagement}/eligibility", "the eligibility list")
    Select(browser.find("#add-location")).select_by_visible_text(
        next(o.text for o in Select(browser.find("#add-location")).options if "Lisbon" in o.text))
    browser.click_and_wait(browser.driver.find_element(By.XPATH, "//button[normalize-space()='Add to the list']"), "the location listed")
    browser.find("ul.criteria details summary").click()
    Select(browser.find('ul.criteria select[name="status"]')).select_by_value("met")
    browser.find('ul.criteria textarea[name="evidence"]').send_keys("Certificate DP-203, checked on the partner portal")
    browser.click_and_wait(browser.find("ul.criteria button[type='submit']"), "the criterion met")
    assert "Met" in browser.find("ul.criteria li.met").text
    browser.sign_out()

    # The partner sees 1 of 1, adds a customer, gets consent from the emailed link, adds proof and submits.
    browser.sign_in(ADMIN, PASSWORD)
    browser.open("/engagements", "engagements")
    row = browser.find("table.engagements tbody tr")
    assert "Data platform assessment" in row.text
    assert row.find_elements(By.CSS_SELECTOR, "td")[3].text.replace("✓", "").strip().startswith("1 of 1"), row.text
    # The template downloads under the name the vendor gave it, as uploaded.
    code, headers, body = browser.fetch(f"/engagements/{engagement_id}/templates/findings_document", binary=True)
    assert code == 200 and body == template.read_bytes()
    assert "Harbor%20findings%20template%20v1.txt" in headers["Content-Disposition"], headers["Content-Disposition"]
    shutil.rmtree(template.parent)
    browser.open("/claims", "claims")
    browser.click_and_wait(browser.find("#create-claim"), "add a customer")
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, "Build intent - Partner activities"), "partner activities")
    browser.find("#claim-name").send_keys("Tidewater data platform assessment")
    browser.find("#id-type-domain").click()
    browser.find("#id-value").send_keys("tidewater-first.example")
    browser.find("#customer-name").send_keys("Tidewater Shipping")
    browser.click_and_wait(browser.find("#next"), "engagements open to the customer")
    browser.find(f'input[name="engagement"][value="{engagement_id}"]').click()
    browser.click_and_wait(browser.find("#next"), "contacts")
    browser.find("#contact-name-1").send_keys("Maya Lind")
    browser.find("#contact-email-1").send_keys("maya@tidewater-first.example")
    browser.click_and_wait(browser.find("#next"), "review")
    browser.click_and_wait(browser.find("#create-claim"), "the claim created")
    claim = browser.path
    act(browser, "send_consent_request")
    consent = wait_for_email(instance.mail, "maya@tidewater-first.example", "consent_request")
    me = browser.cookies()
    browser.open(link_path(consent, "consent"), "the customer's consent page")
    browser.click_and_wait(browser.find("#accept"), "consent given")
    assert me == browser.cookies()
    browser.open(claim, "the claim after consent")
    assert status(browser) == "consent_received"
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
        f.write(PDF)
    browser.find("#file-findings_document").send_keys(f.name)
    browser.click_and_wait(browser.find("#upload-findings_document"), "the findings uploaded")
    os.unlink(f.name)
    act(browser, "submit")
    assert status(browser) == "submitted"
    browser.sign_out()

    # The reviewer reviews and approves: the claim is an earning.
    browser.sign_in(REVIEWER, PASSWORD)
    browser.open(claim, "the claim for review")
    act(browser, "start_review")
    # The program's check shows its result; the reviewer's item must be ticked before approval.
    assert "The customer runs a data platform in production" in browser.text("#checklist")
    assert act(browser, "approve") == 422
    assert "Not confirmed" in browser.text("#error-approve")
    browser.find("#checklist input[name='confirm']").click()
    act(browser, "approve")
    assert status(browser) == "approved"
    assert "Confirmed by" in browser.text("#criteria")
    browser.sign_out()
    browser.sign_in(ADMIN, PASSWORD)
    browser.open("/earnings", "earnings")
    # Lisbon is in market B: the earning is market B's rate of the version in force.
    earning = browser.driver.find_element(By.XPATH, f"//tr[td/a[@href='{claim}']]").text
    assert "Tidewater data platform assessment" in earning and "USD 2,500.00" in earning, earning
