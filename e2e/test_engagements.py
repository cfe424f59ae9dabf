"""Engagements in a real browser: solution-area tabs with counts, filters and sort kept in the URL, a row
opened from the keyboard, the engagement's Summary / Customers / Eligibility tabs, a template download,
the empty tab's contact, and /eligibility linking each location to its payee profiles."""
import datetime
import re
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select


def rows(browser):
    return browser.find_all("table.engagements tbody tr")


def tab_counts(browser):
    """{tab name: count} from the solution-area tabs, and the current tab's name."""
    counts, current = {}, None
    for a in browser.find_all('nav[aria-label="Solution areas"] a'):
        name, _, count = " ".join(a.text.split()).rpartition(" ")
        counts[name] = int(count.strip("()"))
        if a.get_dom_attribute("aria-current") == "page":
            current = name
    return counts, current


def query(browser):
    return dict(urllib.parse.parse_qsl(browser.query))



def test_tabs_filters_and_sort_live_in_the_url(browser):
    browser.sign_in("admin@bluefin.example")
    assert browser.open("/engagements", "engagements") == 200
    counts, current = tab_counts(browser)
    assert list(counts) == ["Cloud infrastructure", "Modern work and security", "Business applications"]
    assert current == "Cloud infrastructure", "the first area is the default tab"
    assert len(rows(browser)) == counts[current]

    # Every tab lists as many rows as its count says, and its address names the area.
    for name, count in counts.items():
        link = browser.driver.find_element(By.LINK_TEXT, f"{name} ({count})")
        browser.click_and_wait(link, f"tab {name}")
        assert "area" in query(browser)
        assert tab_counts(browser)[1] == name
        assert len(rows(browser)) == count, f"{name}: {len(rows(browser))} rows, tab says {count}"

    # Filters combine, keep the tab, and the tab counts follow them.
    browser.open("/engagements?area=modern-work-security", "modern work tab")
    form = browser.find('form.filters')
    Select(form.find_element(By.NAME, "status")).select_by_visible_text("Active")
    Select(form.find_element(By.NAME, "location")).select_by_visible_text("Seattle")
    browser.click_and_wait(browser.submit_button(form, "Apply filters"), "filtered: active, Seattle")
    q = query(browser)
    assert q.get("area") == "modern-work-security" and q.get("status") == "active" and q.get("location") == "1", q
    filtered_counts, current = tab_counts(browser)
    assert current == "Modern work and security"
    assert filtered_counts[current] == len(rows(browser)) < counts[current], "the filter narrows the tab and its count"
    for row in rows(browser):
        cells = row.find_elements(By.CSS_SELECTOR, "td")
        assert "Seattle" in cells[1].text and cells[4].text == "Active", row.text

    # The filtered address, opened afresh (a bookmark), shows the same view with the choices selected.
    bookmark = browser.driver.current_url
    before = [r.get_dom_attribute("data-engagement") for r in rows(browser)]
    browser.driver.get(bookmark)
    assert [r.get_dom_attribute("data-engagement") for r in rows(browser)] == before
    assert Select(browser.find('select[name="status"]')).first_selected_option.text == "Active"

    # Sort by a numeric column, then the other way; the header says how the table is sorted.
    browser.open("/engagements", "engagements, unsorted")
    header = browser.driver.find_element(By.XPATH, "//th[a[starts-with(normalize-space(.), 'Eligible customers')]]")
    browser.click_and_wait(header.find_element(By.TAG_NAME, "a"), "sorted by eligible customers")
    assert query(browser).get("sort") == "eligible"
    values = [int(r.find_elements(By.CSS_SELECTOR, "td")[6].text) for r in rows(browser)]
    assert values == sorted(values)
    header = browser.find('th[aria-sort="ascending"]')
    browser.click_and_wait(header.find_element(By.TAG_NAME, "a"), "sorted by eligible customers, descending")
    values = [int(r.find_elements(By.CSS_SELECTOR, "td")[6].text) for r in rows(browser)]
    assert values == sorted(values, reverse=True)
    assert browser.maybe('th[aria-sort="descending"]') is not None


def test_eligibility_column_shows_n_of_m_and_the_icon_only_when_earning(browser):
    browser.sign_in("admin@bluefin.example")
    for area in ("cloud-infrastructure", "modern-work-security", "business-applications"):
        browser.open(f"/engagements?area={area}", f"engagements {area}")
        for row in rows(browser):
            cell = row.find_elements(By.CSS_SELECTOR, "td")[3]
            earning, _, enrolled = cell.text.replace("✓", "").strip().partition(" of ")
            assert enrolled.split()[0].isdigit(), cell.text
            has_icon = bool(cell.find_elements(By.CSS_SELECTOR, ".earning-icon"))
            assert has_icon == (int(earning) > 0), f"icon {has_icon} with {cell.text!r}"


