"""Read event files into one raw table of text values.

Readers do not judge values: every cell stays the text the file holds, so that
validation can reject a row with its original values and a reason. Readers only fail
for problems with a whole file: it cannot be read, it is not the format its name says,
or a required column is missing.

The raw table has the columns :data:`hotspots.schema.RAW_COLUMNS` plus
``source_file``, ``source_row`` (1-based data row within the file, header excluded)
and ``geometry_kind`` (spatial files only; ``""`` for CSV).

CSV files
---------
* Encoding: a UTF-16 byte-order mark settles it; otherwise UTF-8 (with or without a
  byte-order mark) is tried, then cp1252 (Excel on Windows), then latin-1, and a note
  says which was used. ``encoding`` overrides the guess.
* Delimiter: the one of comma, semicolon, tab and pipe that splits the header into the
  most fields (comma on a tie), unless ``delimiter`` is given.
* The header is the first line that is not blank; blank lines (empty or only spaces)
  are not rows. Quoted values may hold delimiters, line breaks and doubled quotes;
  ``source_row`` counts data rows, not lines.
* A row with fewer values than the header is kept (the missing values are empty); a
  delimiter after the last value is ignored; a row with more values than the header
  stops the read with its row number (a value probably holds an unquoted delimiter).
* The columns are found from the header before the body is read (a missing one fails
  at once); only they are kept. A regular UTF-8 file (every row as wide as the header)
  is read once, whole, and parsed by pyarrow while its SHA-256 is computed; any other
  file by pandas' C parser, which hashes it on the way and whose messages name the
  faulty row. Both give the same table (see :func:`_read_table_arrow`).
"""

from __future__ import annotations

