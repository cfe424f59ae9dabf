#!/usr/bin/env bash
# Real-browser tests alone: starts the built server (.build/debug/incentives, so `swift build` first)
# with the demo data in a fresh SQLite file on a free 127.0.0.1 port, runs pytest over e2e/ in headless
# Chromium, stops the server by PID. Extra arguments go to pytest (e.g. scripts/e2e.sh -k navigation).
# Idempotent set-up: Debian's chromium and chromium-driver when missing; .venv with e2e/requirements.txt
# (re-installed only when that file's hash changes).
# Env: INCENTIVES_BIN (default .build/debug/incentives), E2E_SCREENSHOTS (default e2e/screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "Installing chromium and chromium-driver from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

VENV=$ROOT/.venv

BIN=${INCENTIVES_BIN:-$ROOT/.build/debug/incentives}
SHOTS=${E2E_SCREENSHOTS:-$ROOT/e2e/screenshots}
PYTHON=$VENV/bin/python
SERVER_LOG_COPY=$SHOTS/server.log
. "$ROOT/scripts/lib/server.sh"
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$BIN" ] || { echo "$BIN is missing: build first (swift build)" >&2; exit 1; }
ensure_browser
ensure_pinned_venv "$VENV" "$ROOT/e2e/requirements.txt"
start_server
MAIL_DIR="$SERVER_TMP/mail"

mkdir -p "$SHOTS"  # each test empties its own folder there (not the whole, which a parallel run may use)

log "Browser tests (e2e/, headless Chromium) against $BASE_URL"
set +e
E2E_BASE_URL=$BASE_URL E2E_MAIL_DIR=$MAIL_DIR E2E_DATABASE_URL="$SERVER_DATABASE_URL" E2E_BIN="$BIN" E2E_SCREENSHOTS=$SHOTS SE_OFFLINE=true CHROMIUM=/usr/bin/chromium \
  CHROMEDRIVER=/usr/bin/chromedriver PYTHONDONTWRITEBYTECODE=1 \
  "$VENV/bin/python" -m pytest "$ROOT/e2e" --ignore="$ROOT/e2e/resilience" --ignore="$ROOT/e2e/cli" "$@"
status=$?
set -e
stop_server
log "Screenshots (PNG per page visited) and the server log: $SHOTS"
exit "$status"
