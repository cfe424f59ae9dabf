"""Earnings in a real browser: the chart is drawn, Older/Newer walk the list by cursor, filters stay in
the URL, and the CSV link downloads the same earnings (fetched with the browser's session cookie)."""
import csv
import io

from selenium.webdriver.common.by import By


def claim_links(browser):
    return [a.get_dom_attribute("href") for a in browser.find_all('section[aria-labelledby="lines-heading"] tbody a')]



def test_manager_sees_chart_pages_and_csv(browser):
    browser.sign_in("manager@vendor.example")
    assert browser.open("/earnings?per=4", "earnings, 4 a page") == 200
    assert browser.h1() == "Earnings"

    # The chart: an SVG image with a title, visible bars, and its figures in a table for screen readers.
    svg = browser.find("svg.bar-chart")
    assert svg.get_dom_attribute("role") == "img"
    assert svg.is_displayed() and svg.size["width"] > 100 and svg.size["height"] > 100
    assert "Earned in USD" in browser.driver.execute_script("return arguments[0].querySelector('title').textContent", svg)
    bars = svg.find_elements(By.CSS_SELECTOR, "rect")
    assert bars and all(float(b.get_dom_attribute("height")) >= 0 for b in bars)
    assert max(b.size["height"] for b in bars) > 50
    fill = browser.driver.execute_script("return getComputedStyle(arguments[0]).fill", bars[0])
    assert fill and fill != "none"
    assert browser.find_all("figure.earnings-chart table th[scope=row]")

    # Older pages by cursor until the end: every claim once, then Newer goes back.
    first = claim_links(browser)
    assert len(first) == 4
    seen = list(first)
    pages = 1
    while (older := browser.maybe('a[rel="next"]')) is not None:
        href = older.get_dom_attribute("href")
        assert "after=" in href and "per=4" in href and "offset" not in href
        assert browser.click_and_wait(older, f"older page {pages}") == 200
        seen += claim_links(browser)
        pages += 1
    assert pages >= 3 and len(seen) == len(set(seen))
    newer = browser.find('a[rel="prev"]')
    assert browser.click_and_wait(newer, "newer page") == 200 and "before=" in browser.query

    # The whole list on one page matches the walk, and the CSV link downloads the same earnings in order.
    browser.open("/earnings?per=200", "earnings, all")
    assert claim_links(browser) == seen
    link = browser.find('a[href^="/earnings.csv"]')
    assert link.get_dom_attribute("download") is not None
    status, headers, body = browser.fetch(link.get_dom_attribute("href"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert [f"/claims/{r['claim_id']}" for r in rows] == seen
    assert {r["partner"] for r in rows} >= {"Bluefin Consulting", "Cedar Systems"}


def test_partner_filters_by_status_in_the_url(browser):
    browser.sign_in("admin@bluefin.example")
    browser.open("/earnings", "earnings")
    assert not browser.find_all('th[scope="col"]') or "Partner" not in [t.text for t in browser.find_all('th[scope="col"]')]
    select = browser.find("#filter-status")
    select.find_element(By.CSS_SELECTOR, 'option[value="paid"]').click()
    assert browser.click_and_wait(browser.find("form.earnings-filters button[type=submit]"), "filtered: paid") == 200
    assert "status=paid" in browser.query
    badges = [b.text for b in browser.find_all("tbody .badge")]
    assert badges and set(badges) == {"Paid"}
    link = browser.find('a[href^="/earnings.csv"]').get_dom_attribute("href")
    assert "status=paid" in link
    _, _, body = browser.fetch(link)
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert rows and {r["payment_status"] for r in rows} == {"paid"}
    assert {r["partner"] for r in rows} == {"Bluefin Consulting"}
