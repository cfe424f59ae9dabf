"""The program manager's home in a real browser: every chart is drawn (SVG, coloured by the stylesheet), its table
beside it, the period chooser reloads the page with the period in the URL, and each CSV link downloads the table's
rows (fetched with the browser's session cookie)."""
import csv
import io

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from test_keyboard_and_a11y import run_axe

CHARTS = ["funnel", "review-wait", "decisions", "reasons", "spend", "top-partners"]


def test_manager_home_shows_charts_tables_and_csv(browser):
    browser.sign_in("manager@vendor.example")
    assert browser.open("/", "home") == 200

    # The period chooser: a GET form, so the chosen period is in the address and in every CSV link.
    Select(browser.find("#period")).select_by_value("365d")
    assert browser.click_and_wait(browser.find("form.period-chooser button[type=submit]"), "home, last 365 days") == 200
    assert "period=365d" in browser.query

    for chart in CHARTS:
        section = browser.find(f"section#dash-{chart}")
        svgs = section.find_elements(By.CSS_SELECTOR, "svg.bar-chart[role=img]")
        assert svgs, f"{chart}: no chart drawn"
        svg = svgs[0]
        assert svg.is_displayed() and svg.size["width"] > 100 and svg.size["height"] > 20, chart
        title = browser.driver.execute_script("return arguments[0].querySelector('title').textContent", svg)
        assert title.strip(), f"{chart}: the chart has no accessible name"
        bars = [b for b in svg.find_elements(By.CSS_SELECTOR, "rect.bar") if float(b.get_dom_attribute("height")) > 0]
        assert bars, f"{chart}: no bar"
        fill = browser.driver.execute_script("return getComputedStyle(arguments[0]).fill", bars[0])
        assert fill and fill not in ("none", "rgb(0, 0, 0)"), f"{chart}: bars are not coloured by the stylesheet ({fill})"

        table = section.find_element(By.CSS_SELECTOR, "table.chart-data")
        assert table.is_displayed() and table.find_element(By.TAG_NAME, "caption").text.strip()
        headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th[scope=col]")]
        body_rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert headers and body_rows, chart

        link = section.find_element(By.CSS_SELECTOR, f'a[href^="/dashboard/{chart}.csv"]')
        assert link.get_dom_attribute("download") is not None
        href = link.get_dom_attribute("href")
        if chart != "review-wait":
            assert "period=365d" in href, href
        status, response_headers, text = browser.fetch(href)
        assert status == 200 and response_headers["Content-Type"].startswith("text/csv"), (chart, status)
        assert response_headers["Content-Disposition"].startswith("attachment;")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == len(body_rows) + 1, f"{chart}: {len(rows) - 1} CSV rows for {len(body_rows)} table rows"
        assert len(rows[0]) == len(headers)
        first_cells = [c.text for c in body_rows[0].find_elements(By.CSS_SELECTOR, "th, td")]
        assert [cell.lstrip("'") for cell in rows[1]] == [c.replace(",", "") for c in first_cells], chart

    # The charts, tables and chooser add no serious accessibility violation (axe-core, as the other pages are checked).
    bad = [f"{v['id']}: {v.get('help')}" for v in run_axe(browser) if v.get("impact") in ("serious", "critical")]
    assert not bad, bad
    browser.shot("dashboard, last 365 days")
