"""Keyboard only: signing in, a partner adding a customer (a refused step puts the focus on the first field in error),
a reviewer approving a claim, the skip link; and axe-core, which the page tests use, seen to find a planted violation.
axe on every page is test_a11y_pages.py."""
import re
import uuid

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from accessibility import by_id, by_text, describe, failures_only_screenshots, focused, press, run_axe, tab_to
from support import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures(failures_only_screenshots.__name__)


def press_and_wait(browser, key, label):
    """Presses a key that loads a page (Enter on a link or in a form) and waits for it."""
    browser.mark_page()
    press(browser, key)
    browser.wait_for_new_page(label)
    return browser.status


def test_sign_in_with_the_keyboard_only(browser):
    browser.open("/login")
    press(browser, Keys.TAB)
    first = focused(browser)
    assert first.tag_name == "a" and " ".join(first.text.split()) == "Skip to content", (
        f"first Tab focuses {describe(first)}")
    tab_to(browser, by_id("email"), "input#email", limit=40)
    browser.shot("keyboard: email focused")
    press(browser, "manager@vendor.example", Keys.TAB)
    assert focused(browser).get_dom_attribute("id") == "password", f"Tab after email: {describe(focused(browser))}"
    press_and_wait(browser, DEMO_PASSWORD + Keys.ENTER, "after keyboard sign-in")
    assert browser.path == "/", browser.driver.current_url
    assert browser.maybe("header.site-header .whoami") is not None, (
        f"not signed in after keyboard sign-in; login error {browser.text('#login-error')!r}")


def test_the_skip_link_takes_the_focus_to_the_main_content(browser):
    browser.sign_in("user@bluefin.example")
    for path in ("/claims", "/claims/new?kind=partner_activities", "/settings/tokens"):
        browser.open(path)
        press(browser, Keys.TAB)
        assert " ".join(focused(browser).text.split()) == "Skip to content", f"{path}: first Tab on {describe(focused(browser))}"
        press(browser, Keys.ENTER)
        assert focused(browser).get_dom_attribute("id") == "main", f"{path}: the skip link left the focus on {describe(focused(browser))}"
        press(browser, Keys.TAB)
        inside = browser.driver.execute_script("return document.activeElement.closest('main') !== null")
        assert inside, f"{path}: the Tab after skipping went to {describe(focused(browser))}, outside <main>"


def test_a_partner_adds_a_customer_with_the_keyboard_only(browser):
    tag = uuid.uuid4().hex[:8]
    browser.sign_in("user@bluefin.example")
    browser.open("/claims")
    tab_to(browser, by_id("create-claim"), "Create claim")
    assert press_and_wait(browser, Keys.ENTER, "add a customer") == 200 and browser.path == "/claims/new"
    tab_to(browser, by_text("Build intent - Partner activities"), "the partner activities kind")
    press_and_wait(browser, Keys.ENTER, "kind chosen")

    # Enter in the empty form: refused, and the focus is on the first field in error, which its error describes.
    tab_to(browser, by_id("claim-name"), "Claim name")
    assert press_and_wait(browser, Keys.ENTER, "empty customer step") == 422
    field = focused(browser)
    assert field.get_dom_attribute("id") == "claim-name", f"after the refusal the focus is on {describe(field)}"
    assert field.get_dom_attribute("aria-invalid") == "true"
    error = browser.find("#" + field.get_dom_attribute("aria-describedby").split()[0])
    assert error.text, "the field's error is empty"

    press(browser, f"Keyboard workshop {tag}", Keys.TAB)
    assert focused(browser).get_dom_attribute("id") == "location", f"Tab after the name: {describe(focused(browser))}"
    press(browser, Keys.ARROW_DOWN)
    assert Select(browser.find("#location")).first_selected_option.get_attribute("value"), "ArrowDown chose no location"
    press(browser, Keys.TAB)
    for _ in range(6):  # arrows move through a radio group, choosing as they go
        if focused(browser).get_dom_attribute("id") == "id-type-domain":
            break
        press(browser, Keys.ARROW_DOWN)
    press(browser, Keys.SPACE)
    assert browser.find("#id-type-domain").is_selected(), f"the domain choice is not chosen: {describe(focused(browser))}"
    tab_to(browser, by_id("id-value"), "the customer's domain")
    press(browser, f"kbd-{tag}.example", Keys.TAB)
    assert focused(browser).get_dom_attribute("id") == "customer-name", f"Tab after the domain: {describe(focused(browser))}"
    press(browser, f"Keyboard Customer {tag}")
    assert press_and_wait(browser, Keys.ENTER, "customer step sent") == 200, browser.text("main")

    tab_to(browser, lambda el: el.get_dom_attribute("name") == "engagement", "an engagement's choice")
    press(browser, Keys.SPACE)
    tab_to(browser, by_id("next"), "Next: the contacts")
    press_and_wait(browser, Keys.ENTER, "engagement chosen")
    tab_to(browser, by_id("contact-name-1"), "the first contact's name")
    press(browser, "Kim Keys", Keys.TAB, "CIO", Keys.TAB)
    assert focused(browser).get_dom_attribute("id") == "contact-email-1", f"Tab to the email: {describe(focused(browser))}"
    press(browser, f"kim@kbd-{tag}.example")
    press_and_wait(browser, Keys.ENTER, "contacts sent")
    tab_to(browser, by_id("create-claim"), "Create the claim")
    press_and_wait(browser, Keys.ENTER, "claim created")
    assert re.fullmatch(r"/claims/\d+", browser.path), f"not on the new claim: {browser.path} {browser.text('main')!r}"
    assert "Claim created" in (browser.text(".flash") or "")


def test_a_reviewer_approves_a_claim_with_the_keyboard_only(browser):
    browser.sign_in("reviewer@vendor.example")
    browser.open("/review", "review queue")
    row = browser.maybe('#review-queue tr[data-claim]:has(.badge[data-status="under_review"])')
    assert row is not None, "no claim under review in the queue"
    href = row.find_element("css selector", "a[href^='/claims/']").get_dom_attribute("href")
    tab_to(browser, lambda el: el.get_dom_attribute("href") == href, f"the link to {href}", limit=300)
    press_and_wait(browser, Keys.ENTER, "the claim")
    assert browser.path == href
    for box in browser.find_all("#checklist input[name='confirm']"):
        tab_to(browser, by_id(box.get_dom_attribute("id")), "a checklist box", limit=300)
        press(browser, Keys.SPACE)
        assert box.is_selected(), f"Space did not tick {describe(box)}"
    tab_to(browser, by_id("do-approve"), "Approve", limit=300)
    press_and_wait(browser, Keys.ENTER, "approved")
    status = browser.find("#claim-status").get_dom_attribute("data-status")
    assert status == "approved", f"{href} is {status}: {browser.text('.form-error')!r}"


def test_axe_runs_under_the_pages_csp_and_finds_a_planted_violation(browser):
    """Guards the page tests against passing vacuously: axe must see an image without alt text."""
    browser.open("/login", "axe self-check")
    browser.driver.execute_script(
        "const img = document.createElement('img'); img.src = '/health'; document.body.appendChild(img);")
    ids = {v["id"] for v in run_axe(browser)}
    assert "image-alt" in ids, f"axe did not report the planted image without alt: {sorted(ids)}"
