#!/usr/bin/env python3
"""The claims list and its exports against a running server with many claims (scripts/bench/claims.sh
starts one). In one run:

- requests/s with wrk (keep-alive, --threads threads, --connections connections) for /health, then the
  claims list signed in as a partner admin (default view; a search; a sort by next deadline) and as the
  vendor's program manager (every organization's claims), and GET /api/v1/claims (50 rows, a search) with
  each one's read token made by `incentives tokens create`, each list also as a percentage of /health;
- exports of every claim as CSV and XLSX over HTTP as the program manager: time, size, rows/s, and the
  server's peak RSS during the export (VmHWM, reset before each one through /proc/PID/clear_refs);
- the same exports through `incentives export claims --format F`: time and the process's peak RSS.

Standard library and wrk only. Usage: claims.py BASE_URL --pid PID --bin INCENTIVES --tmp DIR
[--duration S] [--connections N] [--threads N]"""
import argparse
import http.client
import os
import re
import resource
import subprocess
import sys
import threading
import time
import urllib.parse

PASSWORD = "demo-password"
PARTNER = "admin@bluefin.example"
VENDOR = "manager@vendor.example"


def sign_in(base, email):
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    cookies = {}

    def request(method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": base})
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    _, page = request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    status, _ = request("POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    if status != 303 or "pi_session" not in cookies:
        sys.exit(f"signing in as {email} failed with {status}")
    conn.close()
    return f"pi_session={cookies['pi_session']}"


def api_token(binary, email):
    """A read token for the user, made with the CLI as an operator would (`incentives tokens create`)."""
    out = subprocess.run([binary, "tokens", "create", "--user", email, "--scope", "read", "--name", "benchmark"],
                         capture_output=True, text=True, check=True).stdout
    return re.search(r"Token \(shown only now\): (pi_\w+)", out).group(1)


def auth_header(credential):
    """A session cookie ("pi_session=...") or an API token ("pi_..."), as the request header that carries it."""
    if not credential:
        return {}
    if credential.startswith("pi_session="):
        return {"Cookie": credential}
    return {"Authorization": f"Bearer {credential}"}


def check(base, path, cookie):
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    conn.request("GET", path, headers=auth_header(cookie))
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return body


def wrk(base, path, cookie, args):
    """requests/s, p99 latency, and how many requests timed out (wrk's --timeout: 30 s)."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s", "--latency"]
    for name, value in auth_header(cookie).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [base + path], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if bad or (errors and any(int(n) for n in errors.groups()[:3])):
        sys.exit(f"{path}: {bad.group(0) if bad else ''} {errors.group(0) if errors else ''}\n{out}")
    return rate, p99.group(1) if p99 else "-", int(errors.group(4)) if errors else 0


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid, limit=300):
    """Waits until the server's start-up work (the first deadline sweep, the outbox) is done."""
    start = time.time()
    last = cpu_seconds(pid)
    while time.time() - start < limit:
        time.sleep(1)
        now = cpu_seconds(pid)
        if now - last < 0.05:
            return time.time() - start
        last = now
    return time.time() - start


def http_export(base, path, cookie, pid):
    """Streams the export; returns its time, size, first bytes, and the server's anonymous memory before and at its peak.
    Anonymous memory (RssAnon, sampled every 20 ms), not VmRSS: SQLite reads the file through a memory map, and the
    mapped pages it touches count in VmRSS as file pages (RssFile), which are the kernel's file cache, shared and given
    back under pressure, not memory the export holds."""
    before = status_kib(pid, "RssAnon")
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], status_kib(pid, "RssAnon"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    size = 0
    first = b""
    while True:
        chunk = response.read(1 << 20)
        if not chunk:
            break
        if not first:
            first = chunk[:4096]
        size += len(chunk)
    seconds = time.perf_counter() - start
    conn.close()
    done.set()
    sampler.join()
    return seconds, size, first, before, max(peak[0], status_kib(pid, "RssAnon"))


def cli_export(binary, fmt, tmp):
    target = os.path.join(tmp, f"export.{fmt}")
    start = time.perf_counter()
    with open(target, "wb") as out:
        child = subprocess.Popen([binary, "export", "claims", "--format", fmt], stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"incentives export claims --format {fmt} failed ({status})")
    size = os.path.getsize(target)
    os.remove(target)
    return seconds, size, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--duration", type=int, default=10)
    # 2 cores shared by wrk and the server: one wrk thread, a few connections keep both busy.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    base = args.base_url

    settled = wait_idle(args.pid)
    print(f"server idle after {settled:.0f} s (start-up sweep and outbox); RSS {status_kib(args.pid, 'VmRSS') // 1024} MiB")
    partner, vendor = sign_in(base, PARTNER), sign_in(base, VENDOR)
    partner_token, vendor_token = api_token(args.bin, PARTNER), api_token(args.bin, VENDOR)
    # The search term: a customer name of the partner's newest claim, as a person would type part of it.
    newest = check(base, "/claims", partner).decode()
    customer = re.search(r'<td><a href="/claims/\d+">[^<]*</a> <span class="muted">#\d+</span></td><td>([^<]+)</td>', newest).group(1)
    term = customer.split()[-1]
    total = re.search(r'id="list-summary">([\d]+) claim', check(base, "/claims", vendor).decode()).group(1)
    print(f"claims in the database: {total}; wrk: {args.threads} thread, {args.connections} connections, "
          f"{args.duration} s a run, keep-alive; {os.cpu_count()} cores shared by wrk and the server")
    print()
    runs = [
        ("/health", "/health", None),
        (f"/claims (partner {PARTNER}, default view)", "/claims", partner),
        (f"/claims?q={term} (partner, search)", f"/claims?q={urllib.parse.quote(term)}", partner),
        ("/claims?sort=due&dir=asc (partner, sort)", "/claims?sort=due&dir=asc", partner),
        (f"/claims (vendor {VENDOR}, every organization)", "/claims", vendor),
        ("/claims?q=... (vendor, search)", f"/claims?q={urllib.parse.quote(term)}", vendor),
        ("/claims?sort=due&dir=asc (vendor, sort)", "/claims?sort=due&dir=asc", vendor),
        (f"GET /api/v1/claims (partner token, 50 rows)", "/api/v1/claims?per=50", partner_token),
        (f"GET /api/v1/claims?q={term} (partner token, search)", f"/api/v1/claims?per=50&q={urllib.parse.quote(term)}", partner_token),
        ("GET /api/v1/claims (vendor token, 50 rows)", "/api/v1/claims?per=50", vendor_token),
    ]
    print(f"{'request':<62} {'one alone':>10} {'req/s':>9} {'p99':>9} {'of /health':>11}")
    health = None
    for label, path, cookie in runs:
        start = time.perf_counter()
        body = check(base, path, cookie)
        alone = (time.perf_counter() - start) * 1000
        if path.startswith("/claims") and b"data-claim=" not in body:
            sys.exit(f"{path}: the page shows no claims")
        if path.startswith("/api/v1/claims") and not (0 < body.count(b'"status_label"') <= 50
                                                      and ("q=" in path or body.count(b'"status_label"') == 50)):
            sys.exit(f"{path}: the API answered {body.count(b'status_label')} claims, not a full page")
        rate, p99, timeouts = wrk(base, path, cookie, args)
        health = health or rate
        share = "" if path == "/health" else f"{100 * rate / health:10.1f}%"
        note = f"  ({timeouts} requests over 30 s)" if timeouts else ""
        print(f"{label:<62} {alone:8.1f}ms {rate:9.1f} {p99:>9} {share:>11}{note}")
        # Requests wrk gave up on (or left in flight) still run in the server: let them finish before the next run.
        wait_idle(args.pid, limit=900)
    print()
    # The server's rows give its anonymous memory (`http_export`); the command's, its max RSS, which also counts the pages
    # of the SQLite file it mapped.
    print(f"{'export of every claim':<40} {'seconds':>8} {'MiB':>8} {'rows/s':>9} {'peak MiB':>13}")
    rows = int(total)
    for fmt in ["csv", "xlsx"]:
        seconds, size, first, before, peak = http_export(base, f"/claims.{fmt}", vendor, args.pid)
        if fmt == "xlsx" and not first.startswith(b"PK\x03\x04"):
            sys.exit("/claims.xlsx is not a ZIP package")
        print(f"{'HTTP /claims.' + fmt + ' (server, vendor)':<40} {seconds:8.1f} {size / 2**20:8.1f} {rows / seconds:9.0f} "
              f"{peak // 1024:8d} (from {before // 1024})")
    for fmt in ["csv", "xlsx"]:
        seconds, size, peak = cli_export(args.bin, fmt, args.tmp)
        print(f"{'incentives export claims --format ' + fmt:<40} {seconds:8.1f} {size / 2**20:8.1f} {rows / seconds:9.0f} "
              f"{peak // 1024:13d}")


if __name__ == "__main__":
    main()
