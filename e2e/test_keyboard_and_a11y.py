"""Keyboard-only sign-in, and axe-core (bundled, offline) on the sign-in page, home and the claims list."""
import json

import pytest
from axe_core_python.base import AXE_SCRIPT
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from support import DEMO_PASSWORD


def press(browser, *keys):
    ActionChains(browser.driver).send_keys(*keys).perform()


def focused(browser):
    return browser.driver.switch_to.active_element


def describe(el):
    return f"<{el.tag_name} id={el.get_dom_attribute('id')!r} name={el.get_dom_attribute('name')!r}> {el.text!r}"


def test_sign_in_with_the_keyboard_only(browser):
    browser.open("/login")
    press(browser, Keys.TAB)
    first = focused(browser)
    assert first.tag_name == "a" and " ".join(first.text.split()) == "Skip to content", (
        f"first Tab focuses {describe(first)}")
    for _ in range(40):
        press(browser, Keys.TAB)
        if focused(browser).get_dom_attribute("id") == "email":
            break
    else:
        pytest.fail("Tab never reached input#email")
    browser.shot("keyboard: email focused")
    press(browser, "manager@vendor.example", Keys.TAB)
    assert focused(browser).get_dom_attribute("id") == "password", f"Tab after email: {describe(focused(browser))}"
    browser.mark_page()
    press(browser, DEMO_PASSWORD, Keys.ENTER)
    browser.wait_for_new_page("after keyboard sign-in")
    assert browser.path == "/", browser.driver.current_url
    assert browser.maybe("header.site-header .whoami") is not None, (
        f"not signed in after keyboard sign-in; login error {browser.text('#login-error')!r}")


def run_axe(browser):
    browser.driver.execute_script(AXE_SCRIPT)
    result = browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done({violations: r.violations}), e => done({error: String(e)}));")
    assert "error" not in result, f"axe failed: {result['error']}"
    return result["violations"]


@pytest.mark.parametrize("email,path", [(None, "/login"), ("admin@bluefin.example", "/"),
                                        ("admin@bluefin.example", "/claims")],
                         ids=["login", "home", "claims"])
def test_no_serious_accessibility_violations(browser, email, path):
    if email:
        browser.sign_in(email)
    browser.open(path, f"axe {path if path != '/' else 'home'}")
    assert browser.status == 200, f"{path}: status {browser.status}"
    violations = run_axe(browser)
    for v in violations:
        targets = [json.dumps(n.get("target")) for n in v.get("nodes", [])][:5]
        print(f"axe {path}: [{v.get('impact')}] {v['id']}: {v.get('help')} — {', '.join(targets)}")
    bad = [f"[{v.get('impact')}] {v['id']}: {v.get('help')} ({len(v.get('nodes', []))} nodes)"
           for v in violations if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{path}: serious or critical accessibility violations:\n  " + "\n  ".join(bad)


def test_axe_runs_under_the_pages_csp_and_finds_a_planted_violation(browser):
    """Guards the check above against passing vacuously: axe must see an image without alt text."""
    browser.open("/login", "axe self-check")
    browser.driver.execute_script(
        "const img = document.createElement('img'); img.src = '/health'; document.body.appendChild(img);")
    ids = {v["id"] for v in run_axe(browser)}
    assert "image-alt" in ids, f"axe did not report the planted image without alt: {sorted(ids)}"
