"""CSRF on the sign-in and sign-out forms, security headers, the session cookie's flags."""
import pytest

from support import DEMO_PASSWORD, NOT_ALLOWED, SESSION_COOKIE, http_request


def assert_refused(result, what):
    assert result.status == 403, f"{what}: status {result.status}, expected 403 (h1 {result.h1!r})"
    assert result.h1 == NOT_ALLOWED, f"{what}: h1 {result.h1!r}, expected {NOT_ALLOWED!r}"
    assert "site-header" in result.body, f"{what}: the 403 page lacks the site header"


def assert_still_signed_in(browser, what):
    browser.open("/claims", f"claims after {what}")
    assert browser.path == "/claims" and browser.status == 200, (
        f"after {what} the session no longer works: {browser.driver.current_url} ({browser.status})")
    assert browser.maybe("header.site-header .whoami") is not None


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["without-token", "wrong-token"])
def test_login_post_needs_the_csrf_token(browser, token):
    browser.open("/login")
    form = {"email": "admin@cedar.example", "password": DEMO_PASSWORD}
    if token is not None:
        form["csrf_token"] = token
    result = http_request(browser.base_url, "POST", "/login", cookies=browser.cookies(), form=form)
    assert_refused(result, f"POST /login {token and 'with a wrong token' or 'without csrf_token'}")
    browser.sign_in("admin@cedar.example")  # the browser's own sign-in still works


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["without-token", "wrong-token"])
def test_logout_post_needs_the_csrf_token(browser, token):
    browser.sign_in("admin@cedar.example")
    form = {} if token is None else {"csrf_token": token}
    result = http_request(browser.base_url, "POST", "/logout", cookies=browser.cookies(), form=form)
    what = f"POST /logout {token and 'with a wrong token' or 'without csrf_token'}"
    assert_refused(result, what)
    assert_still_signed_in(browser, what)


def csp_directives(value):
    directives = {}
    for part in value.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def check_security_headers(result, what):
    csp = result.header("Content-Security-Policy")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "frame-ancestors 'none'" in csp, f"{what}: CSP {csp!r}"
    d = csp_directives(csp)
    script_src = d.get("script-src", d.get("default-src"))
    assert script_src is not None, f"{what}: CSP has neither script-src nor default-src: {csp!r}"
    assert "'unsafe-inline'" not in script_src, f"{what}: script-src allows 'unsafe-inline': {csp!r}"
    assert (result.header("X-Content-Type-Options") or "").lower() == "nosniff", what
    assert result.header("Referrer-Policy"), f"{what}: no Referrer-Policy"


def test_security_headers_on_pages(browser):
    check_security_headers(http_request(browser.base_url, "GET", "/login"), "GET /login")
    browser.sign_in("admin@bluefin.example")
    cookies = browser.cookies()
    for path in ("/", "/claims"):
        result = http_request(browser.base_url, "GET", path, cookies=cookies)
        assert result.status == 200, f"GET {path} with the browser's session: {result.status}"
        check_security_headers(result, f"GET {path} signed in")


def test_session_cookie_is_http_only_and_same_site_lax(browser):
    browser.sign_in("admin@bluefin.example")
    cookie = next((c for c in browser.driver.get_cookies() if c["name"] == SESSION_COOKIE), None)
    assert cookie is not None, f"no {SESSION_COOKIE} cookie; cookies: {[c['name'] for c in browser.driver.get_cookies()]}"
    assert cookie.get("httpOnly") is True, cookie
    assert cookie.get("sameSite") == "Lax", cookie
