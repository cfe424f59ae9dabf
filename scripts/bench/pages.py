#!/usr/bin/env python3
"""Server time of the signed-in pages on the demo data: signs in as demo users, then requests each page
N times over one keep-alive connection and prints median, p95 and max in milliseconds.

Time per request is measured from sending the request to reading the whole response on 127.0.0.1, so
it is the server's time plus a loopback round trip (about 0.1 ms). Standard library only.
Usage: pages.py BASE_URL [--requests N]"""
import argparse
import http.client
import re
import statistics
import sys
import time
import urllib.parse

PAGES = {
    "admin@bluefin.example": [
        "/", "/engagements", "/engagements?area=modern-work-security&status=active&sort=eligible&dir=desc",
        "/engagements/1", "/engagements/1/customers", "/engagements/1/customers?tab=ineligible",
        "/engagements/1/eligibility", "/eligibility", "/payee-profiles", "/payee-profiles/bank/1/replace",
        "/enrollment", "/earnings", "/earnings.csv", "/claims", "/settings/users",
    ],
    "manager@vendor.example": ["/", "/payee-profiles", "/earnings", "/earnings?per=10", "/earnings.csv", "/review", "/catalogue"],
}
PASSWORD = "demo-password"


class Client:
    def __init__(self, base):
        parts = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.cookies = {}

    def request(self, method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email):
        status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request("POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token})
        if status != 303 or "pi_session" not in self.cookies:
            sys.exit(f"signing in as {email} failed with {status}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    print(f"{'page':<80} {'median':>8} {'p95':>8} {'max':>8}  (ms, {args.requests} requests each)")
    worst = 0.0
    for email, pages in PAGES.items():
        client = Client(args.base_url)
        client.sign_in(email)
        for path in pages:
            status, _ = client.request("GET", path)  # warm-up, and the status check
            if status != 200:
                sys.exit(f"{email} {path}: {status}")
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                client.request("GET", path)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            worst = max(worst, p95)
            print(f"{email + ' ' + path:<80} {statistics.median(times):8.2f} {p95:8.2f} {times[-1]:8.2f}")
    print(f"worst p95: {worst:.2f} ms")


if __name__ == "__main__":
    main()
