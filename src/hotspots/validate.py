"""Validate raw rows: parse types, dates and coordinates; reject what cannot be used.

Each row gets the first reason in :data:`hotspots.schema.REASONS` that applies, or
none. Rows without a reason are projected to British National Grid and placed in a
district. Every step is vectorised: the same code serves ten rows and a million.

Date rules
----------
* ISO 8601 first (``2024-07-25``, ``2024-07-25T14:30``, ``2024-07-25 14:30:00+01:00``;
  ``2024/07/25`` too): the calendar date as written is used; a time or offset does not
  move it. Anything else after the date (``2024-07-25 approx``) makes it unparseable.
* Month only (``2024-07``, as police.uk publishes): the event may fall on any day of
  that month, so ``date_start`` is the first and ``date_end`` the last day; a period
  keeps such a row only if it holds the whole month (a 2024-07 row is inside 2024Q3 but
  outside 2024-07-15..2024-09-30, where it is counted as outside the period).
* Day and month with a four-digit year separated by ``/``, ``.`` or ``-``
  (``25/07/2024``, optionally followed by a time such as ``14:30``): with
  ``date_order="auto"`` each file is read day-first (UK) if any of its dates can only be
  day-first (``25/07/2024``), month-first if any can only be month-first
  (``07/25/2024``). A file with neither, where some date reads differently each way
  (``03/07/2024``), is refused with a message asking for ``--date-order dmy`` or
  ``mdy``; a file with both is refused as mixed. Dates such as ``05/05/2024`` read the
  same either way and never need the option.
* Two-digit years, month names and other forms are rejected as ``unparseable_date``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import InputError
from hotspots.params import AnalysisParams, EventTypes

# RE2 syntax (pyarrow): \d is ASCII 0-9 only, so "٢٠٢٤" is not a year.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z| ?[+-]\d{2}(?::?\d{2})?)?)?"
_ISO = r"^(?P<y>\d{4})(?:-(?P<m>\d{2})-(?P<d>\d{2})|/(?P<m2>\d{1,2})/(?P<d2>\d{1,2}))" + _TIME + "$"
_MONTH = r"^(?P<y>\d{4})-(?P<m>\d{2})$"
_SLASHED = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})(?:(?:[T ]|, ?)\d{1,2}:\d{2}(?::\d{2})?)?$"
_NUMBER = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_DECIMAL_COMMA = r"^[-+]?\d+,\d+$"

#: Great Britain and its waters in WGS84 and British National Grid: points outside these
#: boxes whose swapped coordinates fall inside were written in the wrong order.
GB_LAT = (49.0, 61.5)
GB_LON = (-9.0, 2.5)
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)


@dataclass(frozen=True)
class Validated:
    """The outcome of validation."""

    valid: pd.DataFrame  # usable rows: raw columns + role, date_start, date_end, x_m, y_m, area
    rejected: pd.DataFrame  # raw columns + reason
    rows_with_coordinates: int  # rows whose coordinates were usable (for the geocoding rate)
    study_codes: tuple[str, ...]  # area codes of the study area, sorted


def validate(
    raw: pd.DataFrame,
    types: EventTypes,
    params: AnalysisParams,
    areas: object,
) -> Validated:
    """Check every raw row and place usable ones in a district of ``areas``.

    Parameters
    ----------
    raw
        Rows from :func:`hotspots.io.read_events`, concatenated in input order.
    types
        The event vocabulary.
    params
        Uses ``date_order``, ``coast_tolerance_m`` and ``study_area``.
    areas
        District polygons (GeoDataFrame in EPSG:27700 with ``area_code``, ``area_name``).
    """
    n = len(raw)
    reason = np.full(n, "", dtype=object)

    def reject(mask: np.ndarray, why: str) -> None:
        assert mask.dtype == bool  # an integer array here would index rows, not select them
        reason[(reason == "") & mask] = why

    ids = raw[schema.COL_ID].astype(str).str.strip()
    type_text = raw[schema.COL_TYPE].astype(str).str.strip()
    folded = type_text.str.casefold()
    canonical = folded.map(types.lookup())
    ignored = folded.isin(types.ignored).to_numpy()
    unknown = canonical.isna().to_numpy() & ~ignored & (type_text != "").to_numpy()
    # A label the config says not to analyse is just that, whatever else is wrong with the row
    # (police.uk anti-social behaviour rows have no Crime ID, for example).
    reject(ignored | (unknown & types.ignore_others), schema.REASON_TYPE_NOT_ANALYSED)
    reject((ids == "").to_numpy(), schema.REASON_MISSING_ID)
    in_play = pd.Series(reason == "", index=ids.index)
    duplicate = ids.where(in_play).duplicated(keep="first") & in_play & (ids != "")
    reject(duplicate.to_numpy(), schema.REASON_DUPLICATE_ID)
    reject((type_text == "").to_numpy(), schema.REASON_MISSING_TYPE)
    reject(unknown, schema.REASON_UNKNOWN_TYPE)

    start, end, date_reason = parse_dates(raw, params.date_order)
    reject(date_reason == schema.REASON_MISSING_DATE, schema.REASON_MISSING_DATE)
    reject(date_reason == schema.REASON_BAD_DATE, schema.REASON_BAD_DATE)

    x_m, y_m, coord_reason = project_coordinates(raw)
    has_coords = coord_reason == ""
    for why in (
        schema.REASON_MISSING_COORDS,
        schema.REASON_NON_NUMERIC_COORDS,
        schema.REASON_NOT_POINT,
        schema.REASON_ZERO_COORDS,
        schema.REASON_SWAPPED_COORDS,
        schema.REASON_INVALID_COORDS,
    ):
        reject(coord_reason == why, why)

    code, name = _place(x_m, y_m, has_coords, areas, params)
    reject(has_coords & (code == ""), schema.REASON_OUTSIDE_AREA)
    ok = reason == ""
    study = _study_codes(areas, params, code[ok])
    reject(ok & ~pd.Series(code).isin(study).to_numpy(), schema.REASON_OUTSIDE_AREA)
    ok = reason == ""

    valid = raw.loc[ok, [schema.COL_SOURCE, schema.COL_ROW]].copy()
    valid[schema.COL_ID] = ids[ok].to_numpy()
    valid[schema.COL_TYPE] = canonical[ok].to_numpy()
    valid[schema.COL_ROLE] = canonical[ok].map(types.roles).to_numpy()
    valid[schema.COL_DATE_START] = start[ok]
    valid[schema.COL_DATE_END] = end[ok]
    valid[schema.COL_X] = x_m[ok]
    valid[schema.COL_Y] = y_m[ok]
    valid[schema.COL_AREA_CODE] = code[ok]
    valid[schema.COL_AREA_NAME] = name[ok]
    valid = valid.reset_index(drop=True)

    rejected = raw.loc[~ok, [schema.COL_SOURCE, schema.COL_ROW]].copy()
    rejected[schema.COL_REASON] = reason[~ok]
    for column in schema.RAW_COLUMNS:
        rejected[column] = raw.loc[~ok, column].to_numpy()
    rejected = rejected.reset_index(drop=True)
    return Validated(valid, rejected, int(has_coords.sum()), tuple(sorted(study)))


# --- dates ------------------------------------------------------------------------------------


def _arrow_text(values: pd.Series) -> Any:
    """A column as a pyarrow string array with surrounding whitespace removed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values if pd.api.types.is_string_dtype(values) and values.dtype != object else values.astype(str)
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.utf8_trim_whitespace(pc.fill_null(array, ""))


