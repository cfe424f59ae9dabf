"""Claims end to end in a real browser, each by the people who move it: the partner adds a customer
(Add customer), the customer answers from the emailed links (read from the mail-drop folder), the partner
uploads proof and answers the surveys, the reviewer asks for more, rejects, the admin disputes once, the
reviewer approves; other claims are declined, withdrawn, canceled, rejected for good, or expired by the
deadline clock moved forward (`incentives sweep --now`)."""
import datetime
import os
import re
import sqlite3
import subprocess
import tempfile
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from support import unavailable, wait_for_email

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def become(browser, email):
    """Signs in as `email`, signing out whoever was signed in."""
    if browser.maybe("form.signout") is None:
        browser.open("/", "home")
    if browser.maybe("form.signout") is not None:
        browser.sign_out()
    browser.sign_in(email)


def status(browser):
    return browser.find("#claim-status").get_dom_attribute("data-status")


def act(browser, action, label=None, code=None, reason=None):
    """Presses one of the claim page's action buttons, with a coded reason and words where the form asks."""
    form = browser.find(f"#form-{action}")
    if code is not None:
        Select(form.find_element(By.NAME, "reason_code")).select_by_value(code)
    if reason is not None:
        form.find_element(By.NAME, "reason").send_keys(reason)
    browser.click_and_wait(form.find_element(By.ID, f"do-{action}"), label or action)
    return browser.status


def link_path(mail, kind):
    return "/" + re.search(rf"https?://\S+/({kind}/[A-Za-z0-9_-]{{43}})", mail.body).group(1)


def add_customer(browser, kind_label, name, id_type, id_value, customer, contact, location="Seattle", engagement=None):
    """Walks Add customer from the claims list; returns the new claim's id."""
    browser.open("/claims", "claims")
    browser.click_and_wait(browser.find("#create-claim"), "add a customer")
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, kind_label), f"kind: {kind_label}")
    browser.find("#claim-name").send_keys(name)
    select = Select(browser.find("#location"))
    select.select_by_visible_text(next(o.text for o in select.options if location in o.text))
    browser.find(f"#id-type-{id_type}").click()
    browser.find("#id-value").send_keys(id_value)
    browser.find("#customer-name").send_keys(customer)
    browser.click_and_wait(browser.find("#next"), "engagements")
    choices = browser.find_all('input[name="engagement"]')
    assert choices, f"no engagement open to {customer}: {browser.text('.engagement-choices')}"
    pick = next((c for c in choices if engagement is None or c.get_dom_attribute("value") == str(engagement)), choices[0])
    pick.click()
    browser.click_and_wait(browser.find("#next"), "contacts")
    browser.find("#contact-name-1").send_keys(contact[0])
    browser.find("#contact-email-1").send_keys(contact[1])
    browser.click_and_wait(browser.find("#next"), "review")
    assert name in browser.text("dl.facts")
    browser.click_and_wait(browser.find("#create-claim"), "claim created")
    assert "Claim created" in (browser.text(".flash") or "")
    return int(re.search(r"/claims/(\d+)$", browser.path).group(1))


def complete_proof(browser, claim, mail_dir, contact_email):
    """Provides every missing piece of proof the claim's engagement asks for, the way a partner does."""
    browser.open(f"/claims/{claim}", "claim")
    if browser.maybe("#hours") is not None and not browser.find("#hours").get_attribute("value"):
        browser.find("#hours").send_keys("8")
        browser.click_and_wait(browser.find("#save-hours"), "hours saved")
    for kind in ("invoice", "findings_document"):
        if browser.maybe(f'#proof-{kind}[data-provided="false"]') is not None:
            with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
                f.write(PDF)
            browser.find(f"#file-{kind}").send_keys(f.name)
            browser.click_and_wait(browser.find(f"#upload-{kind}"), f"{kind} uploaded")
            assert "uploaded" in (browser.text(".flash") or ""), browser.text(f"#error-proof-{kind}")
            os.unlink(f.name)
    if browser.maybe('#proof-partner_survey[data-provided="false"]') is not None:
        browser.find("#q-delivered").send_keys("A one-day workshop with the customer's IT team")
        browser.driver.execute_script("arguments[0].value = arguments[1]", browser.find("#q-delivered_on"),
                                      (datetime.date.today() - datetime.timedelta(days=2)).isoformat())
        browser.find("#q-products").send_keys("Identity, endpoint management")
        browser.click_and_wait(browser.find("#save-survey"), "partner survey saved")
    if browser.maybe('#proof-customer_survey[data-provided="false"]') is not None:
        browser.click_and_wait(browser.find("#send-customer-survey"), "customer survey sent")
        mail = wait_for_email(mail_dir, contact_email, "survey")
        me = browser.cookies()
        browser.open(link_path(mail, "survey"), "customer survey (emailed link)")
        browser.find("#q-delivered_as_described-yes").click()
        Select(browser.find("#q-satisfaction")).select_by_value("5")
        browser.click_and_wait(browser.find("#send-survey"), "customer survey answered")
        assert "You answered on" in browser.text("#survey-state")
        assert me == browser.cookies(), "the customer's page leaves the partner's session alone"
        browser.open(f"/claims/{claim}", "claim")
    assert browser.maybe("#missing-proof") is None, browser.text("#missing-proof")


