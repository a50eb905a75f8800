"""The export files come out of the commands: map and compare write outputs.gpkg and tables.xlsx,
brief writes briefing.docx with the furniture given on the command line."""

from __future__ import annotations

import io
import json

import docx
import openpyxl
import pyogrio
from _exports_sample import SAMPLE
from click.testing import CliRunner

from hotspots.cli import main

ARGS = [str(SAMPLE / "events.csv"), "--config", str(SAMPLE / "norfolk.toml"), "--quiet"]


def test_map_and_compare_write_the_geopackage_and_workbook(tmp_path):
    runner = CliRunner()
    for command, extra, layers in [
        (
            "map",
            ["--period", "2024Q4"],
            ["hotspots", "enforcement_clusters", "districts", "layer_styles"],
        ),
        (
            "compare",
            ["--period", "2024Q4", "--against", "2024Q3"],
            ["hotspots", "enforcement_clusters", "districts", "changes", "layer_styles"],
        ),
    ]:
        out = tmp_path / command
        result = runner.invoke(main, [command, *ARGS, *extra, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert [name for name, _ in pyogrio.list_layers(out / "outputs.gpkg")] == layers
        book = openpyxl.load_workbook(out / "tables.xlsx")
        assert "hotspots" in book.sheetnames and "rejected rows" in book.sheetnames
        outputs = json.loads((out / "summary.json").read_text())["outputs"]
        assert "outputs.gpkg" in outputs and "tables.xlsx" in outputs


def test_brief_writes_the_word_document_with_the_given_furniture(tmp_path):
    out = tmp_path / "brief"
    result = CliRunner().invoke(
        main,
        [
            "brief",
            *ARGS,
            "--period",
            "2024Q4",
            "--no-pdf",
            "--produced",
            "2025-01-15",
            "--originator",
            "Norfolk Constabulary, Intelligence",
            "--reference",
            "NC/2025/17",
            "--handling",
            "Tasking group only.",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = docx.Document(io.BytesIO((out / "briefing.docx").read_bytes()))
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["Originator"] == "Norfolk Constabulary, Intelligence"
    assert rows["Reference"] == "NC/2025/17"
    assert rows["Handling instruction"] == "Tasking group only."
    assert rows["Date"] == "15 January 2025"
