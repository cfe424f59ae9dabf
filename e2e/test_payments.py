"""Paying partners in a real browser, on a demo instance of its own (`serve --demo`, a fresh SQLite file, stopped by its
PID): a reviewer approves a claim; a program manager gathers a run, a second one approves it (four eyes); the bank
files are downloaded (the pain.001 validated against the ISO 20022 schema, its counts and control sum equal to the run);
the run is sent and the bank's confirmation file imported, one payment paid and one returned; the partner reads the
remittance advice; the failed payee's admin replaces the bank profile, the manager validates it and the next run pays the
failed earnings; a reviewer reverses the paid claim and the next run nets it against the payee's new earning.

The one thing not done through the product is the 45-day payment cycle: the earnings approved in the walk have their
payment month moved to this month in the database, so that a run gathered today pays them."""
from __future__ import annotations

import csv
import datetime
import io
import os
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from support import Browser
from test_claim_lifecycle import act, status
from test_first_program import Instance, instance_and_browser

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
MANAGER, FINANCE, REVIEWER = "manager@vendor.example", "finance@vendor.example", "reviewer@vendor.example"
BLUEFIN, CEDAR = "admin@bluefin.example", "admin@cedar.example"


@pytest.fixture
def demo(request, chromium, screenshots_root):
    yield from instance_and_browser(request, chromium, screenshots_root, "test_payments", serve_options=["--demo"])


def database(instance: Instance) -> sqlite3.Connection:
    return sqlite3.connect(instance.folder / "incentives.sqlite", timeout=30)


def one(instance: Instance, query: str, *arguments):
    with database(instance) as db:
        return db.execute(query, arguments).fetchone()


def due_now(instance: Instance, claim: int) -> None:
    """Skips the 45-day payment cycle of a claim approved in the walk (see the module's note)."""
    month = datetime.date.today().strftime("%Y-%m")
    with database(instance) as db:
        db.execute("UPDATE earnings SET payment_month = ? WHERE claim_id = ? AND kind = 'earning'", (month, claim))


def switch(browser: Browser, email: str) -> None:
    if browser.maybe("form.signout") is not None:
        browser.sign_out()
    browser.sign_in(email)


def approve_claim(browser: Browser, instance: Instance, location: str) -> int:
    """The reviewer approves the first claim under review at the location, ticking its checklist; returns its id."""
    claim, = one(instance, """SELECT c.id FROM claims c JOIN locations l ON l.id = c.location_id
                               WHERE c.status = 'under_review' AND l.name = ? ORDER BY c.id""", location)
    switch(browser, REVIEWER)
    browser.open(f"/claims/{claim}", f"claim {claim} for review")
    for box in browser.find_all("#checklist input[name='confirm']"):
        box.click()
    act(browser, "approve")
    assert status(browser) == "approved"
    return claim


def gather(browser: Browser) -> str:
    """The program manager gathers a run at today's cut-off; returns the run page's path."""
    switch(browser, MANAGER)
    browser.open("/payments", "payments")
    browser.click_and_wait(browser.submit_button(browser.find("form[action='/payments/runs']"), "Gather run"), "run gathered")
    assert browser.path.startswith("/payments/runs/"), browser.text(".field-error")
    assert "another program manager" in browser.text(".notice")
    assert browser.maybe("form[action$='/approve']") is None, "the gatherer is not offered the approval"
    return browser.path


def approve_and_send(browser: Browser, run: str) -> None:
    switch(browser, FINANCE)
    browser.open(run, "the run for approval")
    browser.click_and_wait(browser.submit_button(browser.find("form[action$='/approve']"), "Approve run"), "run approved")
    assert "Approved" in browser.h1()
    browser.fetch(browser.find("#export-csv").get_dom_attribute("href"))
    browser.open(run, "the run after its export")
    browser.click_and_wait(browser.submit_button(browser.find("form[action$='/send']"), "Mark sent to the bank"), "run sent")
    assert "Sent" in browser.h1()


