#!/usr/bin/env bash
# Page server times on the demo data (issue 4 asks for well under 50 ms): builds the release server
# (or uses INCENTIVES_BIN), starts it with a fresh demo SQLite database on a free 127.0.0.1 port, runs
# scripts/bench/pages.py against it, stops it by PID. Extra arguments go to pages.py (--requests N).
set -euo pipefail
cd "$(dirname "$0")/../.."

. scripts/bench/server.sh
bench_binary
DATABASE_URL="sqlite:$TMP/bench.sqlite" LOG_LEVEL=warning bench_server --demo
echo "server: $BIN (pid $PID) on 127.0.0.1:$PORT, demo data"
python3 scripts/bench/pages.py "http://127.0.0.1:$PORT" "$@"
