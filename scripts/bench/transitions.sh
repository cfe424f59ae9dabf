#!/usr/bin/env bash
# Claim transitions per second through the store on SQLite (issue 20: >= 5,000/s): builds the release `incentives` and
# `transition-bench`, seeds the demo and N synthetic claims (default 20,000) into a fresh SQLite file outside the
# repository, then drives reviewer and partner actions through ClaimRepository.perform for S seconds (default 10) from
# T tasks (default 4), each writing the claim's update, its history row, the partner's emails in the outbox and, with
# --webhooks, a webhook event and delivery. Prints transitions/s. The temporary folder is removed on exit.
# Usage: scripts/bench/transitions.sh [--claims N] [--seconds S] [--tasks T] [--webhooks] [--write-batch B]
#        [--checkpoints background|writer] [--database FILE] [--results FILE]
# --write-batch 1: each transition committed in a transaction of its own, as before SQLite's writer grouped them.
# --checkpoints writer: SQLite checkpoints inside the writer's COMMIT, as before WALCheckpointer.
# --results FILE: also appends the figure as a row of scripts/bench/all.sh's table (tab-separated).
# --database FILE: a copy of FILE (seeded with --now 2026-11-25T00:00:00Z) is measured instead of a fresh seed.
# Env: INCENTIVES_BIN and BENCH_BIN (default: release builds of this checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."

CLAIMS=20000
SOURCE=""
RESULTS=""
NOW=2026-11-25T00:00:00Z
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --claims) CLAIMS=$2; shift 2 ;;
    --database) SOURCE=$(realpath "$2"); shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --seconds|--tasks|--write-batch|--checkpoints) ARGS+=("$1" "$2"); shift 2 ;;
    --webhooks) ARGS+=("$1"); shift ;;
    *) echo "unknown argument: $1 (use --claims N, --seconds S, --tasks T, --webhooks, --database FILE)" >&2; exit 2 ;;
  esac
done

. scripts/bench/server.sh
bench_binary
BENCH=${BENCH_BIN:-}
if [ -z "$BENCH" ]; then
  swift build -c release --product transition-bench
  BENCH=$(swift build -c release --show-bin-path)/transition-bench
fi

bench_seeded_copy "$SOURCE" "$CLAIMS" "$NOW"
OUT=$("$BENCH" "$DATABASE_URL" "$NOW" "${ARGS[@]}")
echo "$OUT"
if [ -n "$RESULTS" ]; then
  RATE=$(sed -n 's/.*: \([0-9]*\) transitions\/s.*/\1/p' <<<"$OUT" | tail -n 1)
  printf '%s\t%s\t%s\t%s\n' "claim transitions through the store (sqlite)" "${RATE:-?} transitions/s" "≥ 5,000/s" \
    "$([ "${RATE:-0}" -ge 5000 ] && echo yes || echo NO)" >>"$RESULTS"
fi
