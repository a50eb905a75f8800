"""Read event files into one raw table of text values.

Readers do not judge values: every cell stays the text the file holds, so that
validation can reject a row with its original values and a reason. Readers only fail
for problems with a whole file: it cannot be read, it is not the format its name says,
or a required column is missing.

The raw table has the columns :data:`hotspots.schema.RAW_COLUMNS` plus
``source_file``, ``source_row`` (1-based data row within the file, header excluded)
and ``geometry_kind`` (spatial files only; ``""`` for CSV).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import InputError, NoDataError
from hotspots.params import ColumnNames

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
SPATIAL_SUFFIXES = (".geojson", ".json", ".gpkg")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
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
) -> ReadResult:
    """Read one events file (CSV, GeoJSON, GeoPackage or GeoParquet) as raw text.

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
    sha = file_sha256(path)
    if suffix in SPATIAL_SUFFIXES or suffix in PARQUET_SUFFIXES:
        table, crs = _read_spatial(path, suffix)
        raw = _raw_from_spatial(path, table, crs, columns)
        return ReadResult(raw, sha, "", "", ())
    if suffix not in CSV_SUFFIXES:
        raise InputError(
            f"{path}: unknown file type {suffix or '(none)'!r}; expected "
            f"{', '.join(CSV_SUFFIXES + SPATIAL_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    table, used_encoding, used_delimiter, notes = _read_csv(path, encoding, delimiter)
    raw = _raw_from_table(path, table, columns, geometry=None)
    return ReadResult(raw, sha, used_encoding, used_delimiter, notes)


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(
    path: Path, encoding: str | None, delimiter: str | None
) -> tuple[pd.DataFrame, str, str, tuple[str, ...]]:
    if path.stat().st_size == 0:
        raise NoDataError(f"{path}: the file is empty (no header row, no data)")
    notes: list[str] = []
    encodings = (encoding,) if encoding else DEFAULT_ENCODINGS
    last_error: Exception | None = None
    for candidate in encodings:
        try:
            header_line = _first_line(path, candidate)
            sep = delimiter or _sniff_delimiter(header_line)
            table = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=candidate,
                engine="c",
                skip_blank_lines=True,
            )
        except UnicodeDecodeError as exc:
            last_error = exc
            continue
        except LookupError:
            raise InputError(f"{path}: unknown encoding {candidate!r}; try utf-8 or cp1252") from None
        except pd.errors.EmptyDataError:
            raise NoDataError(f"{path}: the file has no header row and no data") from None
        except pd.errors.ParserError as exc:
            raise InputError(
                f"{path}: cannot split the file into columns ({_short(exc)}); check the delimiter "
                "(--delimiter ',' ';' or 'tab') and that quoted fields are closed"
            ) from None
        if encoding is None and candidate != encodings[0]:
            notes.append(f"{path.name}: not UTF-8; read as {candidate}")
        return table.fillna(""), candidate, sep, tuple(notes)
    raise InputError(
        f"{path}: cannot decode the file with {', '.join(encodings)} ({_short(last_error)}); "
        "give the encoding with --encoding"
    )


