"""API tokens in a real browser: a user creates a token in Settings, the token works against the API from
another client (urllib), the user revokes it after confirming, and the API then answers 401."""
import json
import re
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By


def api_me(base_url, token):
    request = urllib.request.Request(base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def test_create_use_and_revoke_a_token(browser, base_url):
    browser.sign_in("user@bluefin.example")
    # The header links to the tokens page from every signed-in page.
    link = browser.find("header.site-header a.tokens-link")
    browser.click_and_wait(link, "tokens page")
    assert browser.path == "/settings/tokens"
    assert browser.h1() == "API tokens"

    # A name is required: the error shows next to the field.
    form = browser.find('form[action="/settings/tokens"]')
    browser.click_and_wait(browser.submit_button(form, "Create token"), "no name")
    assert "Give the token a name" in browser.text("#token-name-error")

    form = browser.find('form[action="/settings/tokens"]')
    form.find_element(By.CSS_SELECTOR, "#token-name").send_keys("Browser test")
    form.find_element(By.CSS_SELECTOR, 'input[name="scope"][value="read"]').click()
    browser.click_and_wait(browser.submit_button(form, "Create token"), "token created")
    token = browser.text("#new-token")
    assert re.fullmatch(r"pi_[A-Za-z0-9]{22,}", token), token

    status, me, headers = api_me(base_url, token)
    assert status == 200, me
    assert me["email"] == "user@bluefin.example" and me["token"]["scope"] == "read"
    assert int(headers["RateLimit-Limit"]) > 0

    # Listed by its prefix only; the secret is not on the page any more.
    assert browser.open("/settings/tokens", "tokens list") == 200
    row = browser.find('table#tokens tbody tr')
    assert token[:9] in row.text and token not in browser.driver.page_source

    # Revoking asks first, then the token stops working.
    browser.click_and_wait(browser.submit_button(row.find_element(By.CSS_SELECTOR, "form"), "Revoke"), "confirm revoke")
    assert api_me(base_url, token)[0] == 200, "nothing changed before the confirmation"
    confirm = browser.find("form.confirm")
    browser.click_and_wait(browser.submit_button(confirm, "Yes, revoke it"), "revoked")
    assert "revoked" in browser.text(".flash").lower()
    status, problem, headers = api_me(base_url, token)
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert problem["type"] == "/api/docs#problem-unauthorized"
