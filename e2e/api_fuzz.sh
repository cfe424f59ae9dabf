#!/usr/bin/env bash
# Fuzzes the public API with schemathesis (pinned in e2e/fuzz-requirements.txt, installed into .venv-fuzz when
# that file changes) against the built server with the demo data: once with a write token of a partner's
# Incentives admin, once with a reviewer's and once with the program manager's (the catalogue console's writes), every
# check, at least 50 examples per operation, one worker per database. FUZZ_ROLES lists the emails to run as (default: those three).
# Fails on any finding, on any schemathesis warning (e2e/schemathesis.toml), and unless every per-claim operation
# reached a real claim at least once (e2e/fuzz_reach.py over the runs' HAR reports). Runs on SQLite, and again on a fresh
# PostgreSQL database, at the same time, when TEST_DATABASE_URL is set (scripts/test.sh sets it). Uses scripts/lib/server.sh, as
# scripts/e2e.sh does. Extra arguments go to `st run`.
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

# e2e/schemathesis.toml, after the operations the role may not use: there 403 is right, so the missing-authentication
# warning does not fail the run (nor, on writes, the two that e2e/schemathesis.toml leaves to e2e/fuzz_reach.py).
# They come first: for an operation, schemathesis takes the warnings of the first [[operations]] block naming it.
role_config() { # email file
  local reads writes
  case "$1" in
    admin@bluefin.example)
      reads='"listCatalogueEngagements", "listPartners", "getPartner", "getProgram", "listSolutionAreas", "getConsoleEngagement", "previewEngagementDraft", "getEligibilityList", "listInclusionRequests", "getBudgets", "getBudgetReconciliation", "listPaymentRuns", "getPaymentRun", "getPaymentSettings", "exportPaymentRun"'
      writes='"startReview", "approveClaim", "requestInformation", "rejectClaim", "reverseClaim", "createPartner", "updatePartner", "deactivatePartner", "reactivatePartner", "createPartnerLocation", "invitePartnerAdmin", "invitePartnerLocationsToEnroll", "updatePartnerLocation", "deactivatePartnerLocation", "reactivatePartnerLocation", "setProgram", "createSolutionArea", "updateSolutionArea", "createEngagement", "saveEngagementDraft", "startEngagementVersion", "publishEngagement", "closeEngagement", "addEligibilityLocation", "removeEligibilityLocation", "setLocationCriterion", "importEligibilityList", "importLocationCriteria", "approveInclusionRequest", "declineInclusionRequest", "decideBankProfile", "putDraftTemplate", "deleteDraftTemplate", "setProgramBudget", "clearProgramBudget", "setEngagementBudget", "clearEngagementBudget", "gatherPaymentRun", "approvePaymentRun", "cancelPaymentRun", "sendPaymentRun", "confirmPaymentRunLine", "setPaymentSettings", "importPaymentConfirmations"' ;;
    reviewer@vendor.example)
      reads='"listEngagements", "getEngagement", "listLocations", "listPayeeProfiles", "listEarnings", "listEngagementInclusionRequests", "listEnrollments", "getEngagementTemplate", "listPaymentRuns", "getPaymentRun", "getPaymentSettings", "getRemittance", "listRemittances", "exportPaymentRun"'
      # The partner directory and the catalogue console are the program manager's to change; a reviewer reads them.
      writes='"createClaim", "uploadClaimDocument", "sendConsent", "submitClaim", "cancelClaim", "disputeClaim", "createPartner", "updatePartner", "deactivatePartner", "reactivatePartner", "createPartnerLocation", "invitePartnerAdmin", "invitePartnerLocationsToEnroll", "updatePartnerLocation", "deactivatePartnerLocation", "reactivatePartnerLocation", "setProgram", "createSolutionArea", "updateSolutionArea", "createEngagement", "saveEngagementDraft", "startEngagementVersion", "publishEngagement", "closeEngagement", "addEligibilityLocation", "removeEligibilityLocation", "setLocationCriterion", "importEligibilityList", "importLocationCriteria", "approveInclusionRequest", "declineInclusionRequest", "createInclusionRequest", "addBankProfile", "decideBankProfile", "assignBankProfile", "addTaxProfile", "changeEnrollment", "putDraftTemplate", "deleteDraftTemplate", "setProgramBudget", "clearProgramBudget", "setEngagementBudget", "clearEngagementBudget", "gatherPaymentRun", "approvePaymentRun", "cancelPaymentRun", "sendPaymentRun", "confirmPaymentRunLine", "setPaymentSettings", "importPaymentConfirmations"' ;;
    manager@vendor.example)
      # The program manager writes the catalogue console, eligibility lists and the partner directory; claims are the
      # partners' and the reviewers' to act on.
      reads='"listEngagements", "getEngagement", "listLocations", "listEngagementInclusionRequests", "getEngagementTemplate"'
      writes='"createClaim", "uploadClaimDocument", "sendConsent", "submitClaim", "cancelClaim", "disputeClaim", "startReview", "approveClaim", "requestInformation", "rejectClaim", "reverseClaim", "createInclusionRequest", "addBankProfile", "assignBankProfile", "addTaxProfile"' ;;
  esac
  "$PYTHON" - "$reads" "$writes" >"$2" <<'PY'
