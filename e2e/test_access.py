"""What a role may not see: 403 for a section, 404 for an unknown page and for another party's claim."""
import pytest

from support import NOT_ALLOWED, NOT_FOUND, claim_rows


def assert_error_page(browser, status, h1, what):
    assert browser.status == status, f"{what}: status {browser.status}, expected {status} (h1 {browser.h1()!r})"
    assert browser.h1() == h1, f"{what}: h1 {browser.h1()!r}, expected {h1!r}"
    assert browser.maybe("header.site-header") is not None, f"{what}: the error page lacks the site header"
    assert browser.maybe('nav[aria-label="Main"]') is not None, f"{what}: the error page lacks the main nav"


@pytest.mark.parametrize("email,path", [("reviewer@vendor.example", "/engagements"),
                                        ("user@bluefin.example", "/review"),
                                        ("admin@cedar.example", "/review")])
def test_a_section_the_role_may_not_use_is_not_allowed(browser, email, path):
    browser.sign_in(email)
    browser.open(path, f"{path} as {email}")
    assert_error_page(browser, 403, NOT_ALLOWED, f"{path} as {email}")


def test_an_unknown_page_is_not_found(browser):
    browser.sign_in("admin@bluefin.example")
    browser.open("/no-such-page-e2e", "unknown page")
    assert_error_page(browser, 404, NOT_FOUND, "/no-such-page-e2e")


def test_another_organizations_claim_is_not_found(browser):
    browser.sign_in("admin@cedar.example")
    cedar = claim_rows(browser, max_pages=1)
    assert cedar, "admin@cedar.example sees no claims on /claims"
    browser.sign_out()
    browser.sign_in("admin@bluefin.example")
    bluefin = claim_rows(browser, max_pages=1)
    assert not {r.id for r in cedar} & {r.id for r in bluefin}, "Cedar's claims appear in Bluefin's list"
    for row in cedar[:2]:
        browser.open(row.href, f"Cedar claim {row.id} as Bluefin admin")
        assert_error_page(browser, 404, NOT_FOUND, f"{row.href} (Cedar's) as admin@bluefin.example")


def test_a_claim_of_another_location_is_not_found_and_an_own_claim_opens(browser):
    browser.sign_in("admin@bluefin.example")
    rows = claim_rows(browser)
    assert rows, "admin@bluefin.example sees no claims"
    assert all(r.location for r in rows), "the claims list has no Location column (th containing 'Location')"
    elsewhere = [r for r in rows if "Seattle" not in r.location]
    assert elsewhere, "no non-Seattle claim in the first pages of admin@bluefin.example's list"
    browser.sign_out()

    browser.sign_in("user@bluefin.example")
    own = claim_rows(browser)
    assert own, "user@bluefin.example sees no claims"
    not_seattle = [f"{r.id} ({r.location})" for r in own if "Seattle" not in (r.location or "")]
    assert not not_seattle, f"user@bluefin.example (Seattle only) sees claims of other locations: {not_seattle}"

    for row in elsewhere[:2]:
        browser.open(row.href, f"claim {row.id} in {row.location} as Seattle user")
        assert_error_page(browser, 404, NOT_FOUND, f"{row.href} ({row.location}) as user@bluefin.example")

    mine = own[0]
    assert browser.open(mine.href, f"own claim {mine.id}") == 200, f"{mine.href}: status {browser.status}"
    h1 = browser.h1()
    assert h1 and h1 not in (NOT_FOUND, NOT_ALLOWED), f"{mine.href}: h1 {h1!r}"
    assert h1 in mine.text, f"{mine.href}: h1 {h1!r} is not the claim name in its list row {mine.text!r}"
