"""Sentences about what the data holds (issue 17): no-harm periods, rows not analysed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots import schema
from hotspots.cli import main
from hotspots.notices import (
    NOT_ANALYSED,
    no_harm_sentence,
    rejected_text,
    row_accounting,
    split_rejections,
)
from hotspots.params import EventTypes

#: Central Norwich on the British National Grid (metres).
NORWICH = (623_000.0, 308_500.0)
SENTENCE_Q3 = "The period 2024Q3 holds no harm events (cuckooing): no hotspots can be found."


def _rows(kind: str, n: int, date: str, prefix: str, spread: float = 40.0) -> list[dict]:
    x0, y0 = NORWICH
    return [
        {"id": f"{prefix}{i}", "type": kind, "date": date, "easting": x0 + spread * (i % 4),
         "northing": y0 + spread * (i // 4)}
        for i in range(n)
    ]


def _write(tmp_path: Path, rows: list[dict], name: str = "events.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (EventTypes(), SENTENCE_Q3),
        (
            EventTypes(roles={**schema.DEFAULT_TYPE_ROLES, "robbery": "harm"}, aliases={"robbery": "robbery"}),
            "The period 2024Q3 holds no harm events (robbery): no hotspots can be found.",
        ),
        (
            EventTypes(roles={**schema.DEFAULT_TYPE_ROLES, "robbery": "harm", "assault": "harm"},
                       aliases={"robbery": "robbery", "gbh": "assault"}),
            "The period 2024Q3 holds no harm events (assault or robbery): no hotspots can be found.",
        ),
    ],
    ids=["built-in", "config-named-harm", "two-harm-types"],
)
def test_no_harm_sentence_names_the_harm_types_the_user_looks_for(types, expected):
    assert no_harm_sentence("2024Q3", types) == expected


def test_rows_not_analysed_are_split_from_rejections():
    not_analysed, rejected = split_rejections(
        {schema.REASON_TYPE_NOT_ANALYSED: 64_342, schema.REASON_MISSING_COORDS: 80, schema.REASON_OUTSIDE_AREA: 9}
    )
    assert not_analysed == 64_342
    assert schema.REASON_TYPE_NOT_ANALYSED not in rejected
    assert sum(rejected.values()) == 89
    assert rejected_text(89, 64_342) == "89 rejected · 64,342 not analysed (other categories)"
    assert rejected_text(3, 0) == "3 rejected"
    line = row_accounting(64_431 + 1000, 900, 100, 64_342, 89)
    assert line == (
        "rows read 65,431: analysed 900, outside the period 100, "
        "not analysed (other categories) 64,342, rejected 89"
    )


# --- no harm in the period ----------------------------------------------------------------


@pytest.fixture
def enforcement_only(tmp_path: Path) -> Path:
    """Raids and seizures in 2024Q3, one cuckooing report in 2024Q2 (outside the period)."""
    rows = _rows("raid", 6, "2024-08-03", "R") + _rows("seizure", 4, "2024-09-10", "S")
    rows += _rows("cuckooing", 1, "2024-05-01", "C")
    return _write(tmp_path, rows)


def test_map_of_a_period_without_harm_says_so_everywhere(enforcement_only, tmp_path):
    out = tmp_path / "out"
    code, output = _run("map", enforcement_only, "--period", "2024Q3", "--out", out, "--quiet")
    assert code == 0, output
    assert SENTENCE_Q3 in output
    assert output.index(SENTENCE_Q3) < output.index("hotspots 0")
    summary = json.loads((out / schema.OUT_SUMMARY).read_text())
    assert summary["no_harm"] == SENTENCE_Q3 and summary["hotspots"] == 0
    # Its own line under the title, not in the summary line that phones hide.
    assert f'<p class="hs-notice"><b>{SENTENCE_Q3}</b></p>' in (out / schema.OUT_MAP).read_text()


def test_map_with_harm_has_no_no_harm_sentence(tmp_path):
    path = _write(tmp_path, _rows("cuckooing", 8, "2024-08-03", "C"))
    out = tmp_path / "out"
    code, output = _run("map", path, "--period", "2024Q3", "--out", out, "--quiet")
    assert code == 0, output
    assert "holds no harm events" not in output
    assert json.loads((out / schema.OUT_SUMMARY).read_text())["no_harm"] is None


def test_briefing_of_a_period_without_harm_says_so(enforcement_only, tmp_path):
    out = tmp_path / "out"
    code, output = _run("brief", enforcement_only, "--period", "2024Q3", "--out", out, "--no-pdf", "--quiet")
    assert code == 0, output
    markdown = (out / "briefing.md").read_text()
    findings = markdown.split("## 1. Key findings", 1)[1].split("## 2.", 1)[0]
    assert f"- {SENTENCE_Q3}" in findings
    assert "formed no group" not in findings
    assert SENTENCE_Q3 in (out / "briefing.html").read_text()


def test_compare_names_the_period_without_harm(tmp_path):
    # 2024Q2 has a hotspot; 2024Q3 holds only enforcement.
    rows = _rows("cuckooing", 8, "2024-05-03", "C") + _rows("raid", 5, "2024-08-03", "R")
    path = _write(tmp_path, rows)
    out = tmp_path / "out"
    code, output = _run(
        "compare", path, "--period", "2024Q3", "--against", "2024Q2", "--out", out, "--quiet"
    )
    assert code == 0, output
    assert SENTENCE_Q3 in output
    assert "2024Q2 holds" not in output
    assert "2024Q2: 1 hotspot;" in output
    summary = json.loads((out / schema.OUT_SUMMARY).read_text())
    assert summary["no_harm"] == [SENTENCE_Q3]
    page = (out / schema.OUT_COMPARE_MAP).read_text()
    assert f'<p class="hs-notice"><b>{SENTENCE_Q3}</b></p>' in page


# --- rows not analysed counted apart from rejected rows ------------------------------------


@pytest.fixture
def with_other_categories(tmp_path: Path) -> tuple[Path, Path]:
    """8 cuckooing + 3 raids in 2024Q3, 12 shoplifting (not analysed), 2 rows without coordinates."""
    rows = _rows("cuckooing", 8, "2024-08-03", "C") + _rows("raid", 3, "2024-08-04", "R")
    rows += _rows("shoplifting", 12, "2024-08-05", "S")
    rows += [
        {"id": "X1", "type": "raid", "date": "2024-08-01", "easting": "", "northing": ""},
        {"id": "X2", "type": "cuckooing", "date": "2024-08-01", "easting": "", "northing": ""},
    ]
    config = tmp_path / "config.toml"
    config.write_text('[ignore]\ntypes = ["Shoplifting"]\n')
    return _write(tmp_path, rows), config


def test_map_counts_rows_not_analysed_apart(with_other_categories, tmp_path):
    path, config = with_other_categories
    out = tmp_path / "out"
    code, output = _run(
        "map", path, "--config", config, "--period", "2024Q3", "--out", out, "--quiet"
    )
    assert code == 0, output
    summary = json.loads((out / schema.OUT_SUMMARY).read_text())
    assert (summary["rows_read"], summary["rows_analysed"]) == (25, 11)
    assert (summary["rows_not_analysed"], summary["rows_rejected"]) == (12, 2)
    assert summary["rows_read"] == (
        summary["rows_analysed"] + summary["rows_outside_period"] + summary["rows_not_analysed"]
        + summary["rows_rejected"]
    )
    assert summary["rejected_by_reason"][schema.REASON_MISSING_COORDS] == 2
    assert schema.REASON_TYPE_NOT_ANALYSED not in summary["rejected_by_reason"]
    assert "rows_not_analysed" in summary["definitions"]
    assert f"{NOT_ANALYSED} 12, rejected 2" in output
    assert f"2 rejected · 12 {NOT_ANALYSED}" in (out / schema.OUT_MAP).read_text()
    # rejected.csv lists both kinds of row, each with its reason.
    rejected = pd.read_csv(out / schema.OUT_REJECTED)
    assert rejected[schema.COL_REASON].value_counts().to_dict() == {
        schema.REASON_TYPE_NOT_ANALYSED: 12, schema.REASON_MISSING_COORDS: 2,
    }
    book = openpyxl.load_workbook(io.BytesIO((out / "tables.xlsx").read_bytes()))
    about = {row[0].value: row[1].value for row in book["about"].iter_rows(min_row=2)}
    assert (about[f"rows {NOT_ANALYSED}"], about["rows rejected"], about["rows read"]) == (12, 2, 25)


def test_validate_counts_rows_not_analysed_apart(with_other_categories, tmp_path):
    path, config = with_other_categories
    out = tmp_path / "out"
    code, output = _run("validate", path, "--config", config, "--period", "2024Q3", "--out", out)
    assert code == 0, output
    assert f"outside the period 0, {NOT_ANALYSED} 12, rejected 2" in output
    assert "rejected type_not_analysed" not in output
    report = json.loads((out / schema.OUT_SUMMARY).read_text())
    assert (report["rows_not_analysed"], report["rows_rejected"]) == (12, 2)


@pytest.mark.parametrize(
    ("audience", "not_analysed", "rejected", "read"),
    [("internal", "12", "2", "25"), ("wide", "10", "1 to 4", "22 to 28")],
    ids=["internal-exact", "wide-rounded"],
)
def test_briefing_counts_rows_not_analysed_apart(
    with_other_categories, tmp_path, audience, not_analysed, rejected, read
):
    path, config = with_other_categories
    out = tmp_path / "out"
    code, output = _run(
        "brief", path, "--config", config, "--period", "2024Q3", "--out", out, "--no-pdf",
        "--quiet", "--audience", audience,
    )
    assert code == 0, output
    markdown = (out / "briefing.md").read_text()
    assert f"| Rows {NOT_ANALYSED} | {not_analysed} |" in markdown
    assert f"| Rows rejected | {rejected} |" in markdown
    if read is not None:
        assert f"| Rows read | {read} |" in markdown
    assert "type not analysed" not in markdown  # not listed among the reasons rejected


# --- study-area error examples follow the areas in use --------------------------------------


@pytest.mark.parametrize(
    ("areas", "wanted", "example"),
    [
        ("pfa2025", "Norwich", "e.g. 'Avon and Somerset' or 'E23000036'"),
        ("lad2025", "Norfolk", "e.g. 'Adur' or 'E07000223'"),
    ],
    ids=["force-areas", "districts"],
)
def test_unknown_study_area_gives_examples_of_the_chosen_areas(tmp_path, areas, wanted, example):
    path = _write(tmp_path, _rows("cuckooing", 8, "2024-08-03", "C"))
    code, output = _run(
        "map", path, "--period", "2024Q3", "--areas", areas, "--study-area", wanted,
        "--out", tmp_path / "out", "--quiet",
    )
    assert code == 2, output
    assert output.startswith("Error: ")
    assert f"no area named or coded {wanted!r}" in output
    assert example in output
    assert ("E07000148" in output) is False  # no district example for force areas, no Norwich code