def test_partner_activities_claim_from_customer_claimed_to_approved(browser, mail_dir):
    contact = ("Iris Novak", "iris@northwind-e2e.com")
    become(browser, "user@bluefin.example")
    claim = add_customer(browser, "Build intent - Partner activities", "Northwind e2e workshop", "domain",
                         "northwind-e2e.com", "Northwind Traders E2E", contact)
    assert status(browser) == "customer_claimed"
    assert browser.find('.stepper [aria-current="step"]').text == "Customer claimed"

    # Consent: the email reaches the contact, who confirms from its link without an account.
    assert act(browser, "send_consent_request") == 200
    assert status(browser) == "awaiting_consent"
    mail = wait_for_email(mail_dir, contact[1], "consent_request")
    browser.sign_out()
    browser.open(link_path(mail, "consent"), "consent page (emailed link)")
    assert browser.maybe("#accept") is not None
    browser.click_and_wait(browser.find("#accept"), "consent given")
    assert "You confirmed on" in browser.text("#consent-state")

    # Proof, then submit; the page said what was missing before.
    become(browser, "user@bluefin.example")
    browser.open(f"/claims/{claim}", "claim after consent")
    assert status(browser) == "consent_received"
    assert browser.maybe("#missing-proof") is not None
    assert browser.find("#do-submit").get_dom_attribute("disabled") is not None
    complete_proof(browser, claim, mail_dir, contact[1])
    act(browser, "submit")
    assert status(browser) == "submitted"

    # The reviewer starts, asks for more with a coded reason; the partner hears of it by email.
    become(browser, "reviewer@vendor.example")
    browser.open(f"/claims/{claim}", "claim for review")
    assert browser.maybe("#do-submit") is None, "the reviewer is offered the reviewer's actions only"
    act(browser, "start_review")
    assert status(browser) == "under_review"
    act(browser, "request_information", code="missing_or_old_dates", reason="The findings carry no date")
    assert status(browser) == "partner_action_required"
    asked = wait_for_email(mail_dir, "user@bluefin.example", "action_required")
    assert "Missing or outdated dates: The findings carry no date" in asked.body

    # The partner answers and resubmits; the reviewer rejects; the admin disputes once and resubmits.
    become(browser, "user@bluefin.example")
    browser.open(f"/claims/{claim}", "claim, action required")
    browser.find("#comment-body").send_keys("Dated copy uploaded on page 1.")
    browser.click_and_wait(browser.find("#add-comment"), "comment added")
    act(browser, "submit")
    become(browser, "reviewer@vendor.example")
    browser.open(f"/claims/{claim}", "claim resubmitted")
    assert "Dated copy uploaded on page 1." in browser.text("#comments")
    act(browser, "reject", code="proof_does_not_show_activity", reason="The workshop agenda is missing")
    assert status(browser) == "rejected"
    become(browser, "admin@bluefin.example")
    browser.open(f"/claims/{claim}", "claim rejected")
    # A dispute needs a justification: the browser asks for it, and without the browser's check the server refuses.
    assert browser.find("#reason-dispute").get_dom_attribute("required") is not None
    browser.driver.execute_script("document.getElementById('reason-dispute').removeAttribute('required')")
    assert act(browser, "dispute") == 422
    assert browser.maybe("#error-dispute") is not None
    act(browser, "dispute", reason="The agenda is page 3 of the findings")
    assert status(browser) == "disputed"
    act(browser, "submit")
    assert status(browser) == "submitted"

    # Approved in the dispute round: the earning exists, and the history tells who did what.
    become(browser, "reviewer@vendor.example")
    browser.open(f"/claims/{claim}", "dispute round")
    # The customer criteria the reviewer confirms are a checklist: approving with one unticked is refused next to it.
    boxes = browser.find("#form-approve").find_elements(By.CSS_SELECTOR, 'input[name="confirm"]')
    assert len(boxes) >= 1
    assert act(browser, "approve") == 422
    assert "Not confirmed" in browser.text("#error-approve")
    for box in browser.find("#form-approve").find_elements(By.CSS_SELECTOR, 'input[name="confirm"]'):
        if not box.is_selected():
            box.click()
    act(browser, "approve")
    assert status(browser) == "approved"
    assert "Confirmed by" in browser.text("#criteria")
    history = browser.text("#history")
    for step in ("Add customer", "Send consent request", "Accept consent", "Submit", "Start review",
                 "Ask for more information", "Reject", "Dispute rejection", "Approve"):
        assert step in history, f"history lacks {step}"
    assert "from 127.0.0.1" in history, "the customer's answer carries its address (the browser here)"


