#!/usr/bin/env bash
# Crash, outage, restart and two-instance tests (e2e/resilience/): the built server killed with SIGKILL during a
# burst of writes (SQLite and PostgreSQL), PostgreSQL stopped and started under load, two instances sweeping and
# delivering on one PostgreSQL. Each test starts its own server processes and PostgreSQL clusters and stops them by
# PID. Needs a build (`swift build`) and PostgreSQL (scripts/test.sh installs it). Extra arguments go to pytest.
# Env: INCENTIVES_BIN (default .build/debug/incentives), PG_BIN (default the newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
BIN=${INCENTIVES_BIN:-$ROOT/.build/debug/incentives}
log() { printf '\n== %s\n' "$*"; }
. "$ROOT/scripts/lib/server.sh"

[ -x "$BIN" ] || { echo "$BIN is missing: build first (swift build)" >&2; exit 1; }
ensure_pinned_venv "$VENV" "$ROOT/e2e/requirements.txt"
export PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
log "Resilience tests (e2e/resilience/): kill -9, PostgreSQL outage, two instances"
cd "$ROOT/e2e/resilience"
INCENTIVES_BIN="$BIN" PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" -m pytest -p no:cacheprovider -v -rfE "$ROOT/e2e/resilience" "$@"
