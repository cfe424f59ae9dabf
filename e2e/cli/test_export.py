"""`incentives export claims`: every claim of every organization, as CSV or XLSX, filtered and sorted as asked; the
expectations are counted from the database itself."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl  # in e2e/requirements.txt
import pytest

from conftest import BOTH
from harness import incentives, refused

COLUMNS = ["claim_id", "claim_name", "status", "status_label", "kind", "solution_area", "customer", "engagement", "partner",
           "location", "due_at", "due_kind", "amount", "currency", "consent_at", "created_at", "updated_at"]


def exported(db, *options: str) -> list[dict[str, str]]:
    result = incentives(db, "export", "claims", *options)
    assert result.status == 0, str(result)
    assert result.err == ""
    rows = list(csv.reader(io.StringIO(result.out, newline="")))
    assert rows[0] == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in rows)
    return [dict(zip(COLUMNS, row)) for row in rows[1:]]


def count(db, query: str, *params) -> int:
    return int(db.rows(query, *params)[0][0])


@BOTH
def test_csv_holds_every_claim_newest_change_first(demo):
    rows = exported(demo)
    assert len(rows) == count(demo, "SELECT COUNT(*) FROM claims") == 200
    assert {r["claim_id"] for r in rows} == {i for (i,) in demo.rows("SELECT id FROM claims")}
    assert {r["partner"] for r in rows} == {"Bluefin Consulting", "Cedar Systems", "Kestrel IT"}
    updated = [r["updated_at"] for r in rows]
    assert updated == sorted(updated, reverse=True)  # ISO 8601 UTC text sorts as time


def test_format_is_read_in_any_case(demo):
    assert len(exported(demo, "--format", "CSV")) == 200


def test_partner_and_status_filters(demo):
    cedar = exported(demo, "--partner", "Cedar Systems")
    assert {r["partner"] for r in cedar} == {"Cedar Systems"}
    assert len(cedar) == count(demo, "SELECT COUNT(*) FROM claims c JOIN organizations o ON o.id = c.organization_id "
                                     "WHERE o.name = 'Cedar Systems'") > 0
    review = exported(demo, "--status", "under_review")
    assert {r["status"] for r in review} == {"under_review"}
    assert len(review) == count(demo, "SELECT COUNT(*) FROM claims WHERE status = 'under_review'") > 0
    both = exported(demo, "--partner", "Cedar Systems", "--status", "under_review")
    assert {r["claim_id"] for r in both} == {r["claim_id"] for r in cedar} & {r["claim_id"] for r in review}


def test_sort_by_amount_both_ways(demo):
    def amounts(rows):
        return [Decimal(r["amount"]) for r in rows if r["amount"]]

    largest_first = amounts(exported(demo, "--sort", "amount"))
    assert len(largest_first) > 10 and largest_first == sorted(largest_first, reverse=True)
    smallest_first = amounts(exported(demo, "--sort", "amount", "--ascending"))
    assert smallest_first == sorted(largest_first)


def test_sort_by_due_date_ascending(demo):
    due = [r["due_at"] for r in exported(demo, "--sort", "due", "--ascending") if r["due_at"]]
    assert len(due) > 10 and due == sorted(due)


def test_xlsx_holds_the_same_claims(demo, tmp_path):
    book = tmp_path / "claims.xlsx"
    result = incentives(demo, "export", "claims", "--format", "xlsx", "--partner", "Kestrel IT", output=book)
    assert result.status == 0 and result.err == "", str(result)
    rows = [list(row) for row in openpyxl.load_workbook(book, read_only=True).worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == COLUMNS
    assert {str(row[0]) for row in rows[1:]} == {r["claim_id"] for r in exported(demo, "--partner", "Kestrel IT")}
    assert {row[COLUMNS.index("partner")] for row in rows[1:]} == {"Kestrel IT"}


@pytest.mark.parametrize("options, words", [
    (["--format", "pdf"], ["--format pdf is not supported; use csv or xlsx."]),
    (["--status", "lost"], ["Unknown status 'lost'", "under_review"]),
    (["--sort", "size"], ["Unknown sort 'size'", "amount"]),
    (["--partner", "Nowhere Ltd"], ["No partner organization is named 'Nowhere Ltd'."]),
])
def test_bad_export_options_are_one_line(demo, options, words):
    before = demo.snapshot()
    refused(incentives(demo, "export", "claims", *options), *words)
    assert demo.snapshot() == before


def test_xlsx_is_not_written_to_a_terminal(demo):
    result = incentives(demo, "export", "claims", "--format", "xlsx", tty_stdout=True)
    assert result.status == 1 and result.out == "", str(result)
    assert result.err == "Error: An XLSX workbook is binary: redirect it to a file, e.g. > claims.xlsx.\n"