import codecs
import collections
import csv
import hashlib
import io
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import InputError, NoDataError
from hotspots.params import ColumnNames
from hotspots.sniff import SPREADSHEET_SUFFIXES, check_events_file, spreadsheet_message

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
#: Delimiters the header is sniffed for (comma wins a tie); a pipe is what some record systems export.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: The bundled config for data.police.uk street-level CSVs.
POLICEUK_CONFIG = Path(__file__).resolve().parent / "configs" / "policeuk-street.toml"
#: Encodings tried in order when the user does not name one. UTF-8 (with or without a
#: byte-order mark) is what modern tools write; cp1252 is what Excel on Windows writes.
DEFAULT_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class ReadResult:
    """One file's raw rows and what was learned reading it."""

    raw: pd.DataFrame
    sha256: str
    encoding: str
    delimiter: str
    notes: tuple[str, ...]
    #: The headers read as x and y (longitude/latitude, easting/northing); "" for a geometry.
    coordinate_headers: tuple[str, str] = ("", "")


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_events(
    path: Path,
    columns: ColumnNames,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    layer: str | None = None,
) -> ReadResult:
    """Read one events file (CSV, GeoJSON, GeoPackage or GeoParquet) as raw text.

    ``layer`` names the layer of a multi-layer GeoPackage (one with several layers and no
    ``layer`` is refused, naming them).

    Raises
    ------
    InputError
        The file is missing, unreadable, malformed or lacks a required column.
    NoDataError
        The file is empty (no header at all).
    """
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give the events file(s) inside it")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        raise InputError(spreadsheet_message(path))
    check_events_file(path, encoding, text=suffix in CSV_SUFFIXES)
    if suffix in SPATIAL_SUFFIXES or suffix in PARQUET_SUFFIXES:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        table, crs = _read_spatial(path, suffix, layer)
        if len(table) == 0:
            raise NoDataError(f"{path}: no features (an empty layer or FeatureCollection)")
        raw, notes, headers = _raw_from_spatial(path, table, crs, columns)
        return ReadResult(raw, sha, "", "", notes, headers)
    if suffix not in CSV_SUFFIXES:
        raise InputError(
            f"{path}: unknown file type {suffix or '(none)'!r}; expected "
            f"{', '.join(CSV_SUFFIXES + SPATIAL_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    return _read_csv(path, columns, encoding, delimiter)


# --- CSV ------------------------------------------------------------------------------------

#: Byte-order marks that settle the encoding (Excel's "Unicode text" is UTF-16 with a BOM).
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_FIELD_COUNT_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED_QUOTE_ERROR = re.compile(r"EOF inside string starting at row (\d+)")


class _HashingFile(io.RawIOBase):
    """A binary file that feeds every byte read through SHA-256 (one pass: parse and hash)."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with this object
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._file.readinto(buffer)
        if n:
            self.digest.update(memoryview(buffer)[:n])
        return n or 0

    def close(self) -> None:
        self._file.close()
        super().close()

    def finish(self) -> str:
        """Hash whatever the parser left unread and return the hex digest."""
        while self.readinto(bytearray(1 << 20)):
            pass
        return self.digest.hexdigest()


def _read_csv(path: Path, columns: ColumnNames, encoding: str | None, delimiter: str | None) -> ReadResult:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not head:
        raise NoDataError(f"{path}: the file is empty (0 bytes: no header row and no data rows)")
    if encoding:
        try:
            io.TextIOWrapper(io.BytesIO(), encoding=encoding)  # LookupError for "klingon", "base64"
        except (LookupError, ValueError):  # ValueError: a NUL character in the name
            raise InputError(
                f"{path}: unknown encoding {encoding!r} given with --encoding; try utf-8, cp1252 or latin-1"
            ) from None
        if codecs.lookup(encoding).name == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"  # the mark is not part of the first column's name
        encodings: tuple[str, ...] = (encoding,)
    elif head.startswith(_UTF16_BOMS):
        encodings = ("utf-16",)
    else:
        encodings = DEFAULT_ENCODINGS
    last_error: Exception | None = None
    for candidate in encodings:
        try:
            result = _parse_csv(path, columns, candidate, delimiter)
        except UnicodeError as exc:
            last_error = exc
            continue
        if candidate != encodings[0]:
            result = replace(result, notes=(f"{path.name}: not UTF-8; read as {candidate}", *result.notes))
        return result
    raise InputError(
        f"{path}: cannot decode the file as {', '.join(encodings)} ({_short(last_error)}); "
        "give its encoding with --encoding (e.g. --encoding cp1252)"
    )


def _parse_csv(path: Path, columns: ColumnNames, encoding: str, delimiter: str | None) -> ReadResult:
    header_line = _first_line(path, encoding)
    if header_line is None:
        raise NoDataError(f"{path}: the file has no header row and no data rows (only blank lines)")
    sep = delimiter or _sniff_delimiter(header_line)
    header = _header_fields(path, encoding, sep)
    width = max(1, len(header))
    names = _unique_names(header)
    # The columns are found from the header alone: a missing one fails before the body is read.
    found = _resolve(path, names, columns, geometry_crs=None)
    wanted = [names.index(h) for h in found.headers()]
    # pyarrow's reader is several times faster than pandas' and gives the same table for a
    # regular UTF-8 file; for anything else it declines and pandas' reader (and its messages) decide.
    read = _read_table_arrow(path, encoding, sep, header, wanted)
    if read is None:
        read = _read_table_pandas(path, encoding, sep, width, wanted)
    body, sha = read
    body.columns = [names[i] for i in wanted]
    counts = collections.Counter(header)
    raw, notes = _raw_from_table(path, body, found, geometry=None, repeated=counts)
    return ReadResult(raw, sha, encoding, sep, notes, (found.x, found.y))


def _read_table_pandas(
    path: Path, encoding: str, sep: str, width: int, wanted: list[int]
) -> tuple[pd.DataFrame, str]:
    """The ``wanted`` columns of the data rows as text, and the file's SHA-256."""
    source = _HashingFile(path)
    try:
        with io.BufferedReader(source, 1 << 20) as stream:
            # header=None with one spare column: the header is parsed like any row, and a row with
            # one field more than the header (a trailing delimiter) is read, not misaligned.
            # Every column is parsed (usecols would silently drop the extra values of long rows).
            table = pd.read_csv(
                stream,
                sep=sep,
                header=None,
                names=list(range(width + 1)),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=encoding,
                engine="c",
                skip_blank_lines=True,
            )
            sha = source.finish()
    except pd.errors.EmptyDataError:
        raise NoDataError(f"{path}: the file has no header row and no data rows") from None
    except pd.errors.ParserError as exc:
        raise _parser_error(path, exc, width, sep) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    spare = (table[width] != "").to_numpy()
    if spare[1:].any():
        raise InputError(
            f"{path}: data row {int(np.argmax(spare[1:])) + 1} has more fields than the header ({width}); "
            "a value probably holds an unquoted delimiter: put that value in double quotes, or give "
            "the right delimiter with --delimiter ',' ';' or 'tab'"
        )
    return table.iloc[1:, wanted].reset_index(drop=True), sha


#: Block size for pyarrow's parallel parse of a file without quotes (pyarrow's default).
_BLOCK_BYTES = 1 << 20


def _read_table_arrow(
    path: Path, encoding: str, sep: str, header: list[str], wanted: list[int]
) -> tuple[pd.DataFrame, str] | None:
    """What :func:`_read_table_pandas` returns, read by pyarrow; None where the two could differ.

    pyarrow takes only a UTF-8 file whose every row has as many fields as the header (a
    row with more or fewer values, a trailing delimiter, a line of spaces, bytes that
    are not UTF-8 all make it decline), and on such a file it splits fields, quotes and
    line breaks as pandas' C parser does, with three exceptions handled here:

    * pyarrow ends a quoted value left open at the end of the file where pandas refuses
      the file: a line of empty values is appended after the file's last byte; it is
      read as a row of its own unless a value swallowed it.
    * pandas drops the delimiter after a blank line ended by a lone carriage return (the
      next row loses its first value): a file holding a carriage return and a delimiter
      in a row is left to pandas.
    * pyarrow can lose a line break inside a quoted value that straddles two of its
      blocks: a file holding a double quote is parsed as one block. A file without one
      (most machine-written files) is parsed in blocks of :data:`_BLOCK_BYTES` on every
      core, about 1.6 times as fast.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = len(header)
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig") or sep not in DELIMITERS or width < 2:
        return None
    tail = ("\n" + sep * (width - 1) + "\n").encode()
    try:
        size = path.stat().st_size
        if size + len(tail) > 2**31 - 1:  # pyarrow's block size is an int32
            return None
        data = bytearray(size + len(tail))
        with open(path, "rb") as handle:
            if handle.readinto(memoryview(data)[:size]) != size or handle.read(1):
                return None  # the file changed size while it was read
    except OSError:
        return None
    data[size:] = tail
    # Looking for the lone byte first is memchr-fast; most files hold no carriage return.
    if data.find(b"\r", 0, size) >= 0 and data.find(("\r" + sep).encode(), 0, size) >= 0:
        return None
    quoted = data.find(b'"', 0, size) >= 0
    names = [f"f{i}" for i in range(width)]  # named: the header is read as a row, as pandas does
    with ThreadPoolExecutor(1) as pool:  # hashing runs while pyarrow parses (both free the GIL)
        digest = pool.submit(lambda: hashlib.sha256(memoryview(data)[:size]).hexdigest())
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(data)),
                read_options=pacsv.ReadOptions(
                    column_names=names, block_size=len(data) if quoted else _BLOCK_BYTES
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=sep, newlines_in_values=quoted, ignore_empty_lines=True
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowException:
            return None
        sha = digest.result()
    n = table.num_rows
    if n < 2 or table.slice(0, 1).to_pylist()[0] != dict(zip(names, header, strict=True)):
        return None
    if any(value for value in table.slice(n - 1).to_pylist()[0].values()):
        return None  # the appended row was swallowed: a quote is never closed
    body = table.slice(1, n - 2)
    return pd.DataFrame({k: body.column(i).to_pandas() for k, i in enumerate(wanted)}), sha


def _first_line(path: Path, encoding: str) -> str | None:
    """The first line holding more than spaces (the header), or None."""
    with open(path, encoding=encoding, newline="") as handle:
        for line in handle:
            if line.strip(" \t\r\n"):
                return line
    return None


def _header_fields(path: Path, encoding: str, sep: str) -> list[str]:
    """The header's fields as the csv module reads them (a quoted header may span lines)."""
    with open(path, encoding=encoding, newline="") as handle:
        try:
            for record in csv.reader(handle, delimiter=sep):
                if any(field.strip(" \t") for field in record) or len(record) > 1:
                    return record
        except csv.Error as exc:
            raise InputError(f"{path}: cannot read the header row ({_short(exc)})") from None
    return []


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most fields (comma on a tie)."""
    best, best_count = ",", 0
    for candidate in DELIMITERS:
        try:
            fields = next(csv.reader(io.StringIO(header_line), delimiter=candidate), [])
        except csv.Error:
            continue
        if len(fields) > best_count:
            best, best_count = candidate, len(fields)
    return best


def _parser_error(path: Path, exc: Exception, width: int, sep: str) -> InputError:
    """A message naming the data row (header excluded) and the fix."""
    name = DELIMITERS.get(sep, repr(sep))
    if m := _FIELD_COUNT_ERROR.search(str(exc)):  # "line" counts records from 1 at the header
        row, seen = int(m[2]) - 1, int(m[3])
        return InputError(
            f"{path}: data row {row} has {seen} fields but the header has {width} ({name}-separated); "
            "a value probably holds an unquoted delimiter: put that value in double quotes, "
            "or give the right delimiter with --delimiter ',' ';' or 'tab'"
        )
    if m := _UNCLOSED_QUOTE_ERROR.search(str(exc)):  # "row" counts from 0 at the header
        return InputError(
            f"{path}: a double quote opened in data row {max(int(m[1]), 1)} is never closed; "
            'close it, and write a double quote inside a quoted value as two ("")'
        )
    return InputError(
        f"{path}: cannot split the file into columns ({_short(exc)}); check the delimiter "
        "(--delimiter ',' ';' or 'tab') and that quoted fields are closed"
    )


def _unique_names(names: list[str]) -> list[str]:
    """Header names with repeats made unique as pandas does: ``date``, ``date.1``, ..."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _short(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- spatial files --------------------------------------------------------------------------


def _layer_of(path: Path, layer: str | None) -> str | None:
    """The layer to read: ``layer`` if the file holds it; refuse a multi-layer file without one."""
    import pyogrio

    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(path)]
    except Exception:  # noqa: BLE001 - unreadable: read_file says so with its own message
        return layer
    if layer is not None:
        if layer not in layers:
            raise InputError(
                f"{path}: no layer {layer!r}; its layers are {', '.join(repr(n) for n in layers)}"
            )
        return layer
    if len(layers) > 1:
        raise InputError(
            f"{path}: holds {len(layers)} layers ({', '.join(repr(n) for n in layers)}); "
            "name the one with the events with --layer NAME"
        )
    return None


