"""Accessibility checks for the browser tests: axe-core 4.4.3 (bundled by axe-core-python: offline) on the page a Browser
is on, a crawl of the pages a signed-in role reaches, the announcement of errors next to fields, and keyboard helpers."""
from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field

import pytest
from axe_core_python.base import AXE_SCRIPT
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from support import Browser


@pytest.fixture
def failures_only_screenshots(browser):
    """These tests go through many pages the other tests screenshot already: here only failures are (~13 s less)."""
    browser.shot_every_page = False
    yield
    browser.shot_every_page = True  # before the browser fixture's teardown, which screenshots a failed test

FAILING = ("serious", "critical")

# Links that are not pages: files (exports, proof documents, templates), feeds, the API's operations, static files,
# signing out (a form anyway).
NOT_A_PAGE = re.compile(r"(\.(csv|xlsx|ics|xml|json|pdf|txt)$)|/(templates|documents)/|/export$"
                        r"|^/(api/v\d|static/|health|ready|metrics|logout)")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,}$")
# Blocks one template repeats with other values: a table's rows past the tenth, the API reference's operations and
# schemas past the second of each part. axe runs without them (taken out of the page, then put back); most of its time
# is contrast, and the API reference alone (12,000 elements) took 87 s whole on this 2-core machine.
REPEATS = ("tbody > tr:nth-child(n+11)", "article:nth-of-type(n+3)")


def run_axe(browser: Browser, leave_out: tuple[str, ...] = ()) -> list[dict]:
    """axe's violations on the current document without the elements matching `leave_out`: every rule axe 4.4 runs by
    default (WCAG 2.0 and 2.1, A and AA, and its best practices)."""
    browser.driver.set_script_timeout(120)  # a long page on a busy machine
    browser.driver.execute_script(AXE_SCRIPT)
    result = browser.driver.execute_async_script("""
        const [leaveOut, done] = [arguments[0], arguments[arguments.length - 1]];
        const away = leaveOut.length ? Array.from(document.querySelectorAll(leaveOut.join(', '))) : [];
        const places = away.map(el => [el, el.parentNode, el.nextSibling]);
        away.forEach(el => el.remove());
        const putBack = () => places.reverse().forEach(([el, parent, next]) => parent.insertBefore(el, next));
        axe.run(document, {resultTypes: ['violations']})
          .then(r => { putBack(); done({violations: r.violations}); }, e => { putBack(); done({error: String(e)}); });""",
        list(leave_out))
    assert "error" not in result, f"axe failed: {result['error']}"
    return result["violations"]


@dataclass
class Finding:
    page: str
    rule: str
    impact: str
    help: str
    targets: list[str]

    def line(self) -> str:
        return f"[{self.impact}] {self.rule} on {self.page}: {self.help} — {', '.join(self.targets[:4])}"


