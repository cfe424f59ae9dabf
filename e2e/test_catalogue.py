"""The program manager runs the catalogue in a real browser: drafts an engagement (a bad rate is refused next to its
field and what was typed stays), previews and publishes it, starts a new version and sees it compared with the one in
force; a reviewer reads the engagement, criteria included, and is offered no change."""
import uuid



def fill(form, field: str, value: str) -> None:
    element = form.find_element("css selector", f"#field-{field}")
    element.clear()
    element.send_keys(value)


def test_the_program_manager_drafts_previews_and_publishes_an_engagement(browser):
    name = f"Browser workshop {uuid.uuid4().hex[:6]}"
    browser.sign_in("manager@vendor.example")
    browser.open("/catalogue", "the catalogue")
    assert browser.h1() == "Catalogue"
    link = browser.find('a[href^="/catalogue/engagements/new?area="]')
    browser.click_and_wait(link, "the new engagement form")
    form = browser.find("#engagement-form")
    fill(form, "name", name)
    fill(form, "rate-a", "5000.001")
    fill(form, "rate-b", "3000")
    fill(form, "description", "A one-day workshop, drafted in a browser.")
    fill(form, "partner-criteria", "Two certified engineers")
    form.find_element("css selector", 'input[name="proof"][value="findings_document"]').click()
    browser.click_and_wait(browser.submit_button(form, "Save draft"), "refused: a rate with three decimals")
    assert browser.text("#field-rate-a-error") == "USD has 2 decimal places: 5000.001 has more."
    assert browser.find("#field-name").get_attribute("value") == name, "what was typed stays"
    assert browser.find("#field-rate-a").get_attribute("aria-invalid") == "true"

    form = browser.find("#engagement-form")
    fill(form, "rate-a", "5,000")
    browser.click_and_wait(browser.submit_button(form, "Save draft"), "the draft")
    assert browser.h1() == name
    assert browser.text("#engagement-status") == "Draft"
    assert "Two certified engineers" in browser.text(".partner-criteria")
    browser.click_and_wait(browser.submit_button(browser.find("#publish-form"), "Publish version 1"), "published")
    assert browser.text("#engagement-status") in ("Active", "Upcoming")
    assert browser.text("#terms-heading") == "Version 1, in force"

    # A new version, previewed against the one in force.
    engagement = browser.path
    browser.click_and_wait(browser.submit_button(browser.find(f'form[action="{engagement}/versions"]'), "Start a new version"), "the draft version")
    form = browser.find("#engagement-form")
    fill(form, "rate-a", "6500")
    browser.click_and_wait(browser.submit_button(form, "Save draft version"), "the preview")
    preview = browser.find("#preview").text
    assert "Rate, market A" in preview and "USD 5,000.00" in preview and "USD 6,500.00" in preview

    browser.sign_out()
    browser.sign_in("reviewer@vendor.example")
    browser.open(engagement, "the engagement, as a reviewer")
    assert "Two certified engineers" in browser.text(".partner-criteria")
    assert browser.maybe("#publish-form") is None and browser.maybe(f'form[action="{engagement}/versions"]') is None