import sys
from schemathesis.config._warnings import DEFAULT_DISPLAYED_WARNINGS
def shown(*left_out):
    return ", ".join(f'"{w.value}"' for w in DEFAULT_DISPLAYED_WARNINGS if w.value not in left_out)
print(f"[[operations]]\ninclude-operation-id = [{sys.argv[1]}]\nwarnings = {{ display = [{shown('missing_auth')}], fail-on = true }}\n")
print(f"[[operations]]\ninclude-operation-id = [{sys.argv[2]}]\nwarnings = {{ display = [{shown('missing_auth', 'missing_test_data', 'validation_mismatch')}], fail-on = true }}\n")
PY
  cat "$ROOT/e2e/schemathesis.toml" >>"$2"
  printf '%s\n' "$PAID_REMITTANCES" >>"$2"
}

# A remittance is a (run, location) pair the run paid, and the demo's runs pay different payees depending on the day it
# is seeded (its months are the last four before today). Independent dictionaries of run ids and location ids would
# pair up to a 404 most of the time, and schemathesis calls an operation that keeps answering 404 missing test data;
# so the remittance reads get the run that paid the most payees, asked of the live server, and exactly its locations.
paid_remittances() { # secret of manager@vendor.example
  "$PYTHON" - "$BASE_URL/api/v1" "$1" <<'PY'
import json, sys, urllib.request
base, secret = sys.argv[1:]
def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {secret}"})
    return json.load(urllib.request.urlopen(request, timeout=30))
paid = {run["id"]: sorted({line["location_id"] for line in get(f"/payment-runs/{run['id']}")["lines"]})
        for run in get("/payment-runs")["payment_runs"]}
run, locations = max(paid.items(), key=lambda item: len(item[1]), default=(None, []))
if not locations:
    sys.exit("the demo has no payment run that paid anyone: e2e/api_fuzz.sh cannot give the remittance reads real ids")
print(f"[dictionaries.paid-run]\nvalues = [{run}]\n\n[dictionaries.paid-run-locations]\nvalues = {locations}\n")
print('[[operations]]\ninclude-operation-id = ["getRemittance"]')
print('parameters = { "path.id" = { dictionary = "paid-run", probability = 0.8 }, '
      '"path.location_id" = { dictionary = "paid-run-locations", probability = 0.8 } }')
PY
}

