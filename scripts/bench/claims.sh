#!/usr/bin/env bash
# The claims list and its exports at scale (issue 5): seeds the demo plus N synthetic claims (default
# 1,000,000) into a fresh SQLite file, starts the release server on a free 127.0.0.1 port, and measures in
# one run, with scripts/bench/claims.py:
#   - /health, the claims list (default view, a search, a sort) and GET /api/v1/claims in requests/s with wrk, each as a
#     percentage of /health;
#   - CSV and XLSX exports of every claim, over HTTP (time, size, the server's peak RSS) and through
#     `incentives export claims` (time, peak RSS of the process).
# Then stops the server by PID and removes the temporary folder.
# Usage: scripts/bench/claims.sh [--claims N] [--duration SECONDS] [--connections N] [--database FILE]
# --database FILE: measure an already seeded SQLite file (seeding a million claims takes ~12 minutes) instead
# of seeding a fresh one; the file is used in place and kept.
# Env: INCENTIVES_BIN (default: a release build of this checkout). wrk comes from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

CLAIMS=1000000
DB_FILE=""
PY_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --claims) CLAIMS=$2; shift 2 ;;
    --database) DB_FILE=$(realpath "$2"); shift 2 ;;
    --duration|--connections|--threads) PY_ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "unknown argument: $1 (use --claims N, --duration S, --connections N, --threads N)" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

. scripts/bench/server.sh
bench_binary

export LOG_LEVEL=warning MAIL_DROP_DIR="$TMP/mail"
if [ -n "$DB_FILE" ]; then
  export DATABASE_URL="sqlite:$DB_FILE"
  echo "measuring the seeded database $DB_FILE ($(du -h "$DB_FILE" | cut -f1))"
else
  export DATABASE_URL="sqlite:$TMP/bench.sqlite"
  echo "seeding the demo and $CLAIMS synthetic claims into $TMP/bench.sqlite"
  START=$(date +%s.%N)
  "$BIN" seed --scale "$CLAIMS"
  echo "seeded in $(python3 -c "print(f'{$(date +%s.%N) - $START:.1f}')") s; database $(du -h "$TMP/bench.sqlite" | cut -f1)"
fi

# The deadline sweep due now (expiries, reminders into the outbox) runs here, timed, rather than inside the
# measurements; the server's own sweeper and mail service then wake once at start and not again.
START=$(date +%s.%N)
"$BIN" sweep
echo "swept in $(python3 -c "print(f'{$(date +%s.%N) - $START:.1f}')") s"
export SWEEP_INTERVAL_SECONDS=3600 MAIL_POLL_SECONDS=3600
# wrk sends far more than a person's token may (600 a minute): the limiter still counts every request, it just
# never refuses one here.
export API_RATE_LIMIT=1000000000

# Demo mode: the demo sign-ins the measurements use are refused otherwise.
bench_server --demo
echo "server: $BIN (pid $PID) on 127.0.0.1:$PORT; $(nproc) cores"
python3 scripts/bench/claims.py "http://127.0.0.1:$PORT" --pid "$PID" --bin "$BIN" --tmp "$TMP" "${PY_ARGS[@]}"