def _read_spatial(path: Path, suffix: str, layer: str | None = None) -> tuple[pd.DataFrame, str]:
    import geopandas as gpd

    try:
        if suffix in PARQUET_SUFFIXES:
            try:
                frame = gpd.read_parquet(path)
            except ValueError:  # plain Parquet without geometry metadata: a table
                frame = pd.read_parquet(path)
        else:
            chosen = _layer_of(path, layer)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pyogrio's "more than one layer" and the like
                frame = gpd.read_file(path, layer=chosen) if chosen else gpd.read_file(path)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyogrio and pyarrow raise many types; all mean "unreadable"
        raise InputError(f"{path}: cannot read it as {suffix[1:]} ({_short(exc)})") from None
    crs = ""
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        # "EPSG:4326" whatever the file called it (OGC:CRS84, a WKT), so GB range checks apply.
        epsg = frame.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else frame.crs.to_string()
    return frame, crs


def _raw_from_spatial(
    path: Path, frame: pd.DataFrame, crs: str, columns: ColumnNames
) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, str]]:
    """The raw frame of ``frame``, notes, and the x and y headers ("" for a geometry)."""
    import geopandas as gpd

    geometry = None
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geometry = frame.geometry.reset_index(drop=True)
        frame = pd.DataFrame(frame.drop(columns=[frame.geometry.name]))
    names = [str(h) for h in frame.columns]
    headers = _unique_names(names)
    found = _resolve(path, headers, columns, geometry_crs=None if geometry is None else crs)
    table = _as_text(frame.set_axis(headers, axis=1)[found.headers()])
    raw, notes = _raw_from_table(path, table, found, geometry, repeated=collections.Counter(names))
    return raw, notes, (found.x, found.y)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text: dates as ISO, numbers as ``str`` writes them, missing as ''.

    A float column whose values are all whole numbers (an integer id with gaps, which
    pandas holds as float) is written without ``.0``.
    """
    out = {}
    for index, name in enumerate(frame.columns):
        column = frame.iloc[:, index]
        if pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S").str.replace("T00:00:00", "", regex=False)
            text = text.where(column.notna(), "")
        elif pd.api.types.is_float_dtype(column) and _whole_numbers(column.to_numpy(dtype=float)):
            text = column.astype("Int64").astype(object).where(column.notna(), "").astype(str)
        else:
            missing = column.isna().to_numpy()
            text = column.astype(object).where(~missing, "").astype(str)
        out[str(name)] = text.fillna("").astype(str)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _whole_numbers(values: np.ndarray) -> bool:
    """Every value is NaN or a whole number that an int64 holds exactly (no infinity)."""
    finite = values[~np.isnan(values)]
    return bool(len(finite)) and bool(np.all((finite == np.round(finite)) & (np.abs(finite) < 2**53)))


# --- column resolution ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """The headers holding each field; ``x``/``y`` empty when a geometry gives the points."""

    id: str
    type: str
    date: str
    x: str
    y: str
    crs: str
    time: str = ""  # optional columns: "" when the file has none
    date_from: str = ""
    date_to: str = ""

    def headers(self) -> list[str]:
        fields = (self.id, self.type, self.date, self.x, self.y, self.time, self.date_from, self.date_to)
        return list(dict.fromkeys(h for h in fields if h))


def _find(headers: list[str], wanted: str, *, synonyms: bool) -> str | None:
    """The header matching ``wanted`` exactly, else case-insensitively, else by synonym."""
    if wanted in headers:
        return wanted
    folded = {h.strip().casefold(): h for h in reversed(headers)}
    if wanted.strip().casefold() in folded:
        return folded[wanted.strip().casefold()]
    if synonyms:
        canonical = schema.COLUMN_SYNONYMS.get(wanted.casefold(), wanted)
        for header in headers:
            if schema.COLUMN_SYNONYMS.get(header.strip().casefold()) == canonical:
                return header
    return None


def _missing_column(path: Path, field: str, headers: list[str], fix: str) -> InputError:
    shown = [repr(h) for h in headers[:30]]
    if len(headers) > 30:
        shown.append(f"… ({len(headers) - 30} more)")
    found = ", ".join(shown) or "(none)"
    if len(headers) == 1 and any(d in headers[0] for d in DELIMITERS):
        fix += "; the header was read as one column: give the delimiter with --delimiter ',' ';' or 'tab'"
    if {"crime type", "month"} <= {h.strip().casefold() for h in headers}:
        fix += f"; this looks like a data.police.uk street file: pass --config {POLICEUK_CONFIG}"
    return InputError(f"{path}: no {field} column. Columns found: {found}. Fix: {fix}")


def _resolve(path: Path, headers: list[str], columns: ColumnNames, *, geometry_crs: str | None) -> _Columns:
    """Find every field's header; ``geometry_crs`` is None when the file has no geometry.

    Raises
    ------
    InputError
        A field has no column (the message lists the columns found and the fix).
    """
    picked: dict[str, str] = {}
    # Optional time columns: used when present; named in a config, they must be there.
    for name in ("time", "date_from", "date_to"):
        wanted = getattr(columns, name)
        header = _find(headers, wanted, synonyms=False)
        if header is None and name in columns.renamed:
            raise _missing_column(
                path, f"{name!r} (config names it {wanted!r})", headers,
                f"correct [columns] {name} in the config, or remove it",
            )
        picked[name] = header or ""
    if bool(picked["date_from"]) != bool(picked["date_to"]):
        have, lack = ("date_from", "date_to") if picked["date_from"] else ("date_to", "date_from")
        raise _missing_column(
            path, f"{lack!r} column to go with {have!r}", headers,
            f"a window needs both ends: add a {lack!r} column (or name it in [columns])",
        )
    windowed = bool(picked["date_from"])
    for name in ("id", "type", "date"):
        wanted = getattr(columns, name)
        header = _find(headers, wanted, synonyms=name not in columns.renamed)
        if header is None and name == "date" and windowed and name not in columns.renamed:
            picked[name] = ""  # every row's date may come from its date_from/date_to window
            continue
        if header is None:
            raise _missing_column(
                path,
                f"{name!r}" + (f" (config names it {wanted!r})" if name in columns.renamed else ""),
                headers,
                f"rename your column to {name!r}, or name it in a --config file: "
                f'[columns] {name} = "Your header"',
            )
        picked[name] = header
    pairs: list[tuple[str, str, str]] = []  # (x field, y field, crs)
    if columns.x is not None and columns.y is not None:
        pairs.append((columns.x, columns.y, str(columns.crs)))
    pairs.append((columns.lon, columns.lat, schema.CRS_WEB))
    pairs.append((columns.easting, columns.northing, schema.CRS_METRIC))
    if columns.crs and columns.x is None:
        pairs.insert(0, ("x", "y", columns.crs))
    synonyms = not ({"x", "y", "lat", "lon", "easting", "northing"} & columns.renamed)
    for x_field, y_field, crs in pairs:
        x_header = _find(headers, x_field, synonyms=synonyms)
        y_header = _find(headers, y_field, synonyms=synonyms)
        if x_header and y_header:
            return _Columns(picked["id"], picked["type"], picked["date"], x_header, y_header, crs,
                            picked["time"], picked["date_from"], picked["date_to"])
    if geometry_crs is not None:
        if not geometry_crs:
            raise InputError(
                f"{path}: the geometry has no coordinate reference system; "
                "save the file with its CRS (e.g. EPSG:27700 or EPSG:4326)"
            )
        return _Columns(picked["id"], picked["type"], picked["date"], "", "", geometry_crs,
                        picked["time"], picked["date_from"], picked["date_to"])
    fix = "name them lat/lon (WGS84) or easting/northing (EPSG:27700)"
    if {"x", "y"} <= {h.strip().casefold() for h in headers}:
        fix = "your file has x/y columns: say their CRS with --crs (e.g. --crs EPSG:27700)"
    raise _missing_column(
        path, "coordinate", headers, fix + ', or map them in a --config file: [columns] lat = "Your header"'
    )


def _raw_from_table(
    path: Path,
    table: pd.DataFrame,
    found: _Columns,
    geometry: object | None,
    repeated: Mapping[str, int] | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The raw frame of ``table`` and notes; ``repeated`` counts each header in the file."""
    # Series, not numpy arrays: the file's text columns are kept as they are (no copy into
    # millions of Python strings).
    table = table.reset_index(drop=True)
    n = len(table)
    raw = pd.DataFrame(
        {
            schema.COL_SOURCE: pd.Series(path.name, index=range(n), dtype=object),
            schema.COL_ROW: np.arange(1, n + 1, dtype=np.int64),
            schema.COL_ID: table[found.id],
            schema.COL_TYPE: table[found.type],
            schema.COL_DATE: table[found.date] if found.date else pd.Series("", index=range(n), dtype=object),
        }
    )
    if found.x:
        raw[schema.COL_X_RAW] = table[found.x]
        raw[schema.COL_Y_RAW] = table[found.y]
        raw[schema.COL_GEOM_KIND] = ""
    else:
        x, y, kind = _geometry_text(geometry)
        raw[schema.COL_X_RAW] = x
        raw[schema.COL_Y_RAW] = y
        raw[schema.COL_GEOM_KIND] = kind
    raw[schema.COL_CRS] = found.crs
    optional = [(schema.COL_TIME, found.time), (schema.COL_DATE_FROM, found.date_from), (schema.COL_DATE_TO, found.date_to)]
    for column, header in optional:
        if header:
            raw[column] = table[header]
    raw = raw[[schema.COL_SOURCE, schema.COL_ROW, schema.COL_ID, schema.COL_TYPE, schema.COL_DATE,
               schema.COL_X_RAW, schema.COL_Y_RAW, schema.COL_CRS, schema.COL_GEOM_KIND,
               *(column for column, header in optional if header)]]
    notes = tuple(
        f"{path.name}: column {h!r} appears {repeated[h]} times; the first is used"
        for h in found.headers()
        if repeated and repeated.get(h, 1) > 1
    )
    return raw, notes


