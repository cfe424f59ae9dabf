# Sourced by scripts/e2e.sh and e2e/api_fuzz.sh: a pinned virtualenv, and the built server with the demo data in
# a fresh SQLite file on a free 127.0.0.1 port, stopped by PID. Needs ROOT, BIN, a python (PYTHON) and `log`.
# After start_server: BASE_URL, SERVER_TMP (its folder: the database, mail, uploads, server.log), SERVER_PID,
# SERVER_DATABASE_URL. Extra environment for the server: SERVER_ENV (e.g. "API_RATE_LIMIT=100000"); another database
# than a fresh SQLite file: SERVER_DATABASE (a DATABASE_URL).
SERVER_TMP=""; SERVER_PID=""; SERVER_LOG_COPY=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [ -n "$SERVER_TMP" ]; then
    if [ -n "$SERVER_LOG_COPY" ] && [ -f "$SERVER_TMP/server.log" ]; then
      mkdir -p "$(dirname "$SERVER_LOG_COPY")" && cp "$SERVER_TMP/server.log" "$SERVER_LOG_COPY"
    fi
    rm -rf "$SERVER_TMP"
    SERVER_TMP=""
  fi
}

start_server() {
  [ -x "$BIN" ] || { echo "$BIN is missing: build first (swift build)" >&2; exit 1; }
  SERVER_TMP=$(mktemp -d /tmp/incentives-server.XXXXXX)
  mkdir -p "$SERVER_TMP/db"
  local port=${E2E_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  BASE_URL="http://127.0.0.1:$port"
  SERVER_DATABASE_URL=${SERVER_DATABASE:-"sqlite:$SERVER_TMP/db/incentives.sqlite"}
  log "Starting $BIN serve --demo on $BASE_URL (database ${SERVER_DATABASE_URL%%\?*})"
  # shellcheck disable=SC2086
  env DATABASE_URL="$SERVER_DATABASE_URL" MAIL_DROP_DIR="$SERVER_TMP/mail" MAIL_POLL_SECONDS=1 WEBHOOK_POLL_SECONDS=1 UPLOAD_DIR="$SERVER_TMP/uploads" \
    ${SERVER_ENV:-} "$BIN" serve --demo --host 127.0.0.1 --port "$port" >"$SERVER_TMP/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    [ "$(curl -fsS --max-time 2 "$BASE_URL/health" 2>/dev/null || true)" = ok ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_TMP/server.log"; echo "the server exited" >&2; exit 1; }
    sleep 0.1
  done
  [ "$(curl -fsS --max-time 2 "$BASE_URL/health" 2>/dev/null || true)" = ok ] \
    || { tail -n 50 "$SERVER_TMP/server.log"; echo "no /health answer in 60 s" >&2; exit 1; }
  echo "server pid $SERVER_PID"
}

# ensure_pinned_venv VENV REQUIREMENTS: creates the virtualenv when missing and installs the pinned file into it,
# again only when the file's hash changed.
ensure_pinned_venv() {
  local venv=$1 requirements=$2
  if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "Creating $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  local stamp="$venv/.requirements.sha256" want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    log "Installing ${requirements#"$ROOT"/} into ${venv#"$ROOT"/}"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$requirements"
    echo "$want" >"$stamp"
  fi
}