def test_declined_withdrawn_and_canceled_claims(browser, mail_dir):
    become(browser, "user@bluefin.example")
    # Declined by the customer.
    declined = add_customer(browser, "Build intent - Partner activities", "Declined e2e", "domain", "declined-e2e.com",
                            "Declined Corp", ("Dan Decline", "dan@declined-e2e.com"))
    act(browser, "send_consent_request")
    mail = wait_for_email(mail_dir, "dan@declined-e2e.com", "consent_request")
    browser.open(link_path(mail, "consent"), "consent page")
    browser.click_and_wait(browser.find("#decline"), "declined")
    assert "You declined on" in browser.text("#consent-state")
    browser.open(f"/claims/{declined}", "declined claim")
    assert status(browser) == "consent_declined"
    assert browser.maybe('[id^="do-"]') is None, "nothing is left to do"

    # Consent given, then withdrawn from the same link.
    withdrawn = add_customer(browser, "Build intent - Partner activities", "Withdrawn e2e", "domain", "withdrawn-e2e.com",
                             "Withdrawn Corp", ("Wes Withdraw", "wes@withdrawn-e2e.com"))
    act(browser, "send_consent_request")
    link = link_path(wait_for_email(mail_dir, "wes@withdrawn-e2e.com", "consent_request"), "consent")
    browser.open(link, "consent page")
    browser.click_and_wait(browser.find("#accept"), "accepted")
    browser.click_and_wait(browser.find("#revoke"), "withdrawn")
    assert "You withdrew your consent" in browser.text("#consent-state")
    browser.open(f"/claims/{withdrawn}", "withdrawn claim")
    assert status(browser) == "consent_rejected"

    # Canceled by the partner before submission.
    canceled = add_customer(browser, "Build intent - Partner activities", "Canceled e2e", "domain", "canceled-e2e.com",
                            "Canceled Corp", ("Cy Cancel", "cy@canceled-e2e.com"))
    act(browser, "cancel", reason="Customer chose another vendor")
    assert status(browser) == "canceled"
    assert f"/claims/{canceled}" in browser.path


def test_use_or_consume_claim_rejected_final_after_its_one_dispute(browser, mail_dir):
    become(browser, "admin@bluefin.example")
    subscription = str(uuid.uuid4())
    claim = add_customer(browser, "Use or consume", "CPOR e2e", "subscription", subscription, "Contoso CPOR E2E",
                         ("Pat Owner", "pat@contoso-cpor-e2e.com"))
    assert status(browser) == "customer_claimed"
    complete_proof(browser, claim, mail_dir, "pat@contoso-cpor-e2e.com")
    act(browser, "submit")
    assert status(browser) == "submitted"
    notice = wait_for_email(mail_dir, "pat@contoso-cpor-e2e.com", "consent_request")
    assert "partner of record" in notice.subject

    become(browser, "reviewer@vendor.example")
    browser.open(f"/claims/{claim}", "CPOR claim")
    act(browser, "reject", code="not_eligible", reason="The subscription shows no usage")
    become(browser, "admin@bluefin.example")
    browser.open(f"/claims/{claim}", "CPOR rejected")
    act(browser, "dispute", reason="Usage started this month")
    act(browser, "submit")
    become(browser, "reviewer@vendor.example")
    browser.open(f"/claims/{claim}", "CPOR dispute round")
    act(browser, "reject", code="other", reason="Still no usage")
    assert status(browser) == "rejected_final"
    become(browser, "admin@bluefin.example")
    browser.open(f"/claims/{claim}", "CPOR rejected final")
    assert browser.maybe("#do-dispute") is None, "a rejection after a dispute is final"


