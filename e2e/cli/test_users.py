"""`incentives users add/list/grant/revoke/passwd` against the demo program: what they print and store, and that
bad input is one line on stderr, exit status 1 and an unchanged database."""
from __future__ import annotations

import re

import pytest

from conftest import BOTH
from harness import incentives, refused, usage_error

BLUEFIN = "Bluefin Consulting"
STRONG = "correct horse battery staple"


def location_id(db, name: str) -> int:
    (row,) = db.rows("SELECT id FROM locations WHERE name = ?", name)
    return int(row[0])


def user_row(db, email: str):
    rows = db.rows("SELECT u.id, o.name, u.vendor_role, u.password_hash FROM users u "
                   "LEFT JOIN organizations o ON o.id = u.organization_id WHERE u.email = ?", email)
    return rows[0] if rows else None


def roles(db, email: str) -> set[tuple[str, str]]:
    return set(db.rows("SELECT l.name, r.role FROM user_location_roles r JOIN users u ON u.id = r.user_id "
                       "JOIN locations l ON l.id = r.location_id WHERE u.email = ?", email))


@BOTH
def test_add_a_partner_user_then_grant_and_revoke_a_role(demo):
    added = incentives(demo, "users", "add", "--email", "Dana@Bluefin.example", "--name", "Dana Reyes", "--organization", BLUEFIN)
    assert added.status == 0, str(added)
    assert added.err == ""
    assert added.out.startswith("Added dana@bluefin.example (Dana Reyes) to Bluefin Consulting with no roles yet; ")
    password = re.fullmatch(r"(?s).*\nPassword \(shown only now\): (\S+)\n", added.out).group(1)
    assert len(password) == 20
    _, organization, vendor_role, password_hash = user_row(demo, "dana@bluefin.example")
    assert (organization, vendor_role) == (BLUEFIN, None)
    assert password_hash and password not in password_hash  # a hash, never the password
    assert roles(demo, "dana@bluefin.example") == set()

    listed = incentives(demo, "users", "list", "--organization", BLUEFIN)
    assert listed.status == 0, str(listed)
    line = next(line for line in listed.out.splitlines() if line.startswith("dana@bluefin.example"))
    assert re.fullmatch(r"dana@bluefin\.example +Dana Reyes +Bluefin Consulting +active +\(none\)", line), line
    assert "cedar.example" not in listed.out

    seattle = location_id(demo, "Bluefin Consulting - Seattle")
    grant = ["users", "grant", "--email", "dana@bluefin.example", "--location", str(seattle), "--role", "incentives_user"]
    granted = incentives(demo, *grant)
    assert (granted.status, granted.out) == (0, f"Granted incentives_user on #{seattle} Bluefin Consulting - Seattle to dana@bluefin.example.\n")
    assert roles(demo, "dana@bluefin.example") == {("Bluefin Consulting - Seattle", "incentives_user")}
    listed = incentives(demo, "users", "list", "--organization", BLUEFIN)
    assert f"#{seattle} Bluefin Consulting - Seattle: incentives_user" in listed.out

    before = demo.snapshot()
    again = incentives(demo, *grant)
    assert again.status == 0
    assert again.out == (f"dana@bluefin.example already holds incentives_user on #{seattle} Bluefin Consulting - Seattle; "
                         "nothing changed.\n")
    assert demo.snapshot() == before

    revoke = ["users", "revoke", *grant[2:]]
    revoked = incentives(demo, *revoke)
    assert (revoked.status, revoked.out) == (0, f"Revoked incentives_user on #{seattle} Bluefin Consulting - Seattle from dana@bluefin.example.\n")
    assert roles(demo, "dana@bluefin.example") == set()
    after_revoke = demo.snapshot()
    not_held = incentives(demo, *revoke)
    assert not_held.status == 0
    assert "does not hold incentives_user" in not_held.out and "nothing changed" in not_held.out
    assert demo.snapshot() == after_revoke


