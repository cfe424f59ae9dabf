#!/usr/bin/env python3
"""The measuring half of scripts/bench/all.sh (issue 20): against a running server, in one run, prints every
figure as a row `figure | measured | target | met`, and appends the rows to --results (tab-separated) so
all.sh can print one table with the seeding, the sweep and the PostgreSQL run beside them.

- /health of the app and of a bare Hummingbird app (the same wrk settings, alternated, best of --rounds);
- the claims list in requests/s as a share of the app's own /health: JSON (GET /api/v1/claims, 50 rows, a partner
  admin's read token) and HTML (/claims as that partner admin);
- every page of each demo role's navigation (the links of <nav aria-label="Main"> on the home page) and the
  records and API reads the reads-at-scale guard requests (Tests/IncentivesWebTests/ReadGrowthTests.swift): one
  request alone, --requests times, p50 and p95; the worst p50 against 50 ms;
- the claims list sorted by each column header, both ways, first and next page, for every role: the worst p50 against 50 ms;
- exports of every claim over HTTP as the program manager: CSV (time, the server's memory growth) and XLSX.

Usage: all.py BASE_URL --pid PID --bin INCENTIVES --tmp DIR --bare BARE_URL --results FILE [--label sqlite]
[--duration S] [--requests N] [--pages-only] [--compare FILE]
--compare FILE: a p50 table written by an earlier run (--p50-out) to compare each page with (PostgreSQL against
SQLite: within 2x)."""
import argparse
import json
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from claims import api_token, check, http_export, sign_in, status_kib, wait_idle, wrk  # noqa: E402
from pages import Client  # noqa: E402

ROLES = ["admin@bluefin.example", "user@bluefin.example", "reviewer@vendor.example", "manager@vendor.example"]
# The reads beyond each role's navigation: what ReadGrowthTests.extraReads requests (claim 3 is at the location
# every Bluefin user holds). "api:" reads go with the user's read token.
PARTNER_EXTRA = ["/claims/3", "/engagements/1", "/engagements/1/customers", "/engagements/1/customers?tab=ineligible",
                 "/engagements/1/eligibility", "/settings/calendar",
                 "api:/api/v1/me", "api:/api/v1/claims", "api:/api/v1/claims/3", "api:/api/v1/claims/3/comments",
                 "api:/api/v1/engagements", "api:/api/v1/engagements/1", "api:/api/v1/earnings", "api:/api/v1/locations"]
REVIEWER_EXTRA = ["/claims/3", "/claims?tab=review", "/settings/calendar", "/partners/1",
                  "api:/api/v1/me", "api:/api/v1/claims", "api:/api/v1/claims/3", "api:/api/v1/budgets"]
EXTRA = {"admin@bluefin.example": PARTNER_EXTRA, "user@bluefin.example": PARTNER_EXTRA,
         "reviewer@vendor.example": REVIEWER_EXTRA,
         "manager@vendor.example": REVIEWER_EXTRA + ["api:/api/v1/earnings", "api:/api/v1/payment-runs"]}


def navigation(html):
    match = re.search(r'<nav aria-label="Main"(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', match.group(1)) if match else []


def timed(client, path, token, requests):
    """p50 and p95 in ms of `requests` requests of `path`, one at a time over one keep-alive connection."""
    headers = {"Authorization": f"Bearer {token}"} if token else None

    def one():
        if headers:
            client.conn.request("GET", path, headers=headers)
            response = client.conn.getresponse()
            response.read()
            return response.status
        return client.request("GET", path)[0]

    status = one()  # warm-up, and the status check
    if status != 200:
        sys.exit(f"{path}: HTTP {status}")
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        one()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


# The claims list's column headers (ClaimListView.headers) but the default, newest update first.
SORTS = ["name", "customer", "engagement", "location", "status", "due", "amount"]


def sorted_lists(args, results):
    """The claims list sorted by each column header, both ways (a second click on the header turns the order), first
    page and the page its "next" link opens, for every role: one request alone, --requests times, p50
    (ReadGrowthTests.sortedLists requests the same views)."""
    p50s = {}
    for email in ROLES:
        client = Client(args.base_url)
        client.sign_in(email)
        for first in [f"/claims?sort={sort}{way}" for sort in SORTS for way in ["", "&dir=asc"]]:
            _, body = client.request("GET", first)
            link = re.search(r'href="(/claims\?[^"]*after=[^"]+)"', body.decode())
            for read in [first] + ([link.group(1).replace("&amp;", "&")] if link else []):
                p50, p95 = timed(client, read, None, args.requests)
                name = f"{email} GET {read if 'after=' not in read else first + ' (next page)'}"
                p50s[name] = p50
                print(f"  {name:<78} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms")
    worst = max((p50, name) for name, p50 in p50s.items())
    over = sorted(name for name, p50 in p50s.items() if p50 > 50)
    results.add(f"claims list sorted by each column header, both ways, first and next page, worst p50 of {len(p50s)} ({worst[1]}); "
                f"{len(over)} over 50 ms", f"{worst[0]:.1f} ms", "≤ 50 ms", worst[0] <= 50)


