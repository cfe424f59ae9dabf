"""`incentives payments`: a run gathered, approved by a second program manager, exported as CSV and as pain.001 (validated
against the ISO 20022 XSD that sepaxml ships), sent, and confirmed from a bank CSV with one failure; refusals are one line
that changes nothing."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
from lxml import etree

import datetime

from conftest import BOTH
from harness import SEED_NOW, incentives, refused, usage_error

MANAGER = "manager@vendor.example"
SECOND = "finance@vendor.example"
# Two months after the seed: the demo's own runs paid what was due by the 5th of the month before it; all it approved
# since is due by then.
LATER = (datetime.datetime.fromisoformat(SEED_NOW.replace("Z", "+00:00")) + datetime.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
DAY = LATER[:10]
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"


def pay(db, *args: str, user: str = MANAGER):
    return incentives(db, "payments", *args, "--as", user, "--now", LATER)


def second_manager(db) -> None:
    """The second program manager (four eyes), unless the demo has them already."""
    if db.rows("SELECT id FROM users WHERE email = ?", SECOND):
        return
    added = incentives(db, "users", "add", "--email", SECOND, "--name", "Robin Ortiz", "--vendor", "program_manager",
                       "--password-stdin", stdin="a long enough password\n")
    assert added.status == 0, str(added)


def newest(db) -> str:
    """The reference of the newest run."""
    return db.rows("SELECT reference FROM payment_runs ORDER BY id DESC LIMIT 1")[0][0]


def lines(db, reference: str) -> list[tuple[str, str, int, str]]:
    """A run's payee lines: EndToEndId, currency, amount in minor units, status."""
    return [(e, c, int(a), s) for e, c, a, s in db.rows(
        "SELECT l.end_to_end_id, l.currency, l.amount_minor, l.status FROM payment_run_lines l JOIN payment_runs r ON r.id = l.run_id "
        "WHERE r.reference = ? ORDER BY l.end_to_end_id", reference)]


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


@BOTH
def test_a_run_from_cutoff_to_confirmation(demo, tmp_path):
    second_manager(demo)
    gathered = pay(demo, "run", "--cutoff", DAY)
    assert (gathered.status, gathered.err) == (0, ""), str(gathered)
    ref = newest(demo)
    run_lines = lines(demo, ref)
    assert gathered.out.startswith(f"Gathered {ref} (draft, cut-off {DAY}, version 1): ") and len(run_lines) >= 2
    for currency in {c for _, c, _, _ in run_lines}:
        total = sum(a for _, c, a, _ in run_lines if c == currency)
        assert f"{currency} {Decimal(total) / 100:.2f}" in gathered.out.splitlines()[0]
    assert all(e in gathered.out for e, _, _, _ in run_lines)

    refused(pay(demo, "approve", ref), "four eyes")
    approved = pay(demo, "approve", ref, user=SECOND)
    assert approved.status == 0 and approved.out.startswith(f"Approved {ref} (approved"), str(approved)
    refused(pay(demo, "export", ref, "--format", "pain001", "--currency", run_lines[0][1]), "Set the paying account")
    settings = pay(demo, "settings", "--payer-name", "Northwind Vendor", "--payer-iban", "DE89 3704 0044 0532 0130 00",
                   "--payer-bic", "COBADEFFXXX")
    assert settings.status == 0 and "•••• 3000" in settings.out, str(settings)

    # The CSV: one line per payee, every amount exact, the full account numbers.
    out = tmp_path / "run.csv"
    exported = pay(demo, "export", ref, "--format", "csv", "--out", str(out))
    assert exported.out == f"Wrote {ref}.csv to {out}.\n", str(exported)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["end_to_end_id"], r["currency"], minor(r["amount"]), r["status"]) for r in rows] == run_lines
    accounts = dict(demo.rows("SELECT l.end_to_end_id, l.creditor_account FROM payment_run_lines l JOIN payment_runs r ON r.id = l.run_id "
                              "WHERE r.reference = ?", ref))
    assert all(r["account"].lstrip("'") == accounts[r["end_to_end_id"]] for r in rows)

    # pain.001 per currency: valid against the standard's schema; counts, control sums and every amount are the run's.
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for currency in sorted({c for _, c, _, _ in run_lines}):
        path = tmp_path / f"{currency}.xml"
        assert pay(demo, "export", ref, "--format", "pain001", "--currency", currency, "--out", str(path)).status == 0
        document = etree.parse(str(path))
        schema.assertValid(document)
        transfers = [(e, a) for e, c, a, s in run_lines if c == currency and s != "netted"]
        assert document.findtext(".//p:GrpHdr/p:MsgId", namespaces=NS) == f"{ref}-{currency}"
        assert int(document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS)) == len(transfers)
        assert minor(document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS)) == sum(a for _, a in transfers)
        assert document.findtext(".//p:PmtInf/p:ReqdExctnDt/p:Dt", namespaces=NS) == DAY
        found = [(t.findtext("p:PmtId/p:EndToEndId", namespaces=NS), t.find("p:Amt/p:InstdAmt", namespaces=NS))
                 for t in document.iterfind(".//p:CdtTrfTxInf", namespaces=NS)]
        assert [(e, minor(a.text), a.get("Ccy")) for e, a in found] == [(e, a, currency) for e, a in transfers]
    history = [a for (a,) in demo.rows("SELECT h.action FROM payment_run_history h JOIN payment_runs r ON r.id = h.run_id "
                                       "WHERE r.reference = ? ORDER BY h.id", ref)]
    assert history[:2] == ["gathered", "approved"] and history.count("exported") == 1 + len({c for _, c, _, _ in run_lines})

    # Sent, then the bank's file: the first payment failed, the rest paid.
    sent = pay(demo, "send", ref)
    assert sent.status == 0 and sent.out.startswith(f"Sent {ref} (sent"), str(sent)
    pending = [(e, c, a) for e, c, a, s in lines(demo, ref) if s == "pending"]
    bank = tmp_path / "bank.csv"
    bank.write_text("end_to_end_id,status,amount,currency,reason\n" + "".join(
        f"{e},{'failed' if i == 0 else 'paid'},{Decimal(a) / 100:.2f},{c},{'Account closed' if i == 0 else ''}\n"
        for i, (e, c, a) in enumerate(pending)))
    before = demo.snapshot()
    dry = pay(demo, "confirm", ref, "--file", str(bank), "--dry-run")
    assert dry.status == 0 and dry.out.endswith(f"Dry run: {len(pending)} payments would be confirmed; nothing was stored.\n"), str(dry)
    assert demo.snapshot() == before
    confirmed = pay(demo, "confirm", ref, "--file", str(bank))
    assert confirmed.status == 0 and confirmed.out.endswith(f"Confirmed {len(pending)} payments.\n"), str(confirmed)
    statuses = {e: s for e, _, _, s in lines(demo, ref)}
    assert statuses[pending[0][0]] == "failed" and all(statuses[e] == "paid" for e, _, _ in pending[1:])
    assert demo.rows("SELECT status FROM payment_runs WHERE reference = ?", ref) == [("completed",)]
    listed = incentives(demo, "payments", "list")
    assert listed.out.startswith(f"{ref}  completed  cut-off "), str(listed)


