#!/usr/bin/env bash
# The deadline sweep at scale (issue 20: 100,000 due claims in <= 5 s): builds the release `incentives`, seeds the demo
# and N synthetic claims (default 300,000, about a third of which are due 400 days on) into a fresh SQLite file outside
# the repository, then times `incentives sweep` 400 days after the seeding instant and prints the expiries per second.
# Usage: scripts/bench/sweep.sh [--claims N] [--database FILE]
# --database FILE: a copy of FILE (seeded with --now 2026-11-25T00:00:00Z) is swept instead of a fresh seed.
# Env: INCENTIVES_BIN (default: a release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."

CLAIMS=300000
SOURCE=""
NOW=2026-11-25T00:00:00Z
LATER=2027-12-30T00:00:00Z
while [ $# -gt 0 ]; do
  case "$1" in
    --claims) CLAIMS=$2; shift 2 ;;
    --database) SOURCE=$(realpath "$2"); shift 2 ;;
    *) echo "unknown argument: $1 (use --claims N, --database FILE)" >&2; exit 2 ;;
  esac
done

. scripts/bench/server.sh
bench_binary
bench_seeded_copy "$SOURCE" "$CLAIMS" "$NOW"
START=$(date +%s.%N)
OUT=$("$BIN" sweep --now "$LATER" --progress none)
END=$(date +%s.%N)
echo "$OUT"
EXPIRED=$(echo "$OUT" | sed -n 's/.*: \([0-9]*\) claims\? expired.*/\1/p')
python3 -c "s = $END - $START; print(f'sweep: {$EXPIRED} expiries in {s:.1f} s, {$EXPIRED / s:.0f} expiries/s')"
