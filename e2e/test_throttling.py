"""Failed sign-ins make further attempts wait, longer each time. Runs last: it slows admin@kestrel.example for a while."""
import re
import time

import pytest

from support import DEMO_PASSWORD, TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS

ACCOUNT = "admin@kestrel.example"


def wait_seconds(message):
    """The wait the sign-in page asks for, in seconds."""
    match = re.search(r"Try again in (\d+) (second|minute)", message)
    assert match, f"no wait in {message!r}"
    return int(match.group(1)) * (60 if match.group(2) == "minute" else 1)


@pytest.mark.last
def test_after_failures_even_the_right_password_must_wait(browser):
    for attempt in range(1, 4):
        browser.sign_in(ACCOUNT, f"wrong-password-{attempt}", expect_success=False)
        error = browser.text("#login-error")
        assert error and WRONG_CREDENTIALS in error, f"attempt {attempt} with a wrong password: {error!r}"
    # Each further failure doubles the wait (2, 4, 8 seconds ...): wait each out until it is 8 seconds or more.
    for attempt in range(4, 12):
        browser.sign_in(ACCOUNT, f"wrong-password-{attempt}", expect_success=False)
        error = browser.text("#login-error") or ""
        assert WRONG_CREDENTIALS in error or TOO_MANY_ATTEMPTS in error, f"attempt {attempt}: {error!r}"
        if TOO_MANY_ATTEMPTS in error:
            if wait_seconds(error) >= 8:
                break
            time.sleep(wait_seconds(error))
    else:
        pytest.fail("the wait never grew to 8 seconds")
    browser.sign_in(ACCOUNT, DEMO_PASSWORD, expect_success=False)
    error = browser.text("#login-error")
    assert error and TOO_MANY_ATTEMPTS in error, f"the right password while waiting: #login-error {error!r}"
    assert browser.maybe("header.site-header .whoami") is None, "the right password signed in while it had to wait"
