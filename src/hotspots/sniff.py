"""Recognise files that are not what their name says, before they are parsed as CSV.

A file named ``.csv`` may be gzip-compressed, an Excel workbook, UTF-16 text without a
byte-order mark, a binary file, or start with Excel's ``sep=;`` line; an events "file" may be
a pipe (``<(...)`` process substitution, a FIFO) that can be read only once, while hotspots
reads a file more than once (hashing, re-reading with another encoding). Parsed as CSV these
give "no 'id' column" with a header of mojibake, or hang. `check_events_file` names the real
problem instead (`InputError`, exit 2).
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path
from typing import Final

from hotspots.errors import InputError

__all__ = ["SPREADSHEET_SUFFIXES", "check_events_file", "spreadsheet_message"]

#: Spreadsheet formats people send instead of CSV.
SPREADSHEET_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".ods")
_SAVE_AS_CSV: Final = "save the sheet as CSV (Excel: File > Save As > CSV UTF-8) and pass that"
_HEAD_BYTES: Final = 4096


def spreadsheet_message(path: Path) -> str:
    """The message for a spreadsheet passed as events."""
    return f"{path}: is a spreadsheet ({path.suffix}), not a CSV file; {_SAVE_AS_CSV}"


def check_events_file(path: Path, encoding: str | None = None, *, text: bool = True) -> None:
    """Refuse a pipe, or a file named like CSV that holds something else.

    Parameters
    ----------
    path
        The events file (it exists).
    encoding
        The encoding the user gave (``--encoding``); UTF-16 without a byte-order mark is then
        theirs to name and is not refused.
    text
        Whether the file should be text (CSV); for spatial formats only pipes are refused.

    Raises
    ------
    InputError
        Naming the problem and the fix.
    """
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a pipe (a FIFO or <(...) process substitution)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise InputError(
            f"{path}: is {kind}, which can be read only once; hotspots reads a file more than "
            "once (to hash it and to check its encoding): save it to a file and pass that"
        )
    if not text:
        return
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if head.startswith(b"\x1f\x8b"):
        raise InputError(f"{path}: is gzip-compressed; unzip it first (gunzip, or 7-Zip on Windows)")
    if head.startswith(b"PK\x03\x04"):
        raise InputError(f"{path}: is a zip archive (an Excel .xlsx workbook or a zipped file); {_SAVE_AS_CSV}")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{path}: is an old Excel .xls workbook; {_SAVE_AS_CSV}")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or encoding:
        return
    if b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(odd) // 2 or even.count(0) > len(even) // 2:
            order = "utf-16-le" if odd.count(0) > even.count(0) else "utf-16-be"
            raise InputError(
                f"{path}: is UTF-16 text without a byte-order mark; pass --encoding {order}, or "
                "save it as CSV UTF-8"
            )
        raise InputError(f"{path}: is a binary file, not text; export the data as CSV")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > max(8, len(head) // 20):
        raise InputError(f"{path}: is a binary file, not text; export the data as CSV")
    first = head.lstrip(codecs.BOM_UTF8).split(b"\n", 1)[0].strip().lower()
    if first.startswith(b"sep=") and len(first) <= 6:
        raise InputError(
            f"{path}: the first line {first.decode('ascii', 'replace')!r} is Excel's delimiter hint, "
            "not a header; delete that line (the delimiter is recognised by itself, or give "
            "--delimiter)"
        )
