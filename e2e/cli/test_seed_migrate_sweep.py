"""`incentives migrate`, `seed` and `sweep`: each does its work once, a second run changes nothing, and what they
print agrees with what the database holds."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import BOTH, postgres_admin_url
from harness import SEED_NOW, incentives, refused, usage_error


@BOTH
def test_migrate_applies_every_migration_once(empty):
    first = incentives(empty, "migrate")
    assert first.status == 0, str(first)
    applied = re.fullmatch(r"Applied migrations ([\d, ]+)\.\n", first.out)
    assert applied, first.out
    numbers = [int(n) for n in applied.group(1).split(", ")]
    assert numbers == list(range(1, len(numbers) + 1))
    recorded = [int(n) for (n,) in empty.rows("SELECT number FROM schema_migrations ORDER BY number")]
    assert recorded == numbers
    before = empty.snapshot()
    second = incentives(empty, "migrate")
    assert (second.status, second.out) == (0, f"Schema is up to date ({len(numbers)} migrations).\n")
    assert empty.snapshot() == before


@BOTH
def test_seed_demo_writes_the_demo_once(empty):
    first = incentives(empty, "seed", "--demo", "--now", SEED_NOW)
    assert first.status == 0, str(first)
    # The README's demo: 3 organizations, 9 locations, 20 engagements, 75 customers, 200 claims in all 17 statuses,
    # the 6 demo sign-ins.
    assert first.out == ("Seeded the demo program: 3 partner organizations, 9 locations, 20 engagements, 75 customers, "
                         "200 claims, 7 users.\n")
    counts = {table: int(empty.rows(f"SELECT COUNT(*) FROM {table}")[0][0])
              for table in ("organizations", "locations", "engagements", "customers", "claims", "users")}
    assert counts == {"organizations": 3, "locations": 9, "engagements": 20, "customers": 75, "claims": 200, "users": 7}
    assert empty.rows("SELECT COUNT(DISTINCT status) FROM claims") == [("17",)]
    before = empty.snapshot()
    second = incentives(empty, "seed", "--demo", "--now", SEED_NOW)
    assert (second.status, second.out) == (0, "The demo program is already seeded; nothing written.\n")
    assert empty.snapshot() == before


def test_seed_scale_adds_claims(demo):
    before = int(demo.rows("SELECT COUNT(*) FROM claims")[0][0])
    added = incentives(demo, "seed", "--scale", "7", "--now", SEED_NOW)
    assert added.status == 0, str(added)
    assert re.fullmatch(r"Added 7 synthetic claims in [\d.]+ s \(\d+ claims/s\), \d+ statuses\.\n", added.out), added.out
    assert int(demo.rows("SELECT COUNT(*) FROM claims")[0][0]) == before + 7
    assert added.err == ""  # quick work in a pipe shows no progress (the bar is for a terminal)


def statuses(db) -> dict[str, str]:
    return dict(db.rows("SELECT id, status FROM claims"))


@BOTH
def test_sweep_expires_each_claim_past_its_deadline_once(demo):
    # The demo is seeded with every deadline still open.
    at_seed = incentives(demo, "sweep", "--now", SEED_NOW)
    assert at_seed.status == 0, str(at_seed)
    assert at_seed.out.startswith(f"Swept at {SEED_NOW}: 0 claims expired, ")

    before = statuses(demo)
    history = int(demo.rows("SELECT COUNT(*) FROM claim_history")[0][0])
    later = "2027-12-30"  # 400 days on: every deadline of the demo has passed
    swept = incentives(demo, "sweep", "--now", later)
    assert swept.status == 0, str(swept)
    head, *lines = swept.out.splitlines()
    total = int(re.fullmatch(r"Swept at 2027-12-30T00:00:00Z: (\d+) claims? expired, \d+ reminded of a deadline, "
                             r"\d+ partner criteri(?:on|a) expired, \d+ engagements? moved, \d+ earnings? forfeited\.", head).group(1))
    after = statuses(demo)
    moves = Counter((before[claim], after[claim]) for claim in before if before[claim] != after[claim])
    assert total == sum(moves.values()) > 0
    # Each open clock's expiry, as DOMAIN.md has them (use-or-consume partner action required: rejected, or
    # rejected_final in a dispute round).
    assert set(moves) <= {("customer_claimed", "consent_expired"), ("awaiting_consent", "consent_expired"),
                          ("customer_claimed", "not_submitted_expired"), ("consent_received", "not_submitted_expired"),
                          ("partner_action_required", "post_submission_expired"), ("partner_action_required", "rejected"),
                          ("partner_action_required", "rejected_final"), ("rejected", "disputed_expired"),
                          ("disputed", "disputed_expired")}, moves
    moved = Counter(to for (_, to), n in moves.items() for _ in range(n))
    assert {status: int(n) for status, n in (line.split() for line in lines)} == dict(moved)
    assert int(demo.rows("SELECT COUNT(*) FROM claim_history")[0][0]) == history + total
    # Only the claims rejected by this sweep have a clock left: their dispute window starts now.
    still_open = {claim for (claim,) in demo.rows("SELECT id FROM claims WHERE expires_at IS NOT NULL")}
    assert still_open == {claim for claim in before if before[claim] != after[claim] and after[claim] == "rejected"}

    snapshot = demo.snapshot()
    again = incentives(demo, "sweep", "--now", later)
    assert (again.status, again.out) == (0, "Swept at 2027-12-30T00:00:00Z: 0 claims expired, 0 reminded of a deadline, "
                                            "0 partner criteria expired, 0 engagements moved, 0 earnings forfeited.\n")
    assert demo.snapshot() == snapshot


@pytest.mark.parametrize("arguments, words", [
    (["sweep", "--now", "next tuesday"], ["--now must be an ISO 8601 instant", "'next tuesday'"]),
    (["sweep", "--now", "2026-13-45"], ["--now must be an ISO 8601 instant"]),
    (["seed", "--demo", "--now", "25/11/2026"], ["--now must be an ISO 8601 instant"]),
    (["seed"], ["Say what to seed: --demo, or --scale N."]),
    (["seed", "--scale", "0"], ["--scale must be a positive number of claims."]),
    (["serve", "--port", "70000"], ["--port must be from 1 to 65535."]),
])
def test_bad_options_are_refused_before_the_database_is_touched(empty, arguments, words):
    refused(incentives(empty, *arguments), *words)
    assert empty.snapshot() == ""  # no database file was even created


@pytest.mark.parametrize("arguments, words", [
    (["sweep", "--now", "next tuesday"], ["--now must be an ISO 8601 instant"]),
    (["seed", "--scale=-3", "--now", SEED_NOW], ["--scale must be a positive number"]),
])
def test_bad_options_leave_a_seeded_database_as_it_was(demo, arguments, words):
    before = demo.snapshot()
    refused(incentives(demo, *arguments), *words)
    assert demo.snapshot() == before


def test_a_scale_that_is_not_a_number_is_a_usage_error(empty):
    usage_error(incentives(empty, "seed", "--scale", "many"), "many")
    assert empty.snapshot() == ""


@pytest.mark.parametrize("url, words", [
    ("mysql://root@localhost/incentives", ["DATABASE_URL scheme 'mysql' is not supported", "sqlite:PATH or postgres://"]),
    ("incentives.sqlite", ["DATABASE_URL", "not supported"]),
])
def test_an_unknown_database_url_scheme_is_one_line(url, words):
    refused(incentives(url, "migrate"), *words)


def test_an_unreachable_database_is_one_line_without_its_password():
    # Port 1 on this machine refuses at once; DATABASE_WAIT_SECONDS keeps the wait short.
    result = incentives("postgres://app:s3cret-pw@127.0.0.1:1/incentives", "migrate", env={"DATABASE_WAIT_SECONDS": "2"})
    line = refused(result, "Can't reach the database at postgres://app:***@127.0.0.1:1/incentives")
    assert "s3cret-pw" not in line


def test_a_database_that_does_not_exist_is_one_line():
    url = postgres_admin_url().rsplit("/", 1)[0] + "/no_such_database_here"
    refused(incentives(url, "migrate", env={"DATABASE_WAIT_SECONDS": "5"}), "database \"no_such_database_here\" does not exist")
