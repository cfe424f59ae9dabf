#!/usr/bin/env bash
# The `incentives` command's tests alone (e2e/cli/, pytest): the built binary run as an operator runs it, on a fresh
# SQLite file per test and, when TEST_DATABASE_URL is set, on a fresh PostgreSQL database per test (scripts/test.sh
# sets it). Needs a build (`swift build`). Extra arguments go to pytest (e.g. scripts/cli-tests.sh -k export).
# Env: INCENTIVES_BIN (default .build/debug/incentives); CI makes a missing TEST_DATABASE_URL a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
BIN=${INCENTIVES_BIN:-$ROOT/.build/debug/incentives}
log() { printf '\n== %s\n' "$*"; }
. "$ROOT/scripts/lib/server.sh"

[ -x "$BIN" ] || { echo "$BIN is missing: build first (swift build)" >&2; exit 1; }
ensure_pinned_venv "$VENV" "$ROOT/e2e/requirements.txt"
log "The incentives command (e2e/cli/) on SQLite${TEST_DATABASE_URL:+ and PostgreSQL}"
cd "$ROOT/e2e/cli"
INCENTIVES_BIN="$BIN" PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest "$ROOT/e2e/cli" "$@"