def lines(browser: Browser) -> list[dict[str, str]]:
    """The run page's payee lines: payee (the location's name), EndToEndId, amount (plain decimal), currency, status."""
    rows = []
    for row in browser.find_all("#run-lines tbody tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        currency, amount = cells[3].text.split(" ", 1)
        rows.append({"payee": cells[0].text.split(" / ")[-1], "end_to_end_id": cells[1].text, "currency": currency,
                     "amount": str(Decimal(amount.replace(",", ""))), "status": cells[5].text.split("\n")[0]})
    return rows


def test_a_run_from_approval_to_payment_a_failure_paid_next_time_and_a_reversal_netted(demo):
    browser, instance = demo
    lxml = pytest.importorskip("lxml.etree")
    sepaxml = pytest.importorskip("sepaxml")

    # Approvals: one at Bluefin's Seattle, one at Cedar's Berlin, both due today.
    seattle_claim = approve_claim(browser, instance, "Bluefin Consulting - Seattle")
    berlin_claim = approve_claim(browser, instance, "Cedar Systems - Berlin")
    due_now(instance, seattle_claim)
    due_now(instance, berlin_claim)

    # The paying account, then a run: gathered by one program manager, approved by the other.
    switch(browser, MANAGER)
    browser.open("/payments", "payments")
    form = browser.find("form[action='/payments/settings']")
    for name, value in (("payer_name", "Vendor Incentives Ltd"), ("payer_iban", "DE89370400440532013000"), ("payer_bic", "COBADEFF")):
        field = form.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    browser.click_and_wait(browser.submit_button(form, "Save settings"), "payment settings saved")
    run = gather(browser)
    switch(browser, FINANCE)
    browser.open(run, "the run for approval")
    browser.click_and_wait(browser.submit_button(browser.find("form[action$='/approve']"), "Approve run"), "run approved")
    assert "Approved" in browser.h1()

    # The bank files: the run's CSV and the pain.001, valid against the schema, its figures those of the run.
    payees = lines(browser)
    assert {"Bluefin Consulting - Seattle", "Cedar Systems - Berlin"} <= {p["payee"] for p in payees}
    status_code, headers, body = browser.fetch(browser.find("#export-csv").get_dom_attribute("href"))
    assert status_code == 200 and headers["Content-Type"].startswith("text/csv")
    exported = list(csv.DictReader(io.StringIO(body, newline="")))
    assert sorted(r["end_to_end_id"] for r in exported) == sorted(p["end_to_end_id"] for p in payees)
    link = browser.find("a.export-pain001[data-currency='USD']").get_dom_attribute("href")
    status_code, _, xml = browser.fetch(link, binary=True)
    assert status_code == 200
    schema = lxml.XMLSchema(lxml.parse(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd")))
    document = lxml.fromstring(xml)
    schema.assertValid(document)
    usd = [p for p in payees if p["currency"] == "USD" and Decimal(p["amount"]) > 0]
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == str(len(usd))
    assert Decimal(document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS)) == sum(Decimal(p["amount"]) for p in usd)
    transfers = {t.findtext("p:PmtId/p:EndToEndId", namespaces=NS): t.findtext("p:Amt/p:InstdAmt", namespaces=NS)
                 for t in document.iterfind(".//p:CdtTrfTxInf", NS)}
    assert transfers == {p["end_to_end_id"]: p["amount"] for p in usd}

    # Sent; then the bank's confirmation file: Berlin's payment returned, every other one paid.
    browser.open(run, "the run after its export")
    browser.click_and_wait(browser.submit_button(browser.find("form[action$='/send']"), "Mark sent to the bank"), "run sent")
    berlin = next(p for p in payees if p["payee"] == "Cedar Systems - Berlin")
    confirmation = "end_to_end_id,status,amount,currency,reason\n" + "".join(
        f"{p['end_to_end_id']},{'failed' if p is berlin else 'paid'},{p['amount']},{p['currency']},"
        f"{'Beneficiary account closed (AC04)' if p is berlin else ''}\n" for p in payees if p["status"] == "Pending")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(confirmation)
    browser.find("#confirmations-file").send_keys(f.name)
    browser.click_and_wait(browser.find("#preview-confirmations"), "the confirmations previewed")
    os.unlink(f.name)
    assert browser.maybe("#import-problems") is None, browser.text("#import-problems")
    browser.click_and_wait(browser.find("#apply-confirmations"), "the confirmations applied")
    assert "Completed" in browser.h1()
    settled = {p["payee"]: p["status"] for p in lines(browser)}
    assert settled["Cedar Systems - Berlin"] == "Failed" and settled["Bluefin Consulting - Seattle"] == "Paid"

    # The partner reads the remittance advice from Earnings: the approved claim, its rate, and the total.
    switch(browser, BLUEFIN)
    browser.open("/earnings", "earnings")
    run_reference = one(instance, "SELECT reference FROM payment_runs ORDER BY id DESC")[0]
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, run_reference), "the remittance advice")
    assert "Bluefin Consulting - Seattle" in browser.text("dl.facts")
    assert browser.maybe(f"a[href='/claims/{seattle_claim}']") is not None
    _, _, advice = browser.fetch(browser.find("a[href$='/advice.csv']").get_dom_attribute("href"))
    assert str(seattle_claim) in [r["claim_id"] for r in csv.DictReader(io.StringIO(advice, newline=""))]

    # Cedar's bank profile needs action: its admin replaces it, the program manager validates it, the next run pays.
    switch(browser, CEDAR)
    browser.open("/payee-profiles", "payee profiles")
    assert "Beneficiary account closed (AC04)" in browser.text("main")
    returned = browser.driver.find_element(By.XPATH, "//tr[contains(., 'AC04')]//a[contains(@href, '/replace')]")
    browser.click_and_wait(returned, "replace the bank profile")
    Select(browser.find("#bank-country")).select_by_value("DE")
    fields = {"holder_name": "Cedar Systems GmbH", "bank_name": "Rhine Savings", "account_number": "DE02120300000000202051",
              "swift_bic": "BYLADEM1001"}
    for name, value in fields.items():
        field = browser.find(f"[name='{name}']")
        field.clear()
        field.send_keys(value)
    browser.click_and_wait(browser.submit_button(browser.find("form.stack"), "Save for validation"), "the new bank profile")
    profile, = one(instance, "SELECT MAX(id) FROM bank_profiles")
    switch(browser, MANAGER)
    browser.open("/payee-profiles", "payee profiles to validate")
    browser.click_and_wait(browser.find(f"#approve-{profile}"), "the new bank profile approved")
    second = gather(browser)
    assert any(p["payee"] == "Cedar Systems - Berlin" for p in lines(browser))
    approve_and_send(browser, second)
    while (button := browser.maybe("form:has(input[name='outcome'][value='paid']) button")) is not None:
        browser.click_and_wait(button, "a payment confirmed")
    assert "Completed" in browser.h1()
    paid, = one(instance, "SELECT COUNT(*) FROM earnings WHERE claim_id = ? AND payment_status = 'paid'", berlin_claim)
    assert paid == 1

    # The reviewer reverses the paid Seattle claim; a new Seattle approval is netted against it in the next run.
    switch(browser, REVIEWER)
    browser.open(f"/claims/{seattle_claim}", "the paid claim")
    act(browser, "reverse", "the approval reversed", code="duplicate_claim", reason="The same workshop was claimed twice.")
    assert status(browser) == "rejected_final"
    reversed_minor, = one(instance, "SELECT amount_minor FROM earnings WHERE claim_id = ? AND kind = 'reversal'", seattle_claim)
    assert reversed_minor < 0
    later_claim = approve_claim(browser, instance, "Bluefin Consulting - Seattle")
    due_now(instance, later_claim)
    earned_minor, = one(instance, "SELECT amount_minor FROM earnings WHERE claim_id = ? AND kind = 'earning'", later_claim)
    third = gather(browser)
    net = Decimal(earned_minor + reversed_minor) / 100
    seattle = [p for p in lines(browser) if p["payee"] == "Bluefin Consulting - Seattle"]
    if net >= 0:
        assert seattle and Decimal(seattle[0]["amount"]) == net
    else:
        assert not seattle and "carried forward" in browser.text("main")
    assert third != second
