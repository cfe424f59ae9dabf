"""`incentives claims act`: a lifecycle action as a named user, run by the same service as the claim page and the API:
the user's role and the claim's status decide, a refusal is one line that changes nothing."""
from __future__ import annotations

import pytest

from conftest import BOTH
from harness import SEED_NOW, incentives, refused, usage_error

REVIEWER = "reviewer@vendor.example"


def submitted_claim(db) -> tuple[int, int]:
    """The oldest submitted claim of the demo and its version."""
    claim, version = db.rows("SELECT id, version FROM claims WHERE status = 'submitted' ORDER BY id LIMIT 1")[0]
    return int(claim), int(version)


@BOTH
def test_a_reviewer_starts_a_review_and_it_is_in_the_history(demo):
    claim, version = submitted_claim(demo)
    started = incentives(demo, "claims", "act", str(claim), "start_review", "--as", REVIEWER, "--version", str(version),
                         "--now", SEED_NOW)
    assert (started.status, started.err) == (0, ""), str(started)
    assert started.out == f"Start review: done. Claim #{claim} is now under review (version {version + 1}).\n"
    assert [(s, int(v)) for s, v in demo.rows("SELECT status, version FROM claims WHERE id = ?", claim)] == [("under_review", version + 1)]
    rows = demo.rows("SELECT action, from_status, to_status FROM claim_history WHERE claim_id = ? ORDER BY id DESC LIMIT 1", claim)
    assert rows == [("start_review", "submitted", "under_review")]


@pytest.mark.parametrize("arguments, words", [
    (["start_review", "--as", "manager@vendor.example"], ["Only a reviewer can start reviewing this claim."]),
    (["reject", "--as", REVIEWER], ["Choose a reason from the list."]),
    (["start_review", "--as", REVIEWER, "--version", "1"], ["This claim changed since you opened it"]),
    (["start_review", "--as", "ghost@vendor.example"], ["No active user has the email 'ghost@vendor.example'."]),
    (["bogus", "--as", REVIEWER], ["Unknown action 'bogus'", "approve"]),
    (["lose_arbitration", "--as", REVIEWER], ["only the arbitration of competing claims decides it"]),
])
def test_refusals_are_one_line_and_change_nothing(demo, arguments, words):
    claim, _ = submitted_claim(demo)
    before = demo.snapshot()
    refused(incentives(demo, "claims", "act", str(claim), *arguments, "--now", SEED_NOW), *words)
    assert demo.snapshot() == before


def test_another_organizations_claim_is_not_found(demo):
    """A partner acts only on claims of its own locations: another organization's claim answers as an unknown one."""
    (foreign,) = demo.rows("SELECT c.id FROM claims c JOIN locations l ON l.id = c.location_id "
                           "JOIN organizations o ON o.id = l.organization_id WHERE o.name NOT LIKE 'Bluefin%' "
                           "ORDER BY c.id LIMIT 1")[0]
    before = demo.snapshot()
    refused(incentives(demo, "claims", "act", str(foreign), "cancel", "--as", "admin@bluefin.example", "--now", SEED_NOW),
            f"No claim {foreign}.")
    assert demo.snapshot() == before


def test_a_claim_id_that_is_not_a_number_is_a_usage_error(empty):
    usage_error(incentives(empty, "claims", "act", "abc", "approve", "--as", REVIEWER))



@BOTH
def test_approve_needs_the_checklist_confirmed(demo):
    """The demo's engagements have customer criteria a reviewer confirms: `--confirm N` names each, `--confirm-all` all."""
    claim, version = submitted_claim(demo)
    before = demo.snapshot()
    refused(incentives(demo, "claims", "act", str(claim), "approve", "--as", REVIEWER, "--confirm", "2", "--now", SEED_NOW),
            "Not confirmed: 3.")
    assert demo.snapshot() == before
    done = incentives(demo, "claims", "act", str(claim), "approve", "--as", REVIEWER, "--confirm-all", "--now", SEED_NOW)
    assert (done.status, done.err) == (0, ""), str(done)
    assert demo.rows("SELECT position FROM claim_criteria_confirmations WHERE claim_id = ? ORDER BY position", claim) == [("2",), ("3",)]