_GEOMETRY_NAMES = np.array(
    ["point", "linestring", "linearring", "polygon", "multipoint", "multilinestring", "multipolygon",
     "geometrycollection"],
    dtype=object,
)


def _geometry_text(series: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point coordinates as text ('' for other geometries) and each row's geometry kind.

    Null and empty geometries are ``"empty"`` (rejected as missing coordinates); a MultiPoint
    of one point is that point; any other geometry type is named (rejected as not a point).
    """
    import shapely

    geoms = np.asarray(series, dtype=object)
    kinds = shapely.get_type_id(geoms)
    # QGIS and shapefile exports store points as one-part MultiPoints: those are points.
    single = (kinds == 4) & (shapely.get_num_geometries(geoms) == 1)
    if single.any():
        geoms = geoms.copy()
        geoms[single] = shapely.get_geometry(geoms[single], 0)
        kinds = shapely.get_type_id(geoms)
    empty = (kinds < 0) | shapely.is_empty(geoms)
    is_point = (kinds == 0) & ~empty
    kind = np.where(empty, "empty", _GEOMETRY_NAMES[np.clip(kinds, 0, 7)]).astype(object)
    x = np.full(len(geoms), "", dtype=object)
    y = np.full(len(geoms), "", dtype=object)
    coords = shapely.get_coordinates(geoms[is_point])
    # numpy's str of a float64 is its shortest round-trip repr, as Python's repr is.
    x[is_point] = coords[:, 0].astype(str)
    y[is_point] = coords[:, 1].astype(str)
    return x, y, kind
