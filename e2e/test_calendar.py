"""The calendar feed in a real browser: a partner user opens Calendar from the header, makes their private address,
reads it from the page, and a client without their session (as a calendar app is) fetches it; Python's icalendar
parses it: RFC 5545, one event per open deadline, each with a stable UID, a start, and the 7-day and 1-day alarms.
Renewing stops the old address."""
import datetime
import re
import urllib.error
import urllib.request

from icalendar import Calendar

ADDRESS = re.compile(r"https?://[^/]+/calendar/[A-Za-z0-9_-]{43}\.ics")


def fetch(address):
    """The address fetched with no cookie at all: status, headers, body."""
    try:
        with urllib.request.urlopen(urllib.request.Request(address), timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def make_address(browser):
    browser.click_and_wait(browser.find("header.site-header a.calendar-link"), "calendar settings")
    assert browser.path == "/settings/calendar"
    assert browser.h1() == "Calendar feed"
    form = browser.find('form[action="/settings/calendar"]')
    browser.click_and_wait(browser.submit_button(form, "Make my calendar address"), "address made")
    address = browser.find("#calendar-address").get_attribute("value")
    assert ADDRESS.fullmatch(address), address
    return address


def test_subscribe_fetch_and_parse(browser, base_url):
    browser.sign_in("user@bluefin.example")
    address = make_address(browser)
    assert address.startswith(base_url + "/calendar/")
    assert "Anyone who has this address can read these deadlines" in browser.driver.page_source

    status, headers, body = fetch(address)
    assert status == 200, body[:300]
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Cache-Control"] == "private, max-age=300"
    assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "lines folded at 75 octets"

    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert calendar["PRODID"]
    events = list(calendar.walk("VEVENT"))
    assert events, "the Seattle user's demo claims have open deadlines"
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids), "one event per claim and kind of deadline"
    for event in events:
        uid = str(event["UID"])
        assert re.fullmatch(r"claim-\d+-(consent|submission|review|dispute)@.+", uid), uid
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert isinstance(start, datetime.datetime) and start.utcoffset() == datetime.timedelta(0), start
        assert end - start == datetime.timedelta(minutes=30)
        assert str(event["URL"]) == f"{base_url}/claims/{uid.split('-')[1]}"
        assert str(event["SUMMARY"]).split(":")[0] in {"Get customer consent", "Customer consent due", "Submit proof",
                                                      "Answer the reviewer", "Complete the review", "Submit the dispute",
                                                      "Dispute window closes"}
        alarms = list(event.walk("VALARM"))
        assert len(alarms) == 2, uid
        assert sorted(alarm["TRIGGER"].dt for alarm in alarms) == [datetime.timedelta(days=-7), datetime.timedelta(days=-1)]
        assert all(str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) for alarm in alarms)
    starts = [event["DTEND"].dt for event in events]
    assert starts == sorted(starts), "soonest first"

    # Every event's claim is one the user sees: its page opens in the user's browser.
    first = uids[0].split("-")[1]
    assert browser.open(f"/claims/{first}", "a feed's claim") == 200

    # Renewing stops the old address at once; the new one works.
    browser.open("/settings/calendar", "calendar settings again")
    form = browser.find('form[action="/settings/calendar"]')
    browser.click_and_wait(browser.submit_button(form, "Renew address"), "address renewed")
    renewed = browser.find("#calendar-address").get_attribute("value")
    assert renewed != address and ADDRESS.fullmatch(renewed)
    assert fetch(address)[0] == 404
    assert fetch(renewed)[0] == 200