# The demo claim ids the fuzzer is given must still be Bluefin's (the demo is the same on every seed, unless changed).
check_demo_ids() { # secret of admin@bluefin.example
  local id code
  for id in $("$PYTHON" -c 'import sys, tomllib
print(*tomllib.load(open(sys.argv[1], "rb"))["dictionaries"]["demo-claims"]["values"])' "$ROOT/e2e/schemathesis.toml"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$BASE_URL/api/v1/claims/$id")
    [ "$code" = 200 ] || { echo "demo claim $id answers $code to admin@bluefin.example: update e2e/schemathesis.toml" >&2; return 1; }
  done
}

# Every request and response of the last run, per database and token (HAR), to look into a finding.
REPORTS=$ROOT/e2e/.schemathesis
mkdir -p "$REPORTS"

# One database's run: a fresh demo server, every role, then the reach check over its HAR reports. Returns non-zero on
# any finding. Runs in a subshell of its own (below), so its server variables and its EXIT trap are its own.
fuzz_on() { # sqlite|postgres
  local database=$1 status=0 who secret run
  FUZZ_DATABASE=""  # not local: the EXIT trap reads it after the function returned
  SERVER_DATABASE=""
  if [ "$database" = postgres ]; then
    FUZZ_DATABASE="fuzz_$$_$(date +%s)"
    psql "$TEST_DATABASE_URL" -q -c "CREATE DATABASE $FUZZ_DATABASE" >/dev/null
    SERVER_DATABASE="${TEST_DATABASE_URL%/*}/$FUZZ_DATABASE"
  fi
  trap 'stop_server; [ -z "$FUZZ_DATABASE" ] || psql "$TEST_DATABASE_URL" -q -c "DROP DATABASE IF EXISTS $FUZZ_DATABASE WITH (FORCE)" >/dev/null' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_server
  PAID_REMITTANCES=$(paid_remittances "$(token manager@vendor.example read)") || return 1
  for who in ${FUZZ_ROLES:-admin@bluefin.example reviewer@vendor.example manager@vendor.example}; do
    secret=$(token "$who" write)
    [ -n "$secret" ] || { echo "no token for $who" >&2; return 1; }
    [ "$who" = admin@bluefin.example ] && { check_demo_ids "$secret" || status=1; }
    role_config "$who" "$SERVER_TMP/schemathesis.toml"
    log "schemathesis as $who against $BASE_URL/api/v1 ($database)"
    set +e
    (cd "$ROOT/e2e" && SCHEMATHESIS_HOOKS="$ROOT/e2e/fuzz_hooks.py" "$VENV/bin/st" --config-file "$SERVER_TMP/schemathesis.toml" \
      run "$BASE_URL/api/v1/openapi.json" --url "$BASE_URL/api/v1" --header "Authorization: Bearer $secret" --checks all \
      --max-examples "${FUZZ_EXAMPLES:-50}" --workers 1 --seed 1 --report har --report-har-path "$REPORTS/$database-$who.har" "${FUZZ_ARGS[@]}")
    run=$?
    set -e
    [ "$run" -ne 0 ] && status=$run
  done
  log "Per-claim operations that reached a real claim ($database)"
  "$PYTHON" "$ROOT/e2e/fuzz_reach.py" "$ROOT/Sources/IncentivesAPI/openapi.yaml" "$REPORTS/$database"-*.har || status=1
  if [ "$status" -ne 0 ]; then
    log "Server log (last 80 lines)"
    tail -n 80 "$SERVER_TMP/server.log"
  fi
  return "$status"
}

# Once on SQLite, and once on PostgreSQL when scripts/test.sh started one (TEST_DATABASE_URL): a fresh database there.
# The two runs go at once (each is one schemathesis worker and one server, so two cores are both busy); their output
# is kept apart and printed one after the other, so the log reads as if they had run in turn.
FUZZ_ARGS=("$@")
databases=(sqlite)
[ -n "${TEST_DATABASE_URL:-}" ] && databases+=(postgres)
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait' EXIT
for database in "${databases[@]}"; do
  ( fuzz_on "$database" ) >"$REPORTS/$database.log" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!databases[@]}"; do
  wait "${pids[$i]}" || status=1
  cat "$REPORTS/${databases[$i]}.log"
done
exit "$status"
