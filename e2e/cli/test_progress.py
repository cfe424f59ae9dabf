"""Progress on long CLI work: on standard error only, plain lines when it is not a terminal, and never a byte of it in
the file that standard output carries."""
from __future__ import annotations

import io
import re
import zipfile

from harness import SEED_NOW, incentives

LINE = re.compile(r"progress: \d+(/\d+)? [a-z ]+( \(\d+%\))?(, [\d,]+/s)?(, [\d.]+ (s|min \d\d s) left)?(, done in .+)?")


def progress_lines(err: str) -> list[str]:
    lines = err.splitlines()
    assert lines, "no progress was shown"
    for line in lines:
        assert LINE.fullmatch(line), line
    assert "\r" not in err, "no bar redrawn in place where standard error is no terminal"
    return lines


def test_export_to_a_pipe_shows_progress_on_stderr_only_and_the_same_file(demo, tmp_path):
    quiet = incentives(demo, "export", "claims", "--progress", "none")
    shown = incentives(demo, "export", "claims", "--progress", "lines")
    assert quiet.status == shown.status == 0 and quiet.err == "", str(quiet)
    assert shown.out.encode() == quiet.out.encode() and shown.out.startswith("claim_id,"), "the CSV is byte for byte the same"
    lines = progress_lines(shown.err)
    assert lines[-1].startswith("progress: 200/200 claims (100%), ") and ", done in " in lines[-1], lines

    # The workbook carries its own time stamps, so its entries are compared once inflated.
    books = {}
    for mode in ("none", "lines"):
        book = tmp_path / f"{mode}.xlsx"
        result = incentives(demo, "export", "claims", "--format", "xlsx", "--progress", mode, output=book)
        assert result.status == 0, str(result)
        assert (result.err == "") == (mode == "none"), result.err
        with zipfile.ZipFile(io.BytesIO(book.read_bytes())) as archive:
            assert archive.testzip() is None
            assert all(entry.compress_type == zipfile.ZIP_DEFLATED for entry in archive.infolist())
            books[mode] = {name: archive.read(name) for name in archive.namelist()}
    assert books["none"] == books["lines"]


def test_auto_is_quiet_for_quick_work_in_a_pipe(demo):
    result = incentives(demo, "export", "claims")
    assert result.status == 0 and result.err == "", "work done within 2 s shows no progress where no one watches it"


def test_seed_and_sweep_report_their_claims(demo):
    seeded = incentives(demo, "seed", "--scale", "1200", "--now", SEED_NOW, "--progress", "lines")
    assert seeded.status == 0, str(seeded)
    lines = progress_lines(seeded.err)
    assert lines[-1].startswith("progress: 1200/1200 claims (100%)"), lines
    assert seeded.out.startswith("Added 1200 synthetic claims in "), "the summary stays on standard output"

    due = int(demo.rows("SELECT COUNT(*) FROM claims WHERE expires_at IS NOT NULL AND expires_at <= ?",
                        demo.instant("2027-12-30T00:00:00+00:00"))[0][0])
    swept = incentives(demo, "sweep", "--now", "2027-12-30", "--progress", "lines")
    assert swept.status == 0, str(swept)
    assert progress_lines(swept.err)[-1].startswith(f"progress: {due}/{due} claims due (100%)"), swept.err
    assert swept.out.startswith("Swept at 2027-12-30T00:00:00Z: ")