def _first_line(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as handle:
        return handle.readline()


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most fields (comma on a tie)."""
    best, best_count = ",", 0
    for candidate in DELIMITERS:
        fields = next(csv.reader(io.StringIO(header_line), delimiter=candidate), [])
        if len(fields) > best_count:
            best, best_count = candidate, len(fields)
    return best


def _short(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- spatial files --------------------------------------------------------------------------


def _read_spatial(path: Path, suffix: str) -> tuple[pd.DataFrame, str]:
    import geopandas as gpd

    try:
        if suffix in PARQUET_SUFFIXES:
            try:
                frame = gpd.read_parquet(path)
            except ValueError:  # plain Parquet without geometry metadata: a table
                frame = pd.read_parquet(path)
        else:
            frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio and pyarrow raise many types; all mean "unreadable"
        raise InputError(f"{path}: cannot read it as {suffix[1:]} ({_short(exc)})") from None
    crs = ""
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        crs = frame.crs.to_string()
    return frame, crs


def _raw_from_spatial(path: Path, frame: pd.DataFrame, crs: str, columns: ColumnNames) -> pd.DataFrame:
    import geopandas as gpd

    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        geometry = frame.geometry
        attributes = pd.DataFrame(frame.drop(columns=[geometry.name]))
        return _raw_from_table(path, _as_text(attributes), columns, geometry=(geometry, crs))
    return _raw_from_table(path, _as_text(frame), columns, geometry=None)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text: dates as ISO, numbers as written by repr, missing as ''."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            text = column.dt.strftime("%Y-%m-%dT%H:%M:%S").str.replace("T00:00:00", "", regex=False)
        else:
            text = column.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        out[str(name)] = text.fillna("").astype(str)
    return pd.DataFrame(out, index=frame.index)


# --- column resolution ------------------------------------------------------------------------


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
    found = ", ".join(repr(h) for h in headers) or "(none)"
    return InputError(f"{path}: no {field} column. Columns found: {found}. Fix: {fix}")


def _raw_from_table(
    path: Path,
    table: pd.DataFrame,
    columns: ColumnNames,
    geometry: tuple[object, str] | None,
) -> pd.DataFrame:
    headers = [str(h) for h in table.columns]
    picked: dict[str, str] = {}
    for name in ("id", "type", "date"):
        wanted = getattr(columns, name)
        header = _find(headers, wanted, synonyms=name not in columns.renamed)
        if header is None:
            raise _missing_column(
                path,
                f"{name!r}" + (f" (config names it {wanted!r})" if name in columns.renamed else ""),
                headers,
                f"rename your column to {name!r}, or name it in a --config file: "
                f'[columns] {name} = "Your header"',
            )
        picked[name] = header

    n = len(table)
    raw = pd.DataFrame(
        {
            schema.COL_SOURCE: path.name,
            schema.COL_ROW: np.arange(1, n + 1, dtype=np.int64),
            schema.COL_ID: table[picked["id"]].to_numpy(),
            schema.COL_TYPE: table[picked["type"]].to_numpy(),
            schema.COL_DATE: table[picked["date"]].to_numpy(),
        }
    )
    x, y, crs, kind = _coordinates(path, table, headers, columns, geometry)
    raw[schema.COL_X_RAW] = x
    raw[schema.COL_Y_RAW] = y
    raw[schema.COL_CRS] = crs
    raw[schema.COL_GEOM_KIND] = kind
    return raw


def _coordinates(
    path: Path,
    table: pd.DataFrame,
    headers: list[str],
    columns: ColumnNames,
    geometry: tuple[object, str] | None,
) -> tuple[np.ndarray, np.ndarray, str, np.ndarray | str]:
    """x (longitude/easting), y (latitude/northing) as text, their CRS and geometry kind."""
    pairs: list[tuple[str, str, str, str]] = []  # (x field, y field, crs, description)
    if columns.x is not None and columns.y is not None:
        pairs.append((columns.x, columns.y, str(columns.crs), "x/y"))
    pairs.append((columns.lon, columns.lat, schema.CRS_WEB, "lat/lon"))
    pairs.append((columns.easting, columns.northing, schema.CRS_METRIC, "easting/northing"))
    if columns.crs and columns.x is None:
        pairs.insert(0, ("x", "y", columns.crs, "x/y"))
    for x_field, y_field, crs, _ in pairs:
        synonyms = not ({"x", "y", "lat", "lon", "easting", "northing"} & columns.renamed)
        x_header = _find(headers, x_field, synonyms=synonyms)
        y_header = _find(headers, y_field, synonyms=synonyms)
        if x_header and y_header:
            return table[x_header].to_numpy(), table[y_header].to_numpy(), crs, ""
    if geometry is not None:
        series, crs = geometry
        if not crs:
            raise InputError(
                f"{path}: the geometry has no coordinate reference system; "
                "save the file with its CRS (e.g. EPSG:27700 or EPSG:4326)"
            )
        return _geometry_text(series, crs)
    fix = "name them lat/lon (WGS84) or easting/northing (EPSG:27700)"
    if {"x", "y"} <= {h.strip().casefold() for h in headers}:
        fix = "your file has x/y columns: say their CRS with --crs (e.g. --crs EPSG:27700)"
    raise _missing_column(
        path, "coordinate", headers, fix + ', or map them in a --config file: [columns] lat = "Your header"'
    )


def _geometry_text(series: object, crs: str) -> tuple[np.ndarray, np.ndarray, str, np.ndarray]:
    import shapely

    geoms = np.asarray(series, dtype=object)
    kinds = shapely.get_type_id(geoms)
    is_point = (kinds == 0) & ~shapely.is_empty(geoms)
    names = np.array(
        ["point", "linestring", "linearring", "polygon", "multipoint", "multilinestring",
         "multipolygon", "geometrycollection"],
        dtype=object,
    )
    kind = np.where(kinds < 0, "empty", names[np.clip(kinds, 0, 7)])
    kind = np.where(shapely.is_empty(geoms) & (kinds >= 0), "empty", kind)
    x = np.full(len(geoms), "", dtype=object)
    y = np.full(len(geoms), "", dtype=object)
    coords = shapely.get_coordinates(geoms[is_point])
    x[is_point] = [repr(float(v)) for v in coords[:, 0]]
    y[is_point] = [repr(float(v)) for v in coords[:, 1]]
    return x, y, crs, kind
