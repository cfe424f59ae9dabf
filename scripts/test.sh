#!/usr/bin/env bash
# The one test command: builds, then runs every test on SQLite and on a throwaway PostgreSQL 15, then the
# `incentives` command's tests (scripts/cli-tests.sh: the built binary on SQLite and PostgreSQL), then the
# real-browser tests (scripts/e2e.sh: headless Chromium against the built server), then the API fuzzer
# (e2e/api_fuzz.sh: schemathesis against the contract, on SQLite and PostgreSQL), then the crash, outage and
# two-instance tests (scripts/resilience.sh). Fails if any suite fails.
# Idempotent set-up: installs PostgreSQL, chromium and chromium-driver from Debian when they are missing,
# and the pinned e2e/requirements.txt into .venv when it changed (before the Swift tests: the XLSX tests read workbooks
# back with its openpyxl). Exports CI=1 and REQUIRE_POSTGRES=1: guards then fail, not skip, when a check (the
# PostgreSQL cases, openpyxl) did not run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CI=${CI:-1} REQUIRE_POSTGRES=1

log() { printf '\n== %s\n' "$*"; }

ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    log "Installing PostgreSQL from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
}

PG_DIR=""; PG_PID=""
stop_postgres() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then kill "$PG_PID"; wait "$PG_PID" 2>/dev/null || true; fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
}
trap stop_postgres EXIT

start_postgres() {
  PG_DIR=$(mktemp -d /tmp/incentives-pg.XXXXXX)
  chown postgres "$PG_DIR" 2>/dev/null || true
  local as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$PG_BIN/initdb" --no-sync -A trust -U postgres -D "$PG_DIR/data" >/dev/null
  PG_PORT=${PG_PORT:-55432}
  "${as[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -h 127.0.0.1 -p "$PG_PORT" -k "$PG_DIR" -c fsync=off \
    -c max_connections=400 >"$PG_DIR/log" 2>&1 &
  PG_PID=$!
  for _ in $(seq 1 50); do
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break
    sleep 0.2
  done
  "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q || { cat "$PG_DIR/log"; echo "PostgreSQL did not start"; exit 1; }
  # Another server already on the port answers pg_isready too: ours must be alive and be the one answering.
  local answering
  answering=$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtc 'SHOW data_directory' 2>/dev/null || true)
  if ! kill -0 "$PG_PID" 2>/dev/null || [ "$answering" != "$PG_DIR/data" ]; then
    cat "$PG_DIR/log"; echo "PostgreSQL did not start: port $PG_PORT is answered by ${answering:-another server}" >&2; exit 1
  fi
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (pid $PG_PID)"
}

ensure_postgres
start_postgres

log "Building"
swift build --build-tests

. "$ROOT/scripts/lib/server.sh"  # ensure_pinned_venv
ensure_pinned_venv "$ROOT/.venv" "$ROOT/e2e/requirements.txt"

log "Swift tests (SQLite always, PostgreSQL via TEST_DATABASE_URL)"
set +e
# A whole run takes ~10 minutes here; one that hangs is stopped (and named below) rather than left to CI's limit.
timeout --kill-after=30 "${SWIFT_TEST_TIMEOUT:-40m}" swift test --skip-build 2>&1 | tee /tmp/incentives-swift-test.log
swift_status=${PIPESTATUS[0]}
if [ "$swift_status" -eq 124 ] || [ "$swift_status" -eq 137 ]; then
  # The test runner can outlive swift test (a hung one was seen to ignore SIGTERM) and would keep .build locked.
  pkill -KILL -f "$ROOT/.build/.*PackageTests.xctest" || true
  log "Swift tests stopped after ${SWIFT_TEST_TIMEOUT:-40m}; these had started and not finished:"
  python3 "$ROOT/scripts/lib/unfinished_tests.py" /tmp/incentives-swift-test.log | tee -a /tmp/incentives-swift-test.log
fi
set -e

set +e
scripts/cli-tests.sh
cli_status=$?
set -e

set +e
scripts/e2e.sh
e2e_status=$?
set -e

log "API fuzzing (schemathesis against the contract on SQLite and PostgreSQL, e2e/api_fuzz.sh)"
set +e
e2e/api_fuzz.sh
fuzz_status=$?
set -e

set +e
PG_BIN=$PG_BIN scripts/resilience.sh
resilience_status=$?
set -e

log "swift test: exit $swift_status; CLI tests: exit $cli_status; browser tests: exit $e2e_status; API fuzzing: exit $fuzz_status;" \
  "resilience: exit $resilience_status"
if [ "$swift_status" -ne 0 ]; then
  # CI shows only the end of this script's output: name the failed Swift tests and their first issues again here.
  log "Failed Swift tests (whole output in /tmp/incentives-swift-test.log)"
  grep -E '✘ (Test|Suite) .*(failed|recorded)|error: |Fatal error|Test Case .* failed' /tmp/incentives-swift-test.log | head -n 60
  [ "$swift_status" -eq 124 ] || [ "$swift_status" -eq 137 ] && python3 "$ROOT/scripts/lib/unfinished_tests.py" /tmp/incentives-swift-test.log | sed 's/^/unfinished: /' 
  exit "$swift_status"
fi
[ "$cli_status" -ne 0 ] && exit "$cli_status"
[ "$e2e_status" -ne 0 ] && exit "$e2e_status"
[ "$fuzz_status" -ne 0 ] && exit "$fuzz_status"
exit "$resilience_status"
