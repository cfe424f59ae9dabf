"""Payee profiles in a real browser: a bank profile replaced with a wrong IBAN (the error next to the field),
then a right one; the program manager approves it and the location's payee profile becomes complete.
Also: an Incentives admin accepts an enrollment invitation and submits it; the program manager approves it."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def fill(browser, css, value):
    field = browser.find(css)
    field.clear()
    field.send_keys(value)


def dubai_row(browser):
    return browser.text("#payee-locations tr#location-6") or ""


def earning_total(browser):
    """The sum of N over every engagement's "N of M" on all Engagements tabs."""
    total = 0
    browser.open("/engagements", "engagements")
    for href in [a.get_dom_attribute("href") for a in browser.find_all('nav[aria-label="Solution areas"] a')]:
        browser.open(href, "engagements tab")
        for row in browser.find_all("table.engagements tbody tr"):
            total += int(row.find_elements(By.CSS_SELECTOR, "td")[3].text.replace("✓", "").split(" of ")[0])
    return total


def test_wrong_then_right_iban_then_manager_approves_and_the_location_earns(browser):
    browser.sign_in("admin@cedar.example")
    earning_before = earning_total(browser)
    browser.open("/payee-profiles", "payee profiles as Cedar admin")
    assert "Incomplete" in dubai_row(browser), f"Dubai starts incomplete (pending bank profile): {dubai_row(browser)!r}"
    assert "AE070331234567890123456" not in browser.driver.page_source, "account numbers are masked on the list"
    link = browser.find('a[href="/payee-profiles/bank/3/replace"]')
    browser.click_and_wait(link, "replace form for the Dubai bank profile")
    assert browser.h1() == "Replace a bank profile"
    assert browser.find("#bank-account-number").get_attribute("value") == "AE070331234567890123456", \
        "the admin sees the full account number on the edit form"

    # A mistyped IBAN: the error sits next to the field, the field is marked invalid, nothing is saved.
    fill(browser, "#bank-account-number", "AE07 0331 2345 6789 0123 457")
    form = browser.find('form[action="/payee-profiles/bank/3/replace"]')
    browser.click_and_wait(browser.submit_button(form, "Save for validation"), "after a wrong IBAN")
    assert browser.status == 422
    error = browser.find("#bank-account-number-error")
    assert "check digits" in error.text
    field = browser.find("#bank-account-number")
    assert field.get_attribute("aria-invalid") == "true"
    assert "bank-account-number-error" in field.get_attribute("aria-describedby")
    # The error is the field's next sibling block, inside the same .field wrapper.
    assert error.find_element(By.XPATH, "..") == field.find_element(By.XPATH, ".."), "the error is next to its field"

    # The right one, typed in lower case with spaces.
    fill(browser, "#bank-account-number", "ae07 0331 2345 6789 0123 456")
    Select(browser.find("#bank-country")).select_by_value("AE")
    fill(browser, "#bank-bank-name", "Gulf Trade Bank (Dubai)")
    form = browser.find('form[action="/payee-profiles/bank/3/replace"]')
    browser.click_and_wait(browser.submit_button(form, "Save for validation"), "after the right IBAN")
    assert browser.path == "/payee-profiles", f"saved and back on the list, at {browser.path}"
    assert "Bank profile replaced" in (browser.text(".flash") or browser.driver.page_source)
    assert "Pending validation" in dubai_row(browser)
    new_id = browser.find("#bank-profiles tbody tr").get_attribute("id")
    assert new_id and new_id != "bank-3", "the new profile is listed first"
    browser.sign_out()

    # The program manager approves the new profile.
    browser.sign_in("manager@vendor.example")
    browser.open("/payee-profiles", "payee profiles as the manager")
    row = browser.find(f"tr#{new_id}")
    assert "Pending validation" in row.text
    approve = row.find_element(By.CSS_SELECTOR, f"button#approve-{new_id.removeprefix('bank-')}")
    browser.click_and_wait(approve, "after approving")
    assert browser.status == 200
    assert "Approved" in browser.find(f"tr#{new_id}").text
    browser.sign_out()

    # The partner sees the location's payee profile complete: it earns where it is enrolled and eligible.
    browser.sign_in("admin@cedar.example")
    browser.open("/payee-profiles", "payee profiles after approval")
    assert "Complete" in dubai_row(browser), dubai_row(browser)
    assert "Approved" in dubai_row(browser)
    # ... and the Engagements counts follow at once: Dubai now earns where it is enrolled and eligible.
    assert earning_total(browser) > earning_before


def test_an_incentives_user_only_views(browser):
    browser.sign_in("user@bluefin.example")
    browser.open("/payee-profiles", "payee profiles as an Incentives user")
    assert browser.status == 200
    assert browser.maybe('a[href="/payee-profiles/bank/new"]') is None
    assert browser.maybe("#payee-locations form") is None
    browser.open("/payee-profiles/bank/new", "the add form as an Incentives user")
    assert browser.status == 403


def test_an_admin_accepts_an_invitation_submits_and_the_manager_approves(browser):
    browser.sign_in("admin@kestrel.example")
    browser.open("/enrollment", "enrollment as Kestrel admin")
    row = browser.find("tr#enrollment-1-9")
    assert "Invited" in row.text
    accept = row.find_element(By.CSS_SELECTOR, 'button[value="accept"]')
    browser.click_and_wait(accept, "after accepting the invitation")
    assert browser.path == "/enrollment"
    assert "Enrolling" in browser.find("tr#enrollment-1-9").text
    submit = browser.find('tr#enrollment-1-9 button[value="submit"]')
    browser.click_and_wait(submit, "after submitting for validation")
    assert "Validating" in browser.find("tr#enrollment-1-9").text
    assert browser.maybe('tr#enrollment-1-9 button') is None, "nothing left for the partner to do"
    browser.sign_out()

    # The program manager validates it; Johannesburg is enrolled.
    browser.sign_in("manager@vendor.example")
    browser.open("/enrollment", "enrollment as the manager")
    row = browser.find("tr#enrollment-1-9")
    assert "Kestrel IT" in row.text and "Validating" in row.text
    browser.click_and_wait(row.find_element(By.CSS_SELECTOR, 'button[value="approve"]'), "after the manager approves")
    assert "Enrolled" in browser.find("tr#enrollment-1-9").text
