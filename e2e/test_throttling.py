"""Failed sign-ins are throttled per account. Runs last: it locks admin@kestrel.example for a while."""
import pytest

from support import DEMO_PASSWORD, TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS

ACCOUNT = "admin@kestrel.example"


@pytest.mark.last
def test_sixth_sign_in_after_five_failures_is_refused(browser):
    for attempt in range(1, 6):
        browser.sign_in(ACCOUNT, f"wrong-password-{attempt}", expect_success=False)
        error = browser.text("#login-error")
        assert error and WRONG_CREDENTIALS in error, f"attempt {attempt} with a wrong password: {error!r}"
    browser.sign_in(ACCOUNT, DEMO_PASSWORD, expect_success=False)
    error = browser.text("#login-error")
    assert error and TOO_MANY_ATTEMPTS in error, f"6th attempt (right password): #login-error {error!r}"
    assert browser.maybe("header.site-header .whoami") is None, "the 6th attempt signed in"
