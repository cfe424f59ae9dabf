#!/usr/bin/env bash
# Every figure of issue 20 in one run, printed as one table (figure | measured | target | met):
#   1. `incentives seed --scale N` into a SQLite file (default 1,000,000 claims), timed;
#   2. `incentives sweep` of the deadlines that passed in the 30 days since the seeding's instant, timed, per 100,000;
#   3. scripts/bench/transitions.sh when present: claim transitions/s through the store;
#   4. the release server on that file beside a bare Hummingbird app (Sources/bare-hummingbird), and
#      scripts/bench/all.py: /health against the bare app, the claims list (JSON, HTML) as a share of /health, every
#      page and API read of each demo role alone (p50), and the CSV and XLSX exports of every claim;
#   5. with --postgres-claims N: the same seeding and pages on a throwaway PostgreSQL (10,000,000 in the issue), each
#      page's p50 against SQLite's, and whether pg_trgm is installed.
# Usage: scripts/bench/all.sh [--claims N] [--database FILE] [--postgres-claims N] [--postgres-url URL]
#                             [--duration S] [--requests N]
# --database FILE: a SQLite file to keep for the next run (seeding a million claims takes minutes): seeded when it
#   does not exist, used as it is (no seed or sweep figure) when it does. Keep it outside the repository.
# --postgres-url URL: an existing (seeded or empty) PostgreSQL database instead of a throwaway server.
# Env: INCENTIVES_BIN, BARE_BIN (default: release builds of this checkout). wrk and PostgreSQL come from Debian when
# missing. Run it on a quiet machine: every figure is a rate or a time.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

CLAIMS=1000000
DB_FILE=""
PG_CLAIMS=""
PG_URL=""
PY_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --claims) CLAIMS=$2; shift 2 ;;
    --database) DB_FILE=$(realpath -m "$2"); shift 2 ;;
    --postgres-claims) PG_CLAIMS=$2; shift 2 ;;
    --postgres-url) PG_URL=$2; shift 2 ;;
    --duration|--requests|--connections|--threads|--rounds) PY_ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "unknown argument: $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

. scripts/bench/server.sh
if [ -z "${BARE_BIN:-}" ]; then
  swift build -c release --product bare-hummingbird
  BARE_BIN=$(swift build -c release --show-bin-path)/bare-hummingbird
fi
bench_binary
RESULTS="$TMP/results.tsv"
: >"$RESULTS"
BARE_PID=""; PG_PID=""; PG_DIR=""
all_cleanup() {
  for pid in "$BARE_PID" "$PG_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  done
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  bench_cleanup
}
trap all_cleanup EXIT

