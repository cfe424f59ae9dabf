"""`incentives config reference`: the environment reference printed from the code that reads it, and rewritten into
the documents that carry it; a setting the app cannot use stops a command with the variable's name."""
from __future__ import annotations

import re

from harness import ROOT, incentives

START, END = "<!-- config-reference:start -->", "<!-- config-reference:end -->"


def block(text: str) -> str:
    return text.split(START, 1)[1].split(END, 1)[0].lstrip("\n")


def test_the_reference_is_the_readme_and_deploy_guide_table(tmp_path):
    printed = incentives(f"sqlite:{tmp_path}/unused.sqlite", "config", "reference")
    assert printed.status == 0 and printed.err == "", str(printed)
    names = re.findall(r"^\| `([A-Z_]+)` \|", printed.out, flags=re.M)
    assert {"DATABASE_URL", "PORT", "SECRET_KEY", "METRICS_TOKEN", "LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT"} <= set(names)
    assert len(names) == len(set(names)) == len(printed.out.splitlines()) - 2
    for document in ("README.md", "docs/deploy.md"):
        assert block((ROOT / document).read_text()) == printed.out, f"{document}: run incentives config reference --update"


def test_update_rewrites_only_the_block_and_refuses_a_file_without_one(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"# Guide\n\nKept.\n\n{START}\n| stale | table |\n{END}\n\nAlso kept.\n")
    first = incentives(f"sqlite:{tmp_path}/unused.sqlite", "config", "reference", "--update", str(guide))
    assert first.status == 0 and first.out == f"{guide}: updated\n", str(first)
    text = guide.read_text()
    assert text.startswith("# Guide\n\nKept.\n\n") and text.endswith(f"{END}\n\nAlso kept.\n") and "stale" not in text
    assert "| `DATABASE_URL` | `sqlite:./data/incentives.sqlite` |" in text
    again = incentives(f"sqlite:{tmp_path}/unused.sqlite", "config", "reference", "--update", str(guide))
    assert again.out == f"{guide}: already current\n" and guide.read_text() == text, str(again)

    plain = tmp_path / "plain.md"
    plain.write_text("# No reference here\n")
    refused = incentives(f"sqlite:{tmp_path}/unused.sqlite", "config", "reference", "--update", str(plain))
    assert refused.status != 0 and "has no <!-- config-reference:start -->" in refused.err, str(refused)
    assert plain.read_text() == "# No reference here\n"


def test_a_setting_the_app_cannot_use_stops_the_command_by_its_name(tmp_path):
    result = incentives(f"sqlite:{tmp_path}/db.sqlite", "migrate", env={"LOG_FORMAT": "xml"})
    assert result.status != 0 and "LOG_FORMAT must be text or json, not 'xml'." in result.err, str(result)
    assert not (tmp_path / "db.sqlite").exists(), "nothing was created before the setting was refused"