def test_add_a_vendor_user_with_a_password_from_standard_input(demo):
    added = incentives(demo, "users", "add", "--email", "rev2@vendor.example", "--name", "Second Reviewer",
                       "--vendor", "reviewer", "--password-stdin", stdin=STRONG + "\n")
    assert added.status == 0, str(added)
    assert added.out == "Added rev2@vendor.example (Second Reviewer), vendor reviewer.\n"  # no generated password printed
    _, organization, vendor_role, password_hash = user_row(demo, "rev2@vendor.example")
    assert (organization, vendor_role) == (None, "reviewer")
    assert password_hash and STRONG not in password_hash
    listed = incentives(demo, "users", "list")
    line = next(line for line in listed.out.splitlines() if line.startswith("rev2@vendor.example"))
    assert re.fullmatch(r"rev2@vendor\.example +Second Reviewer +vendor: reviewer +active +-", line), line


@BOTH
def test_passwd_sets_a_new_hash_and_revokes_the_users_tokens(demo):
    created = incentives(demo, "tokens", "create", "--user", "admin@bluefin.example", "--scope", "write")
    assert created.status == 0, str(created)
    kept = incentives(demo, "tokens", "create", "--user", "user@bluefin.example")
    assert kept.status == 0, str(kept)
    for email, token in (("admin@bluefin.example", "a" * 64), ("user@bluefin.example", "b" * 64)):  # a session each
        at = demo.instant("2026-11-25T10:00:00+00:00")
        demo.execute("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, address, user_agent) "
                     "SELECT ?, id, 'csrf', ?, ?, '127.0.0.1', 'test' FROM users WHERE email = ?", token, at, at, email)
    (old_hash,) = demo.rows("SELECT password_hash FROM users WHERE email = ?", "admin@bluefin.example")[0]
    changed = incentives(demo, "users", "passwd", "--email", "admin@bluefin.example", "--password-stdin", stdin=STRONG + "\n")
    assert changed.status == 0, str(changed)
    assert changed.out == ("Set a new password for admin@bluefin.example; every session of theirs has ended and their API "
                           "tokens are revoked.\n")
    (new_hash,) = demo.rows("SELECT password_hash FROM users WHERE email = ?", "admin@bluefin.example")[0]
    assert new_hash != old_hash and STRONG not in new_hash
    active = demo.rows("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
                       "WHERE u.email = ? AND t.revoked_at IS NULL", "admin@bluefin.example")
    assert active == []
    sessions = demo.rows("SELECT u.email FROM sessions s JOIN users u ON u.id = s.user_id")
    assert sessions == [("user@bluefin.example",)], "another user's session stays"
    assert demo.rows("SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE u.email = 'user@bluefin.example' AND t.revoked_at IS NULL") == [("1",)]

    generated = incentives(demo, "users", "passwd", "--email", "user@bluefin.example")
    assert generated.status == 0, str(generated)
    assert re.search(r"\nPassword \(shown only now\): \S{20}\n$", generated.out), generated.out


def cedar_location(db) -> str:
    return str(location_id(db, "Cedar Systems - Berlin"))


ADD_BLUEFIN = ["users", "add", "--name", "Someone", "--organization", BLUEFIN]

