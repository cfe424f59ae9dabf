"""axe-core on every page: for each demo role, the pages it reaches from home (its navigation, then the first link of
each kind on each page: a list's first row in each status family, a record's tabs, a form's page), the forms reached
by a button, each submitted empty (its errors must be announced with their fields), and the error pages; then what
visitors and customers see: sign-in, an invitation, the consent and survey pages. Serious and critical violations
fail; moderate and minor ones are reported at the end of the run (and in axe-report.txt next to the screenshots).
One browser session per role; a page kind checked for one role of a side is checked again for another only where the
role changes it (home, the claims list)."""
from __future__ import annotations

import re
import uuid

import pytest

from accessibility import Audit, crawl, failures_only_screenshots, submit_empty
from support import wait_for_email
from test_claim_lifecycle import act, add_customer, become, link_path

pytestmark = pytest.mark.usefixtures(failures_only_screenshots.__name__)

# Page kinds that differ by role within a side: each role's crawl checks them again.
BY_ROLE = {"/", "/claims"}
# Page kinds the same for every role: checked once in the run.
FOR_ALL = {"/api/docs"}

# Per role: what the crawl does not reach by a link. A path (or a crawled page kind) and the form to submit empty on it,
# or the status its error page must answer.
BY_HAND: dict[str, list[tuple[str, str | int]]] = {
    "admin@bluefin.example": [
        ("/claims/new?kind=partner_activities", "#add-customer"),
        ("/payee-profiles/bank/new", "main form.stack"),
        ("/payee-profiles/locations/{id}/tax/new", "main form.stack"),
        ("/settings/tokens", "form[action='/settings/tokens']"),
        ("/settings/users", "form[action='/settings/users']"),
        ("/settings/webhooks", "form[action='/settings/webhooks']"),
        ("/review", 403), ("/no-such-page-a11y", 404)],
    "user@bluefin.example": [("/claims/new?kind=use_or_consume", "#add-customer"), ("/settings/users", 403)],
    "manager@vendor.example": [
        ("/catalogue/engagements/new", "#engagement-form"),
        ("/partners/new", "main form.stack"),
        ("/payments", "form[action='/payments/settings']"),
        ("/catalogue", "#area-form"),
        ("/engagements", 403)],
    "reviewer@vendor.example": [("/claims/{id}", "form[action$='/comments']"), ("/payments", 403)],
}
SIDES = {"admin@bluefin.example": "partner", "user@bluefin.example": "partner",
         "manager@vendor.example": "vendor", "reviewer@vendor.example": "vendor"}


@pytest.fixture(scope="module")
def axe_report(request, screenshots_root):
    """Collects each test's audit; prints the moderate and minor findings after the module, and writes them out."""
    audits: list[Audit] = []
    yield audits
    lines = [a.report() for a in audits]
    pages = [f"{a.who}, axe's time per page:\n  " + "\n  ".join(a.timings) for a in audits]
    (screenshots_root / "axe-report.txt").write_text("\n".join(lines + pages) + "\n")
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print("\n" + "\n".join(lines))


@pytest.fixture(scope="module")
def checked() -> dict[str, dict[str, str]]:
    """The page kinds checked so far and their addresses, per side (partner, vendor)."""
    return {"partner": {}, "vendor": {}}


def check_by_hand(browser, audit: Audit, crawled: dict[str, str], path: str, what: str | int) -> None:
    """Opens `path` (a page kind crawled, for one with an id) and checks its error page, or submits its form empty."""
    href = crawled.get(path) or next((h for s, h in crawled.items() if s.startswith(path + " (")), path)
    assert "{" not in href, f"{audit.who}: the crawl found no page {path}"
    status = browser.open(href, f"by hand: {href}")
    if isinstance(what, int):
        if status != what:
            audit.problems.append(f"{href}: status {status}, expected the {what} page")
        audit.check(browser, f"{href} ({what})")
        return
    if href not in audit.pages:
        audit.check(browser, href)
    audit.check_errors(browser, f"{href} submitted empty", submit_empty(browser, what, f"{href} submitted empty"))


@pytest.mark.parametrize("email", list(BY_HAND))
def test_every_page_a_role_reaches_passes_axe(browser, email, checked, axe_report):
    browser.sign_in(email)
    audit = Audit(email)
    axe_report.append(audit)
    side = checked[SIDES[email]]
    crawled = crawl(browser, audit, side, BY_ROLE) | side
    for other in checked.values():
        other.update({shape: href for shape, href in crawled.items() if shape in FOR_ALL})
    for path, what in BY_HAND[email]:
        check_by_hand(browser, audit, crawled, path, what)
    audit.assert_clean()


def test_sign_in_and_invitation_pages_pass_axe(browser, mail_dir, axe_report):
    audit = Audit("visitor")
    axe_report.append(audit)
    browser.open("/login")
    audit.check(browser, "/login")
    audit.check_errors(browser, "/login submitted empty",
                       submit_empty(browser, "form[action='/login']", "sign-in submitted empty"))
    browser.open("/no-such-page-a11y")
    audit.check(browser, f"/no-such-page-a11y ({browser.status}, signed out)")

    invitee = f"a11y-{uuid.uuid4().hex[:8]}@bluefin.example"
    browser.sign_in("admin@bluefin.example")
    browser.open("/settings/users", "users")
    form = browser.find("form[action='/settings/users']")
    form.find_element("css selector", "#invite-email").send_keys(invitee)
    form.find_element("css selector", "#invite-name").send_keys("Ada Axe")
    browser.find('input[name="role"][value="1:incentives_user"]').click()
    browser.click_and_wait(browser.submit_button(form, "Create invitation"), "invited")
    browser.sign_out()
    mail = wait_for_email(mail_dir, invitee, "invitation")
    path = "/" + re.search(r"https?://[^/\s]+/(invitations/[A-Za-z0-9_-]{43})", mail.body).group(1)
    assert browser.open(path, "the invitation") == 200
    audit.check(browser, "/invitations/{token}")
    audit.check_errors(browser, "/invitations/{token} submitted empty",
                       submit_empty(browser, "form[action^='/invitations/']", "invitation submitted empty"))
    audit.assert_clean()


def test_the_customers_consent_and_survey_pages_pass_axe(browser, mail_dir, axe_report):
    audit = Audit("customer")
    axe_report.append(audit)
    tag = uuid.uuid4().hex[:8]
    contact = ("Ines Axe", f"ines@axe-{tag}.example")
    become(browser, "user@bluefin.example")
    claim = add_customer(browser, "Build intent - Partner activities", f"Axe workshop {tag}", "domain",
                         f"axe-{tag}.example", f"Axe Customer {tag}", contact)
    act(browser, "send_consent_request")
    consent = link_path(wait_for_email(mail_dir, contact[1], "consent_request"), "consent")
    browser.sign_out()
    browser.open(consent, "consent page")
    audit.check(browser, "/consent/{token}")
    browser.click_and_wait(browser.find("#accept"), "consent given")
    audit.check(browser, "/consent/{token} answered")

    become(browser, "user@bluefin.example")
    browser.open(f"/claims/{claim}", "claim after consent")
    browser.click_and_wait(browser.find("#send-customer-survey"), "customer survey sent")
    survey = link_path(wait_for_email(mail_dir, contact[1], "survey"), "survey")
    browser.sign_out()
    browser.open(survey, "survey page")
    audit.check(browser, "/survey/{token}")
    audit.check_errors(browser, "/survey/{token} submitted empty",
                       submit_empty(browser, "form[action^='/survey/']", "survey submitted empty"))
    audit.assert_clean()
