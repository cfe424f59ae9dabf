"""The main navigation per role: exactly the sections the role may use, each one a working page."""
import pytest
from selenium.webdriver.common.by import By

from support import DEMO_USERS


def nav_link(browser, text):
    found = browser.driver.find_elements(By.XPATH, f'//nav[@aria-label="Main"]//a[normalize-space()="{text}"]')
    return found[0] if found else None


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda u: u.email)
def test_main_navigation_links_open_working_pages(browser, user):
    browser.sign_in(user.email)
    assert browser.nav_texts() == user.nav, f"nav for {user.email}"
    hrefs = {text: nav_link(browser, text).get_dom_attribute("href") for text in user.nav}
    problems = []
    for text in user.nav:
        href = hrefs[text]
        link = nav_link(browser, text)
        if link is None:  # the previous page lost the navigation: note it, go on from home
            browser.open("/", "home")
            link = nav_link(browser, text)
        status = browser.click_and_wait(link, f"{text} ({href})")
        h1 = browser.h1()
        current = [" ".join(a.text.split()) for a in browser.nav_links()
                   if a.get_dom_attribute("aria-current") == "page"]
        if status != 200:
            problems.append(f"{href} ({text}): status {status}, h1 {h1!r}")
        if not h1:
            problems.append(f"{href} ({text}): no h1")
        if current != [text]:
            problems.append(f"{href} ({text}): aria-current=page on {current}")
        if browser.nav_texts() != user.nav:
            problems.append(f"{href} ({text}): the nav there is {browser.nav_texts()}")
    assert not problems, f"{user.email}:\n  " + "\n  ".join(problems)