# (arguments, standard input, words the one error line must hold); each is refused and stores nothing.
REFUSALS = {
    "duplicate email": (ADD_BLUEFIN + ["--email", "admin@bluefin.example"], None, ["admin@bluefin.example"]),
    "duplicate email in other case": (ADD_BLUEFIN + ["--email", "ADMIN@bluefin.example"], None, ["admin@bluefin.example"]),
    "not an email": (ADD_BLUEFIN + ["--email", "not-an-email"], None, ["email"]),
    "weak password": (ADD_BLUEFIN + ["--email", "weak@bluefin.example", "--password-stdin"], "short\n", ["at least 12 characters"]),
    "password over 72 bytes": (ADD_BLUEFIN + ["--email", "long@bluefin.example", "--password-stdin"], "é" * 40 + "\n",
                               ["at most 72 bytes"]),
    "no password on stdin": (ADD_BLUEFIN + ["--email", "none@bluefin.example", "--password-stdin"], "", ["holds no password"]),
    "unknown organization": (["users", "add", "--email", "x@nowhere.example", "--name", "X", "--organization", "Nowhere Ltd"], None,
                             ["No partner organization is named 'Nowhere Ltd'"]),
    "organization and vendor": (ADD_BLUEFIN + ["--email", "both@bluefin.example", "--vendor", "reviewer"], None,
                                ["--organization NAME or --vendor ROLE"]),
    "neither organization nor vendor": (["users", "add", "--email", "n@bluefin.example", "--name", "N"], None,
                                        ["--organization NAME or --vendor ROLE"]),
    "unknown vendor role": (["users", "add", "--email", "v@vendor.example", "--name", "V", "--vendor", "admin"], None,
                            ["Unknown --vendor 'admin'", "program_manager, reviewer"]),
    "unknown role": (["users", "grant", "--email", "user@bluefin.example", "--location", "1", "--role", "owner"], None,
                     ["Unknown --role 'owner'", "account_admin"]),
    "foreign location": (["users", "grant", "--email", "user@bluefin.example", "--location", "{cedar}", "--role", "incentives_user"],
                         None, ["is not a location of Bluefin Consulting"]),
    "unknown location": (["users", "grant", "--email", "user@bluefin.example", "--location", "9999", "--role", "incentives_user"],
                         None, ["Location 9999 is not a location of Bluefin Consulting"]),
    "role for a vendor user": (["users", "grant", "--email", "reviewer@vendor.example", "--location", "1", "--role", "incentives_user"],
                               None, ["reviewer@vendor.example is a vendor user"]),
    "grant to unknown email": (["users", "grant", "--email", "ghost@bluefin.example", "--location", "1", "--role", "incentives_user"],
                               None, ["No user has the email 'ghost@bluefin.example'"]),
    "revoke on foreign location": (["users", "revoke", "--email", "admin@bluefin.example", "--location", "{cedar}", "--role",
                                    "incentives_admin"], None, ["is not a location of Bluefin Consulting"]),
    "passwd unknown email": (["users", "passwd", "--email", "ghost@bluefin.example"], None, ["No user has the email"]),
    "passwd weak password": (["users", "passwd", "--email", "user@bluefin.example", "--password-stdin"], "12345\n",
                             ["at least 12 characters"]),
    "list unknown organization": (["users", "list", "--organization", "Nowhere Ltd"], None, ["No partner organization"]),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_bad_input_is_one_line_exit_1_and_stores_nothing(demo, case):
    arguments, stdin, words = REFUSALS[case]
    arguments = [a.replace("{cedar}", cedar_location(demo)) for a in arguments]
    before = demo.snapshot()
    refused(incentives(demo, *arguments, stdin=stdin), *words)
    assert demo.snapshot() == before


@BOTH
@pytest.mark.parametrize("case", ["duplicate email", "foreign location", "weak password"])
def test_bad_input_stores_nothing_on_either_database(demo, case):
    test_bad_input_is_one_line_exit_1_and_stores_nothing(demo, case)


def test_the_last_account_admin_keeps_the_role(demo):
    held = demo.rows("SELECT r.location_id FROM user_location_roles r JOIN users u ON u.id = r.user_id "
                     "WHERE u.email = ? AND r.role = 'account_admin' ORDER BY r.location_id", "admin@kestrel.example")
    others = demo.rows("SELECT DISTINCT u.email FROM user_location_roles r JOIN users u ON u.id = r.user_id "
                       "JOIN organizations o ON o.id = u.organization_id WHERE o.name = 'Kestrel IT' AND r.role = 'account_admin'")
    assert others == [("admin@kestrel.example",)] and held, (others, held)
    for (location,) in held[:-1]:  # one location's role may go while another location keeps it
        assert incentives(demo, "users", "revoke", "--email", "admin@kestrel.example", "--location", location,
                          "--role", "account_admin").status == 0
    before = demo.snapshot()
    last = incentives(demo, "users", "revoke", "--email", "admin@kestrel.example", "--location", held[-1][0], "--role", "account_admin")
    refused(last, "at least one account admin")
    assert demo.snapshot() == before


@pytest.mark.parametrize("arguments, words", [
    (["users", "add", "--email", "x@bluefin.example"], ["--name"]),
    (["users", "grant", "--email", "user@bluefin.example", "--location", "Seattle", "--role", "incentives_user"], ["--location"]),
    (["users", "frobnicate"], ["frobnicate"]),
])
def test_a_command_line_argumentparser_cannot_read_is_a_usage_error(empty, arguments, words):
    usage_error(incentives(empty, *arguments), *words)
    assert empty.snapshot() == ""  # refused before any database was opened
