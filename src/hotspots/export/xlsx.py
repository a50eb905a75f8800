"""``tables.xlsx``: the result tables as one Excel workbook, safe to open and deterministic.

Sheets: ``hotspots``, ``districts``, ``changes`` (``compare`` only), ``rejected rows`` and
``about`` (period, parameters, definitions, marking). Every sheet has a frozen, filterable header
row that repeats on every printed page, and the protective marking centred in its printed header
and footer (with "Page n of m" in the footer).

Cells keep their types: counts and ratios are numbers, dates are dates (``yyyy-mm-dd``),
missing values are empty cells, everything else is text. **No cell is ever a formula or a link**:
the workbook is written with XlsxWriter's ``strings_to_formulas``, ``strings_to_urls`` and
``strings_to_numbers`` all off and every text cell written as a string, so a value from an input
file such as ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` is stored and shown as text. Text
that starts with ``= + - @``, a tab or a carriage return is also given Excel's "quote prefix"
(the leading apostrophe), so editing the cell does not turn it into a formula either.

Deterministic: the document's created time is :data:`hotspots.export.FIXED_TIME` and XlsxWriter
gives every part of the zip the same fixed time, so equal tables give equal bytes.
"""

from __future__ import annotations

import datetime
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.export import FIXED_TIME
from hotspots.notices import NOT_ANALYSED

if TYPE_CHECKING:
    from hotspots.compare import Comparison
    from hotspots.model import Analysis

__all__ = [
    "FORMULA_PREFIXES",
    "XLSX_NAME",
    "Sheet",
    "compare_sheets",
    "map_sheets",
    "workbook_bytes",
]

#: File name of the workbook in an output folder.
XLSX_NAME: Final = "tables.xlsx"
#: Leading characters spreadsheet programs may read as the start of a formula.
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limits: sheet names, cell text.
_MAX_SHEET_NAME = 31
_MAX_CELL_TEXT = 32767
_MAX_COLUMN_WIDTH = 60
_LINE_BREAK = re.compile(r"\r\n?")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a table, written as one header row then one row per record."""

    name: str
    table: pd.DataFrame


# --- the sheets of each command --------------------------------------------------------------


def _table(frame: Any, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The attribute columns (all but geometry, or those named) as a plain DataFrame."""
    names = [c for c in frame.columns if c != "geometry"] if columns is None else list(columns)
    return pd.DataFrame({name: frame[name].to_numpy() for name in names})