def test_the_partner_of_record_notice_lets_the_customer_object(browser, mail_dir):
    # The README: a use-or-consume claim's first submission emails the customer a notice with a link to object.
    become(browser, "admin@bluefin.example")
    claim = add_customer(browser, "Use or consume", "CPOR objection e2e", "subscription", str(uuid.uuid4()),
                         "Objecting Corp", ("Olga Object", "olga@objecting-e2e.com"))
    complete_proof(browser, claim, mail_dir, "olga@objecting-e2e.com")
    act(browser, "submit")
    assert status(browser) == "submitted"
    notice = wait_for_email(mail_dir, "olga@objecting-e2e.com", "consent_request")
    assert notice.subject == "Bluefin Consulting is now your partner of record", notice.subject
    browser.sign_out()
    browser.open(link_path(notice, "consent"), "the notice's link, signed out")
    browser.click_and_wait(browser.find("#revoke"), "the customer objects")
    assert "You withdrew your consent" in browser.text("#consent-state")
    become(browser, "admin@bluefin.example")
    browser.open(f"/claims/{claim}", "CPOR claim after the objection")
    assert status(browser) == "consent_rejected"
    assert "Revoke consent" in browser.text("#history")


def test_a_stale_form_changes_nothing_and_says_so(browser):
    become(browser, "user@bluefin.example")
    claim = add_customer(browser, "Build intent - Partner activities", "Stale e2e", "domain", "stale-e2e.com",
                         "Stale Corp", ("Sam Stale", "sam@stale-e2e.com"))
    # The page stays open while the claim changes elsewhere (another tab, another colleague).
    version = browser.find('#form-cancel input[name="version"]').get_attribute("value")
    browser.driver.execute_script("window.open('');")
    main, other = browser.driver.window_handles[0], browser.driver.window_handles[-1]
    browser.driver.switch_to.window(other)
    browser.open(f"/claims/{claim}", "same claim in another tab")
    act(browser, "send_consent_request")
    browser.driver.close()
    browser.driver.switch_to.window(main)
    assert browser.find('#form-cancel input[name="version"]').get_attribute("value") == version
    assert act(browser, "cancel", "stale cancel") == 409
    assert "This claim changed while you had it open" in browser.text("#stale")
    assert status(browser) == "awaiting_consent", "the page shows the claim as it is now"


@pytest.mark.last
def test_the_deadline_clock_expires_a_claim_and_tells_the_partner(browser, mail_dir):
    """Runs last: sweeping 60 days ahead expires the demo's claims too."""
    database, binary = os.environ.get("E2E_DATABASE_URL"), os.environ.get("E2E_BIN")
    if not database or not binary:
        unavailable("E2E_DATABASE_URL and E2E_BIN come from scripts/e2e.sh")
    become(browser, "user@bluefin.example")
    claim = add_customer(browser, "Build intent - Partner activities", "Expiring e2e", "domain", "expiring-e2e.com",
                         "Expiring Corp", ("Eve Expire", "eve@expiring-e2e.com"))
    assert browser.text("#claim-clock"), "the open clock is shown"
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    swept = subprocess.run([binary, "sweep", "--now", later], env={**os.environ, "DATABASE_URL": database},
                           capture_output=True, text=True, timeout=120)
    assert swept.returncode == 0, swept.stderr
    browser.open(f"/claims/{claim}", "after the clock moved")
    assert status(browser) == "consent_expired"
    assert "Deadline clock" in browser.text("#history")
    # The expiry email is in the outbox, due at the swept instant (the mail service sends it when that comes).
    with sqlite3.connect(database.removeprefix("sqlite:")) as db:
        subjects = [r[0] for r in db.execute(
            "SELECT subject FROM mail_outbox WHERE claim_id = ? AND to_address = 'user@bluefin.example' AND kind = 'decision'", (claim,))]
    assert any("deadline passed" in s for s in subjects), subjects
