"""`incentives tokens create/list/revoke`: the secret is printed once and never stored, a revoked token says so."""
from __future__ import annotations

import re

import pytest

from conftest import BOTH
from harness import incentives, refused, usage_error


@BOTH
def test_create_list_and_revoke_a_token(demo):
    empty_list = incentives(demo, "tokens", "list", "--user", "user@bluefin.example")
    assert (empty_list.status, empty_list.out) == (0, "user@bluefin.example has no API tokens.\n")

    created = incentives(demo, "tokens", "create", "--user", "User@Bluefin.example", "--scope", "write", "--name", "Billing sync")
    assert created.status == 0, str(created)
    match = re.fullmatch(r'Created token #(\d+) "Billing sync" \(write\) for user@bluefin\.example\.\n'
                         r"Token \(shown only now\): (pi_[A-Za-z0-9]{22,})\n", created.out)
    assert match, created.out
    token_id, secret = match.group(1), match.group(2)
    rows = demo.rows("SELECT t.name, t.scope, u.email, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.id = ?", int(token_id))
    assert rows == [("Billing sync", "write", "user@bluefin.example", None)]
    assert secret not in demo.snapshot()  # only its hash is kept

    listed = incentives(demo, "tokens", "list", "--user", "user@bluefin.example")
    assert listed.status == 0, str(listed)
    header, row = listed.out.splitlines()
    assert header.split() == ["ID", "NAME", "PREFIX", "SCOPE", "CREATED", "LAST", "USED", "STATUS"]
    cells = re.split(r" {2,}", row)
    assert cells[0] == token_id and cells[1] == "Billing sync"
    assert cells[2].endswith("…") and secret.startswith(cells[2][:-1]) and len(cells[2]) < len(secret)
    assert cells[3] == "write" and cells[5:] == ["never", "active"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cells[4]), cells[4]

    revoked = incentives(demo, "tokens", "revoke", token_id)
    assert (revoked.status, revoked.out) == (0, f"Revoked API token #{token_id}; requests with it now answer 401.\n")
    (revoked_at,) = demo.rows("SELECT revoked_at FROM api_tokens WHERE id = ?", int(token_id))[0]
    assert revoked_at is not None
    status = re.split(r" {2,}", incentives(demo, "tokens", "list", "--user", "user@bluefin.example").out.splitlines()[1])[-1]
    assert re.fullmatch(r"revoked \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", status), status


@pytest.mark.parametrize("arguments, words", [
    (["tokens", "create", "--user", "ghost@bluefin.example"], ["No user has the email 'ghost@bluefin.example'"]),
    (["tokens", "create", "--user", "user@bluefin.example", "--scope", "admin"], ["Unknown --scope 'admin'", "read, write"]),
    (["tokens", "list", "--user", "ghost@bluefin.example"], ["No user has the email"]),
    (["tokens", "revoke", "999999"], ["No API token has the id 999999"]),
])
def test_bad_token_input_is_one_line_and_stores_nothing(demo, arguments, words):
    before = demo.snapshot()
    refused(incentives(demo, *arguments), *words)
    assert demo.snapshot() == before


def test_a_token_id_that_is_not_a_number_is_a_usage_error(empty):
    usage_error(incentives(empty, "tokens", "revoke", "abc"))
    assert empty.snapshot() == ""