@dataclass
class Audit:
    """What the checks found on every page looked at for one role (or visitor)."""
    who: str
    pages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # not axe's: a page that did not open, an unannounced error
    seconds: float = 0.0
    timings: list[str] = field(default_factory=list)

    def check(self, browser: Browser, label: str) -> None:
        """axe (without REPEATS) and the skip link on the current page, recorded under `label`; a screenshot when axe
        fails it."""
        started = time.monotonic()
        found = [Finding(label, v["id"], v.get("impact") or "minor", v.get("help", ""),
                         [json.dumps(n.get("target")) for n in v.get("nodes", [])])
                 for v in run_axe(browser, REPEATS)]
        took = time.monotonic() - started
        self.seconds += took
        self.timings.append(f"{took:5.2f} s  {label}")
        self.pages.append(label)
        self.findings.extend(found)
        if missing := skip_link_problem(browser):
            self.problems.append(f"{label}: {missing}")
        if any(f.impact in FAILING for f in found):
            browser.shot(f"axe violations on {label}", always=True)

    def check_errors(self, browser: Browser, label: str, status: int | None) -> None:
        """A form answered with its errors: a 4xx, axe, and every error next to a field announced with the field."""
        if status is None or not 400 <= status < 500:
            self.problems.append(f"{label}: status {status} where a refused form was expected")
        self.check(browser, label)
        self.problems.extend(f"{label}: {p}" for p in unannounced_errors(browser))
        if not browser.find_all('[aria-invalid="true"], .form-error, .field-error'):
            self.problems.append(f"{label}: no error is shown")

    def notes(self) -> list[str]:
        """The moderate and minor findings, which do not fail: one line per rule, with the pages it was found on."""
        by_rule: dict[tuple[str, str], list[str]] = {}
        for f in self.findings:
            if f.impact not in FAILING:
                by_rule.setdefault((f.impact, f.rule), []).append(f.page)
        return [f"[{impact}] {rule}: {', '.join(pages)}" for (impact, rule), pages in sorted(by_rule.items())]

    def report(self) -> str:
        notes = self.notes()
        return (f"axe, {self.who}: {len(self.pages)} pages in {self.seconds:.1f} s of axe; "
                + ("moderate/minor findings:\n  " + "\n  ".join(notes) if notes else "no moderate or minor findings"))

    def assert_clean(self) -> None:
        print(self.report())
        bad = [f.line() for f in self.findings if f.impact in FAILING]
        assert not bad and not self.problems, (
            f"{self.who}, {len(self.pages)} pages:\n  serious or critical axe violations:\n    " + "\n    ".join(bad)
            + "\n  other problems:\n    " + "\n    ".join(self.problems))


def skip_link_problem(browser: Browser) -> str | None:
    """Why the page's first focusable element is not a link that skips to its main landmark, if it is not."""
    return browser.driver.execute_script("""
        const first = document.querySelector('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]');
        const main = document.getElementById('main');
        if (!main || main.tagName !== 'MAIN') return 'no <main id="main">';
        if (!first || first.getAttribute('href') !== '#main') return 'the first focusable element is no skip link to #main';
        return null;""")


def unannounced_errors(browser: Browser) -> list[str]:
    """Errors next to a field that a screen reader would not read with it: a field error that no aria-invalid control
    names in aria-describedby, or an aria-invalid control without a description that exists."""
    return browser.driver.execute_script("""
        const problems = [];
        const describedBy = el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
        const described = Array.from(document.querySelectorAll('[aria-describedby]'));
        for (const error of document.querySelectorAll('.field-error')) {
          const owner = error.id && described.find(el => describedBy(el).includes(error.id));
          if (!owner) problems.push(`the error ${error.id ? '#' + error.id : '(no id)'} describes no control: `
                                    + error.textContent.trim());
          else if (owner.getAttribute('aria-invalid') !== 'true')
            problems.push(`${owner.tagName.toLowerCase()}#${owner.id} is described by #${error.id} but not aria-invalid`);
        }
        for (const f of document.querySelectorAll('[aria-invalid="true"]')) {
          const ids = describedBy(f);
          if (!ids.length || ids.some(id => !document.getElementById(id)))
            problems.push(`${f.tagName.toLowerCase()}#${f.id} is aria-invalid without an error that describes it`);
        }
        return problems;""")


def submit_empty(browser: Browser, form_css: str, label: str) -> int | None:
    """Clears a form's typed fields and presses its first submit button, as a person who fills nothing in."""
    form = browser.find(form_css)
    browser.driver.execute_script(
        "for (const f of arguments[0].querySelectorAll('input[type=text], input[type=email], input[type=url], "
        "input[type=password], input[type=date], input:not([type]), textarea')) f.value = '';", form)
    button = form.find_element("css selector", "button[type=submit], button:not([type]), input[type=submit]")
    return browser.click_and_wait(button, label)


# --- the crawl ---------------------------------------------------------------------------------------

