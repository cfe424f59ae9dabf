# Shared by the bench scripts (sourced, not run): the server binary, a temporary folder removed on exit,
# and a server on a free 127.0.0.1 port, stopped by PID on exit.
# After bench_server: $BIN, $TMP, $PID and $PORT are set.

bench_binary() {
  BIN=${INCENTIVES_BIN:-}
  if [ -z "$BIN" ]; then
    swift build -c release --product incentives
    BIN=$(swift build -c release --show-bin-path)/incentives
  fi
  TMP=$(mktemp -d /tmp/incentives-bench.XXXXXX)
  PID=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}

# bench_server [serve arguments...]: starts `$BIN serve` and waits until /health answers.
bench_server() {
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN" serve "$@" --host 127.0.0.1 --port "$PORT" >"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    [ "$(curl -fsS --max-time 2 "http://127.0.0.1:$PORT/health" 2>/dev/null || true)" = ok ] && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$TMP/server.log"; exit 1; }
    sleep 0.1
  done
  echo "the server did not answer /health within 30 s" >&2
  cat "$TMP/server.log"
  exit 1
}

# bench_seeded_copy SOURCE CLAIMS NOW: points DATABASE_URL at $TMP/bench.sqlite, a copy of SOURCE when given (seeded as of
# NOW), else the demo and CLAIMS synthetic claims seeded there as of NOW. The copy leaves SOURCE as it was for the next run.
bench_seeded_copy() {
  export LOG_LEVEL=warning DATABASE_URL="sqlite:$TMP/bench.sqlite"
  if [ -n "$1" ]; then
    cp "$1" "$TMP/bench.sqlite"
  else
    echo "seeding the demo and $2 synthetic claims into $TMP/bench.sqlite"
    "$BIN" seed --scale "$2" --now "$3" >/dev/null
  fi
}