def _extract(text: Any, pattern: str, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Named groups of ``pattern`` as int64 arrays (-1 where the row does not match).

    Only ``rows`` (a boolean mask) are searched when given: each date form is looked for
    among the rows the previous forms left, so a clean file pays for one pass.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    index = np.arange(n) if rows is None else np.flatnonzero(rows)
    subset = text if rows is None else text.take(pa.array(index))
    found = pc.extract_regex(subset, pattern)
    out = {}
    for field in range(found.type.num_fields):
        name = found.type.field(field).name
        group = pc.struct_field(found, [field])
        # A group that did not take part in the match is "": -1 like a row that did not match.
        group = pc.if_else(pc.equal(group, ""), pa.scalar(None, pa.large_string()), group)
        values = np.full(n, -1, dtype=np.int64)
        values[index] = pc.fill_null(pc.cast(group, pa.int64()), -1).to_numpy(zero_copy_only=False)
        out[name] = values
    return out


def parse_dates(raw: pd.DataFrame, date_order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last day each row's date can mean, and a reason for rows without one.

    The rules are in the module docstring.

    Returns
    -------
    start, end
        ``datetime64[D]`` arrays (``NaT`` where the date is missing or unparseable).
    reason
        ``""``, :data:`~hotspots.schema.REASON_MISSING_DATE` or
        :data:`~hotspots.schema.REASON_BAD_DATE` per row.

    Raises
    ------
    InputError
        A file's day/month order is ambiguous or mixed under ``date_order="auto"``.
    """
    import pyarrow.compute as pc

    text = _arrow_text(raw[schema.COL_DATE])
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)

    iso = _extract(text, _ISO)
    found = iso["y"] >= 0
    year = iso["y"].copy()
    month = np.where(iso["m"] >= 0, iso["m"], iso["m2"])
    day = np.where(iso["d"] >= 0, iso["d"], iso["d2"])
    month_only = np.zeros(len(year), dtype=bool)

    monthly = _extract(text, _MONTH, ~found & ~blank)
    is_month = monthly["y"] >= 0
    year[is_month] = monthly["y"][is_month]
    month[is_month] = monthly["m"][is_month]
    day[is_month] = 1
    month_only[is_month] = True

    slashed = _extract(text, _SLASHED, ~found & ~is_month & ~blank)
    is_slashed = slashed["y"] >= 0
    if is_slashed.any():
        first, second = slashed["a"], slashed["b"]
        sources = raw[schema.COL_SOURCE].to_numpy()
        day_first = _day_first(sources, first, second, is_slashed, raw[schema.COL_DATE], date_order)
        year[is_slashed] = slashed["y"][is_slashed]
        day[is_slashed] = np.where(day_first, first, second)[is_slashed]
        month[is_slashed] = np.where(day_first, second, first)[is_slashed]

    parsed = found | is_month | is_slashed
    start = _to_dates(year, month, day, parsed)
    valid = parsed & ~np.isnat(start)
    start[~valid] = np.datetime64("NaT")
    end = start.copy()
    month_valid = month_only & valid
    end[month_valid] = (
        start[month_valid].astype("datetime64[M]") + np.timedelta64(1, "M")
    ).astype("datetime64[D]") - np.timedelta64(1, "D")
    reason = np.where(blank, schema.REASON_MISSING_DATE, np.where(valid, "", schema.REASON_BAD_DATE))
    return start, end, reason.astype(object)


def _to_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray, parsed: np.ndarray) -> np.ndarray:
    """Calendar dates; NaT for impossible ones (month 13, 30 February, year 0)."""
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = parsed & (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    first = (year[ok] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month[ok] - 1)
    candidate = first.astype("datetime64[D]") + (day[ok] - 1)
    same_month = candidate.astype("datetime64[M]") == first
    out_ok = np.flatnonzero(ok)
    out[out_ok[same_month]] = candidate[same_month]
    return out


def _day_first(
    sources: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    is_slashed: np.ndarray,
    text: pd.Series,
    date_order: str,
) -> np.ndarray:
    """Per row: read the slashed date day-first? Decided per file under ``auto``."""
    if date_order == "dmy":
        return np.ones(len(first), dtype=bool)
    if date_order == "mdy":
        return np.zeros(len(first), dtype=bool)
    result = np.ones(len(first), dtype=bool)
    is_month = (first >= 1) & (first <= 12), (second >= 1) & (second <= 12)
    is_day_only = (first >= 13) & (first <= 31), (second >= 13) & (second <= 31)
    # Proof of an order: a date that is a real day/month only one way round.
    proves_dmy = is_slashed & is_day_only[0] & is_month[1]
    proves_mdy = is_slashed & is_month[0] & is_day_only[1]
    # Ambiguous: a date that reads as two different real dates.
    ambiguous = is_slashed & is_month[0] & is_month[1] & (first != second)
    for source in pd.unique(sources[is_slashed]):
        rows = sources == source
        dmy, mdy = proves_dmy & rows, proves_mdy & rows
        if dmy.any() and mdy.any():
            a, b = text[dmy].iloc[0], text[mdy].iloc[0]
            raise InputError(
                f"{source}: dates mix day-first ({a!r}) and month-first ({b!r}) order; "
                "correct the file, or choose one reading with --date-order dmy or --date-order mdy "
                "(rows that do not fit it are rejected as unparseable_date)"
            )
        if mdy.any():
            result[rows] = False
        elif not dmy.any() and (ambiguous & rows).any():
            example = text[ambiguous & rows].iloc[0]
            raise InputError(
                f"{source}: dates such as {str(example).strip()!r} could be day-first or month-first and "
                "no date in the file settles it; say which with --date-order dmy (UK, 25/07/2024) "
                "or --date-order mdy (US, 07/25/2024)"
            )
    return result


# --- coordinates --------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse coordinate text; returns (value, is_blank, is_bad).

    Spaces anywhere are ignored ("52. 6284", thousands "530 000"); a decimal comma
    ("52,6284", as many European locales write) is read as a point. Anything else that
    is not a plain decimal number, and any number too large for a float, is bad.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def parse(text: Any) -> np.ndarray:
        kept = pc.if_else(pc.match_substring_regex(text, _NUMBER), text, pa.scalar(None, text.type))
        return np.array(pc.fill_null(pc.cast(kept, pa.float64()), np.nan))  # a writable copy

    text = _arrow_text(values)
    value = parse(text)
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
    # Only values that are not already plain numbers pay for the clean-up.
    retry = np.flatnonzero(np.isnan(value) & ~blank)
    if len(retry):
        other = pc.replace_substring_regex(text.take(pa.array(retry)), r"[\s\p{Z}]+", "")
        comma = pc.match_substring_regex(other, _DECIMAL_COMMA)
        other = pc.if_else(comma, pc.replace_substring(other, ",", "."), other)
        value[retry] = parse(other)
    bad = ~blank & ~np.isfinite(value)
    return value, blank, bad


def project_coordinates(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Easting and northing in EPSG:27700 for each row, and a reason where impossible."""
    from pyproj import Transformer

    n = len(raw)
    reason = np.full(n, "", dtype=object)
    x, x_blank, x_bad = _numbers(raw[schema.COL_X_RAW])
    y, y_blank, y_bad = _numbers(raw[schema.COL_Y_RAW])
    kind = raw[schema.COL_GEOM_KIND].astype(str).to_numpy() if schema.COL_GEOM_KIND in raw else np.full(n, "")
    not_point = (kind != "") & (kind != "point") & (kind != "empty")

    def mark(mask: np.ndarray, why: str) -> None:
        reason[(reason == "") & mask] = why

    mark(not_point, schema.REASON_NOT_POINT)
    mark(x_blank | y_blank, schema.REASON_MISSING_COORDS)
    mark(x_bad | y_bad, schema.REASON_NON_NUMERIC_COORDS)
    mark((x == 0) & (y == 0), schema.REASON_ZERO_COORDS)

    crs = raw[schema.COL_CRS].astype(str).to_numpy()
    x_m = np.full(n, np.nan)
    y_m = np.full(n, np.nan)
    for code in pd.unique(crs):
        rows = (crs == code) & (reason == "")
        if not rows.any():
            continue
        cx, cy = x[rows], y[rows]
        if code == schema.CRS_WEB:
            in_gb = _inside(cy, GB_LAT) & _inside(cx, GB_LON)
            swapped = ~in_gb & _inside(cx, GB_LAT) & _inside(cy, GB_LON)
            out_of_range = (np.abs(cy) > 90) | (np.abs(cx) > 180)
        elif code == schema.CRS_METRIC:
            in_gb = _inside(cx, BNG_EASTING) & _inside(cy, BNG_NORTHING)
            swapped = ~in_gb & _inside(cy, BNG_EASTING) & _inside(cx, BNG_NORTHING)
            out_of_range = ~in_gb & ~swapped
        else:
            swapped = np.zeros(len(cx), dtype=bool)
            out_of_range = np.zeros(len(cx), dtype=bool)
        sub = reason[rows]
        sub[(sub == "") & swapped] = schema.REASON_SWAPPED_COORDS
        sub[(sub == "") & out_of_range] = schema.REASON_INVALID_COORDS
        reason[rows] = sub
        rows = (crs == code) & (reason == "")
        if code == schema.CRS_METRIC:
            x_m[rows], y_m[rows] = x[rows], y[rows]
            continue
        try:
            transformer = Transformer.from_crs(code, schema.CRS_METRIC, always_xy=True)
        except Exception:  # noqa: BLE001 - pyproj raises several types for a CRS it cannot use
            raise InputError(f"unknown coordinate reference system {code!r}; give an EPSG code such as EPSG:27700") from None
        px, py = transformer.transform(x[rows], y[rows], errcheck=False)
        x_m[rows], y_m[rows] = px, py
    unprojectable = (reason == "") & ~(np.isfinite(x_m) & np.isfinite(y_m))
    reason[unprojectable] = schema.REASON_INVALID_COORDS
    return x_m, y_m, reason


def _inside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


# --- districts ----------------------------------------------------------------------------------


def _place(
    x_m: np.ndarray, y_m: np.ndarray, usable: np.ndarray, areas: object, params: AnalysisParams
) -> tuple[np.ndarray, np.ndarray]:
    """District code and name holding each usable point ('' where none).

    A point on a shared border belongs to the first district in area order. Each district
    is prepared once and tests only the points inside its bounding box (found by binary
    search on x), so no point geometries are built for the points inside a district.
    """
    import shapely

    n = len(x_m)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    rows = np.flatnonzero(usable)
    if len(rows) == 0:
        return code, name
    polygons = np.asarray(areas.geometry.values)  # type: ignore[attr-defined]
    codes = areas[schema.COL_AREA_CODE].to_numpy()  # type: ignore[index]
    names = areas[schema.COL_AREA_NAME].to_numpy()  # type: ignore[index]
    x, y = x_m[rows], y_m[rows]
    area_of = np.full(len(rows), -1, dtype=np.int64)
    by_x = np.argsort(x, kind="stable")
    sorted_x = x[by_x]
    shapely.prepare(polygons)
    for k, (x0, y0, x1, y1) in enumerate(shapely.bounds(polygons)):  # one step per district
        lo, hi = np.searchsorted(sorted_x, x0, side="left"), np.searchsorted(sorted_x, x1, side="right")
        candidates = by_x[lo:hi]
        candidates = candidates[(area_of[candidates] < 0) & (y[candidates] >= y0) & (y[candidates] <= y1)]
        if len(candidates):
            inside = shapely.intersects_xy(polygons[k], x[candidates], y[candidates])
            area_of[candidates[inside]] = k
    # Generalised coastlines leave real seafront points just outside every polygon: give them
    # to the nearest district within the tolerance (the first in area order on a tie).
    missing = np.flatnonzero(area_of < 0)
    if len(missing) and params.coast_tolerance_m > 0:
        points = shapely.points(x[missing], y[missing])
        near_area, near_point = shapely.STRtree(points).query(
            polygons, predicate="dwithin", distance=params.coast_tolerance_m
        )
        if len(near_point):
            distance = shapely.distance(polygons[near_area], points[near_point])
            order = np.lexsort((near_area, distance, near_point))
            near_point, near_area = near_point[order], near_area[order]
            first = np.r_[True, near_point[1:] != near_point[:-1]]
            area_of[missing[near_point[first]]] = near_area[first]
    placed = area_of >= 0
    code[rows[placed]] = codes[area_of[placed]]
    name[rows[placed]] = names[area_of[placed]]
    return code, name


def _study_codes(areas: object, params: AnalysisParams, event_codes: np.ndarray) -> set[str]:
    """The area codes of the study area: as configured, else every district with events."""
    if not params.study_area:
        return set(event_codes.tolist())
    return resolve_study_area(areas, params.study_area)


def resolve_study_area(areas: object, wanted: tuple[str, ...]) -> set[str]:
    """Area codes for study-area entries given as codes or names (case-insensitive)."""
    codes = areas[schema.COL_AREA_CODE].astype(str)  # type: ignore[index]
    names = areas[schema.COL_AREA_NAME].astype(str)  # type: ignore[index]
    by_key = {c.casefold(): c for c in codes}
    by_key.update({nm.casefold(): c for nm, c in zip(names, codes, strict=True)})
    unknown = [w for w in wanted if w.strip().casefold() not in by_key]
    if unknown:
        raise InputError(
            f"study area: no district named or coded {', '.join(repr(u) for u in unknown)} "
            "in the boundaries; use names or codes from areas.csv (e.g. 'Norwich' or 'E07000148')"
        )
    return {by_key[w.strip().casefold()] for w in wanted}
