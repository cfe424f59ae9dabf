"""The claims list in a real browser: tabs with counts, a search and filters kept in the URL, sorting by a
column both ways, keyset pages, and the CSV and XLSX of the current view."""
import csv
import datetime
import io
import re
import urllib.parse
from decimal import Decimal

import openpyxl

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select


def rows(browser):
    return browser.find_all("table.claims tbody tr")


def tabs(browser):
    found = {}
    for a in browser.find_all('nav[aria-label="Claim tabs"] a'):
        name, _, count = " ".join(a.text.split()).rpartition(" ")
        found[name] = (int(count.strip("()")), a.get_dom_attribute("aria-current") == "page", a.get_dom_attribute("href"))
    return found


def query(browser):
    return dict(urllib.parse.parse_qsl(browser.query))


# The README's "Attention required": waiting on the partner, or due within 7 days.
WAITS_ON_PARTNER = {"customer_claimed", "consent_received", "partner_action_required", "rejected"}
DUE_WITHIN_7_DAYS = re.compile(r".*(due now|just passed|due in \d+ (minutes|hours)|due in [2-7] days|overdue by .*)")


def amounts(browser):
    """The Amount cells as numbers (claims without an amount yet left out), in the order shown."""
    cells = [r.find_elements(By.CSS_SELECTOR, "td")[6].text for r in rows(browser)]
    return [Decimal(re.sub(r"[^\d.]", "", cell)) for cell in cells if re.search(r"\d", cell)]


def test_tabs_search_filters_sort_and_pages(browser):
    browser.sign_in("admin@bluefin.example")
    assert browser.open("/claims", "claims") == 200
    counts = tabs(browser)
    assert list(counts)[:2] == ["All", "Attention required"]
    assert counts["All"][1], "All is the first tab"
    areas = [n for n in counts if n not in ("All", "Attention required")]
    assert sum(counts[a][0] for a in areas) == counts["All"][0]

    # The attention tab: each row waits on the partner or is due soon; its count is its rows.
    browser.click_and_wait(browser.driver.find_element(By.PARTIAL_LINK_TEXT, "Attention required"), "attention tab")
    assert query(browser).get("tab") == "attention"
    assert len(rows(browser)) == min(50, counts["Attention required"][0]) > 0
    statuses = []
    for row in rows(browser):
        cells = row.find_elements(By.CSS_SELECTOR, "td")
        status = cells[4].find_element(By.CSS_SELECTOR, ".badge").get_dom_attribute("data-status")
        statuses.append(status)
        assert status in WAITS_ON_PARTNER or DUE_WITHIN_7_DAYS.fullmatch(cells[5].text), f"{status}: {cells[5].text!r}"
    assert WAITS_ON_PARTNER & set(statuses), statuses

    # A search by customer, from the search box; the tab is kept, the address holds the search.
    browser.open("/claims", "claims again")
    customer = rows(browser)[0].find_elements(By.CSS_SELECTOR, "td")[1].text
    box = browser.find('input[name="q"]')
    box.send_keys(customer)
    browser.click_and_wait(browser.submit_button(browser.find("form.filters"), "Search"), f"search {customer}")
    assert query(browser).get("q") == customer
    assert rows(browser) and all(customer in r.text for r in rows(browser))
    assert tabs(browser)["All"][0] == len(rows(browser))

    # A filter combined with it, then cleared.
    form = browser.find("form.filters")
    Select(form.find_element(By.NAME, "location")).select_by_index(1)
    browser.click_and_wait(browser.submit_button(form, "Search"), "search and a location")
    assert "location" in query(browser) and query(browser).get("q") == customer
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, "Clear search and filters"), "cleared")
    assert "q" not in query(browser) and "location" not in query(browser)

    # Sort by amount, largest first, then the other way; the header says which.
    browser.open("/claims", "claims")
    header = browser.driver.find_element(By.XPATH, "//table[contains(@class,'claims')]//th[a[starts-with(normalize-space(.), 'Amount')]]")
    browser.click_and_wait(header.find_element(By.TAG_NAME, "a"), "by amount")
    assert query(browser).get("sort") == "amount"
    first_dir = query(browser).get("dir")
    shown = amounts(browser)
    assert len(shown) > 5 and shown == sorted(shown, reverse=first_dir == "desc"), (first_dir, shown)
    browser.click_and_wait(browser.find('th[aria-sort] a[href*="sort=amount"]'), "by amount, reversed")
    assert query(browser).get("dir") != first_dir
    reversed_shown = amounts(browser)
    assert len(reversed_shown) > 5 and reversed_shown == sorted(reversed_shown, reverse=first_dir != "desc"), reversed_shown

    # Keyset pages: Next walks on, with no claim twice, and First page goes back.
    browser.open("/claims?per=25", "25 a page")
    seen = [r.get_dom_attribute("data-claim") for r in rows(browser)]
    browser.click_and_wait(browser.find('a[rel="next"]'), "page 2")
    second = [r.get_dom_attribute("data-claim") for r in rows(browser)]
    assert second and not set(seen) & set(second)
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, "First page"), "back to the first page")
    assert [r.get_dom_attribute("data-claim") for r in rows(browser)] == seen


def test_the_csv_holds_the_current_view(browser):
    browser.sign_in("admin@bluefin.example")
    browser.open("/claims?tab=attention&sort=name&dir=asc&per=100", "attention by name")
    shown = [r.get_dom_attribute("data-claim") for r in rows(browser)]
    status, headers, body = browser.fetch(browser.find('a[href^="/claims.csv"]').get_dom_attribute("href"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and "attachment" in headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(body)))
    assert [line["claim_id"] for line in lines] == shown


def test_the_xlsx_holds_the_current_view(browser):
    browser.sign_in("admin@bluefin.example")
    browser.open("/claims?tab=attention&sort=name&dir=asc&per=100", "attention by name")
    shown = [r.get_dom_attribute("data-claim") for r in rows(browser)]
    link = browser.driver.find_element(By.LINK_TEXT, "Export XLSX")
    status, headers, body = browser.fetch(link.get_dom_attribute("href"), binary=True)
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    header = table[0]
    assert header[:3] == ("claim_id", "claim_name", "status") and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert [str(line[0]) for line in table[1:]] == shown
    # Numbers and dates a spreadsheet can sort: the id and amount are numbers, updated_at a date.
    updated, amount = header.index("updated_at"), header.index("amount")
    assert all(isinstance(line[updated], datetime.datetime) for line in table[1:])
    assert all(line[amount] is None or isinstance(line[amount], float) for line in table[1:])


def test_a_damaged_page_link_says_so(browser):
    browser.sign_in("user@bluefin.example")
    assert browser.open("/claims?after=not-a-token", "damaged page link") == 400
    assert "first page" in browser.driver.page_source