class Results:
    def __init__(self, path, label):
        self.path, self.label = path, label

    def add(self, figure, measured, target, met):
        line = "\t".join([f"{figure} ({self.label})" if self.label else figure, measured, target,
                          "" if met is None else ("yes" if met else "NO")])
        print(line.replace("\t", " | "))
        with open(self.path, "a") as f:
            f.write(line + "\n")


def pages(args, results):
    p50s = {}
    worst = (0.0, "")
    for email in ROLES:
        client = Client(args.base_url)
        client.sign_in(email)
        token = api_token(args.bin, email)
        _, home = client.request("GET", "/")
        reads = navigation(home.decode()) + EXTRA[email]
        for read in reads:
            api = read.startswith("api:")
            p50, p95 = timed(client, read[4:] if api else read, token if api else None, args.requests)
            name = f"{email} GET {read}"
            p50s[name] = p50
            print(f"  {name:<78} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms")
            worst = max(worst, (p50, name))
    results.add(f"every page and API read, worst p50 of {len(p50s)} ({worst[1]})", f"{worst[0]:.1f} ms", "≤ 50 ms",
                worst[0] <= 50)
    sorted_lists(args, results)
    if args.p50_out:
        with open(args.p50_out, "w") as f:
            json.dump(p50s, f, indent=1)
    if args.compare:
        with open(args.compare) as f:
            before = json.load(f)
        ratios = sorted(((p50s[k] / max(before[k], 0.01), k) for k in p50s if k in before), reverse=True)
        if ratios:
            ratio, name = ratios[0]
            results.add(f"worst page p50 against SQLite's ({name})", f"{ratio:.2f}x ({p50s[name]:.1f} vs {before[name]:.1f} ms)",
                        "≤ 2x", ratio <= 2)


def throughput(args, results):
    partner = sign_in(args.base_url, ROLES[0])
    token = api_token(args.bin, ROLES[0])
    # Each /health alternately, the best of the rounds: the two servers share the cores with wrk.
    app_rates, bare_rates = [], []
    for _ in range(args.rounds):
        app_rates.append(wrk(args.base_url, "/health", None, args)[0])
        bare_rates.append(wrk(args.bare, "/health", None, args)[0])
    app, bare = max(app_rates), max(bare_rates)
    results.add("/health, requests/s (bare Hummingbird in the same run)", f"{app:,.0f} ({bare:,.0f}: {100 * app / bare:.0f}%)",
                "≥ 90% of bare", app >= 0.9 * bare)
    for label, path, credential, target in [("claims list JSON, 50 rows (/api/v1/claims, partner token)",
                                             "/api/v1/claims?per=50", token, 20),
                                            ("claims list HTML, 50 rows (/claims, partner admin)", "/claims", partner, 10)]:
        body = check(args.base_url, path, credential)
        if b"data-claim=" not in body and b'"status_label"' not in body:
            sys.exit(f"{path}: no claims in the answer")
        rate = wrk(args.base_url, path, credential, args)[0]
        wait_idle(args.pid, limit=900)
        share = 100 * rate / app
        results.add(label, f"{rate:,.0f} req/s = {share:.1f}% of /health", f"≥ {target}% of /health", share >= target)


def exports(args, results):
    vendor = sign_in(args.base_url, ROLES[3])
    for fmt, limit in [("csv", 5), ("xlsx", 10)]:
        seconds, size, first, before, peak = http_export(args.base_url, f"/claims.{fmt}", vendor, args.pid)
        if fmt == "xlsx" and not first.startswith(b"PK\x03\x04"):
            sys.exit("/claims.xlsx is not a ZIP package")
        growth = (peak - before) / 1024
        if fmt == "csv":
            results.add(f"export of every claim, CSV ({size / 2**20:.0f} MiB)", f"{seconds:.1f} s, +{growth:.0f} MiB",
                        f"≤ {limit} s, ≤ 64 MiB", seconds <= limit and growth <= 64)
        else:
            results.add(f"export of every claim, XLSX ({size / 2**20:.0f} MiB)", f"{seconds:.1f} s, +{growth:.0f} MiB",
                        f"≤ {limit} s", seconds <= limit)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--bare")
    parser.add_argument("--results", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pages-only", action="store_true")
    parser.add_argument("--p50-out")
    parser.add_argument("--compare")
    args = parser.parse_args()
    settled = wait_idle(args.pid)
    print(f"server idle after {settled:.0f} s; RSS {status_kib(args.pid, 'VmRSS') // 1024} MiB")
    results = Results(args.results, args.label)
    pages(args, results)
    if not args.pages_only:
        throughput(args, results)
        exports(args, results)


if __name__ == "__main__":
    main()
