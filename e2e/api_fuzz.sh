#!/usr/bin/env bash
# Fuzzes the public API with schemathesis (pinned in e2e/fuzz-requirements.txt, installed into .venv-fuzz when
# that file changes) against the built server with the demo data: once with a write token of a partner's
# Incentives admin and once with a reviewer's, every check, at least 50 examples per operation, one worker.
# Fails on any finding. Runs on SQLite, and again on a fresh PostgreSQL database when TEST_DATABASE_URL is set
# (scripts/test.sh sets it). Uses scripts/lib/server.sh, as scripts/e2e.sh does. Extra arguments go to `st run`.
# Env: INCENTIVES_BIN (default .build/debug/incentives), FUZZ_EXAMPLES (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

VENV=$ROOT/.venv-fuzz
BIN=${INCENTIVES_BIN:-$ROOT/.build/debug/incentives}
PYTHON=$VENV/bin/python
. "$ROOT/scripts/lib/server.sh"
ensure_pinned_venv "$VENV" "$ROOT/e2e/fuzz-requirements.txt"
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The fuzzer sends thousands of requests a minute: the limit itself is tested by the Swift tests.
SERVER_ENV="API_RATE_LIMIT=1000000"

token() { # email scope: a new token of the user, made with the CLI on the server's database
  DATABASE_URL="$SERVER_DATABASE_URL" "$BIN" tokens create --user "$1" --scope "$2" --name fuzz | sed -n 's/^Token (shown only now): //p'
}

# Once on SQLite, and once on PostgreSQL when scripts/test.sh started one (TEST_DATABASE_URL): a fresh database there.
databases=(sqlite)
[ -n "${TEST_DATABASE_URL:-}" ] && databases+=(postgres)
status=0
for database in "${databases[@]}"; do
  SERVER_DATABASE=""
  if [ "$database" = postgres ]; then
    name="fuzz_$$_$(date +%s)"
    psql "$TEST_DATABASE_URL" -q -c "CREATE DATABASE $name" >/dev/null
    SERVER_DATABASE="${TEST_DATABASE_URL%/*}/$name"
  fi
  start_server
  for who in admin@bluefin.example reviewer@vendor.example; do
    secret=$(token "$who" write)
    [ -n "$secret" ] || { echo "no token for $who" >&2; exit 1; }
    log "schemathesis as $who against $BASE_URL/api/v1 ($database)"
    set +e
    (cd "$ROOT/e2e" && "$VENV/bin/st" --config-file "$ROOT/e2e/schemathesis.toml" run "$BASE_URL/api/v1/openapi.json" \
      --url "$BASE_URL/api/v1" --header "Authorization: Bearer $secret" --checks all \
      --max-examples "${FUZZ_EXAMPLES:-50}" --workers 1 --seed 1 "$@")
    run=$?
    set -e
    [ "$run" -ne 0 ] && status=$run
  done
  if [ "$status" -ne 0 ]; then
    log "Server log (last 80 lines)"
    tail -n 80 "$SERVER_TMP/server.log"
  fi
  stop_server
  [ "$database" = postgres ] && psql "$TEST_DATABASE_URL" -q -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
done
exit "$status"
