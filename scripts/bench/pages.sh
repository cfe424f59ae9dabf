#!/usr/bin/env bash
# Page server times on the demo data (issue 4 asks for well under 50 ms): builds the release server
# (or uses INCENTIVES_BIN), starts it with a fresh demo SQLite database on a free 127.0.0.1 port, runs
# scripts/bench/pages.py against it, stops it by PID. Extra arguments go to pages.py (--requests N).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${INCENTIVES_BIN:-}
if [ -z "$BIN" ]; then
  swift build -c release --product incentives
  BIN=$(swift build -c release --show-bin-path)/incentives
fi
TMP=$(mktemp -d /tmp/incentives-bench.XXXXXX)
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite:$TMP/bench.sqlite" LOG_LEVEL=warning "$BIN" serve --demo --host 127.0.0.1 --port "$PORT" >"$TMP/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  [ "$(curl -fsS --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null || true)" = ok ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$TMP/server.log"; exit 1; }
  sleep 0.1
done
echo "server: $BIN (pid $PID) on 127.0.0.1:$PORT, demo data"
python3 scripts/bench/pages.py "http://127.0.0.1:$PORT" "$@"
