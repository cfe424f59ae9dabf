"""Signing in and out: the form, errors that reveal nothing, redirects, the header, signing out."""
import pytest
from selenium.webdriver.common.by import By

from support import (DEMO_PASSWORD, DEMO_USERS, SIGNED_OUT, WRONG_CREDENTIALS, http_request)


def test_login_page_has_the_form_and_lists_demo_sign_ins(browser):
    assert browser.open("/login") == 200
    form = browser.login_form()
    email = form.find_element(By.CSS_SELECTOR, "input#email")
    assert email.get_dom_attribute("name") == "email"
    password = form.find_element(By.CSS_SELECTOR, "input#password")
    assert password.get_dom_attribute("name") == "password"
    assert password.get_dom_attribute("type") == "password"
    token = form.find_element(By.CSS_SELECTOR, 'input[name="csrf_token"]')
    assert token.get_dom_attribute("type") == "hidden"
    assert (token.get_dom_attribute("value") or "").strip(), "csrf_token is empty"
    assert browser.submit_button(form, "Sign in").is_displayed()
    page = browser.find("body").text
    missing = [u.email for u in DEMO_USERS if u.email not in page]
    assert not missing, f"demo sign-ins not listed on /login: {missing}"
    assert DEMO_PASSWORD in page, "the demo password is not shown on /login in demo mode"


def test_wrong_password_and_unknown_email_get_the_same_error(browser):
    messages = []
    for email, password in (("reviewer@vendor.example", "not-the-password"),
                            ("nobody@bluefin.example", DEMO_PASSWORD)):
        browser.sign_in(email, password, expect_success=False)
        assert browser.path == "/login", f"after a failed sign-in as {email}: {browser.driver.current_url}"
        assert browser.maybe("header.site-header .whoami") is None, f"failed sign-in as {email} signed in"
        error = browser.maybe("#login-error")
        assert error is not None, f"no #login-error after a failed sign-in as {email} (h1 {browser.h1()!r})"
        assert error.get_dom_attribute("role") == "alert"
        assert WRONG_CREDENTIALS in error.text, f"#login-error says {error.text!r}"
        messages.append((" ".join(error.text.split()), browser.status))
    assert messages[0] == messages[1], f"wrong password vs unknown email differ: {messages}"


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.email)
def test_sign_in_lands_home_with_org_and_name_in_header(browser, user):
    browser.sign_in(user.email)
    assert browser.path == "/", f"signed in as {user.email}, landed on {browser.driver.current_url}"
    assert browser.status == 200
    assert browser.text("header.site-header .org-name") == user.org_name
    assert browser.text("header.site-header .whoami"), "the header does not name the signed-in user"


def test_sign_in_returns_to_the_page_asked_for(browser):
    browser.open("/claims", "claims while signed out")
    assert browser.path == "/login" and browser.query == "next=%2Fclaims", browser.driver.current_url
    browser.submit_login("admin@cedar.example", DEMO_PASSWORD)
    assert browser.path == "/claims", f"after sign-in with next=/claims: {browser.driver.current_url}"
    assert browser.status == 200


@pytest.mark.parametrize("next_param", ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example%2Fclaims",
                                        "%2F%5Cevil.example"])
def test_sign_in_ignores_a_next_that_is_not_local(browser, next_param):
    browser.sign_in("admin@cedar.example", start=f"/login?next={next_param}")
    assert browser.driver.current_url.startswith(browser.base_url + "/"), browser.driver.current_url
    assert browser.path == "/", f"next={next_param} led to {browser.driver.current_url}"


def test_sign_out(browser):
    browser.sign_in("user@bluefin.example")
    browser.sign_out()
    flash = browser.maybe(".flash")
    assert flash is not None, f"no .flash after sign-out at {browser.driver.current_url}"
    assert SIGNED_OUT in flash.text, f".flash says {flash.text!r}"
    assert browser.maybe("header.site-header .whoami") is None
    browser.open("/claims", "claims after sign-out")
    assert browser.path == "/login" and browser.query == "next=%2Fclaims", browser.driver.current_url


def test_claims_redirects_to_login_when_signed_out(base_url):
    r = http_request(base_url, "GET", "/claims")
    assert r.status in (302, 303, 307), f"GET /claims signed out answered {r.status}"
    location = r.header("Location") or ""
    assert location in ("/login?next=%2Fclaims", base_url + "/login?next=%2Fclaims"), location