def test_a_row_opens_from_the_keyboard_and_the_engagement_tabs_work(browser):
    browser.sign_in("admin@bluefin.example")
    browser.open("/engagements", "engagements")
    first = rows(browser)[0].find_element(By.CSS_SELECTOR, "td a")
    name = first.text
    first.send_keys(Keys.NULL)  # focus, as Tab would
    browser.mark_page()
    browser.driver.switch_to.active_element.send_keys(Keys.ENTER)
    browser.wait_for_new_page("engagement opened with Enter")
    assert browser.h1() == name
    engagement_path = browser.path

    # Summary: what the partner needs before claiming.
    for heading in ("Partner qualification criteria", "Customer qualification criteria", "Proof of execution",
                    "Rates by market", "Deadlines and limits", "What your locations would earn"):
        assert browser.driver.find_elements(By.XPATH, f"//h2[normalize-space(.)='{heading}']"), heading
    assert len(browser.find_all('section[aria-labelledby="rates"] tbody tr')) == 3, "a rate line per market"
    assert "Last day to claim customers" in browser.text('section[aria-labelledby="deadlines"]')
    assert len(browser.find_all('section[aria-labelledby="your-earnings"] tbody tr')) == 4, "each Bluefin location"

    # Customers: three tabs (an ineligible customer's reason: test_a_template_downloads_and_ineligible_customers_say_why).
    browser.click_and_wait(browser.driver.find_element(By.LINK_TEXT, "Customers"), "customers tab")
    assert browser.path == engagement_path + "/customers"
    tabs = browser.find_all('nav[aria-label="Customer eligibility"] a')
    assert [t.text.split(" (")[0] for t in tabs] == ["Eligible", "Ineligible", "Complete"]
    assert browser.maybe('a[href^="/claims/new?engagement="]') is not None, "a button to add a customer"

    # A customer with a claim links to it.
    for tab in ("eligible", "ineligible", "complete"):
        browser.open(engagement_path + f"/customers?tab={tab}", f"customers {tab}")
        claim = browser.maybe('main table a[href^="/claims/"]')
        if claim:
            assert browser.click_and_wait(claim, "a customer's claim") == 200
            break
    else:
        raise AssertionError("no customer of this engagement links to a claim")

    # Eligibility: each enrolled location; the status opens its criteria; payee status links to the profile.
    browser.open(engagement_path + "/eligibility", "engagement eligibility")
    details = browser.find("details.criteria")
    items = details.find_elements(By.CSS_SELECTOR, "li")
    assert not any(i.is_displayed() for i in items), "criteria are folded"
    details.find_element(By.TAG_NAME, "summary").click()
    assert all(i.is_displayed() for i in items) and items
    assert all(i.get_attribute("class") in ("met", "unmet") for i in items)
    browser.shot("criteria opened")
    payee = browser.find('main table a[href^="/payee-profiles#location-"]')
    anchor = payee.get_dom_attribute("href").partition("#")[2]
    browser.click_and_wait(payee, "payee profile of a location")
    assert browser.path == "/payee-profiles" and browser.maybe(f"tr#{anchor}") is not None


def test_an_empty_tab_says_whom_to_contact(browser):
    browser.sign_in("admin@kestrel.example")
    browser.open("/engagements?area=business-applications", "Kestrel, business applications")
    counts, current = tab_counts(browser)
    assert current == "Business applications" and counts[current] == 0
    assert not rows(browser)
    empty = browser.find(".empty")
    assert "contact the program manager" in empty.text
    mail = empty.find_element(By.CSS_SELECTOR, 'a[href^="mailto:"]')
    assert "@" in mail.text


def test_a_foreign_engagement_is_not_found(browser):
    # Kestrel is on no business-applications list: such an engagement is not Kestrel's to see.
    browser.sign_in("admin@bluefin.example")
    browser.open("/engagements?area=business-applications", "Bluefin, business applications")
    href = rows(browser)[0].find_element(By.CSS_SELECTOR, "td a").get_dom_attribute("href")
    browser.sign_out()
    browser.sign_in("admin@kestrel.example")
    assert browser.open(href, "a business-applications engagement as Kestrel") == 404
    assert browser.open(href + "/customers", "its customers as Kestrel") == 404


def test_a_template_downloads_and_ineligible_customers_say_why(browser):
    browser.sign_in("admin@bluefin.example")
    # Engagement 2, a workshop, asks for findings on its "Workshop findings template", version 3.1.
    browser.open("/engagements/2", "an engagement with a template")
    templates = browser.find_all('section[aria-labelledby="proof"] a[download]')
    assert len(templates) == 1, [t.text for t in templates]
    status, headers, body = browser.fetch(templates[0].get_dom_attribute("href"))
    disposition = headers.get("Content-Disposition", "")
    assert status == 200 and "attachment" in disposition and "3.1" in disposition and body.strip(), disposition
    # Engagement 7 has customers a Bluefin location may not claim; each says why in a sentence.
    browser.open("/engagements/7/customers?tab=ineligible", "ineligible customers")
    reasons = [r.find_elements(By.CSS_SELECTOR, "td")[2].text for r in browser.find_all("main table tbody tr")]
    assert reasons and all(reason.endswith(".") and len(reason) > 10 for reason in reasons), reasons


def test_eligibility_page_explains_each_location(browser):
    # Bluefin's account admin sees all four locations; Bangalore's tax profile expired 12 days before the seed.
    browser.sign_in("admin@bluefin.example")
    assert browser.open("/eligibility", "eligibility") == 200
    texts = {line.find_element(By.CSS_SELECTOR, "td").text.rpartition(" - ")[2]: " ".join(line.text.split())
             for line in browser.find_all("main table tbody tr")}
    assert sorted(texts) == ["Bangalore", "London", "Seattle", "Singapore"], texts
    bangalore = texts["Bangalore"]
    assert "Not earning" in bangalore and "Earning" not in bangalore.replace("Not earning", ""), bangalore
    expired = re.search(r"Not earning The tax profile expired on (\d{1,2} [A-Z][a-z]{2} \d{4})\.$", bangalore)
    assert expired, bangalore
    days_ago = (datetime.date.today() - datetime.datetime.strptime(expired.group(1), "%d %b %Y").date()).days
    assert 11 <= days_ago <= 13, bangalore  # 12 days before the server seeded the demo at start-up
    assert "Not earning" not in texts["Seattle"] and "Earning" in texts["Seattle"], texts["Seattle"]
    link = browser.find('main table a[href^="/payee-profiles#location-"]')
    assert browser.click_and_wait(link, "payee profile from eligibility") == 200
