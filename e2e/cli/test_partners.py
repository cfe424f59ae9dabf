"""`incentives partners add/list/locations add/invite-admin` on an empty database: a program manager brings a partner in,
and bad input is one `Error:` line, exit status 1 and an unchanged database."""
from __future__ import annotations

import re

from conftest import BOTH
from harness import incentives, refused

STRONG = "correct horse battery staple"


def manager(db, email: str = "pm@vendor.example") -> None:
    added = incentives(db, "users", "add", "--vendor", "program_manager", "--email", email, "--name", "Pat Manager",
                       "--password-stdin", stdin=STRONG + "\n")
    assert added.status == 0, str(added)


@BOTH
def test_a_partner_from_nothing_to_an_invited_admin(empty):
    manager(empty)
    added = incentives(empty, "partners", "add", "Cedar Systems")
    assert (added.status, added.err) == (0, ""), str(added)
    assert re.fullmatch(r"Added partner organization #\d+ Cedar Systems\.\n", added.out), added.out
    place = incentives(empty, "partners", "locations", "add", "--partner", "cedar systems", "--name", "Berlin", "--country", "de")
    assert place.status == 0, str(place)
    assert re.fullmatch(r"Added location #\d+ Berlin, DE \(Market A\)\.\n", place.out), place.out

    listed = incentives(empty, "partners", "list")
    assert listed.status == 0, str(listed)
    assert re.search(r"#\d+ Cedar Systems: 1 location, 0 users, 0 open claims\n", listed.out), listed.out
    assert re.search(r"  #\d+ Berlin, DE \(Market A\), not invited\n", listed.out), listed.out

    invited = incentives(empty, "partners", "invite-admin", "--partner", "Cedar Systems", "--email", "Ana@Cedar.example",
                         "--name", "Ana Admin")
    assert invited.status == 0, str(invited)
    assert re.search(r"Invitation link \(works once, for 7 days\): \S+/invitations/[A-Za-z0-9_-]{43}\n$", invited.out), invited.out
    assert set(empty.rows("SELECT r.role FROM user_location_roles r JOIN users u ON u.id = r.user_id "
                          "WHERE u.email = 'ana@cedar.example'")) == {("account_admin",), ("incentives_admin",)}
    assert empty.rows("SELECT to_address FROM mail_outbox") == [("ana@cedar.example",)]
    actions = [row[0] for row in empty.rows("SELECT action FROM program_changes ORDER BY id")]
    assert actions == ["created", "created", "admin_invited"]


@BOTH
def test_bad_input_is_one_error_line_and_stores_nothing(empty):
    manager(empty)
    assert incentives(empty, "partners", "add", "Bluefin").status == 0
    assert incentives(empty, "partners", "locations", "add", "--partner", "Bluefin", "--name", "Seattle", "--country", "US").status == 0
    before = empty.snapshot()
    refused(incentives(empty, "partners", "add", "BLUEFIN"), "already exists")
    refused(incentives(empty, "partners", "add", " "), "Enter the partner organization's name.")
    refused(incentives(empty, "partners", "locations", "add", "--partner", "Bluefin", "--name", "Paris", "--country", "XX"),
            "'XX' is not a country code")
    refused(incentives(empty, "partners", "locations", "add", "--partner", "Nobody", "--name", "Paris", "--country", "FR"),
            "No partner organization is named 'Nobody'.")
    refused(incentives(empty, "partners", "invite-admin", "--partner", "Bluefin", "--email", "pm@vendor.example", "--name", "X"),
            "already exists")
    refused(incentives(empty, "partners", "add", "Other", "--as", "nobody@vendor.example"), "No active program manager")
    assert empty.snapshot() == before


def test_without_a_program_manager_the_command_says_how_to_add_one(empty):
    refused(incentives(empty, "partners", "add", "Bluefin"), "incentives users add --vendor program_manager")
