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
REQUIREMENTS=$ROOT/e2e/requirements.txt
ensure_venv() {
  if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "Creating $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.e2e-requirements.sha256" want
  want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    log "Installing e2e/requirements.txt into .venv"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$REQUIREMENTS"
    echo "$want" >"$stamp"
  fi
}

BIN=${INCENTIVES_BIN:-$ROOT/.build/debug/incentives}
SHOTS=${E2E_SCREENSHOTS:-$ROOT/e2e/screenshots}
E2E_TMP=""; SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [ -n "$E2E_TMP" ]; then
    [ -f "$E2E_TMP/server.log" ] && mkdir -p "$SHOTS" && cp "$E2E_TMP/server.log" "$SHOTS/server.log"
    rm -rf "$E2E_TMP"
    E2E_TMP=""
  fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x "$BIN" ] || { echo "$BIN is missing: build first (swift build)" >&2; exit 1; }
ensure_browser
ensure_venv

E2E_TMP=$(mktemp -d /tmp/incentives-e2e.XXXXXX)
mkdir -p "$E2E_TMP/e2e"
PORT=${E2E_PORT:-$("$VENV/bin/python" -c \
  'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE_URL="http://127.0.0.1:$PORT"

log "Starting $BIN serve --demo on $BASE_URL (SQLite in $E2E_TMP/e2e)"
MAIL_DIR="$E2E_TMP/mail"
DATABASE_URL="sqlite:$E2E_TMP/e2e/incentives.sqlite" MAIL_DROP_DIR="$MAIL_DIR" MAIL_POLL_SECONDS=1 WEBHOOK_POLL_SECONDS=1 UPLOAD_DIR="$E2E_TMP/uploads" "$BIN" serve --demo --host 127.0.0.1 --port "$PORT" \
  >"$E2E_TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
  [ "$(curl -fsS --max-time 2 "$BASE_URL/health" 2>/dev/null || true)" = ok ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$E2E_TMP/server.log"; echo "the server exited" >&2; exit 1; }
  sleep 0.1
done
[ "$(curl -fsS --max-time 2 "$BASE_URL/health" 2>/dev/null || true)" = ok ] \
  || { tail -n 50 "$E2E_TMP/server.log"; echo "no /health answer in 60 s" >&2; exit 1; }
echo "server pid $SERVER_PID"

mkdir -p "$SHOTS"  # each test empties its own folder there (not the whole, which a parallel run may use)

log "Browser tests (e2e/, headless Chromium) against $BASE_URL"
set +e
E2E_BASE_URL=$BASE_URL E2E_MAIL_DIR=$MAIL_DIR E2E_DATABASE_URL="sqlite:$E2E_TMP/e2e/incentives.sqlite" E2E_BIN="$BIN" E2E_SCREENSHOTS=$SHOTS SE_OFFLINE=true CHROMIUM=/usr/bin/chromium \
  CHROMEDRIVER=/usr/bin/chromedriver PYTHONDONTWRITEBYTECODE=1 \
  "$VENV/bin/python" -m pytest "$ROOT/e2e" "$@"
status=$?
set -e
stop_server
log "Screenshots (PNG per page visited) and the server log: $SHOTS"
exit "$status"