def test_a_confirmation_file_with_a_wrong_amount_or_id_stores_nothing(demo, tmp_path):
    second_manager(demo)
    assert pay(demo, "run", "--cutoff", DAY).status == 0
    ref = newest(demo)
    assert pay(demo, "approve", ref, user=SECOND).status == 0
    assert pay(demo, "export", ref, "--format", "csv", "--out", str(tmp_path / "run.csv")).status == 0
    assert pay(demo, "send", ref).status == 0
    (first, currency, amount, _), *_ = lines(demo, ref)
    for label, body, words in [
        ("an amount a cent off", f"{first},paid,{Decimal(amount + 1) / 100:.2f},{currency},\n", ["line 2", "amount", first]),
        ("an id of no payment", f"{ref}-9999,paid,,,\n", ["line 2", f"{ref}-9999 is not a payment of run {ref}"]),
        ("a failure without a reason", f"{first},failed,,,\n", ["line 2", "reason"]),
    ]:
        bank = tmp_path / "bank.csv"
        bank.write_text("end_to_end_id,status,amount,currency,reason\n" + body)
        before = demo.snapshot()
        refused(pay(demo, "confirm", ref, "--file", str(bank)), "Nothing was stored", *words)
        assert demo.snapshot() == before, label


@pytest.mark.parametrize("arguments, words", [
    (["run", "--cutoff", "25/11/2026"], ["The cut-off is a day written YYYY-MM-DD"]),
    (["run", "--cutoff", (datetime.date.fromisoformat(DAY) + datetime.timedelta(days=1)).isoformat()], ["can't be after today"]),
    (["run", "--cutoff", "2001-01-01"], ["Nothing is due at 2001-01-01"]),
    (["approve", "PR-000009"], ["No payment run 'PR-000009'"]),
    (["export", "PR-000001", "--format", "pdf"], ["--format pdf is not one; use csv or pain001."]),
    (["settings", "--payer-name", "Vendor"], ["--payer-iban", "Enter the paying account's IBAN."]),
])
def test_refusals_are_one_line_and_change_nothing(demo, arguments, words):
    before = demo.snapshot()
    refused(pay(demo, *arguments), *words)
    assert demo.snapshot() == before


def test_only_a_program_manager_runs_payments(demo):
    before = demo.snapshot()
    refused(pay(demo, "run", "--cutoff", DAY, user="reviewer@vendor.example"), "Only a program manager runs payments.")
    refused(pay(demo, "run", "--cutoff", DAY, user="ghost@vendor.example"), "No active user has the email 'ghost@vendor.example'.")
    assert demo.snapshot() == before


def test_a_run_needs_a_cutoff(demo):
    usage_error(incentives(demo, "payments", "run", "--as", MANAGER), "--cutoff")