def page_shape(href: str, family: str | None = None) -> str:
    """What makes a page another kind of page: its path with ids and tokens as placeholders (the query only filters,
    sorts, pages or prefills), and for a record listed with a status badge, the badge's family (a claim in each)."""
    path = urllib.parse.urlsplit(href).path
    shape = "/".join("{id}" if s.isdigit() else "{token}" if TOKEN.match(s) else s for s in path.split("/"))
    return f"{shape} ({family})" if family and "{id}" in shape else shape


def page_links(browser: Browser) -> list[tuple[str, str | None]]:
    """The same-site page links of the current document in document order, without downloads and fragments, each with
    the family of the status badge in its table row (badge-success, badge-danger, ...), if it has one."""
    links = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]'))"
        "  .filter(a => !a.hasAttribute('download') && a.origin === location.origin && !a.getAttribute('href').startsWith('#'))"
        "  .map(a => { const badge = a.closest('tr')?.querySelector('.badge');"
        "    const family = badge && Array.from(badge.classList).find(c => c.startsWith('badge-'));"
        "    return [a.pathname + a.search, family || null]; });")
    return [(h, f) for h, f in links if not NOT_A_PAGE.search(urllib.parse.urlsplit(h).path)]


def crawl(browser: Browser, audit: Audit, done: dict[str, str], again: set[str], limit: int = 60) -> dict[str, str]:
    """Opens home, then breadth first each page linked from a page opened whose shape is new (the navigation first, then
    the first link of each kind on each page: a list's first row, a tab, a form's page), and checks each. Shapes in
    `done` (shape -> address, checked for another role of the same side) are neither opened nor checked, but those in
    `again` (pages that differ by role) are. Returns shape -> the address checked, and adds them to `done`."""
    start = page_shape("/")
    queue: deque[tuple[str, str]] = deque([("/", start)])
    seen: dict[str, str] = {start: "/"}
    bases: set[str] = {start}
    while queue and len(audit.pages) < limit:
        href, shape = queue.popleft()
        before = browser.driver.current_url
        status = browser.open(href)
        downloaded = browser.driver.current_url == before and browser.path != urllib.parse.urlsplit(href).path
        if downloaded or not browser.driver.execute_script("return document.contentType === 'text/html'"):
            continue  # a file, saved or shown: not a page
        if status != 200:
            audit.problems.append(f"{href} ({shape}): status {status}, h1 {browser.h1()!r}")
            continue
        audit.check(browser, href)
        for link, family in page_links(browser):
            link_shape, base = page_shape(link, family), page_shape(link)
            if link_shape in seen or (family is None and base in bases):
                continue  # a record seen in another family already is that page
            if link_shape in done and base not in again:
                continue
            seen[link_shape] = link
            bases.add(base)
            queue.append((link, link_shape))
    assert not queue, f"{audit.who}: more than {limit} kinds of page; raise the limit: {[s for _, s in queue]}"
    done.update(seen)
    return seen


# --- the keyboard ------------------------------------------------------------------------------------

def press(browser: Browser, *keys) -> None:
    ActionChains(browser.driver).send_keys(*keys).perform()


def focused(browser: Browser):
    return browser.driver.switch_to.active_element


def describe(el) -> str:
    return f"<{el.tag_name} id={el.get_dom_attribute('id')!r} name={el.get_dom_attribute('name')!r}> {el.text!r}"


def tab_to(browser: Browser, matches, what: str, limit: int = 150):
    """Presses Tab until the focused element satisfies `matches` (already focused: no Tab); returns it."""
    for _ in range(limit):
        if matches(focused(browser)):
            return focused(browser)
        press(browser, Keys.TAB)
    raise AssertionError(f"{limit} Tabs never reached {what}; focus is on {describe(focused(browser))}")


def by_id(element_id: str):
    return lambda el: el.get_dom_attribute("id") == element_id


def by_text(text: str):
    return lambda el: " ".join(el.text.split()) == text