def _rejected(rejected: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows: where each came from, why, and the values the tool read (as written).

    Rows not analysed (reason ``type_not_analysed``) are listed too, as in rejected.csv; the
    "about" sheet counts them apart from the rejected rows.
    """
    columns = [schema.COL_SOURCE, schema.COL_ROW, schema.COL_REASON, *schema.RAW_COLUMNS]
    return _table(rejected, [c for c in columns if c in rejected.columns])


def _about(analysis: Analysis, marking: str, extra: Sequence[tuple[str, Any]] = ()) -> pd.DataFrame:
    from hotspots.definitions import analysed_types, summary_definitions

    rows: list[tuple[str, Any]] = [("protective marking", marking.upper())]
    period = analysis.period
    if period is not None:
        rows += [
            ("period", period.label),
            ("period start", datetime.date.fromisoformat(str(period.as_dict()["start"]))),
            ("period end", datetime.date.fromisoformat(str(period.as_dict()["end"]))),
        ]
    rows += list(extra)
    # Row accounting, with rows of categories not analysed counted apart from rejected rows
    # (the "rejected rows" sheet lists both, each with its reason, like rejected.csv).
    q = analysis.quality
    rows += [
        ("rows read", q.rows_read),
        ("rows analysed", q.rows_analysed),
        ("rows outside the period", q.rows_outside_period),
        (f"rows {NOT_ANALYSED}", q.rows_not_analysed),
        ("rows rejected", q.rows_rejected),
    ]
    rows += [
        (f"parameter: {k}", v)
        for k, v in analysis.params.as_dict().items()
        if not isinstance(v, (dict, list))
    ]
    rows += [(f"label: {k}", v) for k, v in analysis.types.labels.as_dict().items()]
    # The n_<type> columns by the user's labels ("n_drugs_offence": Drugs, enforcement).
    rows += [
        (f"column: n_{t}", f"{analysis.types.label_of(t)} ({role})")
        for role in schema.ROLES
        for t in analysed_types(analysis, role)
    ]
    rows += [(f"definition: {k}", v) for k, v in summary_definitions(analysis).items()]
    rows += [("input: " + name, sha) for name, sha in analysis.inputs.items()]
    rows.append(("boundaries", analysis.boundary_source))
    return pd.DataFrame({"item": [r[0] for r in rows], "value": [r[1] for r in rows]})


def map_sheets(analysis: Analysis, rejected: pd.DataFrame, *, marking: str) -> list[Sheet]:
    """The sheets of ``hotspots map``: hotspots, districts, rejected rows, about."""
    return [
        Sheet("hotspots", _table(analysis.hotspots)),
        Sheet("districts", _table(analysis.areas)),
        Sheet("rejected rows", _rejected(rejected)),
        Sheet("about", _about(analysis, marking)),
    ]


def compare_sheets(
    comparison: Comparison, current: Analysis, rejected: pd.DataFrame, *, marking: str
) -> list[Sheet]:
    """The sheets of ``hotspots compare``: current hotspots, district changes, changes, rejected."""
    from hotspots.compare import GEOJSON_COLUMNS

    extra = [
        ("compared with", comparison.previous_period.label),
        ("match_distance_m", comparison.match_distance_m),
        ("alpha", comparison.alpha),
    ]
    return [
        Sheet("hotspots", _table(current.hotspots)),
        Sheet("districts", _table(comparison.areas)),
        Sheet("changes", _table(comparison.hotspots, GEOJSON_COLUMNS)),
        Sheet("rejected rows", _rejected(rejected)),
        Sheet("about", _about(current, marking, extra)),
    ]


# --- writing ---------------------------------------------------------------------------------


def _header_text(marking: str) -> str:
    """The marking as Excel header/footer text: ``&`` starts a control code, so it is doubled."""
    return marking.upper().replace("&", "&&")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """numpy scalars as Python values; Timestamps as dates or datetimes."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)  # Excel has no time zones
    return value


def _width(values: Sequence[Any]) -> float:
    longest = max((len(str(v)) for v in values), default=0)
    return float(min(_MAX_COLUMN_WIDTH, max(8, longest + 2)))


def workbook_bytes(
    sheets: Sequence[Sheet], *, marking: str, title: str = "hotspots tables"
) -> bytes:
    """Write the sheets into one ``.xlsx`` workbook and return its bytes.

    Parameters
    ----------
    sheets
        The worksheets in order; names must be distinct and at most 31 characters.
    marking
        The protective marking, printed (in capitals) in every sheet's header and footer.
    title
        The document title property.

    Returns
    -------
    bytes
        The workbook; equal arguments give equal bytes.
    """
    import xlsxwriter

    names = [sheet.name for sheet in sheets]
    if len(set(names)) != len(names) or any(not 0 < len(n) <= _MAX_SHEET_NAME for n in names):
        raise ValueError(f"tables.xlsx: sheet names must be distinct, 1-31 characters: {names}")
    if not marking.strip():
        raise ValueError("tables.xlsx: the protective marking is empty")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        },
    )
    created = FIXED_TIME.replace(tzinfo=None)
    workbook.set_properties(
        {
            "title": title,
            "subject": marking.upper(),
            "created": created,
            "comments": marking.upper(),
        }
    )
    bold = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    quoted = workbook.add_format({"quote_prefix": True})
    header = f"&C&B{_header_text(marking)}"
    footer = f"&L&8hotspots&C&B{_header_text(marking)}&R&8Page &P of &N"
    for sheet in sheets:
        ws = workbook.add_worksheet(sheet.name)
        ws.set_header(header)
        ws.set_footer(footer)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # all columns on one page wide, as many pages tall as needed
        ws.repeat_rows(0)
        table = sheet.table
        columns = [str(c) for c in table.columns]
        for col, name in enumerate(columns):
            ws.write_string(0, col, name, bold)
            values = table[name].tolist()
            for row, raw in enumerate(values, start=1):
                _write_cell(ws, row, col, _plain(raw), date_format, datetime_format, quoted)
            ws.set_column(
                col, col, _width([name, *[v for v in values if not _is_missing(v)][:1000]])
            )
        ws.freeze_panes(1, 0)
        if columns:
            ws.autofilter(0, 0, max(len(table), 1), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()


def _write_cell(
    ws: Any, row: int, col: int, value: Any, date_format: Any, datetime_format: Any, quoted: Any
) -> None:
    """Write one value with the cell type its Python type calls for (never a formula)."""
    if _is_missing(value):
        return  # an empty cell
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            ws.write_number(row, col, value)
        else:
            ws.write_string(row, col, str(value))
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value, datetime_format)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), date_format)
    else:
        text = str(value)
        ws.write_string(
            row, col, excel_text(text), quoted if text.startswith(FORMULA_PREFIXES) else None
        )


def excel_text(text: str) -> str:
    """Text as Excel stores it, so that it shows exactly as written.

    Line breaks become ``\\n`` (as in the CSV outputs: a bare carriage return shows as nothing
    useful in a cell). Text beyond Excel's 32,767 characters per cell is cut. (XlsxWriter
    stores control characters as ``_xHHHH_`` and escapes a literal ``_xHHHH_`` as
    ``_x005F_xHHHH_``, which is how Excel reads them back.)
    """
    return _LINE_BREAK.sub("\n", text)[:_MAX_CELL_TEXT]
