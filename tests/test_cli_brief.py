"""``hotspots brief`` end to end through the command line, in-process (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "events.csv"
CONFIG = ROOT / "data" / "sample" / "norfolk.toml"


def brief(*args: object):
    base = ["brief", str(SAMPLE), "--config", str(CONFIG), "--period", "2024Q4", "--quiet", "--no-pdf"]
    return CliRunner().invoke(main, [*base, *(str(a) for a in args)])


@pytest.fixture(scope="module")
def briefed(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "out"
    result = brief("--against", "2024Q3", "--produced", "2024-12-31", "--reason", "weekly tasking",
                   "--out", out)
    return result, out


def test_brief_writes_its_files_and_says_so(briefed):
    result, out = briefed
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.jsonl", "briefing.docx", "briefing.html", "briefing.md", "briefing.png"
    ]
    assert result.output.splitlines() == [
        f"wrote briefing.html, briefing.png, briefing.md, briefing.docx in {out}",
        f"audit record appended to {out / 'audit.jsonl'}",
        "no briefing.pdf: not requested",
    ]


def test_brief_content_names_period_comparison_and_date(briefed):
    _, out = briefed
    markdown = (out / "briefing.md").read_text(encoding="utf-8")
    assert markdown.startswith("**OFFICIAL-SENSITIVE**")
    assert "2024-12-31" in markdown and "weekly tasking" in markdown
    assert "2024Q3" in markdown  # the comparison period
    assert (out / "briefing.png").read_bytes().startswith(b"\x89PNG")


def test_brief_appends_one_audit_record_per_run(briefed, tmp_path):
    _, out = briefed
    record = json.loads((out / "audit.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert record["command"] == "brief" and record["reason"] == "weekly tasking"
    assert record["outputs"] == ["briefing.html", "briefing.png", "briefing.md", "briefing.docx"]
    assert record["parameters"]["against"] == "2024Q3" and record["parameters"]["audience"] == "internal"
    assert list(record["inputs"]) == ["events.csv"]
    again = tmp_path / "again"
    for _ in range(2):
        assert brief("--produced", "2024-12-31", "--out", again).exit_code == 0
    assert len((again / "audit.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_wide_audience_withholds_the_reason(tmp_path):
    result = brief("--audience", "wide", "--reason", "named informant", "--produced", "2024-12-31",
                   "--out", tmp_path / "wide")
    assert result.exit_code == 0, result.output
    assert "named informant" not in (tmp_path / "wide" / "briefing.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--produced", "31/12/2024"], "produced: expected a date YYYY-MM-DD, got '31/12/2024'"),
        (["--top", "0"], "top_n: expected a whole number of at least 1, got 0"),
        (["--against", "2024Q9"], "2024Q9"),
        (["--eps", "auto"], "--eps auto is for hotspots map"),
    ],
    ids=["produced", "top", "against", "eps-auto"],
)
def test_bad_brief_options_are_exit_2_before_any_work(tmp_path, args, message):
    # The events file is missing: each bad value must be reported first.
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main, ["brief", str(tmp_path / "missing.csv"), "--period", "2024Q4", *args, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "missing.csv" not in result.output
    assert not out.exists()
