#!/usr/bin/env bash
# /engagements and an engagement's Customers tab as a partner admin (issue 15 item 11) on a seeded database:
# 20 requests alone (p50, max), then wrk -t2 -c64 for 10 s, then one request right after the load.
# Usage: scripts/bench/engagements.sh sqlite:/path/to/seeded.sqlite  (seed one with
#   DATABASE_URL=sqlite:/path/x.sqlite incentives seed --demo --scale 100000; keep it outside the repository).
# Builds the release server unless INCENTIVES_BIN is set. Needs wrk (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 1 ] || { echo "usage: $0 DATABASE_URL" >&2; exit 2; }
. scripts/bench/server.sh
bench_binary
DATABASE_URL="$1" LOG_LEVEL=warning bench_server --demo
BASE="http://127.0.0.1:$PORT"
# Sign in as the demo partner admin: the form token from the page, the session cookie from the answer.
JAR="$TMP/cookies"
TOKEN=$(curl -fsS -c "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -fsS -b "$JAR" -c "$JAR" -o /dev/null -d "csrf_token=$TOKEN&email=admin%40bluefin.example&password=demo-password" "$BASE/login"
COOKIE=$(awk '$6 ~ /pi_session/ {print $6"="$7}' "$JAR")
[ -n "$COOKIE" ] || { echo "sign-in failed" >&2; exit 1; }
for path in /engagements /engagements/1/customers; do
  python3 - "$BASE$path" "$COOKIE" <<'PY'
import statistics, sys, time, urllib.request
url, cookie = sys.argv[1], sys.argv[2]
times = []
for _ in range(20):
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as r:
        r.read(); assert r.status == 200
    times.append((time.perf_counter() - t) * 1000)
print(f"{url.split('127.0.0.1')[1]}: alone p50 {statistics.median(times):.0f} ms, max {max(times):.0f} ms (20 requests)")
PY
  wrk -t2 -c64 -d10s --timeout 30s -H "Cookie: $COOKIE" "$BASE$path" | grep -E "Requests/sec|Latency|timeout|Non-2xx" || true
  t0=$(date +%s%N); curl -fsS -o /dev/null -H "Cookie: $COOKIE" "$BASE$path"; t1=$(date +%s%N)
  echo "  a request right after the load: $(( (t1 - t0) / 1000000 )) ms"
done