result() { printf '%s\t%s\t%s\t%s\n' "$@" | tee -a "$RESULTS" | tr '\t' '|' | sed 's/|/ | /g'; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

# seed_and_sweep LABEL: seeds $CLAIMS claims into $DATABASE_URL (unless $REUSED) and sweeps what is due, timed.
seed_and_sweep() {
  local label=$1 start out n seconds
  if [ -z "${REUSED:-}" ]; then
    echo "seeding the demo and $CLAIMS synthetic claims ($label)"
    start=$(date +%s.%N)
    "$BIN" seed --scale "$CLAIMS" --progress lines --now "$SEEDED_AT"
    seconds=$(elapsed "$start")
    result "seed --scale $CLAIMS ($label)" "$seconds s" "≤ 120 s at 1,000,000" \
      "$(python3 -c "import sys; print('yes' if float(sys.argv[1]) <= 120 * int(sys.argv[2]) / 1e6 else 'NO')" "$seconds" "$CLAIMS")"
  fi
  start=$(date +%s.%N)
  out=$("$BIN" sweep --progress none)
  seconds=$(elapsed "$start")
  n=$(sed -n 's/^Swept at [^:]*:[^:]*:[^:]*: \([0-9]*\) claims\{0,1\} expired.*/\1/p' <<<"$out")
  if [ "${n:-0}" -ge 1000 ]; then
    result "sweep of the due set ($label)" "$n expiries in $seconds s = $(python3 -c "import sys; print(f'{float(sys.argv[1]) * 100000 / int(sys.argv[2]):.1f}')" "$seconds" "$n") s per 100,000" \
      "≤ 5 s per 100,000" "$(python3 -c "import sys; print('yes' if float(sys.argv[1]) * 100000 / int(sys.argv[2]) <= 5 else 'NO')" "$seconds" "$n")"
  else
    echo "sweep ($label): only ${n:-0} claims were due (a database already swept), no sweep figure"
  fi
}

# Seeded as of 30 days ago, so that the sweep at today finds the deadlines of a month due, as a server that was down
# for a month would (seeded as of today, nothing is due yet).
SEEDED_AT=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
export LOG_LEVEL=warning MAIL_DROP_DIR="$TMP/mail" SWEEP_INTERVAL_SECONDS=3600 MAIL_POLL_SECONDS=3600
# wrk sends far more than a person's token may: the limiter still counts every request, it just never refuses one.
export API_RATE_LIMIT=1000000000

# --- SQLite ---
REUSED=""
if [ -n "$DB_FILE" ] && [ -e "$DB_FILE" ]; then REUSED=1; fi
export DATABASE_URL="sqlite:${DB_FILE:-$TMP/bench.sqlite}"
seed_and_sweep sqlite

if [ -x scripts/bench/transitions.sh ]; then
  INCENTIVES_BIN="$BIN" scripts/bench/transitions.sh --results "$RESULTS"
fi

BARE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BARE_BIN" "$BARE_PORT" >"$TMP/bare.log" 2>&1 &
BARE_PID=$!
bench_server --demo
echo "server: $BIN (pid $PID) on 127.0.0.1:$PORT; bare Hummingbird (pid $BARE_PID) on 127.0.0.1:$BARE_PORT; $(nproc) cores"
python3 scripts/bench/all.py "http://127.0.0.1:$PORT" --pid "$PID" --bin "$BIN" --tmp "$TMP" \
  --bare "http://127.0.0.1:$BARE_PORT" --results "$RESULTS" --label sqlite --p50-out "$TMP/sqlite-p50.json" "${PY_ARGS[@]}"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

# --- PostgreSQL ---
if [ -n "$PG_CLAIMS" ] || [ -n "$PG_URL" ]; then
  if [ -z "$PG_URL" ]; then
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_DIR=$(mktemp -d /tmp/incentives-bench-pg.XXXXXX); chown postgres "$PG_DIR"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$PG_BIN/initdb" --no-sync -A trust -U postgres -D "$PG_DIR/data" >/dev/null
    runuser -u postgres -- "$PG_BIN/postgres" -D "$PG_DIR/data" -h 127.0.0.1 -p "$PG_PORT" -k "$PG_DIR" \
      -c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=64MB -c maintenance_work_mem=1GB \
      -c synchronous_commit=off -c max_wal_size=8GB >"$PG_DIR/log" 2>&1 &
    PG_PID=$!
    for _ in $(seq 1 100); do "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 0.2; done
    PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    REUSED=""
    CLAIMS=${PG_CLAIMS:-$CLAIMS}
  else
    REUSED=1
  fi
  export DATABASE_URL="$PG_URL"
  seed_and_sweep postgresql
  trgm=$(python3 - "$PG_URL" <<'PY' 2>/dev/null || echo unknown
import subprocess, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(subprocess.run(["psql", "-h", u.hostname, "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d",
                      u.path.lstrip("/") or "postgres", "-XAtc", "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'"],
                     capture_output=True, text=True, check=True).stdout.strip() or "missing")
PY
)
  result "search index on PostgreSQL" "pg_trgm: $trgm" "pg_trgm" "$([ "$trgm" = pg_trgm ] && echo yes || echo NO)"
  bench_server --demo
  python3 scripts/bench/all.py "http://127.0.0.1:$PORT" --pid "$PID" --bin "$BIN" --tmp "$TMP" --results "$RESULTS" \
    --label postgresql --pages-only --compare "$TMP/sqlite-p50.json" "${PY_ARGS[@]}"
fi

echo
echo "== issue 20's figures, one run on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
python3 - "$RESULTS" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
head = ["figure", "measured", "target", "met"]
widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
for r in [head, ["-" * w for w in widths]] + rows:
    print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
PY
