"""tables.xlsx: sheets, cell types, frozen headers, the marking when printed, no formulas, same bytes."""

from __future__ import annotations

import datetime
import io
import re
import time
import zipfile

import openpyxl
import pandas as pd
import pytest
from _exports_sample import sample
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.export import FIXED_TIME
from hotspots.export.xlsx import FORMULA_PREFIXES, Sheet, compare_sheets, map_sheets, workbook_bytes

MARKING = "official-sensitive"


def read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def excel_reads(text: str) -> str:
    """Text as Excel shows it: openpyxl leaves control characters in their stored form ``_x00HH_``."""
    return re.sub(r"_x(00[01][0-9A-Fa-f])_", lambda m: chr(int(m.group(1), 16)), text)


@pytest.fixture(scope="module")
def map_book() -> openpyxl.Workbook:
    s = sample()
    return read(workbook_bytes(map_sheets(s.current, s.loaded.rejected, marking=MARKING), marking=MARKING))


@pytest.fixture(scope="module")
def compare_book() -> openpyxl.Workbook:
    s = sample()
    return read(
        workbook_bytes(compare_sheets(s.comparison, s.current, s.loaded.rejected, marking=MARKING), marking=MARKING)
    )


def test_sheets(map_book, compare_book):
    assert map_book.sheetnames == ["hotspots", "districts", "rejected rows", "about"]
    assert compare_book.sheetnames == ["hotspots", "districts", "changes", "rejected rows", "about"]


def test_every_row_of_every_table_is_there(compare_book):
    s = sample()
    expected = {
        "hotspots": s.current.hotspots,
        "districts": s.comparison.areas,
        "changes": s.comparison.hotspots,
        "rejected rows": s.loaded.rejected,
    }
    for name, table in expected.items():
        assert compare_book[name].max_row == len(table) + 1, name
    header = [c.value for c in compare_book["hotspots"][1]]
    assert header == [c for c in s.current.hotspots.columns if c != "geometry"]


@pytest.mark.parametrize("which", ["map", "compare"])
def test_header_frozen_and_marking_printed_on_every_sheet(which, map_book, compare_book):
    book = map_book if which == "map" else compare_book
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text, ws.title
        assert "OFFICIAL-SENSITIVE" in ws.oddFooter.center.text, ws.title
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text


def test_numbers_are_numbers_and_missing_values_empty(map_book):
    s = sample()
    ws = map_book["hotspots"]
    header = [c.value for c in ws[1]]
    first = {name: cell.value for name, cell in zip(header, ws[2], strict=True)}
    top = s.current.hotspots.iloc[0]
    assert first["hotspot_id"] == top["hotspot_id"]
    assert isinstance(first["harm"], int) and first["harm"] == top["harm"]
    assert isinstance(first["coverage"], float) and first["coverage"] == pytest.approx(
        top["coverage"]
    )
    days = [row[header.index("days_since_enforcement")].value for row in ws.iter_rows(min_row=2)]
    expected = s.current.hotspots["days_since_enforcement"].tolist()
    assert [d is None for d in days] == [pd.isna(d) for d in expected]


def test_dates_are_dates(map_book):
    about = {row[0].value: row[1] for row in map_book["about"].iter_rows(min_row=2)}
    assert about["period start"].value == datetime.datetime(2024, 10, 1)
    assert about["period start"].is_date and about["period start"].number_format == "yyyy-mm-dd"
    assert about["period end"].value == datetime.datetime(2024, 12, 31)
    assert about["protective marking"].value == "OFFICIAL-SENSITIVE"


def test_rejected_rows_keep_what_was_read_as_text(map_book):
    rejected = sample().loaded.rejected
    ws = map_book["rejected rows"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["source_file", "source_row", "reason"]
    reasons = [row[2].value for row in ws.iter_rows(min_row=2)]
    assert reasons == rejected["reason"].tolist()
    assert all(isinstance(row[1].value, int) for row in ws.iter_rows(min_row=2))


HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "http://evil.example/x",
    "1e5",
    "x_x0041_y",  # Excel would show "xAy" were it not escaped
    "a\x01b",
]


def test_values_that_look_like_formulas_links_or_numbers_stay_text():
    data = workbook_bytes([Sheet("s", pd.DataFrame({"id": HOSTILE}))], marking=MARKING)
    ws = read(data)["s"]
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE)
    assert [excel_reads(c.value) for c in cells] == [v.replace("\r", "\n") for v in HOSTILE]
    assert all(c.hyperlink is None for c in cells)
    # A leading formula character also gets the quote prefix, so editing keeps it text.
    assert [c.quotePrefix for c in cells] == [v.startswith(FORMULA_PREFIXES) for v in HOSTILE]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet_xml and "<f " not in sheet_xml
        assert not any(n.startswith("xl/worksheets/_rels") for n in z.namelist())  # no links


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_any_text_comes_back_as_the_same_text(values):
    data = workbook_bytes([Sheet("s", pd.DataFrame({"v": values}))], marking=MARKING)
    cells = [row[0] for row in read(data)["s"].iter_rows(min_row=2)]
    for cell, value in zip(cells, values, strict=True):
        expected = re.sub(r"\r\n?", "\n", value)
        if expected == "":
            assert cell.value in (None, "")
        else:
            assert cell.data_type == "s"
            assert excel_reads(cell.value) == expected


def test_writing_twice_gives_the_same_bytes():
    s = sample()
    first = workbook_bytes(
        compare_sheets(s.comparison, s.current, s.loaded.rejected, marking=MARKING), marking=MARKING
    )
    time.sleep(1.1)
    second = workbook_bytes(
        compare_sheets(s.comparison, s.current, s.loaded.rejected, marking=MARKING), marking=MARKING
    )
    assert first == second
    assert read(first).properties.created == FIXED_TIME.replace(tzinfo=None)


def test_an_ampersand_in_the_marking_is_printed_not_read_as_a_code():
    ws = read(workbook_bytes([Sheet("s", pd.DataFrame({"a": [1]}))], marking="R&D only"))["s"]
    assert "R&&D ONLY" in ws.oddHeader.center.text  # "&&" is how Excel prints one "&"


@pytest.mark.parametrize(
    ("sheets", "marking", "message"),
    [
        ([Sheet("s", pd.DataFrame()), Sheet("s", pd.DataFrame())], "X", "distinct"),
        ([Sheet("x" * 32, pd.DataFrame())], "X", "1-31"),
        ([Sheet("s", pd.DataFrame())], "  ", "marking"),
    ],
    ids=["same-name", "long-name", "no-marking"],
)
def test_bad_arguments_are_refused(sheets, marking, message):
    with pytest.raises(ValueError, match=message):
        workbook_bytes(sheets, marking=marking)
