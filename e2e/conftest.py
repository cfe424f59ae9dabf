"""Fixtures: a headless Chromium (Debian's chromium + chromedriver) that each test gets signed out,
the server's base URL, and a screenshot folder per test.
Environment: E2E_BASE_URL (a running server), E2E_SCREENSHOTS, CHROMIUM, CHROMEDRIVER."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Selenium Manager must never go online: the driver and browser are Debian's, given explicitly.
os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from support import Browser, http_request, slug, unavailable  # noqa: E402

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # Tests marked `last` (throttling locks an account) run after all the others, in their own order.
    items.sort(key=lambda item: 1 if item.get_closest_marker("last") else 0)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("E2E_BASE_URL", "http://127.0.0.1:18080").rstrip("/")
    try:
        health = http_request(url, "GET", "/health")
    except OSError as e:
        pytest.exit(f"no server at E2E_BASE_URL={url} ({e}); start one or run scripts/e2e.sh", returncode=2)
    if health.status != 200:
        pytest.exit(f"{url}/health answered {health.status}", returncode=2)
    return url


@pytest.fixture(scope="session")
def screenshots_root() -> Path:
    root = Path(os.environ.get("E2E_SCREENSHOTS", HERE / "screenshots"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _chrome_options() -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=en-US", "--disable-extensions", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    # Network events in the performance log give each document's HTTP status.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return options


class _Chromium:
    """One headless Chromium for the whole run (starting one per test costs ~1 s each on 2 cores);
    restarted if it dies. Each test still starts signed out: cookies are cleared between tests."""

    def __init__(self):
        self.driver = None

    def get(self):
        if self.driver is not None:
            try:
                self.driver.execute_script("return 1")
            except Exception:
                self.quit()
        if self.driver is None:
            service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
            self.driver = webdriver.Chrome(service=service, options=_chrome_options())
            self.driver.set_page_load_timeout(30)
        return self.driver

    def quit(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None


@pytest.fixture(scope="session")
def mail_dir() -> Path:
    """The server's mail-drop folder (scripts/e2e.sh sets MAIL_DROP_DIR and passes it as E2E_MAIL_DIR)."""
    folder = os.environ.get("E2E_MAIL_DIR")
    if not folder:
        unavailable("E2E_MAIL_DIR is not set: run through scripts/e2e.sh")
    return Path(folder)


@pytest.fixture(scope="session")
def chromium():
    c = _Chromium()
    yield c
    c.quit()


@pytest.fixture
def browser(request, base_url, screenshots_root, chromium):
    """A signed-out browser for one test; screenshots go to <root>/<module>/<test>/."""
    driver = chromium.get()
    driver.get(base_url + "/health")
    driver.delete_all_cookies()
    driver.get("about:blank")
    module = Path(request.node.fspath).stem
    shot_dir = screenshots_root / slug(module) / slug(request.node.name)
    shutil.rmtree(shot_dir, ignore_errors=True)
    b = Browser(driver, base_url, shot_dir)
    yield b
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        try:
            b.shot("FAILED")
        except Exception:  # the browser may be the thing that failed
            pass
    try:
        driver.get(base_url + "/health")
        driver.delete_all_cookies()
        assert not driver.get_cookies()
    except Exception:
        chromium.quit()  # never hand a half-reset browser to the next test
