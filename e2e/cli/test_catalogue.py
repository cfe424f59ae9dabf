"""`incentives catalogue export/import`: the demo's catalogue written out, loaded into an empty database, written out
again byte for byte; a broken file refused with each problem's line, and nothing written."""
from __future__ import annotations

import pytest

from conftest import BOTH, fresh
from harness import incentives


@pytest.fixture
def other(flavor, tmp_path):
    """A second database nobody has opened, beside the test's demo copy (which holds tmp_path's own file)."""
    folder = tmp_path / "other"
    folder.mkdir()
    database = fresh(flavor, folder)
    yield database
    database.drop()


@BOTH
def test_export_import_export_gives_the_same_file(demo, other, tmp_path):
    first = tmp_path / "catalogue.yaml"
    exported = incentives(demo, "catalogue", "export", "--output", str(first))
    assert exported.status == 0 and exported.out == "" and exported.err == "", str(exported)
    text = first.read_text()
    assert text.startswith("format: partner-incentives catalogue 1\n")
    assert incentives(other, "migrate").status == 0
    imported = incentives(other, "catalogue", "import", str(first), "--now", "2026-11-25T10:00:00Z")
    assert imported.status == 0, str(imported)
    assert imported.out == ("Imported Partner Incentives Program: 3 solution areas, 20 engagements, 22 versions, "
                            "3 partners, 9 locations, %d list entries.\n" % text.count("listed_at:")), imported.out
    again = incentives(other, "catalogue", "export")
    assert again.status == 0 and again.out == text
    # Into a database with a catalogue: refused, and it stays as it was.
    before = demo.snapshot()
    refused = incentives(demo, "catalogue", "import", str(first))
    assert refused.status == 1 and "has a catalogue already" in refused.err
    assert demo.snapshot() == before


@BOTH
def test_a_broken_file_is_refused_with_its_lines_and_nothing_is_written(demo, other, tmp_path):
    text = incentives(demo, "catalogue", "export").out
    lines = text.split("\n")
    code = next(i for i, line in enumerate(lines) if 'code: "cloud-infrastructure"' in line)
    lines[code] = lines[code].replace("cloud-infrastructure", "Cloud Infra!")
    rate = next(i for i, line in enumerate(lines) if line.strip() == "a: 5000.00")
    lines[rate] = lines[rate].replace("5000.00", "5000.001")
    broken = tmp_path / "broken.yaml"
    broken.write_text("\n".join(lines))
    assert incentives(other, "migrate").status == 0
    before = other.snapshot()
    result = incentives(other, "catalogue", "import", str(broken))
    assert result.status == 1, str(result)
    assert f"line {code + 1}: A code is lower-case letters" in result.err, result.err
    assert f"line {rate + 1}: USD has 2 decimal places: 5000.001 has more." in result.err, result.err
    assert other.snapshot() == before
    missing = incentives(other, "catalogue", "import", str(tmp_path / "nowhere.yaml"))
    assert missing.status == 1 and "Could not read" in missing.err
